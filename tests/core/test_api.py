"""The API skeleton: root, schema, docs, /me/, one error format, pagination, throttling."""

import os

import pytest
from django.core.management import call_command
from django.test import RequestFactory
from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from cluster_portal.core.api.pagination import PortalPageNumberPagination
from cluster_portal.core.exceptions import Conflict
from tests.conftest import activate_totp
from tests.factories import OrganisationMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_api_root_lists_endpoints(api_client):
    response = api_client.get("/api/v1/")
    assert response.status_code == 200
    body = response.json()
    assert body["me"].endswith("/api/v1/me/")
    assert body["schema"].endswith("/api/schema/")


def test_openapi_schema_describes_the_api(api_client):
    response = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/me/" in schema["paths"]
    assert set(schema["components"]["securitySchemes"]) >= {"cookieAuth", "tokenAuth"}


def test_interactive_docs_are_served_from_our_own_origin(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "https://" not in html.split("<body")[0]  # no CDN in the head
    assert "/static/drf_spectacular_sidecar/" in html


def test_me_requires_authentication_in_the_error_format(api_client):
    response = api_client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json() == {
        "code": "not_authenticated",
        "message": "Authentication credentials were not provided.",
        "fields": {},
    }
    assert response["WWW-Authenticate"] == "Token"


def test_me_returns_the_caller_and_their_roles(api_client):
    person = UserFactory(email="staff@example.org", full_name="Lim Wei Jie",
                         role="programme_staff")
    OrganisationMembershipFactory(person=person, role="admin")
    activate_totp(person)
    api_client.force_authenticate(person)
    body = api_client.get("/api/v1/me/").json()
    assert body["email"] == "staff@example.org"
    assert body["full_name"] == "Lim Wei Jie"
    assert body["roles"] == ["partner_admin", "partner_member", "programme_staff"]
    assert body["mfa_enabled"] is True


def test_me_with_a_token(api_client):
    from cluster_portal.accounts.services import api_token_create

    person = UserFactory()
    _token, key = api_token_create(actor=person, name="script")
    response = api_client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200
    assert response.json()["roles"] == ["trainee"]


def test_a_member_of_a_pending_organisation_has_no_partner_role(api_client):
    membership = OrganisationMembershipFactory(organisation__status="pending", role="admin")
    api_client.force_authenticate(membership.person)
    assert api_client.get("/api/v1/me/").json()["roles"] == ["trainee"]


def test_malformed_json_is_a_400_in_the_error_format(api_client, user):
    api_client.force_authenticate(user)
    response = api_client.patch(
        "/api/v1/me/", data="{not json", content_type="application/json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "parse_error"
    assert body["message"].startswith("JSON parse error")
    assert body["fields"] == {}


def test_validation_errors_give_a_message_per_field(api_client, user):
    api_client.force_authenticate(user)
    response = api_client.patch("/api/v1/me/", {"full_name": ""}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid",
        "message": "Some fields are not valid.",
        "fields": {"full_name": ["This field may not be blank."]},
    }


class RefusingView(APIView):
    permission_classes = [permissions.AllowAny]

    def post(self, request):
        raise Conflict("This request was already decided.", fields={"status": "Already approved."})


def test_a_service_refusal_uses_the_same_format():
    request = APIRequestFactory().post("/", {}, format="json")
    response = RefusingView.as_view()(request)
    assert response.status_code == 409
    assert response.data == {
        "code": "conflict",
        "message": "This request was already decided.",
        "fields": {"status": ["Already approved."]},
    }


def test_a_person_renames_themselves(api_client, user):
    api_client.force_authenticate(user)
    response = api_client.patch("/api/v1/me/", {"full_name": " Tan Mei Ling "}, format="json")
    assert response.status_code == 200
    assert response.json()["full_name"] == "Tan Mei Ling"
    user.refresh_from_db()
    assert user.full_name == "Tan Mei Ling"


def test_wrong_method_is_405_in_the_error_format(api_client, user):
    api_client.force_authenticate(user)
    response = api_client.delete("/api/v1/me/")
    assert response.status_code == 405
    assert set(response.json()) == {"code", "message", "fields"}


def test_unknown_api_address_is_a_404(api_client):
    response = api_client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404


def test_pagination_defaults_to_25_and_caps_at_100():
    paginator = PortalPageNumberPagination()
    rows = list(range(250))
    page = paginator.paginate_queryset(rows, Request(RequestFactory().get("/")))
    assert len(page) == 25
    page = paginator.paginate_queryset(rows, Request(RequestFactory().get("/?page_size=500")))
    assert len(page) == 100
    response = paginator.get_paginated_response(page)
    assert response.data["count"] == 250
    assert set(response.data) == {"count", "next", "previous", "results"}


def test_anonymous_clients_are_throttled(api_client, monkeypatch):
    from rest_framework.settings import api_settings

    from cluster_portal.core.api.throttling import WindowRateThrottle

    monkeypatch.setattr(WindowRateThrottle, "THROTTLE_RATES",
                        {**api_settings.DEFAULT_THROTTLE_RATES, "anon": "3/minute"})
    responses = [api_client.get("/api/v1/") for _ in range(4)]
    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    assert responses[-1].json()["code"] == "throttled"
    assert int(responses[-1]["Retry-After"]) > 0


def test_the_openapi_schema_generates_without_a_warning():
    # A warning (two components of one name, a field it can't type) means a wrong schema.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", os.devnull)
