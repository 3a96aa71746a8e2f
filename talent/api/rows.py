"""The course catalogue's and the enrolment list's rows, built from `.values()` rather than
model instances and serializers: both are hot lists of a hundred rows a page, each with nested
references, and a serializer call per field cost most of their time.

Each row is what `CourseSerializer` or `EnrolmentSerializer` presents, field for field; a test
compares the two. A course's skills, workstreams and prerequisites are read in the page's own
query (core.api.rows.nested_rows), so a page costs the same queries however long it is.
"""

from django.db.models import OuterRef, QuerySet
from django.utils import timezone

from cluster_portal.core.api.rows import PagedValues, api_date, api_datetime, api_decimal
from cluster_portal.core.nested_rows import nested_rows, nested_rows_of, nested_values

from ..models import Course, CourseSkill

# --- Courses ----------------------------------------------------------------------------------

# What a course row reads: its columns, its provider's name and the catalogue's annotations.
COURSE_VALUES = (
    "pk", "code", "slug", "title", "summary", "description", "provider__name", "mode", "hours",
    "fee", "certificate_valid_months", "next_run_on", "upcoming_seats",
)


def course_values(courses: QuerySet) -> PagedValues:
    """The courses (the catalogue's queryset, filtered) as the values a row reads, to
    paginate, with their skills, workstreams and prerequisites read in the same query; the
    selector's prefetches are left out."""
    return PagedValues(
        courses.prefetch_related(None), *COURSE_VALUES,
        # In CourseSkill's own order (by the skill's name), as the serializer lists them.
        skill_rows=nested_rows(
            CourseSkill.objects.filter(course=OuterRef("pk")).order_by("skill__name", "pk"),
            skill="skill__code", name="skill__name", level="level"),
        # In the workstreams' own order (Workstream.Meta.ordering), as the serializer has them.
        workstream_slugs=nested_values(
            Course.workstreams.through.objects.filter(course=OuterRef("pk"))
            .order_by("workstream__display_order", "workstream__name"),
            "workstream__slug"),
        # Every prerequisite, published or not, by code (Course.Meta.ordering).
        prerequisite_codes=nested_values(
            Course.prerequisites.through.objects.filter(from_course=OuterRef("pk"))
            .order_by("to_course__code"),
            "to_course__code"),
    )


def course_rows(rows: list[dict]) -> list[dict]:
    return [{
        "code": row["code"], "slug": row["slug"], "title": row["title"],
        "summary": row["summary"], "description": row["description"],
        "provider": row["provider__name"], "mode": row["mode"],
        "hours": api_decimal(row["hours"]), "fee": api_decimal(row["fee"]),
        "certificate_valid_months": row["certificate_valid_months"],
        "skills": nested_rows_of(row["skill_rows"]),
        "workstreams": nested_rows_of(row["workstream_slugs"]),
        "prerequisites": nested_rows_of(row["prerequisite_codes"]),
        "next_run_on": api_date(row["next_run_on"]),
        "seats_left": row["upcoming_seats"],
    } for row in rows]


# --- Enrolments -------------------------------------------------------------------------------

# What an enrolment row reads: its columns and those of its person, run, course and sponsor.
ENROLMENT_VALUES = (
    "pk", "person_id", "person__full_name", "run_id", "run__course__code", "run__course__slug",
    "run__course__title", "run__starts_on", "run__ends_on", "run__venue", "run__status",
    "sponsor_id", "sponsor__slug", "sponsor__name", "status", "waitlist_position",
    "offer_expires_at", "created_at", "confirmed_at", "cancelled_at", "completed_at",
    "decision_reason",
)


def enrolment_values(enrolments: QuerySet) -> PagedValues:
    """The enrolments (a selector's queryset, filtered and ordered) as the values a row reads,
    to paginate: a page is one query with their person, run, course and sponsor joined."""
    return PagedValues(enrolments, *ENROLMENT_VALUES)


def enrolment_rows(rows: list[dict]) -> list[dict]:
    zone = timezone.get_current_timezone()
    return [{
        "id": row["pk"],
        "person": {"id": row["person_id"], "full_name": row["person__full_name"]},
        "run": {
            "id": row["run_id"],
            "course": {"code": row["run__course__code"], "slug": row["run__course__slug"],
                       "title": row["run__course__title"]},
            "starts_on": api_date(row["run__starts_on"]),
            "ends_on": api_date(row["run__ends_on"]),
            "venue": row["run__venue"], "status": row["run__status"],
        },
        "sponsor": (None if row["sponsor_id"] is None else
                    {"slug": row["sponsor__slug"], "name": row["sponsor__name"]}),
        "status": row["status"], "waitlist_position": row["waitlist_position"],
        "offer_expires_at": api_datetime(row["offer_expires_at"], zone),
        "created_at": api_datetime(row["created_at"], zone),
        "confirmed_at": api_datetime(row["confirmed_at"], zone),
        "cancelled_at": api_datetime(row["cancelled_at"], zone),
        "completed_at": api_datetime(row["completed_at"], zone),
        "cancellation_reason": row["decision_reason"],
    } for row in rows]
