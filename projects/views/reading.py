"""Reading projects: the list (the portfolio for staff), its export, one project, its history,
and the contribution totals. Thin: they read through selectors and ask permissions."""

import datetime
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from cluster_portal.accounts.decorators import programme_staff_required
from cluster_portal.audit.selectors import audit_events_for
from cluster_portal.core.csv_export import list_export, list_export_filters
from cluster_portal.core.pages import paginate

from .. import list_exports, selectors
from ..filters import PortfolioFilterForm
from ..models import TRL_MAX, TRL_MIN, Deliverable, Project
from ..permissions import (
    Access,
    may_edit_project,
    may_manage_projects,
    may_plan,
    may_post_status_update,
)
from ..services import project_moves_for

PORTFOLIO_PAGE_SIZE = 25
HISTORY_PAGE_SIZE = 50
TOTALS_PAGE_SIZE = 50

# The portfolio's sortable columns, in the order the table shows them.
SORTABLE_COLUMNS = ("code", "title", "status", "rag", "trl", "starts_on", "ends_on")


def _project_or_404(user, code: str) -> tuple[Project, Access]:
    try:
        return selectors.project_get_visible(user=user, code=code)
    except Project.DoesNotExist:
        raise Http404("No such project.") from None


# --- the list -----------------------------------------------------------------------------------

def _portfolio_form(request) -> PortfolioFilterForm:
    return list_exports.portfolio_form(request.user, request.GET)


def _sort_links(request, current: str) -> dict[str, dict]:
    """For each sortable column: the link that sorts by it (the other way when it is the
    current sort), keeping the filters, and how the list is sorted by it now, for aria-sort."""
    links = {}
    for column in SORTABLE_COLUMNS:
        query = request.GET.copy()
        query.pop("page", None)
        query["sort"] = f"-{column}" if current == column else column
        direction = ("ascending" if current == column
                     else "descending" if current == f"-{column}" else "")
        links[column] = {"url": f"?{query.urlencode()}", "direction": direction}
    return links


@require_safe
def project_list(request):
    form = _portfolio_form(request)
    filters = form.filters()
    staff = form.staff
    projects = selectors.project_portfolio(user=request.user, filters=filters)
    if not staff:
        # Each card shows the rating and overdue work only where the person sees the plan:
        # the level is a column of the same query, not a question per row.
        projects = selectors.with_access_level(projects, user=request.user)
    page = paginate(request, projects, per_page=PORTFOLIO_PAGE_SIZE)
    export_query = request.GET.copy()
    export_query.pop("page", None)
    return render(request, "projects/list.html", {
        "form": form, "page": page, "filtered": form.asked, "staff": staff,
        "sort": filters.sort, "sort_links": _sort_links(request, filters.sort) if staff else {},
        "export_query": export_query.urlencode(), "member_level": int(Access.MEMBER),
    })


@programme_staff_required
@require_safe
def portfolio_csv(request):
    """The portfolio as the list shows it with its filters: streamed, or, when it is too long
    to stream, a report job the person is sent to follow."""
    form = _portfolio_form(request)
    projects = list_exports.portfolio_projects(request.user, form)
    stamp = timezone.localdate().isoformat()
    list_url = reverse("projects:list")
    filters = list_export_filters(request.GET, form.fields)
    if filters:
        list_url += "?" + urlencode(filters)
    return list_export(request, queryset=projects, header=list_exports.PORTFOLIO_HEADER,
                       row=list_exports.portfolio_row, filename=f"projects-{stamp}.csv",
                       kind=list_exports.PORTFOLIO_KIND, filters=filters, list_url=list_url)


# --- one project --------------------------------------------------------------------------------

@dataclass(frozen=True)
class TimelineMark:
    """A milestone or deliverable placed on the drawn bar, `at` percent along the project."""

    at: int
    kind: str
    title: str
    on: datetime.date
    state: str  # done, overdue or open


def _percent_along(day: datetime.date, start: datetime.date, end: datetime.date) -> int:
    span = (end - start).days
    if span <= 0:
        return 0
    return max(0, min(100, round((day - start).days * 100 / span)))


def _timeline_drawing(project: Project, milestones, deliverables) -> dict:
    """The bar's marks, as whole percents (the page's style rules have one class per percent:
    the Content-Security-Policy allows no inline style)."""
    start, end, today = project.starts_on, project.ends_on, timezone.localdate()
    marks = []
    for milestone in milestones:
        state = ("done" if milestone.completed_on else
                 "overdue" if milestone.is_overdue else "open")
        on = milestone.completed_on or milestone.due_on
        marks.append(TimelineMark(at=_percent_along(on, start, end), kind="milestone",
                                  title=milestone.title, on=on, state=state))
    for deliverable in deliverables:
        state = ("done" if deliverable.status == Deliverable.Status.APPROVED else
                 "overdue" if deliverable.is_overdue else "open")
        marks.append(TimelineMark(at=_percent_along(deliverable.due_on, start, end),
                                  kind="deliverable", title=deliverable.title,
                                  on=deliverable.due_on, state=state))
    return {
        "marks": sorted(marks, key=lambda mark: (mark.on, mark.kind)),
        "today_at": _percent_along(today, start, end) if start <= today <= end else None,
        "elapsed": _percent_along(today, start, end),
        "before_start": today < start, "after_end": today > end,
    }


def _actions(user, project: Project) -> dict:
    return {
        "moves": [(to, Project.Status(to).label)
                  for to in project_moves_for(actor=user, project=project)],
        "may_edit": may_edit_project(user, project),
        "may_plan": may_plan(user, project),
        "may_post_update": may_post_status_update(user, project),
        "may_manage": may_manage_projects(user),
    }


@require_safe
def detail(request, code: str):
    user = request.user
    project, access = _project_or_404(user, code)
    context = {"project": project, "access": access, "sees_plan": access >= Access.MEMBER,
               "sees_all": access >= Access.FULL, "trl_scale": range(TRL_MIN, TRL_MAX + 1)}
    if access >= Access.MEMBER:
        # Read once here and shared with the timeline selector, which then reads them from
        # the prefetch: the page costs the same however long the plan and its reports are.
        prefetch_related_objects(
            [project], "milestones",
            Prefetch("deliverables", queryset=Deliverable.objects.select_related("milestone")),
            "status_updates")
        milestones = list(project.milestones.all())
        deliverables = list(project.deliverables.all())
        context.update({
            "participants": selectors.project_participants(project=project),
            "team": list(selectors.project_team(project=project)),
            "skill_needs": list(selectors.project_skill_needs(project=project)),
            "milestones": milestones, "deliverables": deliverables,
            "overdue_count": sum(1 for item in (*milestones, *deliverables) if item.is_overdue),
            "timeline": selectors.project_timeline(project=project, access=access),
            "drawing": _timeline_drawing(project, milestones, deliverables),
        })
    if access >= Access.FULL:
        context["status_updates"] = list(project.status_updates.all())
        context["moves_made"] = list(selectors.project_transitions(project=project))
        if not may_manage_projects(user):
            context["own_contributions"] = list(
                selectors.contribution_list_visible(user=user).filter(project=project))
    if user.is_authenticated:
        context.update(_actions(user, project))
    return render(request, "projects/detail.html", context)


@programme_staff_required
@require_safe
def history(request, code: str):
    project, _ = _project_or_404(request.user, code)
    # The project's own events and those recorded as belonging to it: its milestones,
    # deliverables, status updates and contributions.
    events = audit_events_for(target=project)
    return render(request, "projects/history.html", {
        "project": project,
        "page": paginate(request, events, per_page=HISTORY_PAGE_SIZE),
    })


# --- contributions ------------------------------------------------------------------------------

MONEY_COLUMNS = ("committed_cash", "committed_in_kind", "actual_cash", "actual_in_kind")


def _summed(rows: list[dict]) -> dict | None:
    """The grand totals, from the totals per year (a handful of rows)."""
    if not rows:
        return None
    return {column: sum(row[column] for row in rows) for column in MONEY_COLUMNS}


@login_required
@require_safe
def contribution_totals(request):
    """Staff: every organisation's figures. Anyone else: only their own organisations' rows,
    so no total here ever includes another organisation's figure."""
    contributions = selectors.contribution_list_visible(user=request.user)
    totals = selectors.contribution_totals
    by_year = list(totals(contributions, "year"))
    by_organisation = totals(contributions, "organisation__name", "organisation__slug")
    return render(request, "projects/contribution_totals.html", {
        "staff": may_manage_projects(request.user),
        "overall": _summed(by_year),
        "by_workstream": list(totals(contributions, "project__workstream__name")),
        "by_year": by_year,
        "organisations": paginate(request, by_organisation, per_page=TOTALS_PAGE_SIZE,
                                  parameter="organisations"),
    })
