"""Query-string filters of the workstreams API. They only narrow a queryset that a selector has
already scoped to the caller."""

import django_filters

from cluster_portal.core.api.filters import BooleanFilter

from ..models import JoinRequest, Workstream, WorkstreamMembership


class WorkstreamFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Workstream.Kind.choices)
    status = django_filters.ChoiceFilter(choices=Workstream.Status.choices)
    parent = django_filters.CharFilter(field_name="parent__slug",
                                       help_text="Slug of the parent workstream.")

    class Meta:
        model = Workstream
        fields = ["kind", "status", "parent"]


class JoinRequestFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=JoinRequest.Status.choices)
    workstream = django_filters.CharFilter(field_name="workstream__slug",
                                           help_text="Slug of the workstream.")
    organisation = django_filters.CharFilter(field_name="organisation__slug",
                                             help_text="Slug of the organisation.")

    class Meta:
        model = JoinRequest
        fields = ["status", "workstream", "organisation"]


class WorkstreamMembershipFilter(django_filters.FilterSet):
    workstream = django_filters.CharFilter(field_name="workstream__slug",
                                           help_text="Slug of the workstream.")
    organisation = django_filters.CharFilter(field_name="organisation__slug",
                                             help_text="Slug of the organisation.")
    active = BooleanFilter(field_name="until", lookup_expr="isnull",
                           help_text="true: current memberships; false: ended.")
    role = django_filters.ChoiceFilter(choices=WorkstreamMembership.Role.choices)

    class Meta:
        model = WorkstreamMembership
        fields = ["workstream", "organisation", "active", "role"]
