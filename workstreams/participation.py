"""What workstreams tells partners about the workstreams an organisation takes part in
(partners.participation explains why partners asks instead of importing)."""

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from cluster_portal.core.api.rows import api_date, grouped_by_first
from partners.participation import Participation

from .api.serializers import OrganisationWorkstreamSerializer
from .models import Workstream, WorkstreamMembership
from .selectors import organisation_workstream_memberships, workstream_list_public

# The order an organisation's workstreams are listed in, read as objects or as values alike.
CURRENT_MEMBERSHIP_ORDER = ("workstream__display_order", "workstream__name")


def with_current_memberships(organisations: QuerySet) -> QuerySet:
    return organisations.prefetch_related(Prefetch(
        "workstream_memberships",
        queryset=WorkstreamMembership.objects.filter(until__isnull=True)
        .select_related("workstream").order_by(*CURRENT_MEMBERSHIP_ORDER),
        to_attr="current_workstream_memberships",
    ))


def membership_rows_by_organisation(organisation_ids: Iterable[int]) -> dict[int, list[dict]]:
    """What OrganisationWorkstreamSerializer writes for each current membership, built from
    values: the organisation API's list reads a page of organisations without instances."""
    memberships = (
        WorkstreamMembership.objects.filter(organisation_id__in=list(organisation_ids),
                                            until__isnull=True)
        .order_by(*CURRENT_MEMBERSHIP_ORDER)
        .values_list("organisation_id", "workstream__slug", "workstream__name", "role", "since")
    )
    return grouped_by_first(
        (organisation_id, {"slug": slug, "name": name, "role": role, "since": api_date(since)})
        for organisation_id, slug, name, role, since in memberships)


def filter_by_workstream(organisations: QuerySet, slug: str) -> QuerySet:
    return organisations.filter(Exists(WorkstreamMembership.objects.filter(
        organisation=OuterRef("pk"), workstream__slug=slug, until__isnull=True,
    )))


def workstream_choices() -> list[tuple[str, str]]:
    # Only active workstreams take members: a planned platform would be a filter that never
    # matches.
    return list(workstream_list_public().filter(status=Workstream.Status.ACTIVE)
                .values_list("slug", "name"))


PARTICIPATION = Participation(
    with_current_memberships=with_current_memberships,
    memberships_of=lambda organisation: organisation_workstream_memberships(
        organisation=organisation),
    membership_rows_by_organisation=membership_rows_by_organisation,
    filter_by_workstream=filter_by_workstream,
    workstream_choices=workstream_choices,
    membership_serializer=OrganisationWorkstreamSerializer,
)
