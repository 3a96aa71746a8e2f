"""A list asked for no filter is answered without building its filter set; any other query
parameter, known or not, goes to the filter set as before (to filter, or to be refused)."""

import pytest
from django.test import RequestFactory
from rest_framework.request import Request

from cluster_portal.core.api.filters import asks_for_a_filter
from cluster_portal.core.api.pagination import PortalPageNumberPagination
from partners.api.filters import OrganisationFilter
from tests.factories import OrganisationFactory


class _ListView:
    paginator = PortalPageNumberPagination()


@pytest.mark.parametrize(("query", "asks"), [
    ("", False),
    ("page=2&page_size=100", False),
    ("format=json", False),
    ("kind=sme", True),
    ("page=2&search=helix", True),
    ("no_such_filter=1", True),
])
def test_what_asks_for_a_filter(query, asks):
    request = Request(RequestFactory().get(f"/api/v1/organisations/?{query}"))
    assert asks_for_a_filter(request, _ListView()) is asks


@pytest.mark.django_db
def test_an_unfiltered_list_builds_no_filter_set_and_a_filtered_one_does(api_client,
                                                                         monkeypatch):
    OrganisationFactory(name="Helix Bioprocess", kind="sme")
    OrganisationFactory(name="Meridian Pharma", kind="pharma_mnc")
    built = []
    original = OrganisationFilter.__init__

    def counted(self, *args, **kwargs):
        built.append(1)
        original(self, *args, **kwargs)

    monkeypatch.setattr(OrganisationFilter, "__init__", counted)
    unfiltered = api_client.get("/api/v1/organisations/?page_size=10")
    assert unfiltered.status_code == 200 and unfiltered.json()["count"] == 2
    assert built == []

    filtered = api_client.get("/api/v1/organisations/?kind=pharma_mnc")
    assert [row["name"] for row in filtered.json()["results"]] == ["Meridian Pharma"]
    assert built == [1]
    assert api_client.get("/api/v1/organisations/?kind=nonsense").status_code == 400
