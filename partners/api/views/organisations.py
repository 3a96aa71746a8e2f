"""Organisations (the directory, registration, profile, approval, tier and its renewal) and their
agreements (the signed copy's upload, its confirmation)."""

from drf_spectacular.utils import (
    OpenApiExample,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from cluster_portal.core.api.filters import FilterSetBackend
from cluster_portal.core.api.openapi import error_example, with_errors
from cluster_portal.core.api.permissions import IsProgrammeAdmin
from cluster_portal.core.api.serializers import DecisionReasonSerializer
from cluster_portal.core.api.viewsets import ScopedViewSet

from ...models import Organisation
from ...permissions import may_see_membership_terms
from ...selectors import (
    agreement_list_visible,
    organisation_directory,
    organisation_directory_rows,
)
from ...services import (
    agreement_confirm,
    agreement_upload_signed_copy,
    organisation_approve,
    organisation_decline,
    organisation_register,
    organisation_renew,
    organisation_set_tier,
    organisation_update_profile,
)
from .. import serializers as s
from ..filters import AgreementFilter, OrganisationFilter
from ..rows import organisation_rows, organisation_values

# --- Organisations ----------------------------------------------------------------------------

ORGANISATION_RESPONSE = PolymorphicProxySerializer(
    component_name="OrganisationForCaller",
    serializers=[s.OrganisationSerializer, s.OrganisationPublicSerializer],
    resource_type_field_name=None,
    many=False,
)
ORGANISATION_LIST_RESPONSE = PolymorphicProxySerializer(
    component_name="OrganisationForCaller",
    serializers=[s.OrganisationSerializer, s.OrganisationPublicSerializer],
    resource_type_field_name=None,
    many=True,
)
ORGANISATION_CALLER_NOTE = (
    " Its own people and programme staff get the full profile (`Organisation`: with status, "
    "programme membership status and tier dates); everyone else the public profile "
    "(`OrganisationPublic`)."
)

REGISTER_EXAMPLE = OpenApiExample(
    "Register an organisation",
    value={
        "name": "Helix Bioprocess Pte Ltd",
        "uen": "202612345K",
        "kind": "biotech",
        "website": "https://helix-bio.example.sg",
        "country": "SG",
        "description": "Continuous downstream processing for monoclonal antibodies.",
        "is_listed": True,
    },
    request_only=True,
)
REGISTERED_EXAMPLE = OpenApiExample(
    "The registered organisation, waiting for approval",
    value={
        "slug": "helix-bioprocess-pte-ltd", "name": "Helix Bioprocess Pte Ltd",
        "kind": "biotech", "tier": "", "website": "https://helix-bio.example.sg",
        "country": "SG",
        "description": "Continuous downstream processing for monoclonal antibodies.",
        "logo": None, "workstreams": [], "uen": "202612345K", "is_listed": True,
        "status": "pending", "tier_status": "none", "membership_status": "none",
        "tier_starts_on": None,
        "tier_ends_on": None, "created_at": "2026-03-02T10:15:00+08:00",
    },
    response_only=True, status_codes=["201"],
)


@extend_schema_view(
    list=extend_schema(
        summary="List organisations",
        description="Organisations the caller may see: approved, listed ones for everyone; "
                    "their own too; every one for programme staff (with MFA)."
                    + ORGANISATION_CALLER_NOTE,
        responses=ORGANISATION_LIST_RESPONSE,
    ),
    retrieve=extend_schema(
        summary="An organisation's profile",
        description="404 when the caller may not see it." + ORGANISATION_CALLER_NOTE,
        responses=with_errors({200: ORGANISATION_RESPONSE}, 404),
    ),
    create=extend_schema(
        summary="Register an organisation",
        description="The caller becomes its admin. It waits for a programme admin's approval "
                    "and is invisible to everyone else until then. One registration at a time "
                    "waits per person (409 while one does).",
        request=s.OrganisationRegisterSerializer,
        responses=with_errors({201: s.OrganisationSerializer}, 400, 401, 409, examples={
            400: [error_example(
                "UEN already registered", code="duplicate_uen",
                message="An organisation with this UEN is already registered.",
                fields={"uen": ["An organisation with this UEN is already registered. Ask its "
                                "admins to invite you, or ask to join it from its page."]},
            )],
            409: [error_example(
                "A registration already waiting", code="registration_waiting",
                message="Your registration of Helix Bioprocess Pte Ltd is waiting for the "
                        "programme office's decision. Register another organisation once it "
                        "is decided.",
            )],
        }),
        examples=[REGISTER_EXAMPLE, REGISTERED_EXAMPLE],
    ),
    partial_update=extend_schema(
        summary="Edit an organisation's profile",
        description="Partner admins (and programme admins). Send multipart/form-data to "
                    "upload a logo, JSON for the other fields.",
        request={
            "application/json": s.OrganisationProfileUpdateSerializer,
            "multipart/form-data": s.OrganisationProfileUploadSerializer,
        },
        responses=with_errors({200: s.OrganisationSerializer}, 400, 401, 403, 404, examples={
            400: [error_example(
                "Not an acceptable logo", code="invalid",
                message="The logo is 2.4 MB; the limit is 1 MB.",
                fields={"logo": ["The logo is 2.4 MB; the limit is 1 MB."]},
            )],
        }),
    ),
)
class OrganisationViewSet(ScopedViewSet):
    serializer_class = s.OrganisationSerializer
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    # The search is the filter set's (the directory's search), not DRF's, which would compare
    # accents and capitals as they were typed.
    filter_backends = [FilterSetBackend, OrderingFilter]
    filterset_class = OrganisationFilter
    ordering_fields = ["name", "created_at"]

    def get_queryset(self):
        if self.action == "list":
            # Rows read as values, their workstreams in the same query (api/rows.py).
            return organisation_directory_rows(user=self.request.user)
        return organisation_directory(user=self.request.user)

    def _present(self, organisation: Organisation) -> dict:
        serializer_class = (
            s.OrganisationSerializer
            if may_see_membership_terms(self.request.user, organisation)
            else s.OrganisationPublicSerializer
        )
        return serializer_class(organisation, context=self.get_serializer_context()).data

    def present(self, organisation: Organisation, *, status_code=status.HTTP_200_OK):
        # The shape depends on the caller (public or full profile), hence not get_serializer.
        organisation = self.get_queryset().get(pk=organisation.pk)
        return Response(self._present(organisation), status=status_code)

    def list(self, request):
        # Rows built from values, not a serializer per organisation (partners.api.rows).
        page = self.paginate_queryset(organisation_values(
            self.filter_queryset(self.get_queryset())))
        return self.get_paginated_response(organisation_rows(page, user=request.user,
                                                             request=request))

    def retrieve(self, request, slug=None):
        return Response(self._present(self.get_object()))

    def create(self, request):
        payload = s.OrganisationRegisterSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        organisation = organisation_register(actor=request.user, **payload.validated_data)
        return self.present(organisation, status_code=status.HTTP_201_CREATED)

    def partial_update(self, request, slug=None):
        organisation = self.get_object()
        payload_class = (s.OrganisationProfileUploadSerializer
                         if request.content_type.startswith("multipart/")
                         else s.OrganisationProfileUpdateSerializer)
        payload = payload_class(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        changes = dict(payload.validated_data)
        organisation_update_profile(
            actor=request.user, organisation=organisation, logo=changes.pop("logo", None),
            remove_logo=changes.pop("remove_logo", False), **changes,
        )
        return self.present(organisation)

    @extend_schema(
        summary="Approve a registered organisation",
        description="Programme admins with MFA. Optionally sets the programme tier and term.",
        request=s.OrganisationApproveSerializer,
        responses=with_errors({200: s.OrganisationSerializer}, 400, 401, 403, 404, 409, examples={
            409: [error_example("Already decided", code="conflict",
                                message="Helix Bioprocess Pte Ltd was already approved.")],
        }),
    )
    @action(detail=True, methods=["post"], permission_classes=[IsProgrammeAdmin])
    def approve(self, request, slug=None):
        return self.transition(organisation_approve, target="organisation",
                               payload=s.OrganisationApproveSerializer)

    @extend_schema(
        summary="Decline a registered organisation",
        description="Programme admins with MFA. The reason is sent to the registrant.",
        request=DecisionReasonSerializer,
        responses=with_errors({200: s.OrganisationSerializer}, 400, 401, 403, 404, 409),
    )
    @action(detail=True, methods=["post"], permission_classes=[IsProgrammeAdmin])
    def decline(self, request, slug=None):
        return self.transition(organisation_decline, target="organisation",
                               payload=DecisionReasonSerializer)

    @extend_schema(
        summary="Set an organisation's programme tier and term",
        description="Programme admins with MFA. Starts a new term (and its renewal reminder).",
        request=s.OrganisationSetTierSerializer,
        responses=with_errors({200: s.OrganisationSerializer}, 400, 401, 403, 404),
    )
    @action(detail=True, methods=["post"], url_path="set-tier",
            permission_classes=[IsProgrammeAdmin])
    def set_tier(self, request, slug=None):
        organisation = self.get_object()
        payload = s.OrganisationSetTierSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        terms = payload.validated_data
        organisation_set_tier(
            actor=request.user, organisation=organisation, tier=terms["tier"],
            starts_on=terms["tier_starts_on"], ends_on=terms["tier_ends_on"],
        )
        return self.present(organisation)

    @extend_schema(
        summary="Renew an organisation's programme membership",
        description="Programme admins with MFA. Starts the next term (a year after the current "
                    "end, or from today once the membership has expired) in its tier, the tier "
                    "its pending request to renew asks for, or the one given, and approves that "
                    "request. Send the term's end as last read: if it was renewed since, the "
                    "answer is 409 (already_renewed) rather than a second year.",
        request=s.OrganisationRenewSerializer,
        responses=with_errors({200: s.OrganisationSerializer}, 400, 401, 403, 404, 409, examples={
            409: [error_example(
                "Renewed meanwhile", code="already_renewed",
                message="Helix Bioprocess Pte Ltd's membership was renewed meanwhile: its term "
                        "now ends on 31 Dec 2027.")],
        }),
    )
    @action(detail=True, methods=["post"], permission_classes=[IsProgrammeAdmin])
    def renew(self, request, slug=None):
        return self.transition(organisation_renew, target="organisation",
                               payload=s.OrganisationRenewSerializer)


# --- Agreements -------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="List agreements",
        description="Consortium agreements and NDAs of the organisations the caller "
                    "administers (every one for programme staff with MFA).",
    ),
    retrieve=extend_schema(summary="One agreement",
                           responses=with_errors({200: s.AgreementSerializer}, 404)),
)
class AgreementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    serializer_class = s.AgreementSerializer
    permission_classes = [IsAuthenticated]
    filter_backends = [FilterSetBackend, OrderingFilter]
    filterset_class = AgreementFilter
    ordering_fields = ["signed_on", "expires_on"]

    def get_queryset(self):
        return agreement_list_visible(user=self.request.user)

    @extend_schema(
        summary="Upload the signed copy of an agreement",
        description="The organisation's admins, for an agreement sent for signature: a PDF of "
                    "at most 10 MB, sent as multipart/form-data. A later upload replaces it "
                    "until the programme office confirms it.",
        request={"multipart/form-data": s.AgreementSignedCopySerializer},
        responses=with_errors({200: s.AgreementSerializer}, 400, 401, 403, 404, 409),
    )
    @action(detail=True, methods=["post"], url_path="signed-copy",
            parser_classes=[MultiPartParser, FormParser])
    def signed_copy(self, request, pk=None):
        return self.transition(agreement_upload_signed_copy, target="agreement",
                               payload=s.AgreementSignedCopySerializer)

    @extend_schema(
        summary="Confirm an agreement's signed copy",
        description="Programme admins with MFA: the agreement becomes signed on the date given. "
                    "409 when it has no signed copy yet, or is already signed.",
        request=s.AgreementConfirmSerializer,
        responses=with_errors({200: s.AgreementSerializer}, 400, 401, 403, 404, 409),
    )
    @action(detail=True, methods=["post"], permission_classes=[IsProgrammeAdmin])
    def confirm(self, request, pk=None):
        return self.transition(agreement_confirm, target="agreement",
                               payload=s.AgreementConfirmSerializer)
