"""What the projects app tells people: a project they work on moved in its lifecycle, a
deliverable was handed over or decided, a status update came in, and overdue work (weekly, to
the principal investigator)."""

from functools import partial

from cluster_portal.notifications.kinds import Audience, NotificationKind

PROJECTS = "Projects"

_kind = partial(NotificationKind, app="projects", group=PROJECTS)

PROJECT_STATUS_CHANGED = _kind(
    "project_status_changed", "A project you work on moved on",
    "you lead or work on the project, or follow it for the programme")
PROJECT_TEAM_JOINED = _kind(
    "project_team_joined", "You were named on a project",
    "programme staff named you as the project's principal investigator or on its team")
DELIVERABLE_SUBMITTED = _kind(
    "deliverable_submitted", "A deliverable waits for your review",
    "you follow the project for the programme", audience=Audience.PROGRAMME_STAFF)
DELIVERABLE_DECIDED = _kind(
    "deliverable_decided", "A deliverable was approved or returned",
    "you lead the project or submitted the deliverable")
STATUS_UPDATE_POSTED = _kind(
    "status_update_posted", "A project posted its status update",
    "you follow the project for the programme", audience=Audience.PROGRAMME_STAFF)
PROJECT_WORK_OVERDUE = _kind(
    "project_work_overdue", "Weekly reminder of a project's overdue work",
    "you are the project's principal investigator")

ALL = (PROJECT_STATUS_CHANGED, PROJECT_TEAM_JOINED, DELIVERABLE_SUBMITTED, DELIVERABLE_DECIDED,
       STATUS_UPDATE_POSTED, PROJECT_WORK_OVERDUE)
