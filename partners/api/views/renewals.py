"""Requests to renew an organisation's programme membership (renewing it is the organisation's
`renew` action)."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.permissions import IsAuthenticated

from cluster_portal.core.api.filters import FilterSetBackend
from cluster_portal.core.api.openapi import error_example, with_errors
from cluster_portal.core.api.permissions import IsProgrammeAdmin
from cluster_portal.core.api.serializers import DecisionReasonSerializer
from cluster_portal.core.api.viewsets import ScopedViewSet

from ...selectors import renewal_request_list_visible
from ...services import renewal_request_create, renewal_request_decline, renewal_request_withdraw
from .. import serializers as s
from ..filters import RenewalRequestFilter


@extend_schema_view(
    list=extend_schema(
        summary="List requests to renew",
        description="Requests to renew the programme membership of the caller's organisations "
                    "(every one for programme staff with MFA).",
    ),
    retrieve=extend_schema(summary="One request to renew",
                           responses=with_errors({200: s.RenewalRequestSerializer}, 404)),
    create=extend_schema(
        summary="Ask to renew the organisation's programme membership",
        description="The organisation's admins, in its tier or another. One request waits at a "
                    "time (409 while one does); the programme admins are told.",
        request=s.RenewalRequestCreateSerializer,
        responses=with_errors({201: s.RenewalRequestSerializer}, 400, 401, 403, 409, examples={
            409: [error_example(
                "A request already waiting", code="already_requested",
                message="Helix Bioprocess Pte Ltd already asked to renew, on 02 Mar 2026; the "
                        "programme office will decide it. Withdraw it to ask for something "
                        "else.")],
        }),
    ),
)
class RenewalRequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    serializer_class = s.RenewalRequestSerializer
    permission_classes = [IsAuthenticated]
    filter_backends = [FilterSetBackend, OrderingFilter]
    filterset_class = RenewalRequestFilter
    ordering_fields = ["created_at"]

    def get_queryset(self):
        return renewal_request_list_visible(user=self.request.user)

    def create(self, request):
        payload = s.RenewalRequestCreateSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        renewal_request = renewal_request_create(actor=request.user, **payload.validated_data)
        return self.present(renewal_request, status_code=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Withdraw a request to renew",
        description="The organisation's admins, while it waits.",
        request=None,
        responses=with_errors({200: s.RenewalRequestSerializer}, 401, 403, 404, 409),
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self.transition(renewal_request_withdraw, target="renewal_request")

    @extend_schema(
        summary="Decline a request to renew",
        description="Programme admins with MFA; the reason is sent to the organisation's "
                    "admins. To approve it, renew the organisation's membership.",
        request=DecisionReasonSerializer,
        responses=with_errors({200: s.RenewalRequestSerializer}, 400, 401, 403, 404, 409),
    )
    @action(detail=True, methods=["post"], permission_classes=[IsProgrammeAdmin])
    def decline(self, request, pk=None):
        return self.transition(renewal_request_decline, target="renewal_request",
                               payload=DecisionReasonSerializer)
