"""Personal API tokens: named, expiring, shown once, stored as a digest, revocable; audited;
a deactivated account's tokens stop at once; staff rights only for staff with MFA; wrong keys
are throttled; and the admin never shows a secret."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from cluster_portal.accounts.models import ApiToken
from cluster_portal.accounts.services import MAX_API_TOKENS, api_token_create, api_token_revoke
from cluster_portal.audit.models import AuditEvent
from cluster_portal.core.exceptions import ApplicationError, Conflict, NotAllowed
from cluster_portal.notifications.models import Notification
from tests.factories import JoinRequestFactory, UserFactory

pytestmark = pytest.mark.django_db


def with_key(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_a_token_is_shown_once_stored_as_a_digest_and_works(user):
    token, key = api_token_create(actor=user, name="Reporting script", valid_days=30)
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert key not in str(stored) and key.startswith(token.prefix)
    assert token.expires_at - timezone.now() > datetime.timedelta(days=29)
    response = with_key(key).get("/api/v1/me/")
    assert response.status_code == 200 and response.json()["email"] == user.email
    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None
    assert AuditEvent.objects.get(action="api_token.create").actor == user
    assert Notification.objects.filter(recipient=user, kind="account_changed").exists()


@pytest.mark.parametrize("change", [
    lambda token, person: api_token_revoke(actor=person, token=token),
    lambda token, person: ApiToken.objects.filter(pk=token.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)),
    lambda token, person: type(person).objects.filter(pk=person.pk).update(is_active=False),
], ids=["revoked", "expired", "account deactivated"])
def test_a_token_stops_at_once(user, change):
    token, key = api_token_create(actor=user, name="script")
    change(token, user)
    response = with_key(key).get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_names_and_lengths_of_validity_are_checked(user):
    with pytest.raises(ApplicationError) as refused:
        api_token_create(actor=user, name=" ", valid_days=7)
    assert set(refused.value.fields) == {"name", "valid_days"}
    for n in range(MAX_API_TOKENS):
        api_token_create(actor=user, name=f"script {n}")
    with pytest.raises(Conflict):
        api_token_create(actor=user, name="one too many")


def test_staff_rights_need_staff_with_mfa(staff_user, mfa_staff_user):
    with pytest.raises(NotAllowed):
        api_token_create(actor=staff_user, name="x", with_staff_rights=True)
    request = JoinRequestFactory()
    _, plain = api_token_create(actor=mfa_staff_user, name="reader")
    _, staff = api_token_create(actor=mfa_staff_user, name="decider", with_staff_rights=True)
    approve = f"/api/v1/join-requests/{request.pk}/approve/"
    assert with_key(plain).post(approve, {"role": "core"}, format="json").status_code == 403
    assert with_key(staff).post(approve, {"role": "core"}, format="json").status_code == 200


def test_a_token_cannot_make_more_tokens(user):
    _, key = api_token_create(actor=user, name="script")
    response = with_key(key).post("/api/v1/me/api-tokens/", {"name": "another"}, format="json")
    assert response.status_code == 403
    assert ApiToken.objects.filter(person=user).count() == 1


def test_the_api_lists_makes_and_revokes_the_callers_own_tokens(user):
    client = APIClient()
    client.force_login(user)
    other, _ = api_token_create(actor=UserFactory(), name="someone else's")
    made = client.post("/api/v1/me/api-tokens/", {"name": "script", "valid_days": 365},
                       format="json")
    assert made.status_code == 201 and made.json()["key"].startswith("cp_")
    listed = client.get("/api/v1/me/api-tokens/").json()["results"]
    assert [token["name"] for token in listed] == ["script"]
    assert "key" not in listed[0] and "digest" not in listed[0]
    assert client.delete(f"/api/v1/me/api-tokens/{other.pk}/").status_code == 404
    revoked = client.delete(f"/api/v1/me/api-tokens/{made.json()['id']}/")
    assert revoked.status_code == 200 and revoked.json()["is_usable"] is False
    assert client.delete(f"/api/v1/me/api-tokens/{made.json()['id']}/").status_code == 409


def test_the_page_shows_a_new_key_once_and_revokes(client, user):
    client.force_login(user)
    response = client.post(reverse("account_api_tokens"), {"name": "script", "valid_days": 90})
    token = ApiToken.objects.get(person=user)
    page = response.content.decode()
    assert "shown this once" in page and f'value="{token.prefix}_' in page
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    assert token.prefix + "_" not in client.get(reverse("account_api_tokens")).content.decode()
    client.post(reverse("account_api_token_revoke", args=[token.pk]))
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


def test_wrong_keys_from_one_address_are_throttled(api_client):
    from cluster_portal.accounts.api.authentication import FAILURES_ALLOWED

    api_client.credentials(HTTP_AUTHORIZATION="Token cp_00000000_not-a-key")
    codes = [api_client.get("/api/v1/me/").status_code for _ in range(FAILURES_ALLOWED + 1)]
    assert codes[:FAILURES_ALLOWED] == [401] * FAILURES_ALLOWED
    assert codes[-1] == 429


def test_the_admin_lists_tokens_without_their_digest(client, mfa_admin_user):
    token, key = api_token_create(actor=UserFactory(), name="script")
    client.force_login(mfa_admin_user)
    page = client.get(reverse("admin:accounts_apitoken_changelist")).content.decode()
    assert token.prefix in page and token.digest not in page and key not in page
    client.post(reverse("admin:accounts_apitoken_changelist"),
                {"action": "revoke", "_selected_action": [token.pk]})
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert AuditEvent.objects.get(action="api_token.revoke").actor == mfa_admin_user
