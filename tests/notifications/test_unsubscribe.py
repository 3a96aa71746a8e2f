"""The signed link in every e-mail's footer and List-Unsubscribe header: it changes one kind for
one person without signing in, and nothing else; a bad, foreign or old link changes nothing."""

import datetime
import time
from urllib.parse import urlsplit

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import resolve, reverse

from cluster_portal.audit.models import AuditEvent
from cluster_portal.notifications.models import Delivery, NotificationPreference
from cluster_portal.notifications.selectors import notification_preferences_for
from cluster_portal.notifications.services import (
    digests_send,
    notification_preferences_set,
    notify,
)
from cluster_portal.notifications.unsubscribe import (
    DIGEST,
    LINK_VALID_FOR,
    SALT,
    unsubscribe_token,
    unsubscribe_token_read,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CONTEXT = {"organisation": "Acme Pharma", "role": "admin"}
ONE_CLICK = "List-Unsubscribe=One-Click"
FORM = "application/x-www-form-urlencoded"
AUDIT_ACTION = "notification_preferences.set"
IMMEDIATELY, DIGEST_DELIVERY, IN_APP = Delivery.IMMEDIATELY, Delivery.DIGEST, Delivery.IN_APP


def stored(person) -> dict[str, str]:
    return dict(NotificationPreference.objects.filter(person=person)
                .values_list("kind", "delivery"))


def deliveries_of(person) -> dict[str, str]:
    return {row.kind.key: row.delivery for row in notification_preferences_for(person)}


def audits_of(person):
    return AuditEvent.objects.filter(action=AUDIT_ACTION, target_id=person.pk)


def link_path(message) -> str:
    """The unsubscribe address of a sent e-mail, from its List-Unsubscribe header."""
    header = message.extra_headers["List-Unsubscribe"]
    assert header.startswith("<") and header.endswith(">")
    link = header[1:-1]
    assert link in message.body  # the footer carries the same link
    path = urlsplit(link).path
    assert resolve(path).view_name == "notifications:unsubscribe"
    return path


def path_for(token: str) -> str:
    return reverse("notifications:unsubscribe", args=[token])


def one_click(path: str):
    """What a mail program does (RFC 8058): a POST with no cookie and no CSRF token."""
    return Client(enforce_csrf_checks=True).post(path, ONE_CLICK, content_type=FORM)


@pytest.fixture
def mailed(django_capture_on_commit_callbacks):
    """A person e-mailed about a role change by the real service; their link's path."""
    person = UserFactory(email="mei.ling@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[person], kind="role_changed", message="You are now an admin.",
               context=CONTEXT)
    [message] = mail.outbox
    return person, link_path(message)


class _SignedAgo(signing.TimestampSigner):
    """Signs as the portal does, with a timestamp `age` in the past: an old link, made without
    touching the clock."""

    def __init__(self, *, age: datetime.timedelta, **kwargs):
        super().__init__(**kwargs)
        self.age = age

    def timestamp(self):
        return signing.b62_encode(int(time.time() - self.age.total_seconds()))


def token_signed_ago(person, kind_key: str, age: datetime.timedelta) -> str:
    return _SignedAgo(age=age, salt=SALT).sign_object({"p": person.pk, "k": kind_key},
                                                      compress=True)


# --- A good link -------------------------------------------------------------------------------


def test_the_link_shows_the_kind_signed_out_and_changes_nothing(client, mailed):
    person, path = mailed
    for response in (client.get(path), client.head(path)):
        assert response.status_code == 200
    html = client.get(path).content.decode()
    assert "m…@example.org" in html and "mei.ling@example.org" not in html
    assert "<strong>your role in an organisation changed</strong>" in html
    assert "Now: by e-mail, at once." in html
    assert stored(person) == {} and not audits_of(person).exists()


@pytest.mark.parametrize("delivery", [DIGEST_DELIVERY, IN_APP])
def test_posting_a_choice_changes_that_kind_only_for_that_person(
        client, mailed, delivery, django_capture_on_commit_callbacks):
    person, path = mailed
    notification_preferences_set(person=person, choices={"removed": DIGEST_DELIVERY})
    neighbour = UserFactory()
    before = audits_of(person).count()

    response = client.post(path, {"delivery": delivery})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Saved." in html
    assert f"these come {Delivery(delivery).label.lower()}: your role in an organisation " \
           "changed." in html
    assert stored(person) == {"removed": DIGEST_DELIVERY, "role_changed": delivery}
    assert stored(neighbour) == {}
    event = audits_of(person).latest("pk")
    assert audits_of(person).count() == before + 1
    assert event.actor == person
    assert event.changes == {"role_changed": ["immediately", delivery]}

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        [notice] = notify(recipients=[person], kind="role_changed", message="Member again.",
                          context=CONTEXT)
    assert mail.outbox == [] and notice.delivery == delivery


def test_one_click_unsubscribe_works_without_a_csrf_token(mailed):
    person, path = mailed
    response = one_click(path)
    assert response.status_code == 200
    assert "Saved." in response.content.decode()
    assert stored(person) == {"role_changed": IN_APP}
    assert audits_of(person).get().changes == {"role_changed": ["immediately", "in_app"]}


def test_a_link_signed_a_while_ago_but_within_its_validity_still_works(client):
    person = UserFactory()
    token = token_signed_ago(person, "role_changed", LINK_VALID_FOR - datetime.timedelta(days=1))
    assert client.post(path_for(token), {"delivery": "in_app"}).status_code == 200
    assert stored(person) == {"role_changed": IN_APP}


# --- Bad links ---------------------------------------------------------------------------------


def refused(client, path: str, words: str) -> None:
    """GET, a form POST and a one-click POST are all refused with a page that says why."""
    for response in (client.get(path), client.post(path, {"delivery": "in_app"}),
                     one_click(path)):
        assert response.status_code == 400
        html = response.content.decode()
        assert words in html, html
        assert "Saved." not in html


def test_a_tampered_link_is_refused_and_changes_nothing(client, mailed):
    person, path = mailed
    token = resolve(path).kwargs["token"]
    body, _, signature = token.rpartition(":")
    middle = len(signature) // 2
    changed = "A" if signature[middle] != "A" else "B"
    tampered = f"{body}:{signature[:middle]}{changed}{signature[middle + 1:]}"
    assert tampered != token
    refused(client, path_for(tampered), "This link is not valid.")
    assert stored(person) == {} and not audits_of(person).exists()


@pytest.mark.parametrize("gone", ["deactivated", "deleted"])
def test_a_link_for_a_deactivated_or_deleted_person_is_refused(client, mailed, gone):
    person, path = mailed
    if gone == "deleted":
        person.delete()
    else:
        person.is_active = False
        person.save(update_fields=["is_active"])
    refused(client, path, "This link no longer works.")
    assert not NotificationPreference.objects.exists()
    assert not AuditEvent.objects.filter(action=AUDIT_ACTION).exists()


def test_a_link_older_than_its_validity_is_refused(client):
    person = UserFactory()
    token = token_signed_ago(person, "role_changed", LINK_VALID_FOR + datetime.timedelta(days=1))
    refused(client, path_for(token), "This link has expired.")
    assert stored(person) == {} and not audits_of(person).exists()


def test_a_link_for_a_security_notice_cannot_turn_it_off(client,
                                                         django_capture_on_commit_callbacks):
    person = UserFactory()
    path = path_for(unsubscribe_token(person=person, kind_key="password_changed"))
    page = client.get(path)
    assert page.status_code == 200
    assert "is a security notice: it is always e-mailed" in page.content.decode()
    for response in (client.post(path, {"delivery": "in_app"}),
                     client.post(path, {"delivery": "digest"}), one_click(path)):
        assert response.status_code == 400
        assert "Security notices are always sent" in response.content.decode()
    assert stored(person) == {} and not audits_of(person).exists()

    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[person], kind="password_changed", message="Password changed.",
               context={"ip": "203.0.113.9", "user_agent": "Firefox"})
    assert [message.to for message in mail.outbox] == [[person.email]]


# --- The digest's link -------------------------------------------------------------------------


@pytest.fixture
def digest_mailed(django_capture_on_commit_callbacks):
    """A person who gets role changes and removals in the digest (and invitations accepted, by
    default), and other kinds otherwise; the link of the digest they were sent."""
    person = UserFactory()
    notification_preferences_set(person=person, choices={"role_changed": DIGEST_DELIVERY,
                                                         "removed": DIGEST_DELIVERY})
    notify(recipients=[person], kind="role_changed", message="You are now an admin.",
           context=CONTEXT)
    with django_capture_on_commit_callbacks(execute=True):
        assert digests_send() == 1
    [message] = mail.outbox
    path = link_path(message)
    assert unsubscribe_token_read(resolve(path).kwargs["token"]) == (person, DIGEST)
    return person, path


def test_the_digest_link_turns_every_digest_kind_of_that_person_to_in_app(client,
                                                                          digest_mailed):
    person, path = digest_mailed
    other = UserFactory()
    notification_preferences_set(person=other, choices={"role_changed": DIGEST_DELIVERY})
    before = deliveries_of(person)
    digest_kinds = {key for key, delivery in before.items() if delivery == DIGEST_DELIVERY}
    assert {"role_changed", "removed", "invitation_accepted"} <= digest_kinds

    page = client.get(path).content.decode()
    assert "The daily digest to" in page and "your role in an organisation changed" in page

    response = client.post(path, {"delivery": "in_app"})
    assert response.status_code == 200
    assert "these come in the portal only" in response.content.decode()
    after = deliveries_of(person)
    assert {key for key, delivery in after.items() if delivery == DIGEST_DELIVERY} == set()
    for key in digest_kinds:
        assert after[key] == IN_APP, key
    # Kinds that did not come in the digest keep their delivery.
    assert {key: after[key] for key in after if key not in digest_kinds} == {
        key: before[key] for key in before if key not in digest_kinds}
    assert after["person_request_decided"] == IMMEDIATELY
    assert stored(other) == {"role_changed": DIGEST_DELIVERY}
    assert set(audits_of(person).latest("pk").changes) == digest_kinds


def test_one_click_on_the_digest_link_stops_the_digest(digest_mailed):
    person, path = digest_mailed
    assert one_click(path).status_code == 200
    assert DIGEST_DELIVERY not in deliveries_of(person).values()


def test_the_digest_link_cannot_choose_the_digest(client, digest_mailed):
    person, path = digest_mailed
    before = stored(person)
    response = client.post(path, {"delivery": "digest"})
    assert response.status_code == 400
    assert "These already come in the daily digest." in response.content.decode()
    assert stored(person) == before

