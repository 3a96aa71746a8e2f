"""Query-string filters of the projects API. The projects list reads the portfolio page's
filters into the portfolio's own `PortfolioFilters` and calls its selector, so the page and the
API cannot mean two things by one filter; the others only narrow a queryset a selector has
already scoped to the caller."""

import re

import django_filters
from django import forms
from drf_spectacular.utils import extend_schema_field

from cluster_portal.core.api.fields import PLAUSIBLE_DATE_PATTERN
from cluster_portal.core.api.filters import BooleanFilter
from cluster_portal.core.exceptions import NotAllowed
from cluster_portal.core.validators import EARLIEST_DATE, LATEST_DATE

from ..filters import PUBLIC_SORTS, STAFF_ONLY_FIELDS
from ..models import (
    TRL_MAX,
    TRL_MIN,
    Contribution,
    Deliverable,
    Milestone,
    Project,
    Rag,
    StatusUpdate,
)
from ..permissions import may_manage_projects
from ..selectors import PORTFOLIO_SORTS, PortfolioFilters, project_portfolio
from .serializers import YEAR_MAX, YEAR_MIN

NO_UPDATE = "none"

# Choices over numbers are offered as text ("1" to "9"), as every value of a query string is.
TRL_CHOICES = [(str(level), str(level)) for level in range(TRL_MIN, TRL_MAX + 1)]


class PlausibleDateFormField(forms.DateField):
    """A date written YYYY-MM-DD, from 1900 to 2199, as the rest of the portal takes dates (no
    other way of writing it, so that what the schema calls a date is exactly what is read)."""

    input_formats = ["%Y-%m-%d"]

    def to_python(self, value):
        if value not in self.empty_values and not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}",
                                                               str(value)):
            raise forms.ValidationError("Give a date as YYYY-MM-DD.", code="invalid")
        return super().to_python(value)

    def validate(self, value):
        super().validate(value)
        if value is not None and not EARLIEST_DATE <= value <= LATEST_DATE:
            raise forms.ValidationError(
                f"Enter a date between {EARLIEST_DATE:%Y} and {LATEST_DATE:%Y}.")


# Empty is "any day", as django-filter reads an empty value.
@extend_schema_field({"anyOf": [
    {"type": "string", "format": "date", "pattern": PLAUSIBLE_DATE_PATTERN},
    {"type": "string", "maxLength": 0}]})
class PlausibleDateFilter(django_filters.DateFilter):
    field_class = PlausibleDateFormField


NO_NUL = r"^[^\x00]*$"


class TextFilter(django_filters.CharFilter):
    """Text of at most `max_length` characters, as the schema states it (Django's form field
    refuses a NUL, which no database text holds)."""

    max_length = 100

    def __init__(self, **kwargs):
        super().__init__(max_length=self.max_length, **kwargs)


@extend_schema_field({"type": "string", "maxLength": TextFilter.max_length, "pattern": NO_NUL})
class WordsFilter(TextFilter):
    pass


class ProjectFilter(django_filters.FilterSet):
    """The portfolio page's filters (projects.selectors.PortfolioFilters). As on the page
    (projects/filters.py), only programme staff filter or sort by what a reader of the public
    summary is not shown (the latest rating, overdue work, the TRL reached, a participating
    organisation): anyone else asking is refused (403) rather than answered as if unfiltered.
    """

    search = WordsFilter(help_text="Words in the project's code, title or summary, any order.")
    workstream = WordsFilter(help_text="Slug of the workstream.")
    status = django_filters.ChoiceFilter(choices=Project.Status.choices)
    rag = django_filters.ChoiceFilter(
        choices=[*Rag.choices, (NO_UPDATE, "No status update yet")],
        help_text="Programme staff: the latest status update's overall rating; `none` for "
                  "projects without one.")
    organisation = WordsFilter(
        help_text="Programme staff: slug of an organisation leading or taking part.")
    trl_min = django_filters.ChoiceFilter(choices=TRL_CHOICES,
                                          help_text="Programme staff: TRL now at least this.")
    trl_max = django_filters.ChoiceFilter(choices=TRL_CHOICES,
                                          help_text="Programme staff: TRL now at most this.")
    active_from = PlausibleDateFilter(help_text="Projects ending on or after this day.")
    active_to = PlausibleDateFilter(help_text="Projects starting on or before this day.")
    overdue = BooleanFilter(help_text="Programme staff: true for only projects with overdue "
                                      "milestones or deliverables.")
    ordering = django_filters.ChoiceFilter(
        choices=[(key, key) for key in PORTFOLIO_SORTS],
        help_text="The order: a field, or with a leading minus the reverse; by code unless "
                  "asked. By `rag` or `trl`: programme staff.")

    class Meta:
        model = Project
        fields = ["search", "workstream", "status", "rag", "organisation", "trl_min", "trl_max",
                  "active_from", "active_to", "overdue", "ordering"]

    def portfolio_filters(self) -> PortfolioFilters:
        given = self.form.cleaned_data
        return PortfolioFilters(
            text=(given.get("search") or "").strip(), workstream=given.get("workstream") or "",
            status=given.get("status") or "", rag=given.get("rag") or "",
            organisation=given.get("organisation") or "",
            trl_min=int(given["trl_min"]) if given.get("trl_min") else None,
            trl_max=int(given["trl_max"]) if given.get("trl_max") else None,
            active_on_or_after=given.get("active_from"),
            active_on_or_before=given.get("active_to"),
            overdue=bool(given.get("overdue")), sort=given.get("ordering") or "code")

    def staff_only_asked(self) -> dict[str, list[str]]:
        given = self.form.cleaned_data
        asked = {name: ["This filter is for programme staff."]
                 for name in STAFF_ONLY_FIELDS if given.get(name) not in (None, "", False)}
        if (given.get("ordering") or "code").lstrip("-") not in PUBLIC_SORTS:
            asked["ordering"] = [f"Order by {', '.join(PUBLIC_SORTS)}; the other orders are "
                                 "for programme staff."]
        return asked

    def filter_queryset(self, queryset):
        user = self.request.user
        if not may_manage_projects(user) and (asked := self.staff_only_asked()):
            raise NotAllowed("Filtering by the latest rating, overdue work, the TRL reached or "
                             "a participating organisation is for programme staff.",
                             fields=asked)
        return project_portfolio(user=user, filters=self.portfolio_filters())


@extend_schema_field({"type": "string", "maxLength": 40, "pattern": NO_NUL})
class ProjectCodeFilter(TextFilter):
    max_length = 40

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "Code of the project, such as PIPS-CM-2026-003.")
        super().__init__(field_name="project__code", **kwargs)


class MilestoneFilter(django_filters.FilterSet):
    project = ProjectCodeFilter()
    completed = BooleanFilter(field_name="completed_on", lookup_expr="isnull", exclude=True,
                              help_text="true: reached; false: still to reach.")

    class Meta:
        model = Milestone
        fields = ["project", "completed"]


class DeliverableFilter(django_filters.FilterSet):
    project = ProjectCodeFilter()
    status = django_filters.ChoiceFilter(choices=Deliverable.Status.choices)
    kind = django_filters.ChoiceFilter(choices=Deliverable.Kind.choices)

    class Meta:
        model = Deliverable
        fields = ["project", "status", "kind"]


class StatusUpdateFilter(django_filters.FilterSet):
    project = ProjectCodeFilter()

    class Meta:
        model = StatusUpdate
        fields = ["project"]


@extend_schema_field({"type": "integer", "minimum": YEAR_MIN, "maximum": YEAR_MAX})
class YearFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, **kwargs):
        super().__init__(min_value=YEAR_MIN, max_value=YEAR_MAX, **kwargs)


class ContributionFilter(django_filters.FilterSet):
    project = ProjectCodeFilter()
    organisation = WordsFilter(field_name="organisation__slug",
                               help_text="Slug of the organisation.")
    year = YearFilter(help_text="The year contributed in.")
    kind = django_filters.ChoiceFilter(choices=Contribution.Kind.choices)

    class Meta:
        model = Contribution
        fields = ["project", "organisation", "year", "kind"]


# What the totals are grouped by: (the key's field, the name's field).
GROUPS = {
    "organisation": ("organisation__slug", "organisation__name"),
    "workstream": ("project__workstream__slug", "project__workstream__name"),
    "project": ("project__code", "project__title"),
    "year": ("year", "year"),
}


class ContributionTotalsFilter(ContributionFilter):
    by = django_filters.ChoiceFilter(
        choices=[(group, group) for group in GROUPS], method="group_by",
        help_text="What to total by: organisation (unless asked), workstream, project or "
                  "year.")

    class Meta(ContributionFilter.Meta):
        fields = [*ContributionFilter.Meta.fields, "by"]

    def group_by(self, queryset, name, value):
        return queryset  # the view totals by it (selectors.contribution_totals)

    def groups(self) -> tuple[str, str]:
        """The fields of the group's key and name."""
        return GROUPS[self.form.cleaned_data.get("by") or "organisation"]
