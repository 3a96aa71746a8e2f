"""Query-string filters shared by the apps' APIs."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError as FormValidationError
from rest_framework import filters
from rest_framework.exceptions import ValidationError


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
