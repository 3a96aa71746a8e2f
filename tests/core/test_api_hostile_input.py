"""Hostile or odd input to the API gets the API's one error format, never a 500 or an HTML page:
unknown addresses, malformed ids, oversized and deeply nested bodies, too many fields."""

import json

import pytest

from tests.factories import OrganisationMembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner_admin(client):
    person = OrganisationMembershipFactory(role="admin").person
    client.force_login(person)
    return person


def error_of(response) -> dict:
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    return body


@pytest.mark.parametrize("path", [
    "/api/v1/no-such-thing/",
    "/api/v1/join-requests/0.5/",  # a malformed id: the router's pattern does not match
    "/api/v1/organisations/%ZZ/",
    "/api/v1/join-requests/0.5/approve/",
    "/api/nothing/",
])
def test_an_unknown_api_address_is_a_json_404(client, partner_admin, path):
    response = client.get(path)
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_an_unknown_page_address_is_still_the_html_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_body_larger_than_the_limit_is_a_413(client, partner_admin, settings):
    body = json.dumps({"motivation": "a" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)})
    response = client.post("/api/v1/join-requests/", body, content_type="application/json")
    assert response.status_code == 413
    assert error_of(response)["code"] == "too_large"


def test_json_nested_too_deeply_is_a_400(client, partner_admin):
    response = client.post("/api/v1/join-requests/", "[" * 100_000 + "]" * 100_000,
                           content_type="application/json")
    assert response.status_code == 400
    assert "nested too deeply" in error_of(response)["message"]


def test_too_many_form_fields_is_a_400(client, partner_admin, settings):
    fields = {f"field{i}": "x" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    response = client.post("/api/v1/join-requests/", fields)
    assert response.status_code == 400
    assert error_of(response)["code"] == "too_many_fields"


def test_an_empty_patch_of_me_changes_nothing_and_answers_200(client, partner_admin):
    response = client.patch("/api/v1/me/", "{}", content_type="application/json")
    assert response.status_code == 200
    assert response.json()["full_name"] == partner_admin.full_name
