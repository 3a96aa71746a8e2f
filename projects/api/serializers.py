"""Shapes of the projects API: output serializers present what the selectors return, at the
caller's access level (`permissions.project_access`), reading only what the selectors joined,
annotated or prefetched; input serializers check what a client sent. Neither decides anything:
the services do."""

import re
from decimal import Decimal

from drf_spectacular.extensions import (
    OpenApiSerializerExtension,
    OpenApiSerializerFieldExtension,
)
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject

from cluster_portal.core.api.fields import (
    MULTILINE_CONTROLS,
    MultilineTextField,
    PlausibleDateField,
    SingleLineField,
    sent_as_json,
    text_pattern,
)
from cluster_portal.core.api.openapi import NamedChoiceField
from partners.api.serializers import (
    OrganisationRefSerializer,
    PersonNameSerializer,
    VisibleOrganisationField,
)
from talent.models import ProficiencyLevel, Skill
from talent.selectors import skill_list_public
from workstreams.api.serializers import PublicWorkstreamField, WorkstreamRefSerializer

from ..models import (
    TRL_MAX,
    TRL_MIN,
    Contribution,
    Deliverable,
    Milestone,
    Project,
    ProjectSkillNeed,
    ProjectTeamMember,
    Rag,
    StatusUpdate,
    Visibility,
)
from ..permissions import Access
from ..selectors import person_by_email, project_get_visible, project_milestones
from ..services.projects import REASON_REQUIRED
from ..services.reporting import NARRATIVE_MAX_LENGTH

# An id in a body or the query string: a whole number a PostgreSQL integer holds.
LARGEST_ID = 2**31 - 1
REASON_MAX_LENGTH = 2000
YEAR_MIN, YEAR_MAX = 2000, 2100  # as Contribution.year allows


def status_field(**kwargs) -> NamedChoiceField:
    return NamedChoiceField(Project.Status, enum_name="ProjectStatusEnum", **kwargs)


def rag_field(**kwargs) -> NamedChoiceField:
    return NamedChoiceField(Rag, enum_name="RagEnum", **kwargs)


def visibility_field(**kwargs) -> NamedChoiceField:
    return NamedChoiceField(Visibility, enum_name="ProjectVisibilityEnum", **kwargs)


def deliverable_kind_field(**kwargs) -> NamedChoiceField:
    return NamedChoiceField(Deliverable.Kind, enum_name="DeliverableKindEnum", **kwargs)


def contribution_kind_field(**kwargs) -> NamedChoiceField:
    return NamedChoiceField(Contribution.Kind, enum_name="ContributionKindEnum", **kwargs)


# --- Fields the schema states exactly ---------------------------------------------------------


class WholeNumberField(serializers.IntegerField):
    """A whole number; in JSON a number, not "3" (the schema says integer, and what it calls
    invalid the API refuses)."""

    def to_internal_value(self, data):
        if sent_as_json(self) and (isinstance(data, bool) or not isinstance(data, int)):
            self.fail("invalid")
        return super().to_internal_value(data)


def trl_input(**kwargs) -> WholeNumberField:
    return WholeNumberField(min_value=TRL_MIN, max_value=TRL_MAX, **kwargs)


AMOUNT_PATTERN = r"^[0-9]{1,12}(?:\.[0-9]{1,2})?$"
AMOUNT_HELP = ("Singapore dollars as a decimal string, zero or more, with at most two decimals: "
               "\"25000\" or \"25000.50\".")


class AmountField(serializers.Field):
    """An amount of Singapore dollars, sent as a decimal string so that no cent is lost to a
    binary fraction; presented the same way."""

    default_error_messages = {
        "invalid": "Give an amount in Singapore dollars as a decimal string, such as \"25000\" "
                   "or \"25000.50\".",
        "negative": "An amount is zero or more.",
        "too_large": "Give an amount under one trillion dollars.",
    }

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        if data.startswith("-") and re.fullmatch(AMOUNT_PATTERN, data[1:]):
            self.fail("negative")
        if re.fullmatch(r"[0-9]{13,}(?:\.[0-9]{1,2})?", data):
            self.fail("too_large")
        if not re.fullmatch(AMOUNT_PATTERN, data):
            self.fail("invalid")
        return Decimal(data)

    def to_representation(self, value):
        return f"{value:.2f}"


class AmountFieldSchema(OpenApiSerializerFieldExtension):
    target_class = AmountField

    def map_serializer_field(self, auto_schema, direction) -> dict:
        return {"type": "string", "format": "decimal", "pattern": AMOUNT_PATTERN}


class PersonByEmailField(serializers.EmailField):
    """A person named by the e-mail address of their account (for programme staff, who alone
    name principal investigators, team members and officers)."""

    default_error_messages = {"no_account": "No active account has the address “{email}”."}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 254)
        super().__init__(**kwargs)

    def run_validation(self, data=serializers.empty):
        # The address is checked as an address first; the person is found afterwards.
        email = super().run_validation(data)
        if email is None:
            return None
        person = person_by_email(user=self.context["request"].user, email=email)
        if person is None:
            self.fail("no_account", email=email)
        return person


class SkillField(serializers.SlugRelatedField):
    default_error_messages = {"does_not_exist": "There is no skill “{value}”.",
                              "invalid": "Give the skill's code."}

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", queryset=Skill.objects.none(), **kwargs)

    def get_queryset(self):
        return skill_list_public()


class VisibleProjectField(serializers.SlugRelatedField):
    """A project named by its code, found only among those the caller sees beyond the public
    summary: one they may not see is no project at all (400 on the field), as one that does not
    exist; whether they may act on it is the service's call."""

    default_error_messages = {"does_not_exist": "There is no project “{value}”.",
                              "invalid": "Give the project's code."}

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "Code of the project, such as PIPS-CM-2026-003.")
        super().__init__(slug_field="code", queryset=Project.objects.none(), **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str) or not data or "\x00" in data or len(data) > 40:
            self.fail("invalid")
        try:
            project, access = project_get_visible(user=self.context["request"].user, code=data)
        except Project.DoesNotExist:
            self.fail("does_not_exist", value=data)
        if access < Access.MEMBER:
            self.fail("does_not_exist", value=data)
        project.access_level = access
        return project


# --- Projects ---------------------------------------------------------------------------------


class TeamPlaceSerializer(serializers.ModelSerializer):
    person = PersonNameSerializer(read_only=True)

    class Meta:
        model = ProjectTeamMember
        fields = ["person", "role"]
        read_only_fields = fields


class SkillNeedSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="skill.code", read_only=True,
                                 help_text="The skill's code (as in /api/v1/skills/).")
    name = serializers.CharField(source="skill.name", read_only=True)
    level = NamedChoiceField(ProficiencyLevel, enum_name="ProficiencyLevelEnum", read_only=True)

    class Meta:
        model = ProjectSkillNeed
        fields = ["code", "name", "level"]
        read_only_fields = fields


ACCESS_WORDS = {Access.SUMMARY: "summary", Access.MEMBER: "member", Access.FULL: "full"}


class AccessLevel(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=list(ACCESS_WORDS.values()), **kwargs)


class LevelledSerializer(serializers.ModelSerializer):
    """Presents only the fields the caller's access level (`access_level`, set on each project
    by the view) shows: `LEVELS` names the fields shown from MEMBER or FULL on; the rest are the
    public summary. The schema leaves those fields out of `required`, so a client knows they
    may be absent."""

    LEVELS: dict[str, Access] = {}

    def access_of(self, instance) -> Access:
        return instance.access_level

    def to_representation(self, instance):
        level = self.access_of(instance)
        shown = {}
        for field in self._readable_fields:
            if self.LEVELS.get(field.field_name, Access.SUMMARY) > level:
                continue
            try:
                attribute = field.get_attribute(instance)
            except SkipField:
                continue
            check_for_none = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
            shown[field.field_name] = (None if check_for_none is None
                                       else field.to_representation(attribute))
        return shown


class ShownFromLevelMethodField(serializers.SerializerMethodField):
    """A method field shown only from some access level on: not read-only in the schema, so
    that it is not listed as required (drf-spectacular requires every read-only field). Set in
    __init__, since DRF copies declared fields by building them again."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.read_only, self.required = False, False


class ProjectSerializer(LevelledSerializer):
    """A project as a list shows it. Everyone who sees it: the public summary. Members of the
    workstream and the project's people (`access` member or full): its participants, principal
    investigator, latest rating and overdue work. Its people (full): its visibility too."""

    workstream = WorkstreamRefSerializer(read_only=True)
    lead_organisation = OrganisationRefSerializer(read_only=True)
    status = status_field(read_only=True)
    access = serializers.SerializerMethodField(
        help_text="How much of the project the caller sees: `summary` (the public face), "
                  "`member` (also its people, plan and rating) or `full` (everything).")
    participants = ShownFromLevelMethodField(
        help_text="The participating organisations, the lead among them (member or full).")
    principal_investigator = PersonNameSerializer(required=False,
                                                  help_text="Member or full access.")
    latest_rag = serializers.CharField(
        required=False,
        help_text="The latest status update's overall rating (green, amber, red), or \"\" "
                  "before the first (member or full).")
    latest_update_on = serializers.DateField(
        required=False, allow_null=True,
        help_text="The month of the latest status update (member or full).")
    overdue_milestones = serializers.IntegerField(
        required=False, help_text="Milestones past their date and not reached (member or full).")
    overdue_deliverables = serializers.IntegerField(
        required=False,
        help_text="Deliverables past their date and not handed over (member or full).")
    visibility = visibility_field(required=False, help_text="Full access only.")

    LEVELS = {"participants": Access.MEMBER, "principal_investigator": Access.MEMBER,
              "latest_rag": Access.MEMBER, "latest_update_on": Access.MEMBER,
              "overdue_milestones": Access.MEMBER, "overdue_deliverables": Access.MEMBER,
              "visibility": Access.FULL}

    class Meta:
        model = Project
        fields = ["code", "title", "summary", "workstream", "lead_organisation", "status",
                  "starts_on", "ends_on", "trl_start", "trl_current", "trl_target", "access",
                  "participants", "principal_investigator", "latest_rag", "latest_update_on",
                  "overdue_milestones", "overdue_deliverables", "visibility"]
        read_only_fields = ["code", "title", "summary", "starts_on", "ends_on", "trl_start",
                            "trl_current", "trl_target"]

    @extend_schema_field(AccessLevel())
    def get_access(self, project: Project) -> str:
        return ACCESS_WORDS[self.access_of(project)]

    @extend_schema_field(OrganisationRefSerializer(many=True))
    def get_participants(self, project: Project) -> list[dict]:
        # From the selector's prefetch of participations (with their organisations).
        return OrganisationRefSerializer(
            [p.organisation for p in project.participations.all()], many=True).data


class ProjectDetailSerializer(ProjectSerializer):
    """One project: what the list shows, and its objectives, team, skills needed and officer
    (member or full), its last move and the moves the caller may make now."""

    objectives = serializers.CharField(required=False, help_text="Member or full access.")
    team = ShownFromLevelMethodField(
        help_text="The team besides the principal investigator (member or full).")
    skills = ShownFromLevelMethodField(
        help_text="The skills the project needs, each to a level (member or full).")
    officer = PersonNameSerializer(
        required=False, allow_null=True,
        help_text="The programme staff member who follows the project (full access).")
    decided_at = serializers.DateTimeField(
        required=False, allow_null=True,
        help_text="When it last moved in its lifecycle (full access).")
    decision_reason = serializers.CharField(
        required=False, help_text="Why it last moved, if a reason was given (full access).")
    created_at = serializers.DateTimeField(required=False, help_text="Full access only.")
    updated_at = serializers.DateTimeField(required=False, help_text="Full access only.")
    allowed_transitions = serializers.SerializerMethodField(
        help_text="The states the caller may move the project to now (POST "
                  "{code}/transition/); empty for most callers.")

    LEVELS = {**ProjectSerializer.LEVELS, "objectives": Access.MEMBER, "team": Access.MEMBER,
              "skills": Access.MEMBER, "officer": Access.FULL, "decided_at": Access.FULL,
              "decision_reason": Access.FULL, "created_at": Access.FULL,
              "updated_at": Access.FULL}

    class Meta(ProjectSerializer.Meta):
        fields = [*ProjectSerializer.Meta.fields, "objectives", "team", "skills", "officer",
                  "decided_at", "decision_reason", "created_at", "updated_at",
                  "allowed_transitions"]

    @extend_schema_field(TeamPlaceSerializer(many=True))
    def get_team(self, project: Project) -> list[dict]:
        return TeamPlaceSerializer(self.context["team"], many=True).data

    @extend_schema_field(SkillNeedSerializer(many=True))
    def get_skills(self, project: Project) -> list[dict]:
        return SkillNeedSerializer(self.context["skills"], many=True).data

    @extend_schema_field(serializers.ListField(child=status_field()))
    def get_allowed_transitions(self, project: Project) -> list[str]:
        return self.context["allowed_transitions"]


class TeamPlaceInputSerializer(serializers.Serializer):
    email = PersonByEmailField(help_text="The e-mail address of the person's account.")
    role = SingleLineField(max_length=80, required=False, default="Team member",
                           help_text="Such as research engineer or project manager.")


class SkillNeedInputSerializer(serializers.Serializer):
    code = SkillField(help_text="The skill's code (as in /api/v1/skills/).")
    level = WholeNumberField(min_value=1, max_value=6, help_text="The level needed, 1 to 6.")


class ProjectPeopleMixin(serializers.Serializer):
    """The organisations, team and skills of a project, as the services take them."""

    participants = VisibleOrganisationField(
        many=True, required=False,
        help_text="Slugs of the participating organisations besides the lead; each a member of "
                  "the workstream.")
    team = TeamPlaceInputSerializer(many=True, required=False,
                                    help_text="The team besides the principal investigator.")
    skills = SkillNeedInputSerializer(many=True, required=False,
                                      help_text="The skills the project needs, each once.")

    def validate_team(self, places: list[dict]) -> dict:
        people = [place["email"] for place in places]
        if len({person.pk for person in people}) != len(people):
            raise serializers.ValidationError("Name each person once.")
        return {place["email"]: place["role"] for place in places}

    def validate_skills(self, needs: list[dict]) -> dict:
        skills = [need["code"] for need in needs]
        if len({skill.pk for skill in skills}) != len(skills):
            raise serializers.ValidationError("Name each skill once.")
        return {need["code"]: need["level"] for need in needs}


class ProjectCreateSerializer(ProjectPeopleMixin):
    workstream = PublicWorkstreamField(help_text="Slug of the (active) workstream.")
    title = SingleLineField(max_length=200)
    summary = MultilineTextField(max_length=1000, help_text="The public summary.")
    objectives = MultilineTextField(max_length=5000, required=False, allow_blank=True,
                                    default="")
    lead_organisation = VisibleOrganisationField(
        help_text="Slug of the lead organisation, a member of the workstream.")
    principal_investigator = PersonByEmailField(
        help_text="E-mail address of the principal investigator's account: programme staff or "
                  "a person of a participating organisation.")
    officer = PersonByEmailField(
        required=False, allow_null=True, default=None,
        help_text="E-mail address of the programme staff member who follows the project; the "
                  "caller unless another is named.")
    starts_on = PlausibleDateField()
    ends_on = PlausibleDateField(help_text="On or after `starts_on`.")
    trl_start = trl_input(help_text="Technology readiness level at the start, 1 to 9.")
    trl_target = trl_input(help_text="The target level, 1 to 9, not below `trl_start`.")
    visibility = visibility_field(required=False, default=Visibility.MEMBERS)


class ProjectUpdateSerializer(ProjectPeopleMixin):
    """Only the fields sent change. Organisations, team and skills are replaced as a whole when
    sent."""

    title = SingleLineField(max_length=200, required=False)
    summary = MultilineTextField(max_length=1000, required=False)
    objectives = MultilineTextField(max_length=5000, required=False, allow_blank=True)
    lead_organisation = VisibleOrganisationField(
        required=False, help_text="Slug of the lead organisation, one of the participants.")
    principal_investigator = PersonByEmailField(required=False)
    officer = PersonByEmailField(required=False, allow_null=True)
    starts_on = PlausibleDateField(required=False)
    ends_on = PlausibleDateField(required=False)
    trl_start = trl_input(required=False)
    trl_target = trl_input(required=False)
    trl_current = trl_input(required=False, help_text="The level reached now, 1 to 9.")
    visibility = visibility_field(required=False)


class TransitionSerializer(serializers.Serializer):
    to = status_field(help_text="The state to move the project to; `allowed_transitions` of "
                                "the project says which the caller may choose now.")
    reason = MultilineTextField(
        required=False, allow_blank=True, default="", max_length=REASON_MAX_LENGTH,
        help_text="Why; required to cancel, hold or send back to draft (the team is told).")


class TransitionSchema(OpenApiSerializerExtension):
    """A reason is required for the moves whose people are told why (cancel, hold, send back to
    draft: services.projects.REASON_REQUIRED). The schema says so, so that what it calls valid
    the API accepts."""

    target_class = TransitionSerializer

    def map_serializer(self, auto_schema, direction) -> dict:
        schema = auto_schema._map_basic_serializer(self.target, direction)
        told = sorted(REASON_REQUIRED)
        said = {"type": "string", "pattern": text_pattern(MULTILINE_CONTROLS, blank=False)}
        return {**schema, "anyOf": [
            {"properties": {"to": {"not": {"enum": told}}}},
            {"required": ["reason"], "properties": {"to": {"enum": told}, "reason": said}},
        ]}


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


# --- Status updates ---------------------------------------------------------------------------


class StatusUpdateSerializer(serializers.ModelSerializer):
    project = serializers.CharField(source="project.code", read_only=True,
                                    help_text="The project's code.")
    overall = rag_field(read_only=True)
    schedule = rag_field(read_only=True)
    budget = rag_field(read_only=True)
    posted_by = PersonNameSerializer(read_only=True, allow_null=True)

    class Meta:
        model = StatusUpdate
        fields = ["id", "project", "period", "overall", "schedule", "budget", "narrative",
                  "trl", "posted_by", "posted_at"]
        read_only_fields = fields


class StatusUpdateCreateSerializer(serializers.Serializer):
    project = VisibleProjectField()
    period = PlausibleDateField(help_text="Any day of the month reported on (this month or an "
                                          "earlier one since the project started).")
    overall = rag_field()
    schedule = rag_field()
    budget = rag_field()
    narrative = MultilineTextField(max_length=NARRATIVE_MAX_LENGTH,
                                   help_text="Progress, issues and next steps.")
    trl = trl_input(required=False, allow_null=True, default=None,
                    help_text="The technology readiness level reached, if it moved.")


# --- Contributions ----------------------------------------------------------------------------


class ContributionSerializer(serializers.ModelSerializer):
    project = serializers.CharField(source="project.code", read_only=True,
                                    help_text="The project's code.")
    organisation = OrganisationRefSerializer(read_only=True)
    kind = contribution_kind_field(read_only=True)
    committed_sgd = AmountField(read_only=True, help_text=AMOUNT_HELP)
    actual_sgd = AmountField(read_only=True, help_text=AMOUNT_HELP)
    currency = serializers.SerializerMethodField(help_text="Always SGD.")

    class Meta:
        model = Contribution
        fields = ["id", "project", "organisation", "year", "kind", "committed_sgd",
                  "actual_sgd", "currency", "updated_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=[Contribution.CURRENCY]))
    def get_currency(self, contribution: Contribution) -> str:
        return Contribution.CURRENCY


class ContributionRecordSerializer(serializers.Serializer):
    project = VisibleProjectField()
    organisation = VisibleOrganisationField(help_text="Slug of a participating organisation.")
    year = WholeNumberField(min_value=YEAR_MIN, max_value=YEAR_MAX,
                            help_text="A year of the project.")
    kind = contribution_kind_field()
    committed_sgd = AmountField(required=False, default=Decimal("0"), help_text=AMOUNT_HELP)
    actual_sgd = AmountField(required=False, default=Decimal("0"), help_text=AMOUNT_HELP)
    currency = serializers.ChoiceField(
        choices=[Contribution.CURRENCY], required=False, default=Contribution.CURRENCY,
        error_messages={"invalid_choice": "Contributions are recorded in Singapore dollars "
                                          "(SGD); convert the amount first."},
        help_text="SGD, the only currency recorded.")


class ContributionTotalSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The group: an organisation's slug, a workstream's "
                                          "slug, a project's code, or a year.")
    name = serializers.CharField(help_text="The group in words.")
    committed_cash = AmountField()
    committed_in_kind = AmountField()
    actual_cash = AmountField()
    actual_in_kind = AmountField()
