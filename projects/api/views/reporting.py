"""What projects report in the API: monthly status updates, and each organisation's
contributions with their totals."""


from drf_spectacular.utils import (
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from cluster_portal.core.api.filters import FilterSetBackend
from cluster_portal.core.api.openapi import error_example, with_errors
from cluster_portal.core.api.permissions import IsProgrammeStaff
from cluster_portal.core.api.viewsets import ScopedViewSet

from ...selectors import (
    contribution_list_visible,
    contribution_totals,
    status_update_list_visible,
)
from ...services import (
    contribution_record,
    contribution_remove,
    status_update_post,
)
from .. import serializers as s
from ..filters import (
    ContributionFilter,
    ContributionTotalsFilter,
    StatusUpdateFilter,
)
from .plan import (
    PlanViewSet,
)
from .projects import (
    STAFF_ONLY,
)
from .refusals import (
    api_field_names,
)

# --- Status updates ---------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List status updates",
                       description="Of the projects the caller sees in full (their people and "
                                   "programme staff), latest month first; `?project=<code>` "
                                   "for one project's."),
    retrieve=extend_schema(summary="One status update",
                           responses=with_errors({200: s.StatusUpdateSerializer}, 404)),
    create=extend_schema(
        summary="Post a monthly status update",
        description="Programme staff and the project's team, once a month, while the project "
                    "is approved, active or on hold. The latest month's overall rating becomes "
                    "the project's; a TRL reached becomes its TRL now.",
        request=s.StatusUpdateCreateSerializer,
        responses=with_errors({201: s.StatusUpdateSerializer}, 400, 401, 403, 409)),
)
class StatusUpdateViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PlanViewSet):
    serializer_class = s.StatusUpdateSerializer
    filterset_class = StatusUpdateFilter

    def get_queryset(self):
        return status_update_list_visible(user=self.request.user)

    def create(self, request):
        return self.write(status_update_post, s.StatusUpdateCreateSerializer,
                          status_code=status.HTTP_201_CREATED)


# --- Contributions ----------------------------------------------------------------------------

NOT_SGD = error_example(
    "Not in Singapore dollars", code="invalid", message="Some fields are not valid.",
    fields={"currency": ["Contributions are recorded in Singapore dollars (SGD); convert the "
                         "amount first."]})


@extend_schema_view(
    list=extend_schema(
        summary="List contributions",
        description="Each participating organisation's committed and actual contributions in "
                    "SGD, by year and kind. Programme staff see every organisation's; anyone "
                    "else only their own organisations' figures, never another's."),
    retrieve=extend_schema(summary="One contribution",
                           responses=with_errors({200: s.ContributionSerializer}, 404)),
    create=extend_schema(
        summary="Record a contribution",
        description="Programme staff with MFA. One row per project, organisation, year and "
                    "kind: recording it again replaces its amounts. Amounts are decimal "
                    "strings in SGD.",
        request=s.ContributionRecordSerializer,
        responses=with_errors({201: s.ContributionSerializer}, 400, 401, 403,
                              examples={400: [NOT_SGD], 403: [STAFF_ONLY]})),
    destroy=extend_schema(summary="Remove a contribution",
                          description="Programme staff with MFA.",
                          responses=with_errors({204: None}, 401, 403, 404)),
)
class ContributionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    serializer_class = s.ContributionSerializer
    filter_backends = [FilterSetBackend]
    filterset_class = ContributionFilter
    permission_classes = [IsAuthenticated]

    def get_permissions(self):
        if self.action in ("create", "destroy"):
            return [IsProgrammeStaff()]
        return super().get_permissions()

    def get_queryset(self):
        return contribution_list_visible(user=self.request.user)

    def create(self, request):
        body = s.ContributionRecordSerializer(data=request.data,
                                              context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        with api_field_names():
            contribution = contribution_record(actor=request.user, **body.validated_data)
        return self.present(contribution, status_code=status.HTTP_201_CREATED)

    def destroy(self, request, pk=None):
        contribution_remove(actor=request.user, contribution=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Contribution totals",
        description="Committed and actual sums, cash and in kind, by organisation, workstream, "
                    "project or year, over the contributions the caller may see (a partner's "
                    "totals are of their own organisations' rows only). The list's filters "
                    "narrow what is totalled.",
        filters=True,
        responses=with_errors({200: s.ContributionTotalSerializer(many=True)}, 400, 401))
    @action(detail=False, methods=["get"], filterset_class=ContributionTotalsFilter)
    def totals(self, request):
        given = ContributionTotalsFilter(request.query_params, self.get_queryset(),
                                         request=request)
        if not given.is_valid():
            raise ValidationError(given.errors)
        contributions = given.qs
        key, name = given.groups()
        groups = contribution_totals(contributions, *dict.fromkeys((key, name)))
        page = self.paginate_queryset(groups)
        return self.get_paginated_response(s.ContributionTotalSerializer(
            [{**row, "key": str(row[key]), "name": str(row[name])} for row in page],
            many=True).data)
