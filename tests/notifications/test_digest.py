"""The daily digest: one e-mail per person with what waits for it, sent by beat at the set hour."""

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse

from cluster_portal.celery import app as celery_app
from cluster_portal.core.links import portal_url
from cluster_portal.notifications.models import Delivery, Notification, OutgoingEmail
from cluster_portal.notifications.rendering import DIGEST_MAX_ITEMS
from cluster_portal.notifications.services import (
    digests_send,
    notification_preferences_set,
    notifications_mark_read,
    notify,
)
from cluster_portal.notifications.tasks import send_daily_digests
from cluster_portal.notifications.unsubscribe import DIGEST, unsubscribe_token_read
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CONTEXT = {"organisation": "Acme Pharma", "role": "admin"}
ROLE_LABEL = "Your role in an organisation changed"
JOINED_LABEL = "Someone accepted an invitation to your organisation"


def wait_in_digest(person, kind: str, message: str, url: str = "") -> Notification:
    """A notification of a kind the person gets in the digest, made by the real service."""
    [notice] = notify(recipients=[person], kind=kind, message=message, url=url, context=CONTEXT)
    assert notice.delivery == Delivery.DIGEST and notice.email is None
    return notice


@pytest.fixture
def digest_reader():
    """Someone who chose the digest for role changes (invitations accepted are digest anyway)."""
    person = UserFactory(full_name="Tan Mei Ling")
    notification_preferences_set(person=person, choices={"role_changed": Delivery.DIGEST})
    return person


def mails_to(person) -> list:
    return [message for message in mail.outbox if message.to == [person.email]]


def send_digests(capture) -> int:
    with capture(execute=True):
        return digests_send()


def test_one_email_per_person_with_everything_waiting_grouped_by_kind_with_links(
        digest_reader, django_capture_on_commit_callbacks):
    url = reverse("notifications:list")
    first = wait_in_digest(digest_reader, "role_changed", "You are now an admin of Acme.", url)
    wait_in_digest(digest_reader, "invitation_accepted", "Wei Jie joined Acme.")
    last = wait_in_digest(digest_reader, "role_changed", "You are now a member of Helix.", url)
    other = UserFactory()
    wait_in_digest(other, "invitation_accepted", "Priya joined Helix.")
    quiet = UserFactory()
    notify(recipients=[quiet], kind="invitation_sent", message="Helix invites you.",
           context=CONTEXT)  # in the portal only: nothing waits for quiet

    assert send_digests(django_capture_on_commit_callbacks) == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([digest_reader.email, other.email])
    assert not mails_to(quiet)

    [message] = mails_to(digest_reader)
    assert message.subject == "[Cluster Portal] Your daily summary: 3 updates"
    body = message.body
    link = portal_url(url)
    assert (f"{ROLE_LABEL}:\n\n- You are now an admin of Acme.\n  {link}\n"
            f"- You are now a member of Helix.\n  {link}\n") in body
    assert f"{JOINED_LABEL}:\n\n- Wei Jie joined Acme.\n" in body
    assert body.index(ROLE_LABEL) < body.index(JOINED_LABEL)  # in the order they came
    assert "You received this daily digest because you chose it for: " \
           f"{ROLE_LABEL.lower()}, {JOINED_LABEL.lower()}." in body
    html = {mimetype: content for content, mimetype in message.alternatives}["text/html"]
    assert f'href="{link}"' in html and "You are now a member of Helix." in html

    email = OutgoingEmail.objects.get(recipient=digest_reader)
    assert email.kind == DIGEST and email.status == OutgoingEmail.Status.SENT
    first.refresh_from_db()
    last.refresh_from_db()
    assert first.email == email and last.email == email
    assert [m.subject for m in mails_to(other)] == [
        "[Cluster Portal] Your daily summary: 1 update"]


def test_a_second_run_sends_nothing_more(digest_reader, django_capture_on_commit_callbacks):
    wait_in_digest(digest_reader, "role_changed", "You are now an admin of Acme.")
    assert send_digests(django_capture_on_commit_callbacks) == 1
    assert send_digests(django_capture_on_commit_callbacks) == 0
    assert len(mail.outbox) == 1 and OutgoingEmail.objects.count() == 1

    # Only what came since goes in the next one.
    wait_in_digest(digest_reader, "role_changed", "You are now a member of Helix.")
    assert send_digests(django_capture_on_commit_callbacks) == 1
    assert "You are now a member of Helix." in mail.outbox[1].body
    assert "You are now an admin of Acme." not in mail.outbox[1].body


def test_notifications_read_in_the_portal_are_left_out(digest_reader,
                                                       django_capture_on_commit_callbacks):
    seen = wait_in_digest(digest_reader, "role_changed", "Already seen in the portal.")
    wait_in_digest(digest_reader, "role_changed", "Not yet seen.")
    notifications_mark_read(recipient=digest_reader, notification_ids=[seen.pk])
    assert send_digests(django_capture_on_commit_callbacks) == 1
    [message] = mail.outbox
    assert "Not yet seen." in message.body and "Already seen" not in message.body
    assert message.subject.endswith("1 update")
    seen.refresh_from_db()
    assert seen.email is None

    notifications_mark_read(recipient=digest_reader)
    wait_in_digest(digest_reader, "role_changed", "Seen before the digest went out.")
    notifications_mark_read(recipient=digest_reader)
    assert send_digests(django_capture_on_commit_callbacks) == 0


def test_a_deactivated_person_gets_no_digest(digest_reader, django_capture_on_commit_callbacks):
    notice = wait_in_digest(digest_reader, "role_changed", "You are now an admin of Acme.")
    digest_reader.is_active = False
    digest_reader.save(update_fields=["is_active"])
    assert send_digests(django_capture_on_commit_callbacks) == 0
    assert mail.outbox == [] and not OutgoingEmail.objects.exists()
    notice.refresh_from_db()
    assert notice.email is None


def test_a_long_digest_lists_the_first_fifty_and_says_how_many_more(
        digest_reader, django_capture_on_commit_callbacks):
    count = DIGEST_MAX_ITEMS + 3
    assert DIGEST_MAX_ITEMS == 50
    for n in range(1, count + 1):
        wait_in_digest(digest_reader, "role_changed", f"Update number {n:02d}.")
    assert send_digests(django_capture_on_commit_callbacks) == 1

    [message] = mail.outbox
    assert message.subject == f"[Cluster Portal] Your daily summary: {count} updates"
    listed = [line for line in message.body.splitlines() if line.startswith("- Update number")]
    assert listed == [f"- Update number {n:02d}." for n in range(1, DIGEST_MAX_ITEMS + 1)]
    assert "And 3 more on your notifications page." in message.body


def test_the_digest_carries_the_digest_unsubscribe_link(digest_reader,
                                                        django_capture_on_commit_callbacks):
    wait_in_digest(digest_reader, "role_changed", "You are now an admin of Acme.")
    send_digests(django_capture_on_commit_callbacks)
    [message] = mail.outbox
    header = message.extra_headers["List-Unsubscribe"]
    assert header.startswith("<") and header.endswith(">")
    link = header[1:-1]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"To get these only in the portal instead: {link}" in message.body
    match = resolve(link.removeprefix(settings.PORTAL_BASE_URL.rstrip("/")))
    assert match.view_name == "notifications:unsubscribe"
    assert unsubscribe_token_read(match.kwargs["token"]) == (digest_reader, DIGEST)


def test_beat_sends_the_digests_daily_at_the_set_hour_singapore_time(
        digest_reader, django_capture_on_commit_callbacks):
    entry = settings.CELERY_BEAT_SCHEDULE["send-daily-digests"]
    assert entry["task"] == send_daily_digests.name
    assert entry["task"] in celery_app.tasks
    assert entry["schedule"].hour == {settings.NOTIFICATION_DIGEST_HOUR}
    assert entry["schedule"].minute == {0}
    assert settings.CELERY_TIMEZONE == settings.TIME_ZONE == "Asia/Singapore"

    wait_in_digest(digest_reader, "role_changed", "You are now an admin of Acme.")
    with django_capture_on_commit_callbacks(execute=True):
        assert send_daily_digests.delay().get() == 1  # the task is the service
    assert len(mail.outbox) == 1


def test_switching_a_kind_to_in_app_takes_its_waiting_notifications_out_of_the_digest(
        digest_reader, django_capture_on_commit_callbacks):
    moved = [wait_in_digest(digest_reader, "role_changed", f"Role change {n}.") for n in (1, 2)]
    wait_in_digest(digest_reader, "invitation_accepted", "Wei Jie joined Acme.")
    notification_preferences_set(person=digest_reader, choices={"role_changed": Delivery.IN_APP})
    for notice in moved:
        notice.refresh_from_db()
        assert notice.delivery == Delivery.IN_APP and notice.email is None

    assert send_digests(django_capture_on_commit_callbacks) == 1
    [message] = mail.outbox
    assert "Wei Jie joined Acme." in message.body
    assert "Role change" not in message.body and ROLE_LABEL not in message.body

    # With nothing else waiting, no digest at all.
    wait_in_digest(digest_reader, "invitation_accepted", "Priya joined Acme.")
    notification_preferences_set(person=digest_reader,
                                 choices={"invitation_accepted": Delivery.IN_APP})
    assert send_digests(django_capture_on_commit_callbacks) == 0


# --- What a run costs --------------------------------------------------------------------------


def people_waiting(people: int, each: int) -> list:
    """`people` people with `each` notifications waiting for the digest."""
    crowd = UserFactory.create_batch(people)
    Notification.objects.bulk_create([
        Notification(recipient=person, kind="invitation_accepted", message=f"Joined {n}.",
                     url="/notifications/", delivery=Delivery.DIGEST)
        for person in crowd for n in range(each)
    ])
    return crowd


def queries_to_send(people: int, each: int) -> int:
    people_waiting(people, each)
    with CaptureQueriesContext(connection) as queries:
        assert digests_send() == people
    assert not Notification.objects.filter(delivery=Delivery.DIGEST, email__isnull=True,
                                           read_at__isnull=True).exists()
    return len(queries)


def test_the_cost_of_a_run_grows_by_the_same_amount_for_each_person():
    two, four, six = queries_to_send(2, 1), queries_to_send(4, 1), queries_to_send(6, 1)
    assert six - four == four - two > 0


def test_the_cost_of_a_run_does_not_grow_with_the_notifications_each_person_has():
    """A person's digest costs the same whether ten or one notification waits: the people are
    listed once each (the model's ordering would otherwise enter SELECT DISTINCT)."""
    one_each = queries_to_send(6, 1)
    ten_each = queries_to_send(6, 10)
    assert ten_each - one_each == 0, (
        f"6 people with 10 notifications each cost {ten_each} queries, with 1 each {one_each}")


def test_each_person_is_visited_once_per_run():
    """The SELECT that locks a person's waiting notifications runs once per person, not once
    per waiting notification."""
    people_waiting(3, 4)
    with CaptureQueriesContext(connection) as queries:
        assert digests_send() == 3
    locking = [q["sql"] for q in queries.captured_queries if "FOR UPDATE" in q["sql"]]
    assert len(locking) == 3, f"{len(locking)} locking SELECTs for 3 people"
