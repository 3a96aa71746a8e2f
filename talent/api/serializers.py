"""Shapes of the talent API: output serializers present what the selectors return, reading only
the rows and what the selectors joined, annotated or prefetched (never a query per row); input
serializers check what a client sent. Neither decides anything."""

from django.db import models
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cluster_portal.core.api.openapi import NamedChoiceField
from cluster_portal.core.links import portal_url
from partners.api.serializers import (
    OrganisationRefSerializer,
    PersonNameSerializer,
    VisibleOrganisationField,
)
from workstreams.api.serializers import WorkstreamRefSerializer

from ..attendance_selectors import enrolment_list_for_training
from ..certificate_selectors import EXPIRED, REVOKED, VALID, certificate_standing
from ..models import (
    Certificate,
    Course,
    CourseRun,
    CourseSkill,
    Enrolment,
    LearningPath,
    ProficiencyLevel,
    Session,
    Skill,
)
from ..services.certificates import verification_url
from .filters import LARGEST_ID


def level_field(**kwargs) -> NamedChoiceField:
    return NamedChoiceField(ProficiencyLevel, enum_name="ProficiencyLevelEnum", **kwargs)


class SkillSerializer(serializers.ModelSerializer):
    category = NamedChoiceField(Skill.Category, enum_name="SkillCategoryEnum", read_only=True)

    class Meta:
        model = Skill
        fields = ["code", "name", "category", "description"]
        read_only_fields = fields


# --- Courses ----------------------------------------------------------------------------------


class CourseSkillSerializer(serializers.ModelSerializer):
    skill = serializers.CharField(source="skill.code", read_only=True,
                                  help_text="The skill's code (as in /api/v1/skills/).")
    name = serializers.CharField(source="skill.name", read_only=True)
    level = level_field(read_only=True,
                        help_text="The level of the skill a person reaches by completing the "
                                  "course.")

    class Meta:
        model = CourseSkill
        fields = ["skill", "name", "level"]
        read_only_fields = fields


class CourseSerializer(serializers.ModelSerializer):
    provider = serializers.CharField(
        source="provider.name", read_only=True, allow_null=True,
        help_text="The organisation that gives the course, by name; null for the programme's "
                  "own.")
    mode = NamedChoiceField(Course.Mode, enum_name="CourseModeEnum", read_only=True)
    skills = CourseSkillSerializer(source="skills_taught", many=True, read_only=True)
    workstreams = serializers.SlugRelatedField(
        slug_field="slug", many=True, read_only=True,
        help_text="Slugs of the workstreams the course serves.")
    prerequisites = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True,
        help_text="Codes of the courses to complete first (the programme office may waive "
                  "them).")
    next_run_on = serializers.DateField(
        read_only=True, allow_null=True,
        help_text="The start of its next scheduled run; null when none is to come.")
    seats_left = serializers.IntegerField(
        source="upcoming_seats", read_only=True, allow_null=True,
        help_text="Seats left on its runs to come, together; null when none is to come.")

    class Meta:
        model = Course
        fields = ["code", "slug", "title", "summary", "description", "provider", "mode", "hours",
                  "fee", "certificate_valid_months", "skills", "workstreams", "prerequisites",
                  "next_run_on", "seats_left"]
        read_only_fields = fields


class CourseRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Course
        fields = ["code", "slug", "title"]
        read_only_fields = fields


# --- Runs -------------------------------------------------------------------------------------


def run_status_field(**kwargs) -> NamedChoiceField:
    return NamedChoiceField(CourseRun.Status, enum_name="CourseRunStatusEnum", **kwargs)


class CourseRunSerializer(serializers.ModelSerializer):
    course = CourseRefSerializer(read_only=True)
    status = run_status_field(read_only=True)
    promotion = NamedChoiceField(
        CourseRun.Promotion, enum_name="CourseRunPromotionEnum", read_only=True,
        help_text="What happens when a seat is freed: the first on the waitlist is confirmed "
                  "at once, or offered the seat for `offer_hours`.")
    seats_left = serializers.IntegerField(read_only=True)
    waitlist_length = serializers.IntegerField(
        source="waitlisted", read_only=True,
        help_text="How many people wait for a seat; enrolling on a full run puts the caller "
                  "after them.")

    class Meta:
        model = CourseRun
        fields = ["id", "course", "starts_on", "ends_on", "venue", "status", "capacity",
                  "seats_left", "waitlist_length", "enrolment_opens_at", "enrolment_closes_at",
                  "promotion", "offer_hours"]
        read_only_fields = fields


class SessionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Session
        fields = ["title", "starts_at", "ends_at"]
        read_only_fields = fields


class CourseRunDetailSerializer(CourseRunSerializer):
    sessions = SessionSerializer(many=True, read_only=True)
    trainers = serializers.SlugRelatedField(slug_field="full_name", many=True, read_only=True,
                                            help_text="The trainers' names.")

    class Meta(CourseRunSerializer.Meta):
        fields = [*CourseRunSerializer.Meta.fields, "sessions", "trainers"]
        read_only_fields = fields


class CourseRunRefSerializer(serializers.ModelSerializer):
    course = CourseRefSerializer(read_only=True)
    status = run_status_field(read_only=True)

    class Meta:
        model = CourseRun
        fields = ["id", "course", "starts_on", "ends_on", "venue", "status"]
        read_only_fields = fields


class EnrolSerializer(serializers.Serializer):
    sponsor = VisibleOrganisationField(
        required=False, allow_null=True,
        help_text="Slug of the approved organisation sending the caller, if one is (one the "
                  "caller acts for); it then sees the enrolment in its training record.")


# --- Enrolments -------------------------------------------------------------------------------


class OwnEnrolmentSerializer(serializers.ModelSerializer):
    """An enrolment as its own person sees it in their learning: without naming them."""

    run = CourseRunRefSerializer(read_only=True)
    sponsor = OrganisationRefSerializer(read_only=True, allow_null=True)
    status = NamedChoiceField(Enrolment.Status, enum_name="EnrolmentStatusEnum", read_only=True)
    waitlist_position = serializers.IntegerField(
        read_only=True, allow_null=True,
        help_text="1 for the first in line; null unless the status is `waitlisted`.")
    offer_expires_at = serializers.DateTimeField(
        read_only=True, allow_null=True,
        help_text="Until when an offered seat waits for an answer; null unless `offered`.")
    cancellation_reason = serializers.CharField(source="decision_reason", read_only=True)

    class Meta:
        model = Enrolment
        fields = ["id", "run", "sponsor", "status", "waitlist_position", "offer_expires_at",
                  "created_at", "confirmed_at", "cancelled_at", "completed_at",
                  "cancellation_reason"]
        read_only_fields = fields


class EnrolmentSerializer(OwnEnrolmentSerializer):
    """An enrolment: whose it is, on which run, and where it stands."""

    person = PersonNameSerializer(read_only=True)

    class Meta(OwnEnrolmentSerializer.Meta):
        fields = ["id", "person", *OwnEnrolmentSerializer.Meta.fields[1:]]
        read_only_fields = fields


class MyLearningSerializer(serializers.Serializer):
    upcoming = OwnEnrolmentSerializer(
        many=True, read_only=True,
        help_text="Seats held and seats offered on runs not yet over, soonest first.")
    waitlisted = OwnEnrolmentSerializer(many=True, read_only=True,
                                        help_text="Places on waitlists, soonest run first.")
    history = OwnEnrolmentSerializer(
        many=True, read_only=True,
        help_text="Completed, missed, cancelled and past enrolments, latest first.")


# --- Attendance -------------------------------------------------------------------------------


class Mark(models.TextChoices):
    PRESENT = "present", "Present"
    ABSENT = "absent", "Absent"
    UNMARKED = "unmarked", "Not marked yet"


class RegisterRowSerializer(serializers.ModelSerializer):
    """One person on a session's register, with their mark at the session."""

    person = PersonNameSerializer(read_only=True)
    status = NamedChoiceField(Enrolment.Status, enum_name="EnrolmentStatusEnum", read_only=True)
    attendance = serializers.SerializerMethodField(
        help_text="`unmarked` until a trainer marks the person present or absent.")

    class Meta:
        model = Enrolment
        fields = ["id", "person", "status", "attendance"]
        read_only_fields = fields

    @extend_schema_field(NamedChoiceField(Mark, enum_name="AttendanceMarkEnum"))
    def get_attendance(self, enrolment: Enrolment) -> str:
        # `mark` is set by the register's selector: True, False, or None when not marked.
        return {True: Mark.PRESENT, False: Mark.ABSENT}.get(enrolment.mark, Mark.UNMARKED)


class AttendanceMarkSerializer(serializers.Serializer):
    """Only an enrolment on a run the caller trains may be named: any other is no enrolment at
    all, as a hidden object is elsewhere (400 on the field)."""

    enrolment = serializers.IntegerField(
        min_value=1, max_value=LARGEST_ID,
        help_text="Id of the enrolment (`id` of a row of the session's register).")
    present = serializers.BooleanField(help_text="true: present; false: absent.")

    def validate_enrolment(self, pk: int) -> Enrolment:
        enrolment = enrolment_list_for_training(user=self.context["request"].user).filter(
            pk=pk).first()
        if enrolment is None:
            raise serializers.ValidationError("No enrolment on a run you train has this id.")
        return enrolment


# --- The caller's certificates and skills ----------------------------------------------------


class LearningPathRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = LearningPath
        fields = ["slug", "name"]
        read_only_fields = fields


class CertificateKind(models.TextChoices):
    COURSE = "course", "A course"
    PATH = "learning_path", "A learning path"


class OwnCertificateSerializer(serializers.ModelSerializer):
    """A certificate as its holder sees it in their list, with where to verify and download it."""

    kind = serializers.SerializerMethodField()
    course = serializers.SerializerMethodField(
        help_text="The course completed; null for a learning path's certificate.")
    learning_path = LearningPathRefSerializer(
        read_only=True, allow_null=True,
        help_text="The learning path completed; null for a course's certificate.")
    status = serializers.SerializerMethodField()
    verification_url = serializers.SerializerMethodField(
        help_text="The public page that says where the certificate stands, for anyone.")
    pdf_url = serializers.SerializerMethodField(
        help_text="The certificate as a PDF, for its holder (signed in).")

    class Meta:
        model = Certificate
        fields = ["serial", "kind", "course", "learning_path", "issued_on", "expires_on",
                  "status", "verification_url", "pdf_url"]
        read_only_fields = fields

    @extend_schema_field(NamedChoiceField(CertificateKind, enum_name="CertificateKindEnum"))
    def get_kind(self, certificate: Certificate) -> str:
        return CertificateKind.PATH if certificate.learning_path_id else CertificateKind.COURSE

    @extend_schema_field(CourseRefSerializer(allow_null=True))
    def get_course(self, certificate: Certificate) -> dict | None:
        if not certificate.enrolment_id:
            return None
        return CourseRefSerializer(certificate.enrolment.run.course).data

    @extend_schema_field(serializers.ChoiceField(choices=[VALID, REVOKED, EXPIRED]))
    def get_status(self, certificate: Certificate) -> str:
        return certificate_standing(certificate, today=self.context.get("today"))

    def get_verification_url(self, certificate: Certificate) -> str:
        return verification_url(certificate)

    def get_pdf_url(self, certificate: Certificate) -> str:
        return portal_url(reverse("talent:certificate_pdf",
                                  kwargs={"serial": certificate.serial}))


class HeldSkillSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="The skill's code (as in /api/v1/skills/).")
    name = serializers.CharField()
    category = NamedChoiceField(Skill.Category, enum_name="SkillCategoryEnum")
    level = level_field(help_text="The highest level reached by the courses completed.")
    reached_on = serializers.DateField(
        allow_null=True, help_text="When the latest course building the skill was completed.")


class SkillGapSerializer(serializers.Serializer):
    skill = serializers.CharField(source="need.skill.code", help_text="The skill's code.")
    name = serializers.CharField(source="need.skill.name")
    level_needed = level_field(source="need.level")
    level_held = serializers.IntegerField(
        source="held_level", min_value=0, max_value=6,
        help_text="The level the caller holds; 0 when they do not hold the skill.")
    met = serializers.BooleanField(source="is_met")
    courses = CourseRefSerializer(
        many=True, help_text="Published courses that build the skill far enough; empty when "
                             "the need is met.")


class WorkstreamGapsSerializer(serializers.Serializer):
    workstream = WorkstreamRefSerializer()
    gaps = SkillGapSerializer(many=True, help_text="The skills the workstream needs, by name.")


class MySkillsSerializer(serializers.Serializer):
    held = HeldSkillSerializer(many=True,
                               help_text="The skills of the courses completed, by category.")
    workstreams = WorkstreamGapsSerializer(
        many=True, help_text="For each workstream the caller's organisations take part in, the "
                             "skills it needs and whether the caller holds them.")
