"""A project's plan in the API: milestones and deliverables with their acceptance."""


from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cluster_portal.core.api.fields import (
    MultilineTextField,
    PlausibleDateField,
    SingleLineField,
)
from cluster_portal.core.api.openapi import NamedChoiceField
from partners.api.serializers import (
    PersonNameSerializer,
)

from ...models import (
    Deliverable,
    Milestone,
    Project,
)
from ...permissions import Access
from ...selectors import project_milestones
from .fields import (
    LARGEST_ID,
    REASON_MAX_LENGTH,
    VisibleProjectField,
    WholeNumberField,
    deliverable_kind_field,
)
from .projects import (
    LevelledSerializer,
    ShownFromLevelMethodField,
)

# --- Milestones -------------------------------------------------------------------------------


class MilestoneSerializer(serializers.ModelSerializer):
    project = serializers.CharField(source="project.code", read_only=True,
                                    help_text="The project's code.")
    overdue = serializers.BooleanField(source="is_overdue", read_only=True)

    class Meta:
        model = Milestone
        fields = ["id", "project", "title", "description", "due_on", "completed_on", "overdue"]
        read_only_fields = fields


class MilestoneCreateSerializer(serializers.Serializer):
    project = VisibleProjectField()
    title = SingleLineField(max_length=200)
    description = MultilineTextField(max_length=2000, required=False, allow_blank=True,
                                     default="")
    due_on = PlausibleDateField(help_text="Within the project's dates.")


class MilestoneUpdateSerializer(serializers.Serializer):
    title = SingleLineField(max_length=200, required=False)
    description = MultilineTextField(max_length=2000, required=False, allow_blank=True)
    due_on = PlausibleDateField(required=False, help_text="Within the project's dates.")


class MilestoneCompleteSerializer(serializers.Serializer):
    completed_on = PlausibleDateField(required=False, allow_null=True, default=None,
                                      help_text="The day it was reached: today unless given; "
                                                "never a day to come.")


# --- Deliverables -----------------------------------------------------------------------------


class DeliverableSerializer(LevelledSerializer):
    """A deliverable of a project the caller sees beyond its summary; its file and review only
    to those who see the project in full."""

    project = serializers.CharField(source="project.code", read_only=True,
                                    help_text="The project's code.")
    milestone = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True,
                                                   help_text="Id of its milestone, if any.")
    kind = deliverable_kind_field(read_only=True)
    status = NamedChoiceField(Deliverable.Status, enum_name="DeliverableStatusEnum",
                              read_only=True)
    overdue = serializers.BooleanField(source="is_overdue", read_only=True)
    file = ShownFromLevelMethodField(
        help_text="Where to download its file (full access), or null when it has none.")
    submitted_at = serializers.DateTimeField(required=False, allow_null=True,
                                             help_text="Full access only.")
    submitted_by = PersonNameSerializer(required=False, allow_null=True,
                                        help_text="Full access only.")
    late_justification = serializers.CharField(required=False, help_text="Full access only.")
    decided_at = serializers.DateTimeField(
        required=False, allow_null=True,
        help_text="When programme staff last approved or returned it (full access).")
    comments = serializers.CharField(
        required=False, source="decision_reason",
        help_text="The reviewer's comments (full access).")

    LEVELS = dict.fromkeys(("file", "submitted_at", "submitted_by", "late_justification",
                            "decided_at", "comments"), Access.FULL)

    class Meta:
        model = Deliverable
        fields = ["id", "project", "milestone", "title", "kind", "due_on", "status", "overdue",
                  "file", "submitted_at", "submitted_by", "late_justification", "decided_at",
                  "comments"]
        read_only_fields = ["id", "title", "due_on"]

    def access_of(self, deliverable: Deliverable) -> Access:
        return deliverable.project.access_level

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_file(self, deliverable: Deliverable) -> str | None:
        if not deliverable.file:
            return None
        url = f"/api/v1/deliverables/{deliverable.pk}/file/"
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


def milestone_id(**kwargs) -> WholeNumberField:
    return WholeNumberField(min_value=1, max_value=LARGEST_ID, allow_null=True, **kwargs)


def milestone_of(project: Project, pk: int | None) -> Milestone | None:
    if pk is None:
        return None
    milestone = project_milestones(project=project).filter(pk=pk).first()
    if milestone is None:
        raise serializers.ValidationError({"milestone": ["Choose a milestone of this project."]})
    return milestone


class DeliverableCreateSerializer(serializers.Serializer):
    project = VisibleProjectField()
    title = SingleLineField(max_length=200)
    kind = deliverable_kind_field()
    due_on = PlausibleDateField(help_text="Within the project's dates.")
    milestone = milestone_id(required=False, default=None,
                             help_text="Id of a milestone of the project it belongs to.")

    def validate(self, data):
        return {**data, "milestone": milestone_of(data["project"], data["milestone"])}


class DeliverableUpdateSerializer(serializers.Serializer):
    title = SingleLineField(max_length=200, required=False)
    kind = deliverable_kind_field(required=False)
    due_on = PlausibleDateField(required=False, help_text="Within the project's dates.")
    milestone = milestone_id(required=False,
                             help_text="Id of a milestone of the project, or null for none.")

    def validate(self, data):
        if "milestone" in data:
            data["milestone"] = milestone_of(self.context["project"], data["milestone"])
        return data


class DeliverableDraftSerializer(serializers.Serializer):
    # A plain file: its type and size are the service's call (validate_upload).
    file = serializers.FileField(help_text="The draft (PDF, Office, OpenDocument, text, CSV, "
                                           "JSON, ZIP, PNG or JPEG), within the size limit.")


class DeliverableSubmitSerializer(serializers.Serializer):
    file = serializers.FileField(required=False,
                                 help_text="The deliverable's file; the draft already uploaded "
                                           "when left out.")
    late_justification = MultilineTextField(
        required=False, allow_blank=True, default="", max_length=REASON_MAX_LENGTH,
        help_text="Why it is late: required after its due date.")


class DeliverableApproveSerializer(serializers.Serializer):
    comments = MultilineTextField(required=False, allow_blank=True, default="",
                                  max_length=REASON_MAX_LENGTH,
                                  help_text="Told to the team.")


class DeliverableReturnSerializer(serializers.Serializer):
    comments = MultilineTextField(max_length=REASON_MAX_LENGTH,
                                  help_text="What the team should change before submitting "
                                            "it again.")
