"""Programme staff who have not set up two-factor authentication are told so by every API call
(403, code mfa_required), instead of being answered as if they were nobody in particular: an
empty list of join requests would say nothing of why. Only /api/v1/me/ answers them, so they
can see that the second factor is missing."""

import pytest
from django.urls import reverse

from cluster_portal.accounts.services import api_token_create
from cluster_portal.api_urls import router
from tests.conftest import activate_totp
from tests.factories import JoinRequestFactory, OrganisationFactory, UserFactory
from tests.support.api import client_for

pytestmark = pytest.mark.django_db

LISTS = sorted({f"api:{basename}-list" for _, _, basename in router.registry})


@pytest.fixture(params=["programme_staff", "programme_admin"])
def staff_without_mfa(request):
    return UserFactory(role=request.param)


@pytest.mark.parametrize("name", [*LISTS, "api:me-api-tokens", "api:me-notification-preferences"])
def test_every_list_refuses_them_with_the_reason(staff_without_mfa, name):
    OrganisationFactory()
    response = client_for(staff_without_mfa).get(reverse(name))
    assert response.status_code == 403, name
    assert response.json()["code"] == "mfa_required"
    assert "two-factor authentication" in response.json()["message"]


def test_actions_refuse_them_with_the_reason(staff_without_mfa):
    request = JoinRequestFactory()
    response = client_for(staff_without_mfa).post(
        f"/api/v1/join-requests/{request.pk}/approve/", {"role": "core"}, format="json")
    assert (response.status_code, response.json()["code"]) == (403, "mfa_required")
    request.refresh_from_db()
    assert request.status == "pending"


def test_a_staff_token_whose_owner_lost_the_second_factor_is_refused_the_same_way(
        staff_without_mfa):
    from allauth.mfa.models import Authenticator

    activate_totp(staff_without_mfa)
    _, key = api_token_create(actor=staff_without_mfa, name="script", with_staff_rights=True)
    Authenticator.objects.filter(user=staff_without_mfa).delete()  # e.g. reset by an admin
    client = client_for()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.get("/api/v1/join-requests/")
    assert (response.status_code, response.json()["code"]) == (403, "mfa_required")


def test_a_token_without_staff_rights_acts_as_the_person_without_their_role(
        staff_without_mfa):
    _, key = api_token_create(actor=staff_without_mfa, name="script")
    client = client_for()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/join-requests/").json()["count"] == 0


def test_me_answers_them_and_says_what_is_missing(staff_without_mfa):
    response = client_for(staff_without_mfa).get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json()["mfa_enabled"] is False


def test_staff_with_mfa_and_everyone_else_are_not_affected(mfa_staff_user):
    assert client_for(mfa_staff_user).get("/api/v1/join-requests/").status_code == 200
    assert client_for(UserFactory()).get("/api/v1/join-requests/").status_code == 200


def test_the_apis_description_stays_open_to_them(staff_without_mfa):
    # The schema and its documentation are public; refusing them to staff would only confuse.
    client = client_for(staff_without_mfa)
    assert client.get(reverse("api-schema")).status_code == 200
    assert client.get(reverse("api-docs")).status_code == 200
