"""The projects app's part of the programme dashboard (cluster_portal.reports.dashboard): its
pending work and its figures, each read in a fixed number of aggregate queries.

The skills-gap view lives here rather than in talent: what a workstream needs comes from the
talent app (its WorkstreamSkillNeed) and from this app (the needs of its active projects), and
talent may not import projects."""

from django.db.models import Count, F, Max, Q
from django.urls import reverse
from django.utils import timezone

from cluster_portal.reports.dashboard import (
    DashboardFilters,
    Figure,
    FigureData,
    PendingWork,
)
from cluster_portal.reports.dashboard import (
    register as register_parts,
)
from talent.models import Enrolment, ProficiencyLevel, WorkstreamSkillNeed

from .models import Project, ProjectSkillNeed
from .permissions import may_manage_projects
from .selectors import (
    contribution_list_visible,
    contribution_totals,
    deliverables_to_review,
    overdue_deliverables,
    overdue_milestones,
    project_list_visible,
)

LEVELS = ProficiencyLevel.values


def _in_programme(queryset, filters: DashboardFilters, path: str):
    if filters.programme:
        return queryset.filter(**{f"{path}programme__slug": filters.programme})
    return queryset


# --- pending work -------------------------------------------------------------------------------

def reviews_waiting(user, filters: DashboardFilters):
    if not may_manage_projects(user):
        return None
    deliverables = _in_programme(deliverables_to_review(user=user), filters,
                                 "project__workstream__")
    return deliverables.order_by().count(), reverse("my_portal")


def overdue_work(user, filters: DashboardFilters):
    if not may_manage_projects(user):
        return None
    path = "project__workstream__"
    count = (_in_programme(overdue_milestones(user=user), filters, path).order_by().count()
             + _in_programme(overdue_deliverables(user=user), filters, path).order_by().count())
    return count, f"{reverse('projects:list')}?overdue=on"


# --- figures ------------------------------------------------------------------------------------

def _projects(user, filters: DashboardFilters):
    """The projects the person sees, running at some time in the period."""
    projects = _in_programme(project_list_visible(user=user), filters, "workstream__")
    if filters.date_from:
        projects = projects.filter(ends_on__gte=filters.date_from)
    if filters.date_to:
        projects = projects.filter(starts_on__lte=filters.date_to)
    return projects.order_by()


def projects_by_status_and_workstream(user, filters: DashboardFilters) -> FigureData:
    rows = list(_projects(user, filters).values(
        "workstream_id", name=F("workstream__name"), order=F("workstream__display_order"),
    ).annotate(**{status: Count("pk", filter=Q(status=status)) for status in Project.Status.values})
        .order_by("order", "name", "workstream_id"))
    return FigureData(
        labels=[row["name"] for row in rows],
        series=[(label, [row[status] for row in rows])
                for status, label in Project.Status.choices],
        x_title="Workstream", y_title="Projects")


def contributions_per_year(user, filters: DashboardFilters) -> FigureData:
    contributions = _in_programme(contribution_list_visible(user=user), filters,
                                  "project__workstream__")
    if filters.date_from:
        contributions = contributions.filter(year__gte=filters.date_from.year)
    if filters.date_to:
        contributions = contributions.filter(year__lte=filters.date_to.year)
    rows = list(contribution_totals(contributions, "year"))
    series = [("Committed cash", "committed_cash"), ("Committed in kind", "committed_in_kind"),
              ("Actual cash", "actual_cash"), ("Actual in kind", "actual_in_kind")]
    return FigureData(labels=[str(row["year"]) for row in rows],
                      series=[(name, [row[key] for row in rows]) for name, key in series],
                      x_title="Year", y_title="SGD")


def _skill_needs(user, filters: DashboardFilters) -> dict[tuple[int, int], dict]:
    """What each workstream needs: its own needs and those of its active projects, each skill at
    the highest level any of them names. Two queries."""
    workstream_needs = _in_programme(WorkstreamSkillNeed.objects.all(), filters, "workstream__")
    active = project_list_visible(user=user).filter(status=Project.Status.ACTIVE)
    project_needs = _in_programme(
        ProjectSkillNeed.objects.filter(project__in=active.values("pk")), filters,
        "project__workstream__")
    needs: dict[tuple[int, int], dict] = {}
    for rows in (
        workstream_needs.values(
            ws=F("workstream_id"), ws_name=F("workstream__name"),
            ws_order=F("workstream__display_order"), skill_name=F("skill__name"),
            skill_key=F("skill_id")).annotate(needed=Max("level")),
        project_needs.values(
            ws=F("project__workstream_id"), ws_name=F("project__workstream__name"),
            ws_order=F("project__workstream__display_order"), skill_name=F("skill__name"),
            skill_key=F("skill_id")).annotate(needed=Max("level")),
    ):
        for row in rows.order_by():
            need = needs.setdefault((row["ws"], row["skill_key"]), {**row, "held": 0})
            need["needed"] = max(need["needed"], row["needed"])
    return needs


def _holders(needs: dict[tuple[int, int], dict], filters: DashboardFilters) -> None:
    """Set each need's `held`: the people of the workstream's member organisations (approved,
    members on the period's last day) who completed a course building the skill to the level
    needed or above, as talent.selectors.skills_profile reads one person's skills. One query:
    for each workstream and skill, the people holding it at each level or above."""
    on = filters.date_to or timezone.localdate()
    membership = "person__organisation_memberships__organisation__"
    taught = "run__course__skills_taught__"
    completed = Enrolment.objects.filter(status=Enrolment.Status.COMPLETED)
    if filters.date_to:
        completed = completed.filter(completed_at__date__lte=filters.date_to)
    rows = completed.filter(**{
        f"{taught}skill__in": {skill for _ws, skill in needs},
        f"{membership}status": "approved",
        f"{membership}workstream_memberships__workstream__in": {ws for ws, _skill in needs},
        f"{membership}workstream_memberships__since__lte": on,
    }).filter(
        Q(**{f"{membership}workstream_memberships__until__isnull": True})
        | Q(**{f"{membership}workstream_memberships__until__gt": on}),
    ).values(
        ws=F(f"{membership}workstream_memberships__workstream_id"), skill=F(f"{taught}skill_id"),
    ).annotate(**{
        f"level_{level}": Count("person", distinct=True, filter=Q(**{f"{taught}level__gte": level}))
        for level in LEVELS
    }).order_by()
    for row in rows:
        need = needs.get((row["ws"], row["skill"]))
        if need is not None:
            need["held"] = row[f"level_{need['needed']}"]


def skills_gap(user, filters: DashboardFilters) -> FigureData:
    needs = _skill_needs(user, filters)
    if needs:
        _holders(needs, filters)
    ordered = sorted(needs.values(), key=lambda need: (need["ws_order"], need["ws_name"],
                                                       need["ws"], need["skill_name"]))
    return FigureData(
        labels=[f"{need['ws_name']}: {need['skill_name']} (level {need['needed']})"
                for need in ordered],
        series=[("People holding it", [need["held"] for need in ordered])],
        x_title="Workstream: skill needed", y_title="People")


def register() -> None:
    """Register this app's dashboard parts (called from ready())."""
    register_parts(
        PendingWork(key="deliverables_to_review", label="Deliverables to review",
                    read=reviews_waiting, order=30),
        PendingWork(key="overdue_work", label="Overdue milestones and deliverables",
                    read=overdue_work, order=50),
        Figure(key="projects-by-status", title="Projects by status and workstream",
               description="The projects running in the period, in each workstream, by where "
                           "they stand.",
               chart="stacked_bar", read=projects_by_status_and_workstream, order=40),
        Figure(key="contributions", title="Contributions per year",
               description="What organisations committed and gave, in cash and in kind, in "
                           "Singapore dollars.",
               chart="bar", read=contributions_per_year, order=50),
        Figure(key="skills-gap", title="Skills gap by workstream",
               description="Each skill a workstream or one of its active projects needs, at the "
                           "level needed, and how many people of the workstream's member "
                           "organisations hold it at that level or above from the courses they "
                           "completed.",
               chart="horizontal_bar", read=skills_gap, order=70),
    )
