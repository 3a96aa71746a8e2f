"""The projects section of a workstream's page (workstreams.page_sections): the workstream's
projects the person may see, those running or done before those still to come."""

from django.db.models import Case, IntegerField, Value, When

from workstreams.page_sections import Section

from .models import Project
from .permissions import Access
from .selectors import project_list_visible, with_access_level, with_overdue_counts

PROJECTS_SHOWN = 10
Status = Project.Status
# Running first, then approved to start, then done; the rest (seen by staff and the projects'
# own people) last.
STATE_ORDER = Case(When(status=Status.ACTIVE, then=Value(0)),
                   When(status=Status.APPROVED, then=Value(1)),
                   When(status=Status.COMPLETED, then=Value(2)),
                   default=Value(3), output_field=IntegerField())


def read(user, workstream) -> dict | None:
    projects = project_list_visible(user=user).filter(workstream=workstream)
    projects = list(with_access_level(with_overdue_counts(projects), user=user)
                    .order_by(STATE_ORDER, "-starts_on", "code")[:PROJECTS_SHOWN + 1])
    if not projects:
        return None
    return {"projects": projects[:PROJECTS_SHOWN], "more": len(projects) > PROJECTS_SHOWN,
            "workstream": workstream, "member_level": int(Access.MEMBER)}


SECTION = Section(key="projects", template="projects/partials/workstream_projects.html",
                  read=read)
