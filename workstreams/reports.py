"""The workstreams app's part of the programme's reports (cluster_portal.reports.kinds): the check
that a report's programme and workstream exist, and the programme report's sheets of workstreams
and their member organisations, read through this app's selectors as the person who asked.

`narrowed_to_workstream` is how every app's report narrows its rows to the programme and the
workstream a report names (the apps above this one import it)."""

from collections.abc import Iterator

from django.db.models import Q, QuerySet

from cluster_portal.reports.kinds import (
    ReportParameters,
    Table,
    register_audit_scope,
    register_parameter_check,
    register_programme_sheets,
)

from .models import JoinRequest, Programme, Workstream, WorkstreamMembership
from .selectors import (
    workstream_list_public,
    workstream_list_with_member_counts,
    workstream_membership_list_visible,
)

CHUNK = 2000


def narrowed_to_workstream(rows: QuerySet, parameters: ReportParameters,
                           workstream: str = "workstream") -> QuerySet:
    """`rows` narrowed to the report's programme and workstream, reached through the relation
    `workstream` (such as "project__workstream"); "" when the rows are workstreams."""
    prefix = f"{workstream}__" if workstream else ""
    if parameters.programme:
        rows = rows.filter(**{f"{prefix}programme__slug": parameters.programme})
    if parameters.workstream:
        rows = rows.filter(**{f"{prefix}slug": parameters.workstream})
    return rows


def audit_scope(parameters: ReportParameters) -> list:
    """For the audit trail: the programme, its workstreams and their join requests and
    memberships, or the workstream and its own."""
    if not (parameters.programme or parameters.workstream):
        return []
    workstreams = narrowed_to_workstream(Workstream.objects.all(), parameters, "")
    scope = [(Workstream, workstreams.values("pk")),
             (JoinRequest, JoinRequest.objects.filter(workstream__in=workstreams).values("pk")),
             (WorkstreamMembership, WorkstreamMembership.objects.filter(
                 workstream__in=workstreams).values("pk"))]
    if parameters.programme and not parameters.workstream:
        scope.append((Programme, Programme.objects.filter(
            slug=parameters.programme).values("pk")))
    return scope


def check_parameters(parameters: ReportParameters) -> dict:
    """{field: message} for a programme or workstream that does not exist, or a workstream
    that is not the named programme's."""
    errors = {}
    programme = None
    if parameters.programme:
        programme = Programme.objects.filter(slug=parameters.programme).first()
        if programme is None:
            errors["programme"] = "No programme has this address."
    if parameters.workstream:
        workstream = workstream_list_public().filter(slug=parameters.workstream).first()
        if workstream is None:
            errors["workstream"] = "No workstream has this address."
        elif programme is not None and workstream.programme_id != programme.pk:
            errors["workstream"] = (f"{workstream.name} is not a workstream of "
                                    f"{programme.name}.")
    return errors


def _person(person) -> str:
    return (person.full_name or person.email) if person else ""


WORKSTREAM_HEADER = ("workstream", "code", "kind", "status", "programme", "lead",
                     "active member organisations")
MEMBERSHIP_HEADER = ("workstream", "organisation", "role", "since", "until")


def _workstream_rows(workstreams) -> Iterator[tuple]:
    for workstream in workstreams.iterator(chunk_size=CHUNK):
        yield (workstream.name, workstream.code, workstream.get_kind_display(),
               workstream.get_status_display(), workstream.programme.name,
               _person(workstream.lead), workstream.member_count)


def _membership_rows(memberships) -> Iterator[tuple]:
    for membership in memberships.iterator(chunk_size=CHUNK):
        yield (membership.workstream.name, membership.organisation.name,
               membership.get_role_display(), membership.since, membership.until)


def programme_sheets(actor, parameters: ReportParameters) -> Iterator[Table]:
    """Workstreams with their visible active members counted, and the memberships (those in
    force at some time in the report's period)."""
    workstreams = narrowed_to_workstream(
        workstream_list_with_member_counts(user=actor), parameters, "")
    yield Table(title="Workstreams", header=WORKSTREAM_HEADER,
                rows=_workstream_rows(workstreams), count=workstreams.count())
    memberships = narrowed_to_workstream(
        workstream_membership_list_visible(user=actor), parameters)
    if parameters.date_to:
        memberships = memberships.filter(since__lte=parameters.date_to)
    if parameters.date_from:
        memberships = memberships.filter(Q(until__isnull=True)
                                         | Q(until__gte=parameters.date_from))
    memberships = memberships.order_by("workstream__display_order", "workstream__name",
                                       "organisation__name", "since", "pk")
    yield Table(title="Memberships", header=MEMBERSHIP_HEADER,
                rows=_membership_rows(memberships), count=memberships.count())


def register() -> None:
    """Register this app's parameter check, its part of the audit trail's scope and its
    programme-report sheets (called from ready())."""
    register_parameter_check(check_parameters)
    register_audit_scope(audit_scope)
    register_programme_sheets("workstreams", programme_sheets, order=10)
