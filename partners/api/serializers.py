"""Shapes of the partners API: input serializers check what a client sent, output serializers
present what the selectors and services return. Neither decides anything."""

from django.urls import reverse
from drf_spectacular.extensions import OpenApiSerializerExtension, OpenApiSerializerFieldExtension
from rest_framework import serializers

from cluster_portal.accounts.models import User
from cluster_portal.core.api.fields import (
    BooleanField,
    MultilineTextField,
    OptionalURLField,
    PlausibleDateField,
    SingleLineField,
)
from cluster_portal.core.api.openapi import NamedChoiceField

from ..models import (
    Agreement,
    Invitation,
    Organisation,
    OrganisationMembership,
    PersonRequest,
    RenewalRequest,
)
from ..participation import registered as registered_participation
from ..selectors import organisation_list_visible
from ..validators import (
    COUNTRY_CODES,
    DESCRIPTION_MAX_LENGTH,
    EMAIL_MAX_LENGTH,
    FOREIGN_UEN_PATTERN,
    RENEWAL_MESSAGE_MAX_LENGTH,
    SG_UEN_PATTERN,
    UEN_HELP,
    UEN_MAX_LENGTH,
    uen_error,
    validate_web_address,
)


def organisation_kind_field(**kwargs) -> NamedChoiceField:
    return NamedChoiceField(Organisation.Kind, enum_name="OrganisationKindEnum", **kwargs)


def organisation_role_field(**kwargs) -> NamedChoiceField:
    return NamedChoiceField(OrganisationMembership.Role, enum_name="OrganisationRoleEnum",
                            **kwargs)

# --- References to related objects ------------------------------------------------------------


class PersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "full_name", "email"]
        read_only_fields = fields


class PersonNameSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "full_name"]
        read_only_fields = fields


class OrganisationRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["slug", "name"]
        read_only_fields = fields


class VisibleOrganisationField(serializers.SlugRelatedField):
    """An organisation named by its slug, found only among those the caller may see, so a
    client cannot learn that an unlisted organisation exists by naming it."""

    default_error_messages = {
        "does_not_exist": "There is no organisation “{value}”.",
        "invalid": "Give the organisation's slug.",
    }

    def __init__(self, **kwargs):
        # The queryset only tells the schema which model this is; lookups use get_queryset.
        super().__init__(slug_field="slug", queryset=Organisation.objects.none(), **kwargs)

    def get_queryset(self):
        return organisation_list_visible(user=self.context["request"].user)


# --- Organisations ----------------------------------------------------------------------------


class OrganisationPublicSerializer(serializers.ModelSerializer):
    """The public profile: what the partner directory shows anyone."""

    kind = organisation_kind_field(read_only=True)
    # "" until a programme admin sets a tier.
    tier = serializers.ChoiceField(choices=Organisation.Tier.choices, allow_blank=True,
                                   read_only=True)
    website = OptionalURLField(read_only=True)
    logo = serializers.SerializerMethodField(
        help_text="Absolute URL of the logo (served only to those who may see the "
                  "organisation), or null.")

    class Meta:
        model = Organisation
        fields = ["slug", "name", "kind", "tier", "website", "country", "description", "logo"]
        read_only_fields = fields

    def get_fields(self):
        """With, after the logo, the workstreams it takes part in, as the workstreams app
        describes them (partners.participation); the selectors prefetch them."""
        participation = registered_participation()
        fields = {}
        for name, field in super().get_fields().items():
            fields[name] = field
            if name == "logo" and participation is not None:
                fields["workstreams"] = participation.membership_serializer(
                    source="current_workstream_memberships", many=True, read_only=True,
                    help_text="Workstreams the organisation is an active member of.",
                )
        return fields


    def get_logo(self, organisation: Organisation) -> str | None:
        if not organisation.logo:
            return None
        url = reverse("partners:logo", kwargs={"slug": organisation.slug})
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class OrganisationPublicSchema(OpenApiSerializerExtension):
    """The public profile has exactly its fields. An organisation is answered as one of the two
    profiles (`OrganisationForCaller`, a `oneOf`); since the full profile has every field of
    the public one, only this tells the two apart."""

    target_class = OrganisationPublicSerializer

    def map_serializer(self, auto_schema, direction) -> dict:
        schema = auto_schema._map_basic_serializer(self.target, direction)
        return {**schema, "additionalProperties": False}


class OrganisationSerializer(OrganisationPublicSerializer):
    """The profile as its own people and programme staff see it: with approval and programme
    membership status and the tier's term."""

    # The field's first published name, kept so that clients written against it go on working.
    membership_status = serializers.CharField(
        source="tier_status", read_only=True,
        help_text="Deprecated: the same value as tier_status, under its earlier name. It will "
                  "not be in the next version of the API.")

    class Meta(OrganisationPublicSerializer.Meta):
        fields = [*OrganisationPublicSerializer.Meta.fields, "uen", "is_listed", "status",
                  "tier_status", "membership_status", "tier_starts_on", "tier_ends_on",
                  "created_at"]
        read_only_fields = fields


def organisation_name_field(**kwargs) -> SingleLineField:
    return SingleLineField(max_length=200, needs_letter=True, help_text=(
        "As registered: at least two characters, with a letter."), **kwargs)


class IsoCountries:
    """The ISO 3166 countries as a choice set (partners.validators.COUNTRY_CODES)."""

    choices = [(code, code) for code in COUNTRY_CODES]


def country_field(**kwargs) -> NamedChoiceField:
    return NamedChoiceField(
        IsoCountries, enum_name="CountryCodeEnum",
        help_text="ISO 3166 two-letter country code, in capitals.",
        error_messages={"invalid_choice": "“{input}” is not a country code of ISO 3166. Give "
                                          "the two-letter code in capitals, such as SG."},
        **kwargs)


class WebsiteField(OptionalURLField):
    """A web page's address (http or https), or "" for none."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.append(validate_web_address)


class WebsiteFieldSchema(OpenApiSerializerFieldExtension):
    target_class = WebsiteField

    def map_serializer_field(self, auto_schema, direction) -> dict:
        address = {"type": "string", "format": "uri", "pattern": r"^[hH][tT][tT][pP][sS]?://"}
        if self.target.max_length is not None:
            address["maxLength"] = self.target.max_length
        return {"anyOf": [address, {"type": "string", "maxLength": 0}],
                "description": "A web page's address (http or https), or an empty string for "
                               "none."}


def description_field(**kwargs) -> MultilineTextField:
    return MultilineTextField(
        allow_blank=True, max_length=DESCRIPTION_MAX_LENGTH,
        error_messages={"max_length": "Keep the description to {max_length} characters."},
        **kwargs)


class OrganisationRegisterSerializer(serializers.Serializer):
    name = organisation_name_field()
    uen = SingleLineField(max_length=UEN_MAX_LENGTH, help_text=(
        f"Unique Entity Number. {UEN_HELP} Capitals or not, spaces ignored."))
    kind = organisation_kind_field()
    website = WebsiteField(required=False, default="")
    country = country_field(required=False, default="SG")
    description = description_field(required=False, default="")
    is_listed = BooleanField(
        required=False, default=False,
        help_text="List the organisation in the public directory once it is approved.",
    )
    confirm_not_duplicate = BooleanField(
        required=False, default=False,
        help_text="Register even though an organisation the caller can see has a very similar "
                  "name. Without it, such a registration is refused (400, code similar_name, "
                  "naming the look-alikes) so that the caller can ask to join the one that "
                  "exists instead.",
    )

    def validate(self, attrs):
        message = uen_error(attrs["uen"], attrs["country"])
        if message:
            raise serializers.ValidationError({"uen": [message]})
        return attrs


class OrganisationRegisterSchema(OpenApiSerializerExtension):
    """Which UEN is valid depends on the country (partners.validators.uen_error): a Singapore
    UEN for SG, the default; a foreign registration number otherwise. The schema says so, so
    that what it calls valid the API accepts."""

    target_class = OrganisationRegisterSerializer

    def map_serializer(self, auto_schema, direction) -> dict:
        schema = auto_schema._map_basic_serializer(self.target, direction)
        singapore, foreign = {"pattern": SG_UEN_PATTERN}, {"pattern": FOREIGN_UEN_PATTERN}
        return {**schema, "anyOf": [
            {"required": ["country"],
             "properties": {"country": {"enum": ["SG"]}, "uen": singapore}},
            {"not": {"required": ["country"]}, "properties": {"uen": singapore}},
            {"required": ["country"],
             "properties": {"country": {"not": {"enum": ["SG"]}}, "uen": foreign}},
        ]}


class OrganisationProfileUpdateSerializer(serializers.Serializer):
    """Every field optional (PATCH), sent as JSON."""

    name = organisation_name_field(required=False)
    kind = organisation_kind_field(required=False)
    website = WebsiteField(required=False)
    country = country_field(required=False)
    description = description_field(required=False)
    is_listed = BooleanField(required=False)
    remove_logo = BooleanField(required=False, default=False)


class OrganisationProfileUploadSerializer(OrganisationProfileUpdateSerializer):
    """The same, sent as multipart/form-data, with a new logo."""

    # A plain file: whether it is an acceptable image is the service's call (partners.validators).
    logo = serializers.FileField(required=False, help_text="PNG, JPEG, GIF or WebP, at most "
                                                            "1 MB and 4000 px a side.")


class OrganisationApproveSerializer(serializers.Serializer):
    tier = serializers.ChoiceField(
        choices=Organisation.Tier.choices, required=False, allow_blank=True, default="",
        help_text="Set the programme tier at once (optional).",
    )
    tier_starts_on = PlausibleDateField(required=False, allow_null=True, default=None,
                                        help_text="Defaults to today when a tier is given.")
    tier_ends_on = PlausibleDateField(required=False, allow_null=True, default=None)


class OrganisationSetTierSerializer(serializers.Serializer):
    tier = serializers.ChoiceField(choices=Organisation.Tier.choices)
    tier_starts_on = PlausibleDateField()
    tier_ends_on = PlausibleDateField(required=False, allow_null=True, default=None)



# --- People -----------------------------------------------------------------------------------


class OrganisationMembershipSerializer(serializers.ModelSerializer):
    organisation = OrganisationRefSerializer(read_only=True)
    person = PersonSerializer(read_only=True)
    role = organisation_role_field(read_only=True)

    class Meta:
        model = OrganisationMembership
        fields = ["id", "organisation", "person", "role", "created_at"]
        read_only_fields = fields


class OrganisationMembershipRoleSerializer(serializers.Serializer):
    # PATCH: without a role, nothing changes.
    role = organisation_role_field(required=False)


class InvitationSerializer(serializers.ModelSerializer):
    organisation = OrganisationRefSerializer(read_only=True)
    name = serializers.CharField(source="full_name", read_only=True)
    role = organisation_role_field(read_only=True)
    status = serializers.SerializerMethodField()
    invited_by = PersonNameSerializer(read_only=True, allow_null=True)
    email_status = serializers.SerializerMethodField(
        help_text="Whether the invitation e-mail went: queued, sending, sent, failed, held "
                  "(the address bounced before) or cancelled.")
    email_problem = serializers.SerializerMethodField(
        help_text="Why the e-mail did not go, when it failed or was held back.")

    class Meta:
        model = Invitation
        fields = ["id", "organisation", "email", "name", "role", "status", "invited_by",
                  "created_at", "expires_at", "accepted_at", "revoked_at", "email_status",
                  "email_problem"]
        read_only_fields = fields

    def get_status(self, invitation) -> Invitation.Status:
        return invitation.status_at(self.context["now"])

    def get_email_status(self, invitation) -> str | None:
        email = invitation.email_message
        return email.status if email is not None else None

    def get_email_problem(self, invitation) -> str | None:
        email = invitation.email_message
        return (email.problem_in_words or None) if email is not None else None


def invitation_email_field(**kwargs) -> serializers.EmailField:
    return serializers.EmailField(
        max_length=EMAIL_MAX_LENGTH,
        error_messages={"max_length": "An e-mail address has at most {max_length} characters."},
        **kwargs)


class InvitationCreateSerializer(serializers.Serializer):
    organisation = VisibleOrganisationField(help_text="Slug of the organisation.")
    email = invitation_email_field()
    name = SingleLineField(required=False, allow_blank=True, default="", max_length=150)
    role = organisation_role_field(default=OrganisationMembership.Role.MEMBER)


class InvitationAcceptSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=200, trim_whitespace=True,
                                  help_text="The token from the invitation e-mail's link.")


class InvitationImportSerializer(serializers.Serializer):
    organisation = VisibleOrganisationField(help_text="Slug of the organisation.")
    file = serializers.FileField(help_text="CSV (UTF-8) with the columns name, email, role.")


class InvitationImportRowSerializer(serializers.Serializer):
    line = serializers.IntegerField(help_text="The line of the file where the row starts, the "
                                              "header being line 1 (blank lines and line breaks "
                                              "inside quoted fields count).")
    email = serializers.CharField()
    outcome = serializers.ChoiceField(choices=["invited", "refused"])
    message = serializers.CharField()


class InvitationImportReportSerializer(serializers.Serializer):
    invited = serializers.IntegerField()
    refused = serializers.IntegerField()
    rows = InvitationImportRowSerializer(many=True)


class PersonRequestSerializer(serializers.ModelSerializer):
    organisation = OrganisationRefSerializer(read_only=True)
    person = PersonSerializer(read_only=True)
    status = NamedChoiceField(PersonRequest.Status, enum_name="PersonRequestStatusEnum",
                              read_only=True)
    decided_by = PersonNameSerializer(read_only=True, allow_null=True)

    class Meta:
        model = PersonRequest
        fields = ["id", "organisation", "person", "message", "status", "created_at",
                  "decided_by", "decided_at", "decision_reason"]
        read_only_fields = fields


class PersonRequestCreateSerializer(serializers.Serializer):
    organisation = VisibleOrganisationField(help_text="Slug of the organisation to join.")
    message = MultilineTextField(required=False, allow_blank=True, default="", max_length=2000)


class PersonRequestApproveSerializer(serializers.Serializer):
    role = organisation_role_field(default=OrganisationMembership.Role.MEMBER)


# --- Agreements -------------------------------------------------------------------------------


def _file_link(serializer, agreement: Agreement, field: str, url_name: str) -> str | None:
    if not getattr(agreement, field):
        return None
    url = reverse(url_name, kwargs={"slug": agreement.organisation.slug, "pk": agreement.pk})
    request = serializer.context.get("request")
    return request.build_absolute_uri(url) if request else url


class AgreementSerializer(serializers.ModelSerializer):
    organisation = OrganisationRefSerializer(read_only=True)
    document = serializers.SerializerMethodField(
        help_text="Absolute URL of the agreement to sign (a PDF, downloaded signed in to the "
                  "portal by those who may see the organisation's agreements), or null.")
    signed_copy = serializers.SerializerMethodField(
        help_text="Absolute URL of the signed copy the organisation uploaded, or null.")
    awaits_confirmation = serializers.BooleanField(
        read_only=True, help_text="Sent, with its signed copy in: the programme office's turn.")
    next_states = serializers.ListField(
        child=serializers.CharField(), read_only=True,
        help_text="The states the portal may move it to now (confirming a signed copy).")

    class Meta:
        model = Agreement
        fields = ["id", "organisation", "kind", "status", "reference", "signed_on",
                  "expires_on", "document", "signed_copy", "signed_copy_uploaded_at",
                  "awaits_confirmation", "next_states", "decided_at", "decision_reason",
                  "updated_at"]
        read_only_fields = fields

    def get_document(self, agreement: Agreement) -> str | None:
        return _file_link(self, agreement, "document", "partners:agreement_document")

    def get_signed_copy(self, agreement: Agreement) -> str | None:
        return _file_link(self, agreement, "signed_copy", "partners:agreement_signed_copy")


class AgreementSignedCopySerializer(serializers.Serializer):
    # A plain file: whether it is an acceptable PDF is the service's call (partners.validators).
    upload = serializers.FileField(help_text="The signed agreement: a PDF of at most 10 MB.")


class AgreementConfirmSerializer(serializers.Serializer):
    signed_on = PlausibleDateField(help_text="The day it was signed.")
    expires_on = PlausibleDateField(required=False, allow_null=True, default=None,
                                    help_text="The day it ends, if it does.")
    reason = MultilineTextField(required=False, allow_blank=True, default="", max_length=2000,
                                help_text="A note to the organisation's admins.")


# --- Renewals ---------------------------------------------------------------------------------


class RenewalRequestSerializer(serializers.ModelSerializer):
    organisation = OrganisationRefSerializer(read_only=True)
    status = NamedChoiceField(RenewalRequest.Status, enum_name="RenewalRequestStatusEnum",
                              read_only=True)
    tier = serializers.ChoiceField(choices=Organisation.Tier.choices, read_only=True,
                                   help_text="The tier asked for the next term.")
    requested_by = PersonNameSerializer(read_only=True, allow_null=True)
    decided_by = PersonNameSerializer(read_only=True, allow_null=True)

    class Meta:
        model = RenewalRequest
        fields = ["id", "organisation", "tier", "term_ends_on", "message", "status",
                  "requested_by", "created_at", "decided_by", "decided_at", "decision_reason"]
        read_only_fields = fields


class RenewalRequestCreateSerializer(serializers.Serializer):
    organisation = VisibleOrganisationField(help_text="Slug of the organisation.")
    tier = serializers.ChoiceField(
        choices=Organisation.Tier.choices, required=False, allow_blank=True, default="",
        help_text="The tier for the next term; the current one if left out.")
    message = MultilineTextField(required=False, allow_blank=True, default="",
                                 max_length=RENEWAL_MESSAGE_MAX_LENGTH)


class OrganisationRenewSerializer(serializers.Serializer):
    term_ends_on = PlausibleDateField(
        help_text="The end of the term being renewed, as the caller last read it "
                  "(tier_ends_on). If the term was renewed since, the answer is 409, not a "
                  "second year.")
    tier = serializers.ChoiceField(
        choices=Organisation.Tier.choices, required=False, allow_blank=True, default="",
        help_text="The tier of the next term: by default the one the pending request asks "
                  "for, else the current one.")
    ends_on = PlausibleDateField(
        required=False, allow_null=True, default=None,
        help_text="The end of the next term: by default a year after the current end (or "
                  "from today, once the membership has expired).")
