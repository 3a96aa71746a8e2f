"""What workstreams tells partners about the workstreams an organisation takes part in
(partners.participation explains why partners asks instead of importing)."""


from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from cluster_portal.core.nested_rows import NestedRows, nested_rows
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


def current_membership_rows() -> NestedRows:
    """Each organisation's current memberships as OrganisationWorkstreamSerializer writes them,
    read in the query of the organisations it annotates: the organisation API's list reads a
    page of organisations as values, without instances."""
    return nested_rows(
        WorkstreamMembership.objects.filter(organisation=OuterRef("pk"), until__isnull=True)
        .order_by(*CURRENT_MEMBERSHIP_ORDER),
        slug="workstream__slug", name="workstream__name", role="role", since="since",
    )


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
    current_membership_rows=current_membership_rows,
    filter_by_workstream=filter_by_workstream,
    workstream_choices=workstream_choices,
    membership_serializer=OrganisationWorkstreamSerializer,
)
