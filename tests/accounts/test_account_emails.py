"""Account e-mails: what allauth sends (verification, password reset) speaks for the portal, on
its public address, waits in the outbox sealed, and goes even to a bounced address; allauth's
security notices (password, e-mail address, second factor) are portal notifications that are
always e-mailed at once; an SMTP outage does not fail the person's request."""

import re
from datetime import timedelta
from html import escape
from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings as django_settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from cluster_portal.accounts.models import User
from cluster_portal.audit.models import AuditEvent
from cluster_portal.notifications.models import (
    Delivery,
    Notification,
    NotificationPreference,
    OutgoingEmail,
    SuppressedAddress,
)
from cluster_portal.notifications.sealing import unseal
from cluster_portal.notifications.services import notify
from tests.conftest import activate_totp, current_totp_code
from tests.factories import PASSWORD, UserFactory
from tests.support.mailserver import MailServer

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-much-longer-new-password-42"
NEWER_PASSWORD = "yet-another-long-passphrase-77"
PREFERENCES_API = "/api/v1/me/notification-preferences/"
URL = re.compile(r"https?://[^\s\"'<>]+")
# Words that would show the mail was rendered for the request's host or allauth's defaults.
FOREIGN = ("Hello from", "testserver", "example.com", "Thank you for using")


def _html_of(message) -> str:
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


def _link_in(message, base_url: str = "http://127.0.0.1:8000") -> str:
    """The one-time link of an account e-mail (a message, or its plain text): absolute, on
    `base_url`."""
    text = message if isinstance(message, str) else message.body
    match = re.search(rf"{re.escape(base_url.rstrip('/'))}/accounts/\S+", text)
    assert match, f"no link on {base_url} in e-mail: {text}"
    return match.group(0)


def _path(link: str) -> str:
    return urlsplit(link).path


def _sign_up(client, email: str, full_name: str):
    return client.post(reverse("account_signup"), {
        "email": email, "full_name": full_name,
        "password1": NEW_PASSWORD, "password2": NEW_PASSWORD,
    })


def _sign_in(client, user, password: str = PASSWORD):
    """Through the login page, so allauth records a fresh authentication (no re-auth asked)."""
    response = client.post(reverse("account_login"), {"login": user.email, "password": password})
    assert response.status_code == 302
    return response


def _assert_speaks_for_the_portal(message, base_url: str) -> None:
    html = _html_of(message)
    assert message.subject.startswith("[Cluster Portal] ")
    assert message.from_email == django_settings.DEFAULT_FROM_EMAIL
    for text in (message.subject, message.body, html):
        for foreign in FOREIGN:
            assert foreign not in text, (foreign, text)
    # Every address in the plain text is on the portal's public address.
    for url in URL.findall(message.body):
        assert url.startswith(base_url.rstrip("/") + "/"), url


def _hrefs(html: str) -> list[str]:
    return re.findall(r'href="([^"]*)"', html)


# --- 1. Verification and password reset speak for the portal -----------------------------------


def test_signup_verification_email_speaks_for_the_portal_on_its_public_address(
        client, settings, django_capture_on_commit_callbacks):
    settings.PORTAL_BASE_URL = "https://portal.example.org"
    with django_capture_on_commit_callbacks(execute=True):
        response = _sign_up(client, "siobhan@lab.example.org", "Siobhán O'Brien & Tan")
    assert response.status_code == 302  # the request came to "testserver"

    [message] = mail.outbox
    assert message.to == ["siobhan@lab.example.org"]
    assert message.subject == "[Cluster Portal] Confirm your e-mail address"
    _assert_speaks_for_the_portal(message, "https://portal.example.org")
    assert "127.0.0.1" not in message.body

    link = _link_in(message, "https://portal.example.org")
    assert link.startswith("https://portal.example.org/accounts/confirm-email/")
    # The plain text greets the person by name, unescaped; the site named is the portal's host.
    assert message.body.startswith("Dear Siobhán O'Brien & Tan,\n")
    assert "for an account on the Cluster Portal (portal.example.org)" in message.body
    assert "\n-- \nCluster Portal\nhttps://portal.example.org/\n" in message.body  # signed

    # The HTML alternative is the portal's layout: its name in the header, the name and the
    # link escaped for HTML, the link clickable.
    html = _html_of(message)
    assert re.search(r"<td [^>]*>Cluster Portal</td>", html)
    assert "Dear Siobhán O&#x27;Brien &amp; Tan," in html
    assert "O'Brien" not in html
    assert f'href="{escape(link)}"' in html
    assert '<a href="https://portal.example.org/"' in html

    # The link works once its path is followed on this server.
    user = User.objects.get(email="siobhan@lab.example.org")
    assert client.post(_path(link)).status_code == 302
    assert EmailAddress.objects.get(user=user).verified is True


def test_password_reset_email_speaks_for_the_portal_and_its_link_resets_the_password(
        client, settings, django_capture_on_commit_callbacks):
    person = UserFactory(email="forgetful@example.org", full_name="Nur Aisyah")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"),
                               {"email": "forgetful@example.org"})
    assert response.status_code == 302

    [message] = mail.outbox
    assert message.to == ["forgetful@example.org"]
    _assert_speaks_for_the_portal(message, settings.PORTAL_BASE_URL)
    assert message.body.startswith("Dear Nur Aisyah,\n")
    link = _link_in(message, settings.PORTAL_BASE_URL)
    assert link.startswith(f"{settings.PORTAL_BASE_URL}/accounts/password/reset/key/")
    html = _html_of(message)
    assert re.search(r"<td [^>]*>Cluster Portal</td>", html)
    assert "Dear Nur Aisyah," in html
    assert f'href="{escape(link)}"' in html
    for href in _hrefs(html):
        assert href.startswith(f"{settings.PORTAL_BASE_URL}/"), href

    response = client.get(_path(link))  # allauth moves the key into the session
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(response["Location"],
                               {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)

    # The reset itself is a security notice, e-mailed at once.
    notice = mail.outbox[-1]
    assert len(mail.outbox) == 2
    assert notice.subject == "[Cluster Portal] Your password was changed"
    assert "Your password was reset." in notice.body
    assert Notification.objects.get(recipient=person).kind == "password_changed"


def test_account_exists_and_unknown_account_mails_link_to_the_public_address(
        client, settings, django_capture_on_commit_callbacks):
    """allauth builds the links of these two mails (signup_url, password_reset_url) from the
    request's host; the adapter puts them on PORTAL_BASE_URL like every other link."""
    settings.PORTAL_BASE_URL = "https://portal.example.org"
    UserFactory(email="taken@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        _sign_up(client, "taken@example.org", "Someone Else")  # "Account Already Exists"
        client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    subjects = sorted(m.subject for m in mail.outbox)
    assert subjects == ["[Cluster Portal] An account with this address already exists",
                        "[Cluster Portal] No account uses this address"]
    for message in mail.outbox:
        links = URL.findall(message.body)
        assert any("/accounts/" in link for link in links), message.body
        for link in links:
            assert link.startswith("https://portal.example.org/"), (message.subject, link)
        assert "testserver" not in message.body + _html_of(message)


def test_the_html_part_links_only_the_portals_own_addresses(
        client, settings, django_capture_on_commit_callbacks):
    """A bare domain in the text (the portal's host named by allauth, or whatever the sender
    typed as their name, in a mail to an address that need not be theirs) stays text: the
    only links are on PORTAL_BASE_URL."""
    settings.PORTAL_BASE_URL = "https://portal.example.org"
    with django_capture_on_commit_callbacks(execute=True):
        _sign_up(client, "victim@example.org", "Tan, see www.evil-portal.example.net")
    [message] = mail.outbox
    html = _html_of(message)
    link = _link_in(message, "https://portal.example.org")
    assert set(_hrefs(html)) == {escape(link), "https://portal.example.org/"}


# --- 2. Sealed in the outbox until sent, erased after ------------------------------------------


def _request_signup(client):
    _sign_up(client, "sealed@example.org", "Goh Sealed")


def _request_reset(client):
    UserFactory(email="sealed@example.org")
    client.post(reverse("account_reset_password"), {"email": "sealed@example.org"})


@pytest.mark.parametrize("request_mail", [_request_signup, _request_reset],
                         ids=["verification", "password-reset"])
def test_account_mail_waits_sealed_and_its_bodies_are_erased_once_sent(
        client, settings, django_capture_on_commit_callbacks, request_mail):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        request_mail(client)
    assert callbacks, "nothing was handed to the worker"
    assert mail.outbox == []

    row = OutgoingEmail.objects.get()
    assert row.kind == "account"
    assert row.sealed is True
    assert row.status == OutgoingEmail.Status.QUEUED
    assert row.to == "sealed@example.org"
    text, html = unseal(row.body_text), unseal(row.body_html)
    link = _link_in(text, settings.PORTAL_BASE_URL)
    secret = _path(link).rstrip("/").rsplit("/", 1)[1]  # the confirmation key / reset key
    assert len(secret) > 10
    assert secret in text and escape(secret) in html
    for column in (row.body_text, row.body_html):
        assert secret not in column
        assert "/accounts/" not in column
        assert "Cluster Portal" not in column  # nothing of the body is in clear

    for callback in callbacks:
        callback()

    row.refresh_from_db()
    assert row.status == OutgoingEmail.Status.SENT
    assert row.sent_at is not None
    assert (row.body_text, row.body_html) == ("", "")
    [message] = mail.outbox
    assert link in message.body
    assert message.extra_headers["Message-ID"] == row.message_id


# --- 3. Password change: a locked security notice ----------------------------------------------


def _change_password(client, old: str, new: str, **extra):
    return client.post(reverse("account_change_password"),
                       {"oldpassword": old, "password1": new, "password2": new}, **extra)


def test_changing_the_password_emails_a_notice_at_once_that_no_preference_turns_off(
        client, django_capture_on_commit_callbacks):
    person = UserFactory(full_name="Lim Wei Jie")
    _sign_in(client, person)
    with django_capture_on_commit_callbacks(execute=True):
        response = _change_password(client, PASSWORD, NEW_PASSWORD, REMOTE_ADDR="203.0.113.7",
                                    HTTP_USER_AGENT="Firefox/140 on the lab PC")
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)

    [message] = mail.outbox
    assert message.to == [person.email]
    assert message.subject == "[Cluster Portal] Your password was changed"
    assert message.body.startswith("Dear Lim Wei Jie,\n")
    assert "Your password was changed." in message.body
    assert "IP address: 203.0.113.7" in message.body
    assert "Browser: Firefox/140 on the lab PC" in message.body
    assert "Thank you for using" not in message.body

    notification = Notification.objects.get(recipient=person)
    assert notification.kind == "password_changed"
    assert notification.delivery == Delivery.IMMEDIATELY
    assert notification.email.status == OutgoingEmail.Status.SENT
    assert notification.email.to == person.email

    # The person can't turn it off: the API refuses and nothing is stored.
    response = client.put(
        PREFERENCES_API,
        {"preferences": [{"kind": "password_changed", "delivery": "in_app"}]},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "always e-mailed" in " ".join(response.json()["fields"]["password_changed"])
    assert not NotificationPreference.objects.filter(person=person).exists()
    shown = {row["kind"]: row for row in client.get(PREFERENCES_API).json()["preferences"]}
    assert shown["password_changed"]["locked"] is True
    assert shown["password_changed"]["delivery"] == "immediately"

    # ... so the next change is e-mailed too.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = _change_password(client, NEW_PASSWORD, NEWER_PASSWORD)
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.subject == "[Cluster Portal] Your password was changed"
    assert Notification.objects.filter(recipient=person, kind="password_changed").count() == 2


# --- 4. Second factor ---------------------------------------------------------------------------


def _sign_in_with_totp(client, person, secret: str) -> None:
    response = _sign_in(client, person)
    assert response["Location"] == reverse("mfa_authenticate")
    response = client.post(reverse("mfa_authenticate"), {"code": current_totp_code(secret)})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(person.pk)


def _post_confirming_with_the_password(client, path: str):
    """What a person does: allauth asks for the password again before changing the second
    factor, then carries out the form they had sent."""
    response = client.post(path)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert mail.outbox == []  # nothing changed yet
    return client.post(response["Location"], {"password": PASSWORD})


def test_removing_the_authenticator_app_emails_a_second_factor_notice(
        client, user, django_capture_on_commit_callbacks):
    secret = activate_totp(user)  # a trainee who chose to set one up
    _sign_in_with_totp(client, user, secret)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post_confirming_with_the_password(client, reverse("mfa_deactivate_totp"))
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()

    [message] = mail.outbox
    assert message.to == [user.email]
    assert message.subject == "[Cluster Portal] Your two-factor authentication changed"
    assert "The authenticator app of your account was removed" in message.body
    notification = Notification.objects.get(recipient=user)
    assert notification.kind == "second_factor_changed"
    assert notification.email.kind == "second_factor_changed"


def test_regenerating_recovery_codes_emails_a_second_factor_notice(
        client, user, django_capture_on_commit_callbacks):
    secret = activate_totp(user)
    _sign_in_with_totp(client, user, secret)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post_confirming_with_the_password(
            client, reverse("mfa_generate_recovery_codes"))
    assert response.status_code == 302
    assert Authenticator.objects.filter(
        user=user, type=Authenticator.Type.RECOVERY_CODES).exists()

    [message] = mail.outbox
    assert message.to == [user.email]
    assert message.subject == "[Cluster Portal] Your two-factor authentication changed"
    assert "New recovery codes were made for your account" in message.body
    assert Notification.objects.get(recipient=user).kind == "second_factor_changed"


# --- 5. Changing the primary address tells the old one -----------------------------------------


def test_making_another_address_primary_notifies_the_old_address(
        client, django_capture_on_commit_callbacks):
    old, new = "mei.ling@old-lab.example.org", "mei.ling@new-lab.example.org"
    person = UserFactory(email=old, full_name="Tan Mei Ling")
    _sign_in(client, person)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_email"), {"email": new, "action_add": ""})
    assert response.status_code == 302
    [verification] = mail.outbox
    assert verification.to == [new]
    response = client.post(_path(_link_in(verification)))
    assert response.status_code == 302
    assert EmailAddress.objects.get(email=new).verified is True
    assert mail.outbox == [verification]  # confirming alone changes nothing yet

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_email"), {"email": new, "action_primary": ""})
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=person, primary=True).email == new
    person.refresh_from_db()
    assert person.email == new

    [notice] = mail.outbox[1:]
    assert notice.to == [old]  # the address that was replaced, in case it was not them
    assert notice.subject == "[Cluster Portal] An e-mail address of your account changed"
    assert f"changed from {old} to {new}." in notice.body
    assert notice.body.startswith("Dear Tan Mei Ling,\n")
    row = OutgoingEmail.objects.get(kind="email_address_changed")
    assert (row.to, row.recipient, row.status) == (old, person, OutgoingEmail.Status.SENT)
    assert Notification.objects.get(recipient=person).email == row


# --- 6. A bounced address -----------------------------------------------------------------------


def test_account_mail_still_goes_to_a_suppressed_address_and_confirming_it_lifts_the_suppression(
        client, django_capture_on_commit_callbacks):
    person = UserFactory(email="bounced@example.org", full_name="Ravi Kumar", verified=False)
    SuppressedAddress.objects.create(address="bounced@example.org",
                                     reason="550 5.1.1 Mailbox unavailable")

    # A regular notification to the address is held back...
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[person], kind="role_changed", message="You are now an admin.",
               context={"organisation": "Helix Biologics", "role": "admin"})
    held = OutgoingEmail.objects.get(kind="role_changed")
    assert held.status == OutgoingEmail.Status.HELD
    assert "bounced before" in held.last_error
    assert mail.outbox == []

    # ... but what the person asks for goes: signing in sends the verification e-mail, and a
    # password reset its link.
    with django_capture_on_commit_callbacks(execute=True):
        response = _sign_in(client, person)
    assert response["Location"] == reverse("account_email_verification_sent")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": "bounced@example.org"})
    account_mail = OutgoingEmail.objects.filter(kind="account")
    assert [row.status for row in account_mail] == [OutgoingEmail.Status.SENT] * 2
    assert [m.to for m in mail.outbox] == [["bounced@example.org"]] * 2
    verification = next(m for m in mail.outbox if "confirm-email" in m.body)

    # Opening the mailed link proves the mailbox works: the suppression is lifted, on record.
    response = client.post(_path(_link_in(verification)))
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=person).verified is True
    assert not SuppressedAddress.objects.filter(address="bounced@example.org").exists()
    event = AuditEvent.objects.get(action="suppressed_address.lift")
    assert event.actor == person
    assert event.changes["lifted_because"] == "the person confirmed the address"

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[person], kind="role_changed", message="You are now a member.",
               context={"organisation": "Helix Biologics", "role": "member"})
    assert [m.to for m in mail.outbox] == [["bounced@example.org"]]
    held.refresh_from_db()
    assert held.status == OutgoingEmail.Status.HELD  # what was held stays held (admins resend)


def test_a_suppressed_address_confirmed_by_a_new_signup_is_lifted(
        client, django_capture_on_commit_callbacks):
    SuppressedAddress.objects.create(address="came.back@example.org", reason="550 no such user")
    with django_capture_on_commit_callbacks(execute=True):
        response = _sign_up(client, "Came.Back@Example.org", "Came Back")
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == ["came.back@example.org"]
    assert client.post(_path(_link_in(message))).status_code == 302
    assert not SuppressedAddress.objects.exists()


# --- 7. The mail server is down -----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_signup_while_the_mail_server_is_down_answers_and_queues_the_mail_for_later(
        client, settings):
    # Nothing listens on this port: the server is not started. With committed transactions the
    # hand-off (and the eager send) runs inside the request, as in production.
    port = MailServer().port
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    settings.EMAIL_USE_TLS, settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = False, "", ""

    before = timezone.now()
    response = _sign_up(client, "offline@example.org", "Offline Person")
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="offline@example.org")

    row = OutgoingEmail.objects.get()
    assert (row.kind, row.to, row.recipient) == ("account", "offline@example.org", user)
    assert row.status == OutgoingEmail.Status.QUEUED  # waits for the sweeper's next try
    assert row.attempts == 1
    assert "Connection refused" in row.last_error
    assert row.next_attempt_at > before + timedelta(seconds=50)
    assert row.sent_at is None
    # Kept, still sealed, for the next try.
    assert row.sealed and row.body_text
    assert "/accounts/confirm-email/" in unseal(row.body_text)
