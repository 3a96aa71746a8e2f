"""May this person do this to that, for projects: one function per question.

How much of one project a person may see is `project_access`; the lists of projects they may
see start from `projects.selectors.project_list_visible`, which asks the same questions of the
database.
"""

from enum import IntEnum

from cluster_portal.accounts.memo import remembered
from cluster_portal.accounts.permissions import may_act_as_admin, may_act_as_staff
from partners.selectors import user_organisation_roles
from workstreams.permissions import member_organisation_ids

from .models import Deliverable, Project, Visibility

Status = Project.Status

# Who moves a project from one state to another. Programme staff run the lifecycle; the
# principal investigator puts the draft forward (or takes it back); a project that has started
# is stopped only by the programme office.
STAFF, PRINCIPAL_INVESTIGATOR, PROGRAMME_ADMIN = "staff", "principal_investigator", "admin"
MOVE_ROLES: dict[tuple[str, str], frozenset[str]] = {
    (Status.DRAFT, Status.PROPOSED): frozenset({STAFF, PRINCIPAL_INVESTIGATOR}),
    (Status.DRAFT, Status.CANCELLED): frozenset({STAFF}),
    (Status.PROPOSED, Status.DRAFT): frozenset({STAFF, PRINCIPAL_INVESTIGATOR}),
    (Status.PROPOSED, Status.APPROVED): frozenset({STAFF}),
    (Status.PROPOSED, Status.CANCELLED): frozenset({STAFF}),
    (Status.APPROVED, Status.ACTIVE): frozenset({STAFF}),
    (Status.APPROVED, Status.ON_HOLD): frozenset({STAFF}),
    (Status.APPROVED, Status.CANCELLED): frozenset({PROGRAMME_ADMIN}),
    (Status.ACTIVE, Status.ON_HOLD): frozenset({STAFF}),
    (Status.ACTIVE, Status.COMPLETED): frozenset({STAFF}),
    (Status.ACTIVE, Status.CANCELLED): frozenset({PROGRAMME_ADMIN}),
    (Status.ON_HOLD, Status.ACTIVE): frozenset({STAFF}),
    (Status.ON_HOLD, Status.CANCELLED): frozenset({PROGRAMME_ADMIN}),
}
ROLE_WORDS = {STAFF: "programme staff", PRINCIPAL_INVESTIGATOR: "the principal investigator",
              PROGRAMME_ADMIN: "the programme office"}

# States in which a project's plan, updates and contributions still change.
OPEN_STATES = (Status.DRAFT, Status.PROPOSED, Status.APPROVED, Status.ACTIVE, Status.ON_HOLD)
# States in which the team reports monthly.
REPORTING_STATES = (Status.APPROVED, Status.ACTIVE, Status.ON_HOLD)


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


class Access(IntEnum):
    """How much of a project a person sees. SUMMARY: its public face (code, title, summary,
    workstream, lead organisation, status, dates, TRL). MEMBER: also its objectives,
    participants, team, plan and latest rating. FULL: everything, with status updates,
    deliverable files and the contributions of the person's own organisation (all of them for
    staff)."""

    NONE = 0
    SUMMARY = 1
    MEMBER = 2
    FULL = 3


# A project is seen beyond its team and participants only once the programme has approved it.
SHOWN_STATES = (Status.APPROVED, Status.ACTIVE, Status.ON_HOLD, Status.COMPLETED)


def project_access(user, project: Project) -> Access:
    """How much of `project` this person sees (design rule 1: `project_list_visible` is the
    same rule as a query)."""
    if may_manage_projects(user) or is_on_team(user, project):
        return Access.FULL
    if _signed_in(user) and project.status != Status.DRAFT and (
            organisation_ids_of(user) & participant_ids(project)):
        return Access.FULL
    if project.status not in SHOWN_STATES:
        return Access.NONE
    if project.visibility != Visibility.PARTICIPANTS and member_organisation_ids(
            user, project.workstream):
        return Access.MEMBER
    if project.visibility == Visibility.PUBLIC:
        return Access.SUMMARY
    return Access.NONE


def participant_ids(project: Project) -> set[int]:
    """The participating organisations' ids, from the prefetch when there is one."""
    cache = getattr(project, "_prefetched_objects_cache", {})
    if "participations" in cache:
        return {p.organisation_id for p in cache["participations"]}
    return set(project.participations.values_list("organisation_id", flat=True))


def may_manage_projects(user) -> bool:
    """Create projects, set their organisations and team, record contributions, review
    deliverables: programme staff (with their second factor)."""
    return may_act_as_staff(user)


def is_principal_investigator(user, project: Project) -> bool:
    return _signed_in(user) and project.principal_investigator_id == user.pk


def is_on_team(user, project: Project) -> bool:
    """The principal investigator or a member of the project's team (read once per request)."""
    if not _signed_in(user):
        return False
    if project.principal_investigator_id == user.pk:
        return True
    teams = remembered(user, "_project_teams", dict)
    if project.pk not in teams:
        teams[project.pk] = project.team.filter(person=user).exists()
    return teams[project.pk]


def organisation_ids_of(user) -> set[int]:
    return set(user_organisation_roles(user))


def acts_for_lead_organisation(user, project: Project) -> bool:
    return _signed_in(user) and project.lead_organisation_id in organisation_ids_of(user)


def move_roles_of(user, project: Project) -> set[str]:
    roles = set()
    if may_manage_projects(user):
        roles.add(STAFF)
    if may_act_as_admin(user):
        roles.add(PROGRAMME_ADMIN)
    if is_principal_investigator(user, project):
        roles.add(PRINCIPAL_INVESTIGATOR)
    return roles


def may_move_project(user, project: Project, to: str) -> bool:
    allowed = MOVE_ROLES.get((project.status, to), frozenset())
    return bool(allowed & move_roles_of(user, project))


# Each move as a person makes it, for refusals: "Only programme staff may put X on hold."
MOVE_PHRASES = {
    Status.PROPOSED: "propose {code}", Status.DRAFT: "send {code} back to draft",
    Status.APPROVED: "approve {code}", Status.ACTIVE: "start {code}",
    Status.ON_HOLD: "put {code} on hold", Status.COMPLETED: "complete {code}",
    Status.CANCELLED: "cancel {code}",
}


def move_refusal(project: Project, to: str) -> str:
    """Why this person may not make the move, in words: who may."""
    return f"Only {who_may_move(project, to)} may {MOVE_PHRASES[to].format(code=project.code)}."


def who_may_move(project: Project, to: str) -> str:
    """In words, who may make this move (for a refusal)."""
    roles = MOVE_ROLES.get((project.status, to), frozenset())
    return " or ".join(ROLE_WORDS[role] for role in sorted(roles)) or "nobody"


def may_edit_project(user, project: Project) -> bool:
    """Change its title, summary, dates, TRL, visibility, organisations, team and skills."""
    return may_manage_projects(user) and project.status in OPEN_STATES


def may_plan(user, project: Project) -> bool:
    """Add and change milestones and deliverables: staff and the project's team."""
    return project.status in OPEN_STATES and (
        may_manage_projects(user) or is_on_team(user, project))


def may_post_status_update(user, project: Project) -> bool:
    return project.status in REPORTING_STATES and (
        may_manage_projects(user) or is_on_team(user, project))


def may_work_on_deliverable(user, deliverable: Deliverable) -> bool:
    """Upload a draft: the team and the lead organisation's people."""
    project = deliverable.project
    return project.status in OPEN_STATES and (
        is_on_team(user, project) or acts_for_lead_organisation(user, project))


def may_submit_deliverable(user, deliverable: Deliverable) -> bool:
    """Hand a deliverable over for acceptance: only the lead organisation's people."""
    project = deliverable.project
    return project.status in OPEN_STATES and acts_for_lead_organisation(user, project)


def may_review_deliverable(user, deliverable: Deliverable) -> bool:
    return may_manage_projects(user)


def may_download_deliverable(user, deliverable: Deliverable) -> bool:
    """The file of a deliverable: staff, the team and the participating organisations' people
    (who see the project in full). A draft, not handed over yet, stays with those who work on
    it (the team, the lead organisation's people) and programme staff."""
    if deliverable.status == Deliverable.Status.DRAFT:
        return may_manage_projects(user) or may_work_on_deliverable(user, deliverable)
    return project_access(user, deliverable.project) >= Access.FULL


def may_record_contributions(user, project: Project) -> bool:
    return may_manage_projects(user)


def may_see_project_contributions(user, project: Project, access: Access) -> bool:
    """A project's contributions page: staff, and the people of its participating organisations
    who see it in full (each then sees their own organisations' rows only)."""
    if may_record_contributions(user, project):
        return True
    return access >= Access.FULL and bool(organisation_ids_of(user) & participant_ids(project))


def may_see_contributions_of(user, organisation_id: int) -> bool:
    """One organisation's figures are shown to staff and to its own people, never to another
    organisation's."""
    return may_manage_projects(user) or organisation_id in organisation_ids_of(user)
