"""The talent app's part of the programme's reports (cluster_portal.reports.kinds): the training
outcomes report (enrolments, completions, certificates and hours by course, organisation,
skill and quarter), the export of every enrolment (programme admins), and the programme
report's sheet of training, read through this app's selectors as the person who asked:
programme staff see every enrolment, a partner admin only those their own organisations
sponsored."""

from collections.abc import Iterator
from functools import partial

from django.conf import settings
from django.db import connections
from django.db.models import (
    Case,
    CharField,
    Count,
    DateTimeField,
    F,
    Func,
    Q,
    QuerySet,
    Sum,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, NullIf, TruncQuarter
from django.utils import timezone

from cluster_portal.core.csv_export import spreadsheet_safe_text
from cluster_portal.reports.kinds import (
    ReportKind,
    ReportParameters,
    Table,
    register_programme_sheets,
)
from cluster_portal.reports.kinds import register as register_kinds
from partners.selectors import organisation_role_names
from workstreams.reports import narrowed_to_workstream

from .models import Course, Enrolment
from .selectors import enrolment_list_visible, sponsored_enrolment_list_visible

CHUNK = 2000
# Rows of every enrolment read from the server-side cursor at a time: larger fetches made the
# export of 100,000 no faster, and cost the worker's peak memory 1.3 MB (2,000) to 7 MB (5,000).
EVERY_ENROLMENT_CHUNK = 1000
SELF_SPONSORED = "self-sponsored"
Status = Enrolment.Status
COMPLETED = Q(status=Status.COMPLETED)


def _enrolments(actor, parameters: ReportParameters) -> QuerySet[Enrolment]:
    """The enrolments the person sees (cancelled ones left out), of runs starting in the
    report's period, on courses of its programme or workstream."""
    enrolments = sponsored_enrolment_list_visible(user=actor).exclude(status=Status.CANCELLED)
    return _narrowed(enrolments, parameters)


def _narrowed(enrolments: QuerySet[Enrolment], parameters: ReportParameters
              ) -> QuerySet[Enrolment]:
    """Enrolments on runs starting in the report's period, of courses of its programme or
    workstream."""
    if parameters.programme or parameters.workstream:
        courses = narrowed_to_workstream(Course.objects.all(), parameters, "workstreams")
        enrolments = enrolments.filter(run__course__in=courses.values("pk"))
    if parameters.date_from:
        enrolments = enrolments.filter(run__starts_on__gte=parameters.date_from)
    if parameters.date_to:
        enrolments = enrolments.filter(run__starts_on__lte=parameters.date_to)
    return enrolments


def _quarter(day) -> str:
    return f"{day.year} Q{(day.month - 1) // 3 + 1}" if day else ""


def _totals(enrolments: QuerySet[Enrolment], *by: str) -> QuerySet:
    """Enrolments, completions, certificates in force and hours completed, grouped by `by`
    and the quarter of the run's start: one aggregate query."""
    return (enrolments.order_by().annotate(quarter=TruncQuarter("run__starts_on"))
            .values(*by, "quarter").annotate(
                enrolments=Count("pk", distinct=True),
                completions=Count("pk", filter=COMPLETED, distinct=True),
                certified=Count("certificate", filter=Q(certificate__revoked_at__isnull=True),
                                distinct=True),
                hours=Sum("run__course__hours", filter=COMPLETED))
            .order_by(*by, "quarter"))


OUTCOME_HEADER = ("course", "course title", "organisation", "skill taught", "quarter",
                  "enrolments", "completions", "certified", "hours completed")
ENROLMENT_HEADER = ("course", "run starts", "trainee", "organisation", "status",
                    "hours completed")


def _outcome_rows(totals: QuerySet) -> Iterator[tuple]:
    for row in totals.iterator(chunk_size=CHUNK):
        yield (row["run__course__code"], row["run__course__title"],
               row["sponsor__name"] or SELF_SPONSORED,
               row["run__course__skills_taught__skill__name"] or "",
               _quarter(row["quarter"]), row["enrolments"], row["completions"],
               row["certified"], row["hours"] or 0)


ENROLMENT_FIELDS = ("run__course__code", "run__starts_on", "person__full_name", "person__email",
                    "sponsor__name", "status", "run__course__hours")


def _enrolment_rows(enrolments: QuerySet[Enrolment]) -> Iterator[tuple]:
    """Plain values rather than model instances: 100,000 enrolments read quickly and lightly."""
    labels = dict(Status.choices)
    for code, starts_on, name, email, sponsor, status, hours in enrolments.values_list(
            *ENROLMENT_FIELDS).iterator(chunk_size=CHUNK):
        yield (code, starts_on, name or email, sponsor or SELF_SPONSORED,
               labels.get(status, status), hours if status == Status.COMPLETED else 0)


def outcome_tables(actor, parameters: ReportParameters) -> Iterator[Table]:
    """The outcomes, one row per course, sponsor, skill taught and quarter (CSV: these only);
    then the enrolments themselves, streamed from a server-side cursor."""
    enrolments = _enrolments(actor, parameters)
    totals = _totals(enrolments, "run__course__code", "run__course__title", "sponsor__name",
                     "run__course__skills_taught__skill__name")
    yield Table(title="Training outcomes", header=OUTCOME_HEADER,
                rows=_outcome_rows(totals), count=None)
    listed = enrolments.order_by("run__course__code", "run__starts_on", "run_id",
                                 "person__full_name", "pk")
    yield Table(title="Enrolments", header=ENROLMENT_HEADER, rows=_enrolment_rows(listed),
                count=enrolments.count())


TRAINING_HEADER = ("course", "course title", "quarter", "enrolments", "completions")


def _training_rows(totals: QuerySet) -> Iterator[tuple]:
    for row in totals.iterator(chunk_size=CHUNK):
        yield (row["run__course__code"], row["run__course__title"], _quarter(row["quarter"]),
               row["enrolments"], row["completions"])


def programme_sheets(actor, parameters: ReportParameters) -> Iterator[Table]:
    totals = _totals(_enrolments(actor, parameters), "run__course__code",
                     "run__course__title")
    yield Table(title="Training", header=TRAINING_HEADER, rows=_training_rows(totals))


EVERY_ENROLMENT_HEADER = (
    "trainee", "e-mail", "organisation", "course", "course title", "run starts", "run ends",
    "status", "enrolled at", "confirmed at", "cancelled at", "completed at")
# The file's columns as the query reads them: the trainee's name (else their address), the
# sponsor (else self-sponsored) and the status's label worked out by the database, so that each
# row comes out of the cursor as the file holds it.
EVERY_ENROLMENT_COLUMNS = (
    "trainee", "email", "organisation", "course", "course_title", "run_starts", "run_ends",
    "status_label", "local_created_at", "local_confirmed_at", "local_cancelled_at",
    "local_completed_at")
DAYS = {"run_starts": "run__starts_on", "run_ends": "run__ends_on"}
MOMENTS = ("created_at", "confirmed_at", "cancelled_at", "completed_at")


def _local_second(field: str, *, as_text: bool) -> Func:
    """PostgreSQL: the moment as the programme's clock reads it, to the second, without its
    zone, as COPY of the same query would write it (as a value, or its text). No converter
    follows (unlike TruncSecond's, which makes it aware again), so 400,000 moments cost Python
    nothing."""
    local = Func(F(field), Value(settings.TIME_ZONE), arg_joiner=" AT TIME ZONE ",
                 template="(%(expressions)s)", output_field=DateTimeField())
    second = Func(local, function="DATE_TRUNC", template="%(function)s('second', "
                  "%(expressions)s)", output_field=DateTimeField())
    return _text(second) if as_text else second


def _text(expression) -> Cast:
    """A day's or moment's text as str() writes it (2026-03-02, 2026-03-02 09:02:03): the
    connection's DateStyle is ISO (psycopg sets it), and a cast costs PostgreSQL a third of
    what TO_CHAR does."""
    return Cast(expression, output_field=TextField())


def _in_postgresql(queryset: QuerySet) -> bool:
    return connections[queryset.db].vendor == "postgresql"


def every_enrolment_values(actor, parameters: ReportParameters, *, as_csv_cells: bool = False
                           ) -> QuerySet:
    """Every enrolment the person sees (cancelled ones too), of the report's period, programme
    or workstream, as the file's columns in its order: by run, then by when each enrolled.
    On PostgreSQL the moments are read on the programme's clock (elsewhere the rows go through
    _moments_localised), and `as_csv_cells` has every cell as the CSV holds it, for COPY to
    write: days and moments as their text, text that would start a formula neutralised."""
    enrolments = _narrowed(enrolment_list_visible(user=actor), parameters)
    in_postgresql = _in_postgresql(enrolments)
    as_text = as_csv_cells and in_postgresql
    labels = Case(*(When(status=value, then=Value(label)) for value, label in Status.choices),
                  default=F("status"), output_field=CharField())
    text = {
        "trainee": Coalesce(NullIf("person__full_name", Value("")), "person__email",
                            output_field=CharField()),
        "email": F("person__email"),
        "organisation": Coalesce("sponsor__name", Value(SELF_SPONSORED)),
        "course": F("run__course__code"), "course_title": F("run__course__title"),
        "status_label": labels,
    }
    if as_text:
        text = {name: spreadsheet_safe_text(cell) for name, cell in text.items()}
    days = {name: _text(F(field)) if as_text else F(field) for name, field in DAYS.items()}
    moments = {f"local_{field}": _local_second(field, as_text=as_text) if in_postgresql
               else F(field) for field in MOMENTS}
    return enrolments.annotate(**text, **days, **moments).order_by(
        "run__starts_on", "run__course__code", "run_id", "created_at", "pk",
    ).values_list(*EVERY_ENROLMENT_COLUMNS)


def _moments_localised(rows: Iterator[tuple]) -> Iterator[tuple]:
    """Where the database cannot (SQLite, under `make run`): moments as the programme's clock
    reads them, to the second, naive (a spreadsheet's cells hold no time zone), as the audit
    trail writes its own. The zone is looked up once, not per moment."""
    zone = timezone.get_default_timezone()

    def local(moment):
        return None if moment is None else moment.astimezone(zone).replace(tzinfo=None,
                                                                          microsecond=0)

    for row in rows:
        yield (*row[:8], *map(local, row[8:]))


def _every_enrolment_rows(actor, parameters: ReportParameters) -> Iterator[tuple]:
    """The rows, read from a server-side cursor, days and moments as values (a workbook's cells
    hold them as dates)."""
    values = every_enrolment_values(actor, parameters)
    rows = values.iterator(chunk_size=EVERY_ENROLMENT_CHUNK)
    yield from (rows if _in_postgresql(values) else _moments_localised(rows))


def every_enrolment_tables(actor, parameters: ReportParameters) -> Iterator[Table]:
    # Counted without the columns' joins: the same enrolments, one table's count(*).
    enrolments = _narrowed(enrolment_list_visible(user=actor), parameters)
    # On PostgreSQL the CSV is the database's own (COPY of the query, each cell as the file
    # holds it): 100,000 rows written faster than Python reads them.
    csv_query = (partial(every_enrolment_values, actor, parameters, as_csv_cells=True)
                 if _in_postgresql(enrolments) else None)
    yield Table(title="Enrolments", header=EVERY_ENROLMENT_HEADER,
                rows=_every_enrolment_rows(actor, parameters), count=enrolments.count(),
                csv_query=csv_query)


def administers_an_organisation(user) -> bool:
    """A partner admin of an approved organisation asks for their organisations' outcomes."""
    return "partner_admin" in organisation_role_names(user)


TRAINING_OUTCOMES = ReportKind(
    key="training_outcomes", label="Training outcomes",
    description="Enrolments, completions, certificates and hours completed, by course, "
                "sponsoring organisation, skill taught and quarter of the run's start "
                "(cancelled enrolments left out). The spreadsheet adds every enrolment on a "
                "sheet of its own. A partner's administrators get their own organisations' "
                "sponsored enrolments.",
    formats=("csv", "xlsx"), audience="partner", tables=outcome_tables, order=30,
    may_request=administers_an_organisation)

EVERY_ENROLMENT = ReportKind(
    key="enrolments", label="Every enrolment",
    description="One row per enrolment, cancelled ones too: the trainee, their e-mail and "
                "sponsoring organisation, the course and its run's dates, the status, and when "
                "they enrolled and were confirmed, cancelled or completed. For a programme, a "
                "workstream or runs starting in a period.",
    formats=("csv", "xlsx"), audience="admin", tables=every_enrolment_tables, order=35)


def register() -> None:
    """Register this app's report kinds and programme-report sheets (called from ready())."""
    register_kinds(TRAINING_OUTCOMES, EVERY_ENROLMENT)
    register_programme_sheets("talent", programme_sheets, order=40)
