"""The pages every site has: privacy and terms, robots.txt and the favicon, a meta description
on every page, and a way to reach the programme office from the footer and the error pages."""

import re

import pytest
from django.test import override_settings

from tests.factories import OrganisationFactory, WorkstreamFactory

pytestmark = pytest.mark.django_db

DESCRIPTION = re.compile(r'<meta name="description" content="([^"]*)">')


def description_of(response) -> str:
    found = DESCRIPTION.search(response.content.decode())
    assert found, "the page has no meta description"
    return found.group(1)


@override_settings(PROGRAMME_OFFICE_EMAIL="office@cluster.example.sg")
@pytest.mark.parametrize("address", ["/privacy/", "/terms/"])
def test_privacy_and_terms_are_public_and_name_the_programme_office(client, address):
    response = client.get(address)
    assert response.status_code == 200
    assert "mailto:office@cluster.example.sg" in response.content.decode()


def test_every_page_links_privacy_and_terms_in_its_footer(client):
    page = client.get("/").content.decode()
    assert 'href="/privacy/"' in page
    assert 'href="/terms/"' in page


def test_robots_txt_keeps_crawlers_to_the_public_face(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    for private in ("/accounts/", "/admin/", "/api/", "/notifications/"):
        assert f"Disallow: {private}" in lines
    assert "Disallow: /partners/" not in lines  # the public directory stays findable
    assert "Disallow: /" not in lines


def test_favicon_ico_leads_to_the_portal_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("img/favicon.svg")
    assert client.get(response["Location"]).status_code == 200


def test_public_pages_describe_themselves_each_in_its_own_words(client):
    organisation = OrganisationFactory(name="Helix Bioprocess", is_listed=True,
                                       description="Continuous downstream processing.")
    workstream = WorkstreamFactory(name="Particle Engineering",
                                   summary="Crystallisation and particle design.")
    descriptions = {
        address: description_of(client.get(address))
        for address in ("/", "/partners/", "/workstreams/", "/privacy/", "/terms/",
                        organisation.get_absolute_url(), workstream.get_absolute_url())
    }
    assert all(len(text) > 40 for text in descriptions.values()), descriptions
    assert len(set(descriptions.values())) == len(descriptions)
    assert "Continuous downstream processing." in descriptions[organisation.get_absolute_url()]
    assert "Crystallisation and particle design." in descriptions[workstream.get_absolute_url()]


def test_a_description_never_carries_markup_from_what_a_partner_typed(client):
    organisation = OrganisationFactory(is_listed=True,
                                       description='<b>Bold</b> "quoted" claims')
    text = description_of(client.get(organisation.get_absolute_url()))
    assert "<b>" not in text
    assert "&quot;quoted&quot;" in text


@override_settings(PROGRAMME_OFFICE_EMAIL="office@cluster.example.sg")
def test_the_not_found_page_says_whom_to_tell(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "mailto:office@cluster.example.sg" in response.content.decode()


@override_settings(PROGRAMME_OFFICE_EMAIL="office@cluster.example.sg")
def test_the_server_error_page_says_whom_to_write_to(rf):
    from cluster_portal.core.views import error_500

    response = error_500(rf.get("/partners/"))
    assert response.status_code == 500
    assert "mailto:office@cluster.example.sg" in response.content.decode()
