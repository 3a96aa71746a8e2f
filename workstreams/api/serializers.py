"""Shapes of the workstreams API: input serializers check what a client sent, output serializers
present what the selectors and services return. Neither decides anything."""

from rest_framework import serializers

from cluster_portal.core.api.fields import AcknowledgementField, MultilineTextField
from cluster_portal.core.api.openapi import NamedChoiceField
from partners.api.serializers import (
    OrganisationRefSerializer,
    PersonNameSerializer,
    VisibleOrganisationField,
)

from ..models import JoinRequest, Workstream, WorkstreamMembership
from ..selectors import workstream_list_public
from ..services import MOTIVATION_MAX_LENGTH


def workstream_role_field(**kwargs) -> NamedChoiceField:
    return NamedChoiceField(WorkstreamMembership.Role, enum_name="WorkstreamRoleEnum", **kwargs)


# Given to partners (workstreams.participation) for the organisation API's `workstreams`.
class OrganisationWorkstreamSerializer(serializers.ModelSerializer):
    """One workstream an organisation takes part in."""

    slug = serializers.CharField(source="workstream.slug", read_only=True)
    name = serializers.CharField(source="workstream.name", read_only=True)
    role = workstream_role_field(read_only=True)

    class Meta:
        model = WorkstreamMembership
        fields = ["slug", "name", "role", "since"]
        read_only_fields = fields


class WorkstreamRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Workstream
        fields = ["slug", "name"]
        read_only_fields = fields


class WorkstreamSerializer(serializers.ModelSerializer):
    programme = serializers.CharField(source="programme.short_name", read_only=True)
    parent = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    lead = PersonNameSerializer(read_only=True, allow_null=True,
                                help_text="The programme staff member who leads it.")
    member_count = serializers.IntegerField(
        read_only=True,
        help_text="Active member organisations that the caller may see.",
    )

    class Meta:
        model = Workstream
        fields = ["slug", "name", "code", "kind", "status", "summary", "description",
                  "programme", "parent", "lead", "member_count"]
        read_only_fields = fields


class PublicWorkstreamField(serializers.SlugRelatedField):
    """A workstream named by its slug. Workstreams are public, planned ones included."""

    default_error_messages = {"does_not_exist": "There is no workstream “{value}”."}

    def __init__(self, **kwargs):
        super().__init__(slug_field="slug", queryset=Workstream.objects.none(), **kwargs)

    def get_queryset(self):
        return workstream_list_public()


class JoinRequestSerializer(serializers.ModelSerializer):
    organisation = OrganisationRefSerializer(read_only=True)
    workstream = WorkstreamRefSerializer(read_only=True)
    status = NamedChoiceField(JoinRequest.Status, enum_name="JoinRequestStatusEnum",
                              read_only=True)
    requested_by = PersonNameSerializer(read_only=True, allow_null=True)
    # The API's name since it was first published; the model says created_at, as every other.
    requested_at = serializers.DateTimeField(source="created_at", read_only=True)
    decided_by = PersonNameSerializer(read_only=True, allow_null=True)

    class Meta:
        model = JoinRequest
        fields = ["id", "organisation", "workstream", "motivation", "status",
                  "code_of_conduct_acknowledged_at", "requested_by", "requested_at",
                  "decided_by", "decided_at", "decision_reason", "granted_role"]
        read_only_fields = fields


class JoinRequestCreateSerializer(serializers.Serializer):
    organisation = VisibleOrganisationField(help_text="Slug of the organisation asking.")
    workstream = PublicWorkstreamField(help_text="Slug of the workstream to join.")
    motivation = MultilineTextField(
        max_length=MOTIVATION_MAX_LENGTH,
        help_text="Why the organisation wants to join, and what it brings.",
        error_messages={"blank": "Say why the organisation wants to join and what it brings.",
                        "max_length": "Keep the motivation to {max_length} characters."})
    code_of_conduct_acknowledged = AcknowledgementField(
        help_text="The requester acknowledges the programme's competition-law code of conduct; "
                  "a request without it is refused.",
    )


class JoinRequestApproveSerializer(serializers.Serializer):
    role = workstream_role_field(help_text="The organisation's role in the workstream.")


class WorkstreamMembershipSerializer(serializers.ModelSerializer):
    organisation = OrganisationRefSerializer(read_only=True)
    workstream = WorkstreamRefSerializer(read_only=True)
    role = workstream_role_field(read_only=True)
    active = serializers.BooleanField(source="is_active", read_only=True)

    class Meta:
        model = WorkstreamMembership
        # No end reason: why an organisation left is between it and the programme office.
        fields = ["id", "organisation", "workstream", "role", "since", "until", "active",
                  "join_request"]
        read_only_fields = fields
