"""Query-string filters shared by the apps' APIs."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError as FormValidationError
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import filters
from rest_framework.exceptions import ValidationError

# Query parameters that are never a filter: the format, and the pages (the paginator's own).
NOT_FILTERS = frozenset({"format"})


class FilterSetBackend(DjangoFilterBackend):
    """django-filter's backend, which leaves a list alone when the request asks for no filter.

    Building a filter set copies its filters and its form's fields, then validates the form: a
    millisecond or so, as much as the rest of a hundred-row page's own work, spent on an answer
    known beforehand (no filter narrows nothing). A viewset's queryset is therefore already the
    unfiltered list (a filter set that reads the list through a selector of its own, such as the
    catalogue's, reads the same rows when given no filter)."""

    def filter_queryset(self, request, queryset, view):
        if not asks_for_a_filter(request, view):
            return queryset
        return super().filter_queryset(request, queryset, view)


def asks_for_a_filter(request, view) -> bool:
    """Whether the query string has a parameter other than the format and the page's: anything
    else is the filter set's to read, or to refuse."""
    paginator = getattr(view, "paginator", None)
    pages = {getattr(paginator, "page_query_param", None),
             getattr(paginator, "page_size_query_param", None)}
    return any(name not in NOT_FILTERS and name not in pages for name in request.query_params)


class StrictBooleanField(forms.NullBooleanField):
    """`true` or `false`; anything else is refused, where Django's NullBooleanField would read
    it as "no filter" and answer every row as if the client had asked for that."""

    widget = forms.TextInput  # NullBooleanField's select reads every unknown value as "unknown"

    def to_python(self, value):
        if value in (None, ""):
            return None
        if value in (True, False):
            return value
        if str(value).lower() in ("true", "false"):
            return str(value).lower() == "true"
        raise FormValidationError("Give true or false.", code="invalid")

    def validate(self, value):
        pass


class BooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class SearchFilter(filters.SearchFilter):
    """DRF's search, refusing a NUL (no database text holds one; PostgreSQL would fail the
    query) with a 400 instead of a 500."""

    def get_search_terms(self, request):
        if "\x00" in request.query_params.get(self.search_param, ""):
            raise ValidationError({self.search_param: ["Null characters are not allowed."]})
        return super().get_search_terms(request)
