"""Query-string filters of the talent API. They only narrow a queryset that a selector has
already scoped to the caller; the catalogue's are the catalogue page's own."""

import django_filters
from django import forms
from drf_spectacular.utils import extend_schema_field

from cluster_portal.core.api.filters import BooleanFilter

from ..models import Course, CourseRun, Enrolment, ProficiencyLevel, Skill
from ..selectors import CatalogueFilters, course_list_public

# An id in the query string: a whole number a PostgreSQL integer holds, so that no number is
# sent to the database that it would refuse with an error.
LARGEST_ID = 2**31 - 1


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": LARGEST_ID})
class IdFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=LARGEST_ID, **kwargs)


class SkillFilter(django_filters.FilterSet):
    category = django_filters.ChoiceFilter(choices=Skill.Category.choices)

    class Meta:
        model = Skill
        fields = ["category"]


class CourseFilter(django_filters.FilterSet):
    """The catalogue page's filters (talent.forms.CatalogueForm), read from the query string.
    They filter nothing themselves: they become the `CatalogueFilters` that the catalogue's
    selector applies, so the page and the API cannot mean two things by one filter."""

    search = django_filters.CharFilter(
        max_length=100,
        help_text="Words in the course's code, title, summary or description, in any order.")
    workstream = django_filters.CharFilter(help_text="Slug of a workstream the course serves.")
    skill = django_filters.CharFilter(help_text="Code of a skill the course builds.")
    # Offered as text ("1" to "6"), as every value of a query string is: a number-typed choice
    # could not also offer the empty "any level" that a filter form sends.
    level = django_filters.ChoiceFilter(
        choices=[(str(level), label) for level, label in ProficiencyLevel.choices],
        help_text="Courses building the skill (or, without `skill`, any skill) to at least this "
                  "level, 1 to 6.")
    mode = django_filters.ChoiceFilter(choices=Course.Mode.choices)
    upcoming = BooleanFilter(help_text="true: only courses with a scheduled run still to start.")
    seats_left = BooleanFilter(
        help_text="true: only courses with a run to come that has a seat left now.")

    class Meta:
        model = Course
        fields = ["search", "workstream", "skill", "level", "mode", "upcoming", "seats_left"]

    def catalogue_filters(self) -> CatalogueFilters:
        given = self.form.cleaned_data
        return CatalogueFilters(
            text=(given.get("search") or "").strip(), workstream=given.get("workstream") or "",
            skill=given.get("skill") or "", level=int(given.get("level") or 0) or None,
            mode=given.get("mode") or "", upcoming=bool(given.get("upcoming")),
            seats_left=bool(given.get("seats_left")))

    def filter_queryset(self, queryset):
        return course_list_public(filters=self.catalogue_filters())


class CourseRunFilter(django_filters.FilterSet):
    course = django_filters.CharFilter(field_name="course__slug",
                                       help_text="Slug of the course.")
    status = django_filters.ChoiceFilter(choices=CourseRun.Status.choices)

    class Meta:
        model = CourseRun
        fields = ["course", "status"]


class EnrolmentFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Enrolment.Status.choices)
    run = IdFilter(field_name="run_id", help_text="Id of the course run.")
    course = django_filters.CharFilter(field_name="run__course__slug",
                                       help_text="Slug of the course.")

    class Meta:
        model = Enrolment
        fields = ["status", "run", "course"]
