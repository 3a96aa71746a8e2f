"""Sign-up with mandatory e-mail verification, login, logout, password reset, rate limiting."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.urls import reverse

from cluster_portal.accounts.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-much-longer-new-password-42"


def _link_in(message) -> str:
    # On the portal's public address (PORTAL_BASE_URL), whatever host the request named.
    match = re.search(rf"{re.escape(settings.PORTAL_BASE_URL)}(/accounts/\S+)", message.body)
    assert match, f"no link in e-mail: {message.body}"
    return match.group(1)


def test_signup_sends_verification_and_login_waits_for_it(client,
                                                          django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the outbox sends after commit
        response = client.post(
            reverse("account_signup"),
            {"email": "Mei.Ling@Example.org", "full_name": "Tan Mei Ling",
             "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")

    user = User.objects.get()
    assert user.email == "mei.ling@example.org"  # stored in one case, so it can't be duplicated
    assert user.full_name == "Tan Mei Ling"
    assert EmailAddress.objects.get(user=user).verified is False

    # Until the address is confirmed, signing in only re-sends the verification e-mail.
    client.logout()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_login"), {"login": "mei.ling@example.org", "password": NEW_PASSWORD}
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session

    # allauth does not re-send within its cooldown, so the first e-mail is the only one.
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["mei.ling@example.org"]
    confirm_path = _link_in(mail.outbox[0])
    response = client.post(confirm_path)
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified is True

    client.logout()
    response = client.post(
        reverse("account_login"), {"login": "MEI.LING@example.org", "password": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("my_portal")
    assert client.session["_auth_user_id"] == str(user.pk)


def test_signup_requires_full_name(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "new@example.org", "full_name": "  ",
         "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert "full_name" in response.context["form"].errors
    assert not User.objects.exists()
    assert mail.outbox == []


def test_signup_with_a_taken_address_creates_nothing_and_does_not_reveal_it(
        client, django_capture_on_commit_callbacks):
    existing = UserFactory(email="taken@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_signup"),
            {"email": "TAKEN@example.org", "full_name": "Someone Else",
             "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        )
    # The visitor sees the ordinary "check your e-mail" page; the owner is told by e-mail.
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert list(User.objects.values_list("pk", flat=True)) == [existing.pk]
    assert [m.to for m in mail.outbox] == [["taken@example.org"]]


def test_logout(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_password_reset_by_email_link(client, django_capture_on_commit_callbacks):
    user = UserFactory(email="forgetful@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"),
                               {"email": "forgetful@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1

    reset_path = _link_in(mail.outbox[0])
    response = client.get(reset_path)  # allauth moves the key into the session and redirects
    assert response.status_code == 302
    form_path = response["Location"]
    response = client.post(form_path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302

    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert not user.check_password(PASSWORD)


def test_password_reset_for_unknown_address_reveals_nothing(client):
    response = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    # The same answer as for a real account, so the form can't be used to probe for accounts.
    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_done")
    assert not User.objects.filter(email="nobody@example.org").exists()


def test_wrong_passwords_are_rate_limited(client):
    user = UserFactory(email="target@example.org")
    wrong = {"login": "target@example.org", "password": "wrong-guess"}
    for _ in range(5):
        response = client.post(reverse("account_login"), wrong)
        assert b"are not correct" in response.content
    # After five failures for the account, even the right password waits out the window.
    response = client.post(
        reverse("account_login"), {"login": "target@example.org", "password": PASSWORD}
    )
    assert response.status_code == 200
    assert b"Too many failed login attempts" in response.content
    assert "_auth_user_id" not in client.session
    user.refresh_from_db()
    assert user.last_login is None
