"""Query-string filters of the partners API. They only narrow a queryset that a selector has
already scoped to the caller, so no filter can reveal a row the caller may not see."""

import django_filters
from django.core.validators import RegexValidator
from drf_spectacular.utils import extend_schema_field

from cluster_portal.core.search import matching_every_word

from ..models import (
    Agreement,
    Invitation,
    Organisation,
    OrganisationMembership,
    PersonRequest,
    RenewalRequest,
)
from ..participation import filter_by_workstream

COUNTRY_CODE = r"^[A-Za-z]{2}$"


# Empty is "any country", as django-filter reads an empty value.
@extend_schema_field({"type": "string", "pattern": r"^(?:[A-Za-z]{2})?$"})
class CountryCodeFilter(django_filters.CharFilter):
    """A country code: its pattern is in the schema, so a client knows what is refused."""


class OrganisationFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(
        method="filter_search", max_length=100,
        help_text="Words found in the name or the description, in any order; capitals and "
                  "accents don't matter (`meridian asia` finds Meridian Pharma Asia).",
    )
    kind = django_filters.ChoiceFilter(choices=Organisation.Kind.choices)
    # Two letters in any case; a pair that is no country's code matches nothing.
    country = CountryCodeFilter(
        method="filter_country",
        validators=[RegexValidator(COUNTRY_CODE, "Give a two-letter country code, such as SG.")],
        help_text="Two-letter ISO 3166 code of the organisation's country, such as SG; any "
                  "case.",
    )
    tier = django_filters.ChoiceFilter(choices=Organisation.Tier.choices)
    status = django_filters.ChoiceFilter(
        choices=Organisation.Status.choices,
        help_text="Approval status. Only staff see other organisations that are not approved; "
                  "for anyone else this narrows their own.",
    )
    workstream = django_filters.CharFilter(
        method="filter_workstream",
        help_text="Slug of a workstream the organisation is an active member of.",
    )

    class Meta:
        model = Organisation
        fields = ["search", "kind", "country", "tier", "status", "workstream"]

    def filter_search(self, queryset, name, value):
        return matching_every_word(queryset, value, "name", "description")

    def filter_country(self, queryset, name, value):
        return queryset.filter(country=value.strip().upper())

    def filter_workstream(self, queryset, name, value):
        return filter_by_workstream(queryset, value)


class OrganisationMembershipFilter(django_filters.FilterSet):
    organisation = django_filters.CharFilter(field_name="organisation__slug",
                                             help_text="Slug of the organisation.")
    role = django_filters.ChoiceFilter(choices=OrganisationMembership.Role.choices)

    class Meta:
        model = OrganisationMembership
        fields = ["organisation", "role"]




class InvitationFilter(django_filters.FilterSet):
    organisation = django_filters.CharFilter(field_name="organisation__slug",
                                             help_text="Slug of the organisation.")
    status = django_filters.ChoiceFilter(choices=Invitation.Status.choices,
                                         method="filter_status")

    class Meta:
        model = Invitation
        fields = ["organisation", "status"]

    def filter_status(self, queryset, name, value):
        return queryset.in_status(value)


class PersonRequestFilter(django_filters.FilterSet):
    organisation = django_filters.CharFilter(field_name="organisation__slug",
                                             help_text="Slug of the organisation.")
    status = django_filters.ChoiceFilter(choices=PersonRequest.Status.choices)

    class Meta:
        model = PersonRequest
        fields = ["organisation", "status"]


class AgreementFilter(django_filters.FilterSet):
    organisation = django_filters.CharFilter(field_name="organisation__slug",
                                             help_text="Slug of the organisation.")
    kind = django_filters.ChoiceFilter(choices=Agreement.Kind.choices)
    status = django_filters.ChoiceFilter(choices=Agreement.Status.choices)

    class Meta:
        model = Agreement
        fields = ["organisation", "kind", "status"]


class RenewalRequestFilter(django_filters.FilterSet):
    organisation = django_filters.CharFilter(field_name="organisation__slug",
                                             help_text="Slug of the organisation.")
    status = django_filters.ChoiceFilter(choices=RenewalRequest.Status.choices)

    class Meta:
        model = RenewalRequest
        fields = ["organisation", "status"]
