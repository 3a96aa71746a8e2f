"""Reads of projects, scoped to the person asking (the access layer, design rule 1).

`project_list_visible` is `permissions.project_access` written as a query: every list, count,
search, export and API list of projects starts from it, so a project hidden from someone on
its page is hidden from them everywhere.
"""

import datetime
import functools
from dataclasses import dataclass, replace
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    Expression,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from cluster_portal.audit.selectors import audit_latest_event_id
from cluster_portal.core.nested_rows import NestedRows, nested_rows
from cluster_portal.core.search import matching_every_word
from partners.models import Organisation
from workstreams.models import WorkstreamMembership

from .models import (
    OPEN_DELIVERABLE_STATES,
    Contribution,
    Deliverable,
    Milestone,
    Project,
    ProjectParticipant,
    ProjectSkillNeed,
    ProjectTeamMember,
    ProjectTransition,
    StatusUpdate,
    Visibility,
)
from .permissions import (
    SHOWN_STATES,
    Access,
    may_manage_projects,
    organisation_ids_of,
    project_access,
)

Status = Project.Status


@dataclass(frozen=True)
class _Ties:
    """How a signed-in person is tied to projects, each as a condition on a project: through an
    organisation they act for that is in the project's workstream, or taking part in it, or in
    person on its team. Each is an uncorrelated IN (subquery), which PostgreSQL reads once and
    hashes: OR'ed together, correlated EXISTS would be run again for every project counted."""

    workstream_member: Q
    participating: Q
    on_team: Q


def _ties(user) -> _Ties:
    own = organisation_ids_of(user)
    return _Ties(
        workstream_member=Q(workstream__in=WorkstreamMembership.objects.filter(
            until__isnull=True, organisation__in=own, organisation__status="approved",
        ).values("workstream")),
        participating=Q(pk__in=ProjectParticipant.objects.filter(
            organisation__in=own).values("project")),
        on_team=Q(pk__in=ProjectTeamMember.objects.filter(person=user).values("project")),
    )


def _visible_filter(user) -> Q | None:
    """None: everything (staff)."""
    if may_manage_projects(user):
        return None
    shown = Q(status__in=SHOWN_STATES)
    public = shown & Q(visibility=Visibility.PUBLIC)
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return public
    ties = _ties(user)
    return (public
            | (shown & ~Q(visibility=Visibility.PARTICIPANTS) & ties.workstream_member)
            | (~Q(status=Status.DRAFT) & ties.participating)
            | Q(principal_investigator=user) | ties.on_team)


def with_access_level(projects: QuerySet[Project], *, user) -> QuerySet[Project]:
    """Each project with `access_level`, the `Access` the person has to it: `project_access`
    written as one CASE in the same query, so a list presents each row at its level without a
    query per row."""
    if may_manage_projects(user):
        return projects.annotate(access_level=Value(int(Access.FULL), IntegerField()))
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return projects.annotate(access_level=Case(
            When(Q(status__in=SHOWN_STATES, visibility=Visibility.PUBLIC),
                 then=Value(int(Access.SUMMARY))),
            default=Value(int(Access.NONE)), output_field=IntegerField()))
    ties = _ties(user)
    return projects.annotate(access_level=Case(
        When(Q(principal_investigator=user) | ties.on_team, then=Value(int(Access.FULL))),
        When(~Q(status=Status.DRAFT) & ties.participating, then=Value(int(Access.FULL))),
        When(Q(status__in=SHOWN_STATES) & ~Q(visibility=Visibility.PARTICIPANTS)
             & ties.workstream_member, then=Value(int(Access.MEMBER))),
        When(Q(status__in=SHOWN_STATES, visibility=Visibility.PUBLIC),
             then=Value(int(Access.SUMMARY))),
        default=Value(int(Access.NONE)), output_field=IntegerField()))


def projects_seen_at_least(*, user, access: Access) -> QuerySet[Project]:
    """The projects the person sees at `access` or more (as ids, for filtering their parts)."""
    projects = project_list_visible(user=user)
    if access > Access.SUMMARY and not may_manage_projects(user):
        projects = with_access_level(projects, user=user).filter(access_level__gte=int(access))
    return projects.values("pk")


def milestone_list_visible(*, user) -> QuerySet[Milestone]:
    """Milestones of the projects whose plan the person sees (MEMBER or more)."""
    return Milestone.objects.filter(
        project__in=projects_seen_at_least(user=user, access=Access.MEMBER)
    ).select_related("project")


def deliverable_list_visible(*, user) -> QuerySet[Deliverable]:
    """Deliverables of the projects whose plan the person sees (MEMBER or more)."""
    return Deliverable.objects.filter(
        project__in=projects_seen_at_least(user=user, access=Access.MEMBER)
    ).select_related("project__lead_organisation", "project__workstream", "milestone",
                     "submitted_by", "decided_by")


def status_update_list_visible(*, user) -> QuerySet[StatusUpdate]:
    """Status updates of the projects the person sees in full."""
    return StatusUpdate.objects.filter(
        project__in=projects_seen_at_least(user=user, access=Access.FULL)
    ).select_related("project", "posted_by")


def person_by_email(*, user, email: str):
    """The active account with this address, for programme staff naming a principal
    investigator, a team member or an officer; None for anyone else (no address lookup for
    people who may not name anyone)."""
    if not may_manage_projects(user) or not (email or "").strip():
        return None
    return (get_user_model().objects.filter(email__iexact=email.strip(), is_active=True)
            .first())


def project_list_visible(*, user) -> QuerySet[Project]:
    """Every project the person may see at all, with what a list shows of each."""
    projects = Project.objects.all()
    visible = _visible_filter(user)
    if visible is not None:
        projects = projects.filter(visible)
    return projects.select_related("workstream__programme", "lead_organisation",
                                   "principal_investigator")


def project_get_visible(*, user, code: str) -> tuple[Project, Access]:
    """The project and how much of it the person sees; DoesNotExist for one they may not see,
    exactly as for one that does not exist."""
    project = (Project.objects.select_related(
        "workstream__programme", "lead_organisation", "principal_investigator", "officer")
        .prefetch_related(Prefetch("participations", queryset=ProjectParticipant.objects
                                   .select_related("organisation")))
        .get(code=code))
    access = project_access(user, project)
    if access == Access.NONE:
        raise Project.DoesNotExist(code)
    return project, access


# --- the portfolio -------------------------------------------------------------------------------

PORTFOLIO_SORTS = {
    "code": ("code",), "-code": ("-code",),
    "title": ("title", "code"), "-title": ("-title", "code"),
    "starts_on": ("starts_on", "code"), "-starts_on": ("-starts_on", "code"),
    "ends_on": ("ends_on", "code"), "-ends_on": ("-ends_on", "code"),
    "status": ("status", "code"), "-status": ("-status", "code"),
    "rag": ("rag_order", "code"), "-rag": ("-rag_order", "code"),
    "trl": ("trl_current", "code"), "-trl": ("-trl_current", "code"),
}


@dataclass(frozen=True)
class PortfolioFilters:
    """What the portfolio's reader asked for; empty values filter nothing."""

    text: str = ""
    workstream: str = ""       # a workstream's slug
    status: str = ""
    rag: str = ""              # the latest status update's overall rating; "none" for no update
    organisation: str = ""     # an organisation's slug: led by or taking part
    trl_min: int | None = None  # TRL now at least
    trl_max: int | None = None
    active_on_or_after: datetime.date | None = None  # ends on or after
    active_on_or_before: datetime.date | None = None  # starts on or before
    overdue: bool = False
    sort: str = "code"


def _count_of(queryset) -> Subquery:
    return Coalesce(Subquery(queryset.order_by().values("project").annotate(n=Count("pk"))
                             .values("n"), output_field=IntegerField()), Value(0))


def with_overdue_counts(projects: QuerySet[Project]) -> QuerySet[Project]:
    """Each project with its overdue milestones and deliverables counted in the same query."""
    return projects.annotate(**_overdue_counts(timezone.localdate()))


@functools.lru_cache(maxsize=2)
def _overdue_counts(today: datetime.date) -> dict[str, Expression]:
    """The overdue counts' subqueries as of `today`, built once a day rather than for every
    list (building them cost a list a millisecond); `annotate` copies what it is given, so
    every query has its own."""
    return {
        "overdue_milestones": _count_of(Milestone.objects.filter(
            project=OuterRef("pk"), completed_on__isnull=True, due_on__lt=today)),
        "overdue_deliverables": _count_of(Deliverable.objects.filter(
            project=OuterRef("pk"), status__in=OPEN_DELIVERABLE_STATES, due_on__lt=today)),
    }


def project_portfolio(*, user, filters: PortfolioFilters = PortfolioFilters()) -> QuerySet[Project]:
    """The projects the person sees (staff: all), filtered and sorted, each with its overdue
    counts, in a fixed number of queries however many there are (`with_participants` adds
    who takes part, for the lists that show it)."""
    projects = project_list_visible(user=user)
    if not may_manage_projects(user):
        # What a summary does not show (who takes part, the rating, the TRL now, overdue work)
        # is no filter for those who may see only summaries: a filter would tell it.
        filters = replace(filters, organisation="", rag="", trl_min=None, trl_max=None,
                          overdue=False,
                          sort=filters.sort if filters.sort.lstrip("-") not in (
                              "rag", "trl") else "code")
    if filters.text:
        projects = matching_every_word(projects, filters.text, "code", "title", "summary")
    if filters.workstream:
        projects = projects.filter(workstream__slug=filters.workstream)
    if filters.status:
        projects = projects.filter(status=filters.status)
    if filters.rag == "none":
        projects = projects.filter(latest_rag="")
    elif filters.rag:
        projects = projects.filter(latest_rag=filters.rag)
    if filters.organisation:
        projects = projects.filter(Exists(ProjectParticipant.objects.filter(
            project=OuterRef("pk"), organisation__slug=filters.organisation)))
    if filters.trl_min is not None:
        projects = projects.filter(trl_current__gte=filters.trl_min)
    if filters.trl_max is not None:
        projects = projects.filter(trl_current__lte=filters.trl_max)
    if filters.active_on_or_after:
        projects = projects.filter(ends_on__gte=filters.active_on_or_after)
    if filters.active_on_or_before:
        projects = projects.filter(starts_on__lte=filters.active_on_or_before)
    projects = with_overdue_counts(projects)
    if filters.overdue:
        projects = projects.filter(Q(overdue_milestones__gt=0) | Q(overdue_deliverables__gt=0))
    order = PORTFOLIO_SORTS.get(filters.sort, PORTFOLIO_SORTS["code"])
    if "rag_order" in (name.lstrip("-") for name in order):
        # Only a sort by rating reads it: built for every list, it is query building wasted.
        projects = projects.alias(rag_order=Case(
            When(latest_rag="red", then=Value(3)), When(latest_rag="amber", then=Value(2)),
            When(latest_rag="green", then=Value(1)), default=Value(0),
            output_field=IntegerField()))
    return projects.order_by(*order)


def with_participants(projects: QuerySet[Project]) -> QuerySet[Project]:
    """The projects with their participating organisations, one query for all (for the lists
    that name them: the portfolio's CSV; its page and the API's list do not)."""
    return projects.prefetch_related(
        Prefetch("participations",
                 queryset=ProjectParticipant.objects.select_related("organisation")))


# How long the portfolio's list of participating organisations is kept at most (it is also
# read afresh after any audited change).
PARTICIPANTS_KEPT_SECONDS = 300


def participating_organisation_choices() -> list[tuple[str, str]]:
    """(slug, name) of every organisation taking part in a project, by name: the portfolio's
    filter for staff. Thousands at programme scale, so kept in the cache until the next audited
    change (adding a participant, renaming an organisation) rather than read on every visit."""
    key = f"projects:participating-organisations:{audit_latest_event_id()}"
    choices = cache.get(key)
    if choices is None:
        choices = list(Organisation.objects.filter(Exists(ProjectParticipant.objects.filter(
            organisation=OuterRef("pk")))).order_by("name").values_list("slug", "name"))
        cache.set(key, choices, PARTICIPANTS_KEPT_SECONDS)
    return choices


def participant_rows() -> NestedRows:
    """An annotation of projects: the organisations taking part in each, {slug, name}, in the
    order a project lists them (ProjectParticipant's), read in the projects' own query: for
    lists read as values, whose projects the caller's selector has already scoped."""
    return nested_rows(
        ProjectParticipant.objects.filter(project=OuterRef("pk"))
        .order_by("organisation__name", "pk"),
        slug="organisation__slug", name="organisation__name")


# --- one project ---------------------------------------------------------------------------------

def project_participants(*, project: Project) -> list:
    return [p.organisation for p in project.participations.all()]


def project_team(*, project: Project) -> QuerySet[ProjectTeamMember]:
    return project.team.select_related("person")


def project_skill_needs(*, project: Project) -> QuerySet[ProjectSkillNeed]:
    return project.skill_needs.select_related("skill")


def project_milestones(*, project: Project) -> QuerySet[Milestone]:
    return project.milestones.all()


def project_deliverables(*, project: Project) -> QuerySet[Deliverable]:
    return project.deliverables.select_related("milestone", "submitted_by", "decided_by")


def project_status_updates(*, project: Project) -> QuerySet[StatusUpdate]:
    return project.status_updates.select_related("posted_by")


def project_transitions(*, project: Project) -> QuerySet[ProjectTransition]:
    return project.transitions.select_related("by")


def milestone_get_visible(*, user, project_code: str, pk: int) -> tuple[Milestone, Access]:
    project, access = project_get_visible(user=user, code=project_code)
    if access < Access.MEMBER:
        raise Milestone.DoesNotExist(pk)
    return project.milestones.get(pk=pk), access


def deliverable_get_visible(*, user, project_code: str, pk: int) -> tuple[Deliverable, Access]:
    project, access = project_get_visible(user=user, code=project_code)
    if access < Access.MEMBER:
        raise Deliverable.DoesNotExist(pk)
    deliverable = project.deliverables.select_related("milestone").get(pk=pk)
    deliverable.project = project
    return deliverable, access


@dataclass(frozen=True)
class TimelineEntry:
    on: datetime.date
    kind: str          # milestone, deliverable, status_update, transition
    title: str
    state: str = ""    # a word for its state: done, open, overdue, submitted, approved...
    overdue: bool = False
    rag: str = ""
    detail: str = ""


def project_timeline(*, project: Project, access: Access) -> list[TimelineEntry]:
    """What happened and what is due, oldest first: milestones and deliverables for anyone
    who sees the plan; status updates and lifecycle moves for those who see the project in full.
    """
    if access < Access.MEMBER:
        return []
    entries = []
    for milestone in project_milestones(project=project):
        state = "done" if milestone.completed_on else ("overdue" if milestone.is_overdue
                                                       else "open")
        entries.append(TimelineEntry(on=milestone.completed_on or milestone.due_on,
                                     kind="milestone", title=milestone.title, state=state,
                                     overdue=milestone.is_overdue))
    for deliverable in project.deliverables.all():
        entries.append(TimelineEntry(
            on=deliverable.due_on, kind="deliverable", title=deliverable.title,
            state="overdue" if deliverable.is_overdue else deliverable.status,
            overdue=deliverable.is_overdue, detail=deliverable.get_kind_display()))
    if access >= Access.FULL:
        for update in project.status_updates.all():
            entries.append(TimelineEntry(on=update.period, kind="status_update",
                                         title=f"Status update for {update.period:%B %Y}",
                                         rag=update.overall, state=update.overall))
        for move in project_transitions(project=project):
            entries.append(TimelineEntry(
                on=timezone.localtime(move.at).date(), kind="transition",
                title=f"{Project.Status(move.from_status).label} → "
                      f"{Project.Status(move.to_status).label}",
                state=move.to_status, detail=move.reason))
    return sorted(entries, key=lambda entry: entry.on)


# --- contributions -------------------------------------------------------------------------------

def contribution_list_visible(*, user) -> QuerySet[Contribution]:
    """Staff see every contribution; anyone else only their own organisations' figures for the
    projects they may see (design: one organisation's figures are never shown to another)."""
    contributions = Contribution.objects.select_related("organisation", "project__workstream")
    if may_manage_projects(user):
        return contributions
    return contributions.filter(
        organisation__in=organisation_ids_of(user),
        project__in=project_list_visible(user=user).values("pk"))


def contribution_totals(contributions: QuerySet[Contribution], *by: str) -> QuerySet:
    """Committed and actual sums, cash and in kind, grouped by the named fields (such as
    "project__code", "organisation__name", "project__workstream__name", "year")."""
    money = DecimalField(max_digits=16, decimal_places=2)
    zero = Value(Decimal("0"), output_field=money)

    def total(field, kind):
        return Coalesce(Sum(field, filter=Q(kind=kind)), zero, output_field=money)

    return (contributions.order_by().values(*by).annotate(
        committed_cash=total("committed_sgd", Contribution.Kind.CASH),
        committed_in_kind=total("committed_sgd", Contribution.Kind.IN_KIND),
        actual_cash=total("actual_sgd", Contribution.Kind.CASH),
        actual_in_kind=total("actual_sgd", Contribution.Kind.IN_KIND),
    ).order_by(*by))


# --- overdue work --------------------------------------------------------------------------------

RUNNING_STATES = (Status.APPROVED, Status.ACTIVE, Status.ON_HOLD)


def overdue_milestones(*, user) -> QuerySet[Milestone]:
    return (Milestone.objects.filter(
        project__in=project_list_visible(user=user).filter(status__in=RUNNING_STATES)
        .values("pk"), completed_on__isnull=True, due_on__lt=timezone.localdate())
        .select_related("project").order_by("due_on", "pk"))


def overdue_deliverables(*, user) -> QuerySet[Deliverable]:
    return (Deliverable.objects.filter(
        project__in=project_list_visible(user=user).filter(status__in=RUNNING_STATES)
        .values("pk"), status__in=OPEN_DELIVERABLE_STATES, due_on__lt=timezone.localdate())
        .select_related("project").order_by("due_on", "pk"))


def deliverables_to_review(*, user) -> QuerySet[Deliverable]:
    """Submitted deliverables waiting for a decision (staff only; nobody else reviews)."""
    if not may_manage_projects(user):
        return Deliverable.objects.none()
    return (Deliverable.objects.filter(status=Deliverable.Status.SUBMITTED)
            .select_related("project", "submitted_by").order_by("submitted_at", "pk"))


def projects_of_person(*, user) -> QuerySet[Project]:
    """Projects the person leads, works on or takes part in through an organisation."""
    if not getattr(user, "is_authenticated", False):
        return Project.objects.none()
    own = organisation_ids_of(user)
    return (project_list_visible(user=user)
            .filter(Q(principal_investigator=user) | Exists(ProjectTeamMember.objects.filter(
                project=OuterRef("pk"), person=user)) | Exists(ProjectParticipant.objects.filter(
                    project=OuterRef("pk"), organisation__in=own)))
            .exclude(status__in=(Status.COMPLETED, Status.CANCELLED)))
