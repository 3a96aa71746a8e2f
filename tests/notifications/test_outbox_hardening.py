"""The outbox under strain: a backlog in the broker does not fill it with copies, a misconfigured
relay does not silence everyone, strangers cannot page the programme office, a health probe of a
hung Redis answers, and what need not be kept is erased."""

import smtplib
import socket
import threading
import time
from datetime import timedelta

import pytest
from django.core.checks import run_checks
from django.core.management import call_command
from django.utils import timezone

from cluster_portal.core import health
from cluster_portal.notifications.drafts import EmailDraft
from cluster_portal.notifications.models import Notification, OutgoingEmail, SuppressedAddress
from cluster_portal.notifications.services import (
    digests_send,
    notify,
    outgoing_email_queue,
    outgoing_emails_sweep,
    outgoing_emails_tidy,
)
from cluster_portal.notifications.smtp_failures import send_failure_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def draft(to="wei.ling@example.org", **fields) -> EmailDraft:
    fields.setdefault("subject", "Your role in Acme changed")
    fields.setdefault("body_text", "You are now a member of Acme.")
    fields.setdefault("kind", "role_changed")
    return EmailDraft(to=to, **fields)


def fresh(email) -> OutgoingEmail:
    return OutgoingEmail.objects.get(pk=email.pk)


# --- What a mail server's answer means -------------------------------------------------------


def refused_recipient(code: int, text: str) -> smtplib.SMTPRecipientsRefused:
    return smtplib.SMTPRecipientsRefused({"x@example.org": (code, text.encode())})


@pytest.mark.parametrize("error, permanent, address_gone", [
    (refused_recipient(550, "5.1.1 No such user"), True, True),
    (refused_recipient(550, "No such user"), True, True),  # no enhanced code: a mailbox answer
    (refused_recipient(552, "5.2.1 Mailbox disabled"), True, True),
    (refused_recipient(554, "5.7.1 Relay access denied"), False, False),  # our relay's policy
    (refused_recipient(550, "5.7.1 Sender not authorised"), False, False),
    (refused_recipient(451, "4.3.0 Try later"), False, False),
    (smtplib.SMTPSenderRefused(530, b"5.7.0 Must issue a STARTTLS command first",
                               "portal@example.org"), False, False),
    (smtplib.SMTPDataError(552, b"5.3.4 Message too big"), True, False),
    (smtplib.SMTPDataError(554, b"5.7.1 Rejected by policy"), False, False),
    (smtplib.SMTPAuthenticationError(535, b"5.7.8 Bad credentials"), False, False),
    (ConnectionRefusedError(111, "Connection refused"), False, False),
])
def test_only_a_mailbox_answer_marks_an_address_dead(error, permanent, address_gone):
    failure = send_failure_of(error)
    assert (failure.permanent, failure.address_refused) == (permanent, address_gone)


def test_a_relay_that_refuses_every_recipient_suppresses_no_one(
        smtp, django_capture_on_commit_callbacks):
    smtp.refused_recipients.update({
        "a@example.org": "554 5.7.1 Relay access denied",
        "b@example.org": "554 5.7.1 Relay access denied",
    })
    with django_capture_on_commit_callbacks(execute=True):
        first = outgoing_email_queue(draft=draft(to="a@example.org"))
        second = outgoing_email_queue(draft=draft(to="b@example.org"))
    assert {fresh(first).status, fresh(second).status} == {"queued"}  # tried again later
    assert not SuppressedAddress.objects.exists()


# --- Strangers cannot page the office; one notice per address a day ---------------------------


@pytest.fixture
def gone_mailbox(smtp):
    smtp.refused_recipients["gone@example.org"] = "550 5.1.1 No such mailbox"
    return smtp


def test_account_mail_to_an_address_no_account_holds_tells_no_admin(
        gone_mailbox, mfa_admin_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email = outgoing_email_queue(draft=draft(to="gone@example.org", kind="account",
                                                 subject="No account uses this address"))
    assert fresh(email).status == "failed"
    assert not Notification.objects.filter(kind="email_failed").exists()


def test_admins_hear_of_a_dead_address_once_a_day(gone_mailbox, mfa_admin_user,
                                                  django_capture_on_commit_callbacks):
    SuppressedAddress.objects.all().delete()
    for _ in range(3):  # the suppression is lifted each time, as an admin's resend would
        with django_capture_on_commit_callbacks(execute=True):
            outgoing_email_queue(draft=draft(to="gone@example.org"))
        SuppressedAddress.objects.all().delete()
    assert OutgoingEmail.objects.filter(status="failed").count() == 3
    assert Notification.objects.filter(recipient=mfa_admin_user, kind="email_failed").count() == 1


# --- The sweeper does not fill the broker with copies -----------------------------------------


def test_a_row_the_sweeper_handed_out_is_not_handed_out_again_before_a_lease(settings):
    email = outgoing_email_queue(draft=draft())  # the test's transaction never commits
    OutgoingEmail.objects.filter(pk=email.pk).update(
        next_attempt_at=timezone.now() - timedelta(hours=1))
    assert outgoing_emails_sweep() == 1
    assert fresh(email).handed_out_at is not None
    assert outgoing_emails_sweep() == 0  # still waiting in the broker: no second copy
    assert outgoing_emails_sweep() == 0
    OutgoingEmail.objects.filter(pk=email.pk).update(
        handed_out_at=timezone.now() - timedelta(seconds=settings.OUTBOX_LEASE_SECONDS + 1))
    assert outgoing_emails_sweep() == 1  # lost after all: handed out again


def test_the_sweep_is_dropped_rather_than_queued_behind_a_backlog(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["sweep-outbox"]
    assert entry["options"]["expires"] == settings.OUTBOX_SWEEP_EVERY_SECONDS


# --- Without a broker, mail left half-sent goes on the next try --------------------------------


def test_send_outbox_sends_what_a_stopped_process_left_half_sent(smtp):
    email = outgoing_email_queue(draft=draft())
    OutgoingEmail.objects.filter(pk=email.pk).update(
        status="sending", attempts=1, lease_expires_at=timezone.now() - timedelta(seconds=1))
    call_command("send_outbox", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert fresh(email).status == "sent"
    assert len(smtp.delivered) == 1


# --- A worker that lost its claim records nothing ----------------------------------------------


def test_a_worker_that_lost_its_claim_suppresses_nothing_and_tells_no_one(gone_mailbox,
                                                                        mfa_admin_user):
    from cluster_portal.notifications.services import sending

    email = outgoing_email_queue(draft=draft(to="gone@example.org"))
    claimed = sending._claim(email.pk)
    # Its lease ran out and another worker claimed the row meanwhile.
    OutgoingEmail.objects.filter(pk=email.pk).update(attempts=claimed.attempts + 1)
    assert sending._after_failure(claimed, refused_recipient(550, "5.1.1 No such user")) == \
        "skipped"
    assert not SuppressedAddress.objects.exists()
    assert not Notification.objects.filter(kind="email_failed").exists()


# --- A health probe of a hung Redis answers ----------------------------------------------------


@pytest.fixture
def silent_server():
    """A server that accepts connections and never answers, as a hung Redis would."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(50)
    accepted = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
    stop.set()
    thread.join()
    for connection in accepted:
        connection.close()
    listener.close()


def test_the_broker_probe_of_a_hung_redis_answers_within_seconds(settings, silent_server):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = silent_server
    started = time.monotonic()
    state = health.dependency_states()["broker"]
    assert state["status"] == "down"
    assert time.monotonic() - started < 10


# --- What need not be kept is erased -----------------------------------------------------------


def test_the_daily_tidy_erases_old_secrets_and_old_bodies_and_keeps_the_rows(smtp):
    old = timezone.now() - timedelta(days=100)
    unsent_secret = outgoing_email_queue(draft=draft(sealed=True, kind="invitation"))
    sent = outgoing_email_queue(draft=draft(to="sent@example.org"))
    recent = outgoing_email_queue(draft=draft(to="recent@example.org", sealed=True))
    OutgoingEmail.objects.filter(pk=unsent_secret.pk).update(status="failed", created_at=old)
    OutgoingEmail.objects.filter(pk=sent.pk).update(status="sent", created_at=old)
    OutgoingEmail.objects.filter(pk=recent.pk).update(status="failed")

    assert outgoing_emails_tidy() == {"secrets_erased": 1, "bodies_erased": 1}
    assert fresh(unsent_secret).body_text == fresh(sent).body_text == ""
    assert fresh(recent).body_text != ""  # its link may still work
    assert OutgoingEmail.objects.count() == 3


# --- One person's digest failing holds back nobody else's --------------------------------------


def test_one_failing_digest_does_not_stop_the_others(monkeypatch):
    from cluster_portal.notifications.services import digests

    people = [UserFactory(), UserFactory()]
    for person in people:
        notify(recipients=[person], kind="invitation_accepted", message="Wei Ling joined Acme.",
               context={"organisation": "Acme", "role": "member"})
    real = digests.digest_email

    def fail_for_the_first(*, person, **kwargs):
        if person.pk == people[0].pk:
            raise RuntimeError("a template broke")
        return real(person=person, **kwargs)

    monkeypatch.setattr(digests, "digest_email", fail_for_the_first)
    assert digests_send() == 1
    assert OutgoingEmail.objects.filter(kind="digest", recipient=people[1]).exists()
    waiting = Notification.objects.filter(recipient=people[0], email__isnull=True)
    assert waiting.count() == 1  # kept for the next run


# --- A lease shorter than the send task's time limit is caught at start ------------------------


def test_a_lease_shorter_than_the_send_tasks_time_limit_fails_the_system_check(settings):
    settings.OUTBOX_LEASE_SECONDS = 60
    errors = [error.id for error in run_checks()]
    assert "notifications.E001" in errors
    settings.OUTBOX_LEASE_SECONDS = 300
    assert "notifications.E001" not in [error.id for error in run_checks()]
