"""The kinds of report the portal builds, contributed by the apps that own their data.

The platform does not import the domain apps (docs/architecture.md): each app registers its
kinds (and its sheets of the programme report) in its AppConfig.ready(). A kind reads its rows
through the app's own selectors, as the person who asked, so a report never holds a row that
person could not see on a page (design rule 1).

A kind answers with `Table`s: a title, a header and rows read lazily (an iterator over a
queryset), so the writers stream them to the file in constant memory. A PDF kind writes its
own file instead (`pdf`).
"""

import datetime
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field

from django.db.models import QuerySet

SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")


@dataclass(frozen=True)
class ReportParameters:
    """What every report may be narrowed to; empty values narrow nothing."""

    programme: str = ""        # a programme's slug
    workstream: str = ""       # a workstream's slug
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    # The audit trail's own: whose actions, and what kind of object.
    actor: str = ""            # an e-mail address
    object_type: str = ""      # "app_label.model"
    # A list page's own filters, as its query string holds them ({name: value}), for the
    # export of a list too long to stream (the kind applies them through the list's selector).
    filters: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        values = asdict(self)
        for name in ("date_from", "date_to"):
            if values[name] is not None:
                values[name] = values[name].isoformat()
        return {name: value for name, value in values.items() if value not in ("", None, {})}

    @classmethod
    def from_json(cls, values: dict) -> "ReportParameters":
        values = dict(values or {})
        for name in ("date_from", "date_to"):
            if values.get(name):
                values[name] = datetime.date.fromisoformat(values[name])
        return cls(**values)


@dataclass(frozen=True)
class Table:
    """One sheet of a report (the whole of a CSV one). `count`, when known, lets the job say
    how far it got; `rows` is read once. `csv_query`, when given (on PostgreSQL), is a query of
    the same rows with each cell as the CSV holds it (text, formulas neutralised): PostgreSQL
    then writes the CSV itself (COPY), instead of Python writing `rows`."""

    title: str
    header: Sequence[str]
    rows: Iterable[Sequence]
    count: int | None = None
    csv_query: Callable[[], QuerySet] | None = None


Progress = Callable[[float], None]  # told a fraction from 0 to 1 as the file is written


@dataclass(frozen=True)
class ReportKind:
    key: str
    label: str
    description: str
    formats: tuple[str, ...]
    # Who may ask for it: "staff" (programme staff and admins), "admin" (programme admins), or
    # "partner" (staff, and partner admins, who get their own organisations' rows only).
    audience: str = "staff"
    # The tables, read as `actor` (CSV: the first only).
    tables: Callable[[object, ReportParameters], Iterable[Table]] | None = None
    # A PDF kind writes its file itself: (actor, parameters, path, progress) -> rows written.
    pdf: Callable[[object, ReportParameters, str, Progress], int] | None = None
    # The parameters beyond programme, workstream and dates that this kind reads.
    extra_parameters: tuple[str, ...] = ()
    order: int = 100
    # For the "partner" audience: whether this person (not staff) may ask for it at all, such
    # as a partner admin (the kind's tables then hold their own organisations' rows only).
    may_request: Callable[[object], bool] | None = None


@dataclass
class Registry:
    kinds: dict[str, ReportKind] = field(default_factory=dict)
    # Sheets of the programme report, from each app: (order, key, tables callable).
    programme_sheets: dict[str, tuple[int, Callable]] = field(default_factory=dict)
    # Checks of the parameters against the data (a workstream that exists): each answers
    # {field: message} for what is wrong.
    parameter_checks: list[Callable[[ReportParameters], dict]] = field(default_factory=list)
    # What the audit trail lists for a programme or a workstream: each app answers the objects
    # of its own that belong to them, as [(model, ids queryset)], or [] when neither is named.
    audit_scopes: list[Callable[[ReportParameters], list]] = field(default_factory=list)


REGISTRY = Registry()


class UnknownKind(LookupError):
    pass


def register(*kinds: ReportKind) -> None:
    for kind in kinds:
        REGISTRY.kinds[kind.key] = kind


def register_programme_sheets(key: str, tables: Callable[[object, ReportParameters],
                                                          Iterable[Table]],
                              *, order: int = 100) -> None:
    """Add an app's sheets to the programme report (what a funder's quarterly review asks)."""
    REGISTRY.programme_sheets[key] = (order, tables)


def register_parameter_check(check: Callable[[ReportParameters], dict]) -> None:
    if check not in REGISTRY.parameter_checks:
        REGISTRY.parameter_checks.append(check)


def register_audit_scope(scope: Callable[[ReportParameters], list]) -> None:
    if scope not in REGISTRY.audit_scopes:
        REGISTRY.audit_scopes.append(scope)


def kind_get(key: str) -> ReportKind:
    try:
        return REGISTRY.kinds[key]
    except KeyError:
        raise UnknownKind(key) from None


def kinds_all() -> list[ReportKind]:
    return sorted(REGISTRY.kinds.values(), key=lambda kind: (kind.order, kind.key))


def _programme_tables(actor, parameters: ReportParameters) -> Iterator[Table]:
    for _order, tables in sorted(REGISTRY.programme_sheets.values(), key=lambda s: s[0]):
        yield from tables(actor, parameters)


PROGRAMME_REPORT = ReportKind(
    key="programme", label="Programme report",
    description="A sheet each: workstreams and their members, organisations with their tier, "
                "projects with status and rating, overdue milestones, contributions by "
                "organisation and year, and training enrolments and completions.",
    formats=("xlsx",), audience="staff", tables=_programme_tables, order=10)
