"""The projects app's pages, one module per kind of work."""

from .manage import project_create, project_edit, project_move, project_people
from .plan import (
    deliverable_create,
    deliverable_delete,
    deliverable_detail,
    deliverable_draft,
    deliverable_edit,
    deliverable_file,
    deliverable_review,
    deliverable_submit,
    milestone_complete,
    milestone_create,
    milestone_delete,
    milestone_edit,
    milestone_reopen,
)
from .reading import contribution_totals, detail, history, portfolio_csv, project_list
from .reporting import contribution_remove, project_contributions, status_update_create

__all__ = [
    "contribution_remove",
    "contribution_totals",
    "deliverable_create",
    "deliverable_delete",
    "deliverable_detail",
    "deliverable_draft",
    "deliverable_edit",
    "deliverable_file",
    "deliverable_review",
    "deliverable_submit",
    "detail",
    "history",
    "milestone_complete",
    "milestone_create",
    "milestone_delete",
    "milestone_edit",
    "milestone_reopen",
    "portfolio_csv",
    "project_contributions",
    "project_create",
    "project_edit",
    "project_list",
    "project_move",
    "project_people",
    "status_update_create",
]
