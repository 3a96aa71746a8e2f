"""The base UI: home page, navigation by role, styled error pages, security headers."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import UserFactory, WorkstreamFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_home_presents_the_programme_workstreams_and_courses(client, demo):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Pharma Innovation Programme" in html
    for name in ["Biocatalysis", "Continuous Manufacturing", "Digital Factory",
                 "Particle Engineering", "Plant Operations"]:
        assert name in html
    assert "Supply Chain &amp; Logistics" in html
    assert "Open courses" in html
    assert 'id="main"' in html and "<nav" in html and "<footer" in html  # landmarks


def test_home_without_any_data_shows_empty_states(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"No active workstreams yet." in response.content


def test_navigation_fits_the_role(client):
    trainee = UserFactory()
    admin = UserFactory(role="programme_admin")
    anonymous = client.get("/").content.decode()
    assert "Sign in" in anonymous and "Administration" not in anonymous

    client.force_login(trainee)
    page = client.get("/").content.decode()
    assert "Sign out" in page and "Administration" not in page

    client.force_login(admin)
    assert "Administration" in client.get("/").content.decode()


def test_home_query_count_does_not_grow_with_workstreams(client, demo):
    with CaptureQueriesContext(connection) as few:
        client.get("/")
    WorkstreamFactory.create_batch(14, programme__short_name="PIPS")
    WorkstreamFactory(programme__short_name="PIPS", name="Sterile Fill Finish")
    with CaptureQueriesContext(connection) as many:
        assert b"Sterile Fill Finish" in client.get("/").content
    assert len(many) == len(few)


def test_workstream_detail_and_unknown_workstream(client, demo):
    response = client.get("/workstreams/continuous-manufacturing/")
    assert response.status_code == 200
    assert b"Continuous Manufacturing" in response.content
    assert b"Lim Wei Jie" in response.content  # the lead from the demo data

    missing = client.get("/workstreams/no-such-thing/")
    assert missing.status_code == 404
    assert b"find that page" in missing.content


def test_unknown_url_gets_the_styled_404(client):
    response = client.get("/this/does/not/exist/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "find that page" in html
    assert "bootstrap" in html  # the site's layout, not Django's bare page


def test_security_headers_on_every_page(client):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_pages_load_assets_only_from_our_own_origin(client, demo):
    html = client.get("/").content.decode()
    assert "/static/bootstrap/css/bootstrap.min.css" in html
    assert "/static/django_htmx/htmx-2.min.js" in html
    assert "cdn" not in html.lower()
    assert client.get("/static/bootstrap/css/bootstrap.min.css").status_code == 200
