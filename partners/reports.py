"""The partners app's part of the programme's reports (cluster_portal.reports.kinds): the
membership report (organisations, their tiers and terms, renewals due and lapsed) and the
programme report's sheet of organisations, read through this app's selectors as the person who
asked.

partners sits below workstreams in the import order, so a report narrowed to a workstream reads
its members through `participation` (which workstreams registers), and one narrowed to a
programme follows the memberships' relation by name without importing the app."""

import datetime
from collections.abc import Iterator
from itertools import groupby

from django.db.models import F, FilteredRelation, Q, QuerySet
from django.utils import timezone

from cluster_portal.reports.kinds import (
    ReportKind,
    ReportParameters,
    Table,
    register_programme_sheets,
)
from cluster_portal.reports.kinds import register as register_kinds

from . import participation
from .models import Organisation
from .selectors import (
    RENEWAL_WINDOW_DAYS,
    organisation_list_visible,
    renewals_due,
    renewals_lapsed,
)

CHUNK = 2000


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _narrowed(organisations: QuerySet[Organisation],
              parameters: ReportParameters) -> QuerySet[Organisation]:
    """Organisations that are active members of the report's workstream, or of any workstream
    of its programme; and whose term overlaps the report's period, when it has one."""
    if parameters.workstream:
        organisations = participation.filter_by_workstream(organisations, parameters.workstream)
    if parameters.programme:
        organisations = organisations.filter(pk__in=Organisation.objects.filter(
            workstream_memberships__until__isnull=True,
            workstream_memberships__workstream__programme__slug=parameters.programme,
        ).values("pk"))
    if parameters.date_from:
        organisations = organisations.filter(tier_ends_on__gte=parameters.date_from)
    if parameters.date_to:
        organisations = organisations.filter(tier_starts_on__lte=parameters.date_to)
    return organisations


def _visible_members(actor, parameters: ReportParameters) -> QuerySet[Organisation]:
    return _narrowed(organisation_list_visible(user=actor).filter(
        status=Organisation.Status.APPROVED), parameters)


MEMBERSHIP_HEADER = ("organisation", "UEN", "kind", "country", "tier", "tier status",
                     "term starts", "term ends", "renewal due within 90 days",
                     "days left", "lapsed", "active workstreams")


MEMBERSHIP_FIELDS = ("pk", "name", "uen", "kind", "country", "tier", "tier_status",
                     "tier_starts_on", "tier_ends_on", "workstream_name")
KINDS, TIERS = dict(Organisation.Kind.choices), dict(Organisation.Tier.choices)
TIER_STATUSES = dict(Organisation.TierStatus.choices)


def _with_current_workstreams(organisations: QuerySet[Organisation]) -> QuerySet:
    """The organisations' values once per current workstream membership (once when they have
    none), each with `workstream_name`, in the order that keeps an organisation's rows
    together: one query, read as it streams (the relation is followed by name, since
    workstreams sits above partners)."""
    current = FilteredRelation("workstream_memberships",
                               condition=Q(workstream_memberships__until__isnull=True))
    return (organisations.annotate(current=current)
            .annotate(workstream_name=F("current__workstream__name"))
            .order_by("name", "pk", "current__workstream__display_order",
                      "current__workstream__name")
            .values_list(*MEMBERSHIP_FIELDS, named=True))


def _term(tier: str, ends: datetime.date | None,
          today: datetime.date) -> tuple[bool, int | None, bool]:
    """(renewal due within the window, days left, lapsed) of an organisation's term."""
    if not tier or ends is None:
        return False, None, False
    days_left = (ends - today).days
    return 0 <= days_left <= RENEWAL_WINDOW_DAYS, days_left if days_left >= 0 else None, \
        days_left < 0


def _membership_rows(organisations: QuerySet[Organisation]) -> Iterator[tuple]:
    today = timezone.localdate()
    rows = _with_current_workstreams(organisations).iterator(chunk_size=CHUNK)
    for _pk, group in groupby(rows, key=lambda row: row.pk):
        same = list(group)  # one organisation's rows: one per workstream it is in
        first = same[0]
        due, days_left, lapsed = _term(first.tier, first.tier_ends_on, today)
        yield (first.name, first.uen, KINDS.get(first.kind, first.kind), first.country,
               TIERS.get(first.tier, ""), TIER_STATUSES.get(first.tier_status, ""),
               first.tier_starts_on, first.tier_ends_on, _yes_no(due),
               days_left if due else None, _yes_no(lapsed),
               "; ".join(row.workstream_name for row in same if row.workstream_name))


def _renewal_rows(organisations: QuerySet[Organisation], *, lapsed: bool) -> Iterator[tuple]:
    today = timezone.localdate()
    for organisation in organisations.iterator(chunk_size=CHUNK):
        days = (today - organisation.tier_ends_on).days if lapsed else \
            (organisation.tier_ends_on - today).days
        yield (organisation.name, organisation.get_kind_display(),
               organisation.get_tier_display(), organisation.get_tier_status_display(),
               organisation.tier_ends_on, days)


def membership_tables(actor, parameters: ReportParameters) -> Iterator[Table]:
    """Every approved organisation the person sees, with its term; then (XLSX) the terms ending
    within 90 days and those that have lapsed."""
    organisations = _visible_members(actor, parameters)
    yield Table(title="Membership", header=MEMBERSHIP_HEADER,
                rows=_membership_rows(organisations),
                count=organisations.count())
    visible = _visible_members(actor, parameters).values("pk")
    due = renewals_due().filter(pk__in=visible).prefetch_related(None)
    yield Table(title=f"Renewals due ({RENEWAL_WINDOW_DAYS} days)",
                header=("organisation", "kind", "tier", "tier status", "term ends",
                        "days left"),
                rows=_renewal_rows(due, lapsed=False), count=due.count())
    lapsed = renewals_lapsed().filter(pk__in=visible).prefetch_related(None)
    yield Table(title="Lapsed",
                header=("organisation", "kind", "tier", "tier status", "term ended",
                        "days since"),
                rows=_renewal_rows(lapsed, lapsed=True), count=lapsed.count())


ORGANISATION_HEADER = ("organisation", "kind", "tier", "tier status", "listed", "country")


def _organisation_rows(organisations: QuerySet[Organisation]) -> Iterator[tuple]:
    for organisation in organisations.iterator(chunk_size=CHUNK):
        yield (organisation.name, organisation.get_kind_display(),
               organisation.get_tier_display(), organisation.get_tier_status_display(),
               _yes_no(organisation.is_listed), organisation.country)


def programme_sheets(actor, parameters: ReportParameters) -> Iterator[Table]:
    """The organisations of the programme (approved ones the person sees)."""
    organisations = _visible_members(actor, parameters).order_by("name", "pk")
    yield Table(title="Organisations", header=ORGANISATION_HEADER,
                rows=_organisation_rows(organisations), count=organisations.count())


MEMBERSHIP = ReportKind(
    key="membership", label="Membership report",
    description="Organisations with their tier and term, whether their renewal is due within "
                "90 days and how many days are left, whether it has lapsed, and the "
                "workstreams they take part in. The spreadsheet adds the renewals due and the "
                "lapsed memberships on sheets of their own.",
    formats=("csv", "xlsx"), audience="staff", tables=membership_tables, order=40)

def register() -> None:
    """Register this app's report kinds and programme-report sheets (called from ready())."""
    register_kinds(MEMBERSHIP)
    register_programme_sheets("partners", programme_sheets, order=20)
