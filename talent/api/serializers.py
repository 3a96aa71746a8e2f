"""Shapes of the talent API: output serializers present what the selectors return, reading only
the rows and what the selectors joined, annotated or prefetched (never a query per row); input
serializers check what a client sent. Neither decides anything."""

from rest_framework import serializers

from cluster_portal.core.api.openapi import NamedChoiceField
from partners.api.serializers import (
    OrganisationRefSerializer,
    PersonNameSerializer,
    VisibleOrganisationField,
)

from ..models import Course, CourseRun, CourseSkill, Enrolment, ProficiencyLevel, Session, Skill


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
