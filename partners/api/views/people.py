"""The people of organisations: memberships, invitations and requests to join."""

from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from cluster_portal.core.api.filters import FilterSetBackend
from cluster_portal.core.api.openapi import error_example, with_errors
from cluster_portal.core.api.serializers import OptionalReasonSerializer
from cluster_portal.core.api.viewsets import ScopedViewSet

from ...models import PersonRequest
from ...selectors import (
    invitation_list_visible,
    organisation_membership_list_visible,
    person_request_list_visible,
)
from ...services import (
    invitation_accept,
    invitation_create,
    invitation_resend,
    invitation_revoke,
    invitations_import_csv,
    organisation_membership_change_role,
    organisation_membership_remove,
    person_request_approve,
    person_request_create,
    person_request_decline,
    person_request_withdraw,
)
from .. import serializers as s
from ..filters import InvitationFilter, OrganisationMembershipFilter, PersonRequestFilter

LAST_ADMIN_EXAMPLE = error_example(
    "The last admin", code="last_admin",
    message="Tan Mei Ling is the last admin of Helix Bioprocess Pte Ltd. Make someone else an "
            "admin first.",
)


# --- Organisation memberships -----------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="List the people of the caller's organisations",
        description="Colleagues see each other; programme staff (with MFA) see everyone's.",
    ),
    retrieve=extend_schema(summary="One person's membership of an organisation",
                           responses=with_errors({200: s.OrganisationMembershipSerializer}, 404)),
    partial_update=extend_schema(
        summary="Change a person's role in the organisation",
        description="Partner admins. Never demotes the last admin (409).",
        request=s.OrganisationMembershipRoleSerializer,
        responses=with_errors({200: s.OrganisationMembershipSerializer},
                              400, 401, 403, 404, 409, examples={409: [LAST_ADMIN_EXAMPLE]}),
    ),
    destroy=extend_schema(
        summary="Remove a person from the organisation (or leave it)",
        description="Partner admins remove colleagues; anyone may remove themself. Never the "
                    "last admin (409).",
        responses=with_errors({204: None}, 401, 403, 404, 409,
                              examples={409: [LAST_ADMIN_EXAMPLE]}),
    ),
)
class OrganisationMembershipViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                                    ScopedViewSet):
    serializer_class = s.OrganisationMembershipSerializer
    permission_classes = [IsAuthenticated]
    filter_backends = [FilterSetBackend, OrderingFilter]
    filterset_class = OrganisationMembershipFilter
    ordering_fields = ["created_at"]

    def get_queryset(self):
        return organisation_membership_list_visible(user=self.request.user)

    def partial_update(self, request, pk=None):
        membership = self.get_object()
        payload = s.OrganisationMembershipRoleSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        # Without a role nothing changes, but only those who may change it are answered 200.
        organisation_membership_change_role(
            actor=request.user, membership=membership,
            role=payload.validated_data.get("role", membership.role))
        return self.present(membership)

    def destroy(self, request, pk=None):
        organisation_membership_remove(actor=request.user, membership=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Invitations ------------------------------------------------------------------------------

ACCEPT_EXAMPLE = OpenApiExample(
    "Accept an invitation",
    value={"token": "q3v9yZ2m0cX7Jr1f4E8tNw5kLh6pUa2sB0dGxV7eYiQ"},
    request_only=True,
)


@extend_schema_view(
    list=extend_schema(
        summary="List invitations",
        description="Invitations of the organisations the caller administers (every one for "
                    "programme staff with MFA). Tokens are never shown.",
    ),
    retrieve=extend_schema(summary="One invitation",
                           responses=with_errors({200: s.InvitationSerializer}, 404)),
    create=extend_schema(
        summary="Invite a person by e-mail",
        description="Partner admins of an approved organisation. The link (valid 14 days, "
                    "single use) goes only to the address; re-inviting an address replaces its "
                    "open invitation.",
        request=s.InvitationCreateSerializer,
        responses=with_errors({201: s.InvitationSerializer}, 400, 401, 403, 409),
        examples=[OpenApiExample(
            "Invite a colleague",
            value={"organisation": "helix-bioprocess-pte-ltd", "email": "tan.mei@helix.example",
                   "name": "Tan Mei Ling", "role": "member"},
            request_only=True,
        )],
    ),
)
class InvitationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    serializer_class = s.InvitationSerializer
    permission_classes = [IsAuthenticated]
    filter_backends = [FilterSetBackend, OrderingFilter]
    filterset_class = InvitationFilter
    ordering_fields = ["created_at", "expires_at"]

    def get_queryset(self):
        return invitation_list_visible(user=self.request.user)

    def get_serializer_context(self):
        # One clock for the whole page, so every row's status is judged at the same moment.
        return {**super().get_serializer_context(), "now": timezone.now()}

    def create(self, request):
        payload = s.InvitationCreateSerializer(data=request.data,
                                               context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        fields = payload.validated_data
        invitation, _token = invitation_create(
            actor=request.user, organisation=fields["organisation"], email=fields["email"],
            role=fields["role"], full_name=fields["name"],
        )
        return self.present(invitation, status_code=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Revoke an open invitation",
        description="Partner admins. The link stops working at once.",
        request=None,
        responses=with_errors({200: s.InvitationSerializer}, 401, 403, 404, 409),
    )
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        return self.transition(invitation_revoke, target="invitation")

    @extend_schema(
        summary="Send an invitation again, with a new link",
        description="Partner admins. For an open or expired invitation: a new one goes to the "
                    "same address with the same role, and the earlier link stops working at "
                    "once. Refused (409) for an accepted or revoked invitation, within 5 minutes "
                    "of the last sending (its e-mail may still be on its way), and beyond 5 "
                    "invitations to one address in 24 hours. The answer is the new invitation.",
        request=None,
        responses=with_errors({201: s.InvitationSerializer}, 401, 403, 404, 409, examples={
            409: [error_example(
                "Sent moments ago", code="resent_too_soon",
                message="The invitation to tan.mei@helix.example was sent moments ago and its "
                        "e-mail may still be on its way. Send it again from 10:42 if it does "
                        "not arrive.",
            )],
        }),
    )
    @action(detail=True, methods=["post"])
    def resend(self, request, pk=None):
        sent = invitation_resend(actor=request.user, invitation=self.get_object())
        return self.present(sent.invitation, status_code=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Accept an invitation",
        description="Any signed-in person whose account holds the invited address, verified. "
                    "A link works once: a used, revoked or expired one is a 409.",
        request=s.InvitationAcceptSerializer,
        responses=with_errors(
            {201: s.OrganisationMembershipSerializer}, 400, 401, 403, 404, 409,
            examples={
                403: [error_example(
                    "Signed in with another address", code="wrong_account",
                    message="This invitation is for tan.mei@helix.example. Sign in with that "
                            "address (or add and verify it in your account) to accept it.",
                )],
                404: [error_example(
                    "Unknown link", code="not_found",
                    message="This invitation link is not valid. Ask for a new invitation.",
                )],
                409: [
                    error_example("Link already used", code="invitation_used",
                                  message="This invitation has already been used."),
                    error_example("Link expired", code="invitation_expired",
                                  message="This invitation has expired. Ask the organisation's "
                                          "admin for a new one."),
                ],
            },
        ),
        examples=[ACCEPT_EXAMPLE],
    )
    @action(detail=False, methods=["post"])
    def accept(self, request):
        payload = s.InvitationAcceptSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        membership = invitation_accept(actor=request.user, token=payload.validated_data["token"])
        membership = organisation_membership_list_visible(user=request.user).get(pk=membership.pk)
        return Response(s.OrganisationMembershipSerializer(membership).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Invite many people from a CSV file",
        description="Partner admins. The CSV (UTF-8, at most 500 rows and 512 KB) has the "
                    "columns name, email, role (admin or member). Each row is invited or refused "
                    "on its own; the report says which, by the line of the file where the row "
                    "starts. Inviting an address again replaces its open invitation, whose link "
                    "then stops working: the row's message says so.",
        request={"multipart/form-data": s.InvitationImportSerializer},
        responses=with_errors({200: s.InvitationImportReportSerializer}, 400, 401, 403),
    )
    @action(detail=False, methods=["post"], url_path="import",
            parser_classes=[MultiPartParser, FormParser])
    def import_csv(self, request):
        payload = s.InvitationImportSerializer(data=request.data,
                                               context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        report = invitations_import_csv(actor=request.user,
                                        organisation=payload.validated_data["organisation"],
                                        upload=payload.validated_data["file"])
        return Response(s.InvitationImportReportSerializer(report).data)


# --- Requests to join an organisation ---------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="List requests to join organisations",
        description="The caller's own requests and those to the organisations they administer "
                    "(every one for programme staff with MFA).",
    ),
    retrieve=extend_schema(summary="One request to join an organisation",
                           responses=with_errors({200: s.PersonRequestSerializer}, 404)),
    create=extend_schema(
        summary="Ask to join an organisation",
        description="Any signed-in person, for an approved, listed organisation they do not "
                    "act for yet. Its admins decide.",
        request=s.PersonRequestCreateSerializer,
        responses=with_errors({201: s.PersonRequestSerializer}, 400, 401, 404, 409),
    ),
)
class PersonRequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    queryset = PersonRequest.objects.none()  # names the model for the schema; rows: get_queryset
    serializer_class = s.PersonRequestSerializer
    permission_classes = [IsAuthenticated]
    filter_backends = [FilterSetBackend, OrderingFilter]
    filterset_class = PersonRequestFilter
    ordering_fields = ["created_at", "decided_at"]

    def get_queryset(self):
        return person_request_list_visible(user=self.request.user)

    def create(self, request):
        payload = s.PersonRequestCreateSerializer(data=request.data,
                                                  context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        person_request = person_request_create(actor=request.user, **payload.validated_data)
        return self.present(person_request, status_code=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Approve a request to join the organisation",
        description="Partner admins of the organisation. The person joins with the role given.",
        request=s.PersonRequestApproveSerializer,
        responses=with_errors({200: s.PersonRequestSerializer}, 400, 401, 403, 404, 409),
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self.transition(person_request_approve, target="person_request",
                               payload=s.PersonRequestApproveSerializer)

    @extend_schema(
        summary="Decline a request to join the organisation",
        request=OptionalReasonSerializer,
        responses=with_errors({200: s.PersonRequestSerializer}, 400, 401, 403, 404, 409),
    )
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        return self.transition(person_request_decline, target="person_request",
                               payload=OptionalReasonSerializer)

    @extend_schema(
        summary="Withdraw one's own pending request",
        request=None,
        responses=with_errors({200: s.PersonRequestSerializer}, 401, 403, 404, 409),
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self.transition(person_request_withdraw, target="person_request")


