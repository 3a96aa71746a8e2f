"""The workstreams API: workstreams, requests to join them, and their memberships.

Every viewset starts from a selector scoped to the caller (a request or membership of an
organisation the caller may not see is a 404). Transitions are POST actions calling the same
services as the staff queue and the partner pages; the services decide and refuse.
"""

from contextlib import contextmanager

from django.db.models import F
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.permissions import IsAuthenticated

from cluster_portal.core.api.filters import FilterSetBackend, SearchFilter
from cluster_portal.core.api.openapi import error_example, with_errors
from cluster_portal.core.api.permissions import IsProgrammeAdmin, IsProgrammeStaff
from cluster_portal.core.api.serializers import DecisionReasonSerializer, OptionalReasonSerializer
from cluster_portal.core.api.viewsets import ScopedViewSet
from cluster_portal.core.exceptions import ApplicationError

from ..selectors import (
    join_request_list_visible,
    workstream_list_with_member_counts,
    workstream_membership_list_visible,
)
from ..services import (
    join_request_approve,
    join_request_create,
    join_request_decline,
    join_request_withdraw,
    workstream_activate,
    workstream_membership_end,
)
from . import serializers as s
from .filters import JoinRequestFilter, WorkstreamFilter, WorkstreamMembershipFilter


@contextmanager
def api_field_names(renamed: dict[str, str]):
    """The services name a field as the pages' forms do; the API may call it otherwise.
    Rename the fields of a refusal so a client finds each message under its own field."""
    try:
        yield
    except ApplicationError as error:
        error.fields = {renamed.get(name, name): messages
                        for name, messages in error.fields.items()}
        raise


# --- Workstreams ------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="List workstreams and shared platforms",
        description="Public: active workstreams and planned platforms alike. `member_count` "
                    "counts only member organisations the caller may see.",
    ),
    retrieve=extend_schema(summary="One workstream",
                           responses=with_errors({200: s.WorkstreamSerializer}, 404)),
)
class WorkstreamViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    serializer_class = s.WorkstreamSerializer
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    filter_backends = [FilterSetBackend, SearchFilter, OrderingFilter]
    filterset_class = WorkstreamFilter
    search_fields = ["name", "code", "summary", "description"]
    ordering_fields = ["name", "display_order", "created_at"]

    def get_queryset(self):
        return workstream_list_with_member_counts(user=self.request.user)

    @extend_schema(
        summary="Activate a planned workstream or platform",
        description="Programme admins with MFA. Partners may ask to join it from then on.",
        request=None,
        responses=with_errors({200: s.WorkstreamSerializer}, 401, 403, 404, 409),
    )
    @action(detail=True, methods=["post"], permission_classes=[IsProgrammeAdmin])
    def activate(self, request, slug=None):
        return self.transition(workstream_activate, target="workstream")


# --- Join requests ----------------------------------------------------------------------------

JOIN_REQUEST_EXAMPLE = OpenApiExample(
    "Ask to join a workstream",
    value={
        "organisation": "helix-bioprocess-pte-ltd",
        "workstream": "continuous-manufacturing",
        "motivation": "We run a continuous downstream pilot line and bring PAT know-how.",
        "code_of_conduct_acknowledged": True,
    },
    request_only=True,
)
JOIN_REQUEST_CREATED_EXAMPLE = OpenApiExample(
    "The pending request",
    value={
        "id": 42,
        "organisation": {"slug": "helix-bioprocess-pte-ltd", "name": "Helix Bioprocess Pte Ltd"},
        "workstream": {"slug": "continuous-manufacturing", "name": "Continuous Manufacturing"},
        "motivation": "We run a continuous downstream pilot line and bring PAT know-how.",
        "status": "pending", "code_of_conduct_acknowledged_at": "2026-03-02T10:20:00+08:00",
        "requested_by": {"id": 7, "full_name": "Tan Mei Ling"},
        "requested_at": "2026-03-02T10:20:00+08:00", "decided_by": None, "decided_at": None,
        "decision_reason": "", "granted_role": "",
    },
    response_only=True, status_codes=["201"],
)
APPROVE_EXAMPLE = OpenApiExample(
    "Approve as a core member", value={"role": "core"}, request_only=True,
)
ALREADY_DECIDED_EXAMPLE = error_example(
    "Already decided", code="already_decided", message="This request was already approved.",
)
STAFF_ONLY_EXAMPLE = error_example(
    "Not programme staff", code="permission_denied",
    message="This action is for programme staff.",
)


@extend_schema_view(
    list=extend_schema(
        summary="List workstream join requests",
        description="Programme staff (with MFA) see every request, the review queue being "
                    "`?status=pending`; partners see their own organisations' requests.",
    ),
    retrieve=extend_schema(summary="One join request",
                           responses=with_errors({200: s.JoinRequestSerializer}, 401, 404)),
    create=extend_schema(
        summary="Ask for an organisation to join a workstream",
        description="Partner admins of an approved organisation whose tier covers the "
                    "workstream's kind and which has a signed consortium agreement. "
                    "Acknowledging the code of conduct is required.",
        request=s.JoinRequestCreateSerializer,
        responses=with_errors({201: s.JoinRequestSerializer}, 400, 401, 403, 409, examples={
            400: [error_example(
                "Code of conduct not acknowledged", code="invalid",
                message="Some fields are not valid.",
                fields={"code_of_conduct_acknowledged": [
                    "Acknowledge the programme's competition-law code of conduct to ask to "
                    "join."]},
            )],
            403: [error_example(
                "No signed consortium agreement", code="no_consortium_agreement",
                message="Helix Bioprocess Pte Ltd needs a signed consortium agreement before "
                        "joining workstreams. The programme office records it once signed.",
            )],
            409: [error_example(
                "Already a member", code="already_member",
                message="Helix Bioprocess Pte Ltd is already a member of Continuous "
                        "Manufacturing.",
            )],
        }),
        examples=[JOIN_REQUEST_EXAMPLE, JOIN_REQUEST_CREATED_EXAMPLE],
    ),
)
class JoinRequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    serializer_class = s.JoinRequestSerializer
    permission_classes = [IsAuthenticated]
    filter_backends = [FilterSetBackend, OrderingFilter]
    filterset_class = JoinRequestFilter
    ordering_fields = ["requested_at", "decided_at"]

    def get_queryset(self):
        # ?ordering=requested_at, the API's name for when a request was made (created_at).
        return join_request_list_visible(user=self.request.user).alias(
            requested_at=F("created_at"))

    def create(self, request):
        payload = s.JoinRequestCreateSerializer(data=request.data,
                                                context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        with api_field_names({"code_of_conduct": "code_of_conduct_acknowledged"}):
            join_request = join_request_create(actor=request.user, **payload.validated_data)
        return self.present(join_request, status_code=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Approve a join request",
        description="Programme staff with MFA. The organisation becomes a member of the "
                    "workstream with the role given; a request already decided is a 409.",
        request=s.JoinRequestApproveSerializer,
        responses=with_errors({200: s.JoinRequestSerializer}, 400, 401, 403, 404, 409, examples={
            403: [STAFF_ONLY_EXAMPLE], 409: [ALREADY_DECIDED_EXAMPLE],
        }),
        examples=[APPROVE_EXAMPLE],
    )
    @action(detail=True, methods=["post"], permission_classes=[IsProgrammeStaff])
    def approve(self, request, pk=None):
        return self.transition(join_request_approve, target="join_request",
                               payload=s.JoinRequestApproveSerializer)

    @extend_schema(
        summary="Decline a join request",
        description="Programme staff with MFA. The reason is sent to the organisation.",
        request=DecisionReasonSerializer,
        responses=with_errors({200: s.JoinRequestSerializer}, 400, 401, 403, 404, 409, examples={
            403: [STAFF_ONLY_EXAMPLE], 409: [ALREADY_DECIDED_EXAMPLE],
        }),
    )
    @action(detail=True, methods=["post"], permission_classes=[IsProgrammeStaff])
    def decline(self, request, pk=None):
        return self.transition(join_request_decline, target="join_request",
                               payload=DecisionReasonSerializer)

    @extend_schema(
        summary="Withdraw a pending join request",
        description="Partner admins of the organisation; a decided request is a 409.",
        request=None,
        responses=with_errors({200: s.JoinRequestSerializer}, 401, 403, 404, 409,
                              examples={409: [ALREADY_DECIDED_EXAMPLE]}),
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self.transition(join_request_withdraw, target="join_request")


# --- Workstream memberships -------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="List workstream memberships",
        description="Memberships of the organisations the caller may see (every one for "
                    "programme staff with MFA); `?active=true` for the current ones.",
    ),
    retrieve=extend_schema(summary="One workstream membership",
                           responses=with_errors({200: s.WorkstreamMembershipSerializer}, 404)),
)
class WorkstreamMembershipViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                                  ScopedViewSet):
    serializer_class = s.WorkstreamMembershipSerializer
    filter_backends = [FilterSetBackend, OrderingFilter]
    filterset_class = WorkstreamMembershipFilter
    ordering_fields = ["since", "until"]

    def get_queryset(self):
        return workstream_membership_list_visible(user=self.request.user)

    @extend_schema(
        summary="End a workstream membership",
        description="Programme staff with MFA. The organisation's admins are told why.",
        request=OptionalReasonSerializer,
        responses=with_errors({200: s.WorkstreamMembershipSerializer}, 400, 401, 403, 404,
                              409),
    )
    @action(detail=True, methods=["post"], permission_classes=[IsProgrammeStaff])
    def end(self, request, pk=None):
        return self.transition(workstream_membership_end, target="membership",
                               payload=OptionalReasonSerializer)
