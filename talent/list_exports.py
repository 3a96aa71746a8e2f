"""The talent app's staff lists as exports too long to stream at once: each a report kind that
applies the list's own filters through the same selector (cluster_portal.reports).

A run's roster, for programme staff: who has a seat, who was offered one, the waitlist in order
and the cancelled, as the run's page lists them. Its header and row live here, so the streamed
download (views.staff.manage_run_enrolments_csv) and the report job of a roster too long to
stream read the same enrolments (selectors.course_run_roster) and write the same columns."""

from django.utils import timezone

from cluster_portal.core.csv_export import list_export_rows
from cluster_portal.reports.kinds import ReportKind, ReportParameters, Table
from cluster_portal.reports.kinds import register as register_kinds

from .models import CourseRun, Enrolment
from .selectors import course_run_get_visible, course_run_roster

ROSTER_KIND = "run_enrolments_list"
# The roster's parts, in the order the run's page shows them.
ROSTER_PARTS = ("seats", "offered", "waitlist", "cancelled")
ROSTER_HEADER = ("trainee", "e-mail", "organisation", "status", "waitlist position",
                 "enrolled at")


def roster_filters(run: CourseRun) -> dict[str, str]:
    """What the report job needs to find the roster again: the run (its address names it)."""
    return {"run": str(run.pk)}


def roster_enrolments(user, run: CourseRun | None) -> list:
    """The roster's parts exactly as the run's page lists them to `user` (none to anyone who
    does not run courses), each a query, in the page's order."""
    if run is None:
        return [Enrolment.objects.none()]
    roster = course_run_roster(user=user, run=run)
    return [roster[part] for part in ROSTER_PARTS]


def roster_row(enrolment: Enrolment) -> tuple:
    person = enrolment.person
    return (
        person.full_name or person.email, person.email,
        enrolment.sponsor.name if enrolment.sponsor else "",
        enrolment.get_status_display(),
        "" if enrolment.waitlist_position is None else enrolment.waitlist_position,
        f"{timezone.localtime(enrolment.created_at):%Y-%m-%d %H:%M}",
    )


def _run_of(user, filters: dict) -> CourseRun | None:
    run = str(filters.get("run") or "")
    if not run.isdigit() or len(run) > 18:  # no run has such an id
        return None
    return course_run_get_visible(user=user, pk=int(run))


def _roster_tables(actor, parameters: ReportParameters):
    parts = roster_enrolments(actor, _run_of(actor, parameters.filters))
    yield Table(title="Enrolments", header=ROSTER_HEADER,
                rows=list_export_rows(parts, roster_row),
                count=sum(part.count() for part in parts))


ROSTER_LIST = ReportKind(
    key=ROSTER_KIND, label="Course run enrolments",
    description="Who is on a course run, as its page lists them: the seats, the seats offered, "
                "the waitlist in order and the cancelled, with each trainee's sponsor.",
    formats=("csv",), audience="staff", tables=_roster_tables,
    extra_parameters=("filters",), order=230)


def register() -> None:
    """Register this app's list exports (called from ready())."""
    register_kinds(ROSTER_LIST)
