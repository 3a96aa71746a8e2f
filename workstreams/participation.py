"""What workstreams tells partners about the workstreams an organisation takes part in
(partners.participation explains why partners asks instead of importing)."""

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from partners.participation import Participation

from .api.serializers import OrganisationWorkstreamSerializer
from .models import Workstream, WorkstreamMembership
from .selectors import organisation_workstream_memberships, workstream_list_public


def with_current_memberships(organisations: QuerySet) -> QuerySet:
    return organisations.prefetch_related(Prefetch(
        "workstream_memberships",
        queryset=WorkstreamMembership.objects.filter(until__isnull=True)
        .select_related("workstream").order_by("workstream__display_order"),
        to_attr="current_workstream_memberships",
    ))


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
    filter_by_workstream=filter_by_workstream,
    workstream_choices=workstream_choices,
    membership_serializer=OrganisationWorkstreamSerializer,
)
