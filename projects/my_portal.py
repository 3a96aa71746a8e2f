"""The projects panel of the person's own page (cluster_portal.core.my_portal): the projects
they lead, work on or take part in, with their overdue work; for programme staff also the
deliverables waiting for their review and the overdue work across the programme (the place of
those flags until the staff dashboard has its own)."""

from cluster_portal.core.my_portal import Panel

from .permissions import may_manage_projects
from .selectors import (
    deliverables_to_review,
    overdue_deliverables,
    overdue_milestones,
    projects_of_person,
    with_overdue_counts,
)

PROJECTS_SHOWN = 8
REVIEWS_SHOWN = 5


def read(user) -> dict | None:
    projects = list(with_overdue_counts(projects_of_person(user=user))
                    .order_by("ends_on", "code")[:PROJECTS_SHOWN + 1])
    context = {"projects": projects[:PROJECTS_SHOWN], "more_projects": len(projects) >
               PROJECTS_SHOWN, "staff": False}
    if may_manage_projects(user):
        reviews = list(deliverables_to_review(user=user)[:REVIEWS_SHOWN + 1])
        context.update({
            "staff": True,
            "to_review": reviews[:REVIEWS_SHOWN], "more_to_review": len(reviews) > REVIEWS_SHOWN,
            "overdue_milestones": overdue_milestones(user=user).count(),
            "overdue_deliverables": overdue_deliverables(user=user).count(),
        })
    return context if context["projects"] or context["staff"] else None


PANEL = Panel(key="projects", template="projects/my_portal_panel.html", read=read, order=25)
