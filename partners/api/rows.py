"""The organisation list's rows, built from `.values()` rather than model instances and the
organisation serializers: the directory is the API's busiest list, and a serializer per row
(the profile depends on the caller, row by row) cost most of its time in copying fields.

Each row is what `OrganisationSerializer` (the full profile) or `OrganisationPublicSerializer`
presents for the organisation, field for field, as `may_see_membership_terms` decides for the
caller; a test compares the two for each kind of caller.
"""

from types import SimpleNamespace

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from cluster_portal.core.api.rows import PagedValues, api_date, api_datetime
from cluster_portal.core.nested_rows import nested_rows_of

from ..participation import current_membership_rows
from ..permissions import may_see_membership_terms

# What a row reads: the columns of the full profile, which has every field of the public one.
ORGANISATION_VALUES = (
    "pk", "slug", "name", "kind", "tier", "website", "country", "description", "logo", "uen",
    "is_listed", "status", "tier_status", "tier_starts_on", "tier_ends_on", "created_at",
)


def organisation_values(organisations: QuerySet) -> PagedValues:
    """The organisations (the directory's, filtered and ordered) as the values a row reads, to
    paginate, with their current workstreams read in the same query; a prefetch is left out."""
    memberships = current_membership_rows()
    if memberships is None:
        # Without the workstreams app, the serializers have no `workstreams` field: nor do rows.
        return PagedValues(organisations.prefetch_related(None), *ORGANISATION_VALUES)
    return PagedValues(organisations.prefetch_related(None), *ORGANISATION_VALUES,
                       workstream_rows=memberships)


def organisation_rows(rows: list[dict], *, user, request) -> list[dict]:
    """The page's organisations as the caller sees each: the full profile or the public one."""
    zone = timezone.get_current_timezone()
    return [_row(row, user=user, request=request, zone=zone) for row in rows]


def _row(row: dict, *, user, request, zone) -> dict:
    presented = {
        "slug": row["slug"], "name": row["name"], "kind": row["kind"], "tier": row["tier"],
        "website": row["website"], "country": row["country"],
        "description": row["description"], "logo": _logo_url(row, request),
    }
    if "workstream_rows" in row:
        presented["workstreams"] = nested_rows_of(row.pop("workstream_rows"))
    if not may_see_membership_terms(user, _OrganisationRow(**row)):
        return presented
    presented.update({
        "uen": row["uen"], "is_listed": row["is_listed"], "status": row["status"],
        "tier_status": row["tier_status"],
        # The deprecated earlier name of tier_status (OrganisationSerializer says so).
        "membership_status": row["tier_status"],
        "tier_starts_on": api_date(row["tier_starts_on"]),
        "tier_ends_on": api_date(row["tier_ends_on"]),
        "created_at": api_datetime(row["created_at"], zone),
    })
    return presented


class _OrganisationRow(SimpleNamespace):
    """A row where the permission rule expects an Organisation: it reads the columns by their
    model names (pk too), as from an instance. A model instance would cost a tenth of the
    page's time (about 25 µs each); an attribute the row lacks fails loudly, here and in the
    test that compares the rows with the serializers for each kind of caller."""


def _logo_url(row: dict, request) -> str | None:
    """As OrganisationPublicSerializer.get_logo: the logo's own address, absolute."""
    if not row["logo"]:
        return None
    return request.build_absolute_uri(reverse("partners:logo", kwargs={"slug": row["slug"]}))
