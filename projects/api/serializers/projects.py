"""Projects in the API: each at the caller's access level, and what a client sends to create,
change and move one."""


from drf_spectacular.extensions import (
    OpenApiSerializerExtension,
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
    text_pattern,
)
from cluster_portal.core.api.openapi import NamedChoiceField
from partners.api.serializers import (
    OrganisationRefSerializer,
    PersonNameSerializer,
    VisibleOrganisationField,
)
from talent.models import ProficiencyLevel
from workstreams.api.serializers import PublicWorkstreamField, WorkstreamRefSerializer

from ...models import (
    Project,
    ProjectSkillNeed,
    ProjectTeamMember,
    Visibility,
)
from ...permissions import Access
from ...services.projects import REASON_REQUIRED
from .fields import (
    REASON_MAX_LENGTH,
    PersonByEmailField,
    SkillField,
    WholeNumberField,
    status_field,
    trl_input,
    visibility_field,
)

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

    @classmethod
    def shows(cls, field_name: str, level: Access) -> bool:
        """Whether a caller at `level` is shown the field (also asked by lists that build their
        rows without the serializer, so that `LEVELS` stays the one list)."""
        return cls.LEVELS.get(field_name, Access.SUMMARY) <= level

    def access_of(self, instance) -> Access:
        return instance.access_level

    def to_representation(self, instance):
        level = self.access_of(instance)
        shown = {}
        for field in self._readable_fields:
            if not self.shows(field.field_name, level):
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
        # From a prefetch of participations with their organisations (with_participants).
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
