"""Writes of the projects app. Every state change goes through a function here."""

from .plan import (
    DELIVERABLE_KINDS_TEXT,
    deliverable_approve,
    deliverable_create,
    deliverable_delete,
    deliverable_max_bytes,
    deliverable_return,
    deliverable_save_draft,
    deliverable_submit,
    deliverable_update,
    milestone_complete,
    milestone_create,
    milestone_delete,
    milestone_reopen,
    milestone_update,
)
from .projects import (
    project_create,
    project_moves_for,
    project_participants_set,
    project_skill_needs_set,
    project_team_set,
    project_transition,
    project_update,
)
from .reporting import (
    contribution_record,
    contribution_remove,
    project_overdue_reminders_send,
    status_update_post,
)

__all__ = [
    "DELIVERABLE_KINDS_TEXT", "contribution_record", "contribution_remove",
    "deliverable_approve", "deliverable_create", "deliverable_delete", "deliverable_max_bytes",
    "deliverable_return", "deliverable_save_draft", "deliverable_submit", "deliverable_update",
    "milestone_complete", "milestone_create", "milestone_delete", "milestone_reopen",
    "milestone_update", "project_create", "project_moves_for", "project_overdue_reminders_send",
    "project_participants_set", "project_skill_needs_set", "project_team_set",
    "project_transition", "project_update", "status_update_post",
]
