"""The e-mail outbox against the real PostgreSQL, Redis and an SMTP server in this process: each
queued e-mail goes once, temporary failures are tried again later by the sweeper, permanent
ones fail at once and suppress the address, sealed bodies never lie in clear, and the programme
office sees and resends failed mail in the admin.

Time passing is what `next_attempt_at` and `lease_expires_at` moving into the past does to a
row; the tests move them with an UPDATE instead of waiting."""

import asyncio
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cluster_portal.audit.models import AuditEvent
from cluster_portal.core.exceptions import Conflict, NotAllowed
from cluster_portal.notifications.drafts import EmailDraft
from cluster_portal.notifications.models import Notification, OutgoingEmail, SuppressedAddress
from cluster_portal.notifications.services import (
    notify,
    outgoing_email_queue,
    outgoing_email_resend,
    outgoing_email_send,
    outgoing_emails_cancel,
    outgoing_emails_queue,
    outgoing_emails_sweep,
    suppressed_address_confirmed,
    suppressed_address_lift,
)
from cluster_portal.notifications.services.outbox import MAX_ATTEMPTS, RETRY_DELAYS
from tests.factories import UserFactory
from tests.support.mailserver import MailServer, html_part, text_part

pytestmark = pytest.mark.django_db

GONE = "gone@example.org"
REFUSAL = "550 5.1.1 No such mailbox here"
LINK = "https://portal.example.org/invitations/accept/s3cr3t-t0ken-4711/"
SEALED_FOOTNOTE = "Sealed: it carries a one-time link or code"


def draft(to: str = "wei.ling@example.org", **fields) -> EmailDraft:
    fields.setdefault("subject", "Your role in Acme changed")
    fields.setdefault("body_text", "You are now a member of Acme.")
    fields.setdefault("kind", "role_changed")
    return EmailDraft(to=to, **fields)


def sealed_draft(to: str = "invitee@example.org", **fields) -> EmailDraft:
    return draft(to=to, subject="You are invited to Acme", kind="invitation", sealed=True,
                 body_text=f"Accept the invitation: {LINK}",
                 body_html=f'<p><a href="{LINK}">Accept the invitation</a></p>', **fields)


def fresh(email: OutgoingEmail) -> OutgoingEmail:
    return OutgoingEmail.objects.get(pk=email.pk)


def stored(email: OutgoingEmail) -> dict:
    """The row as the database holds it."""
    return OutgoingEmail.objects.values().get(pk=email.pk)


def due_for_the_sweeper(email: OutgoingEmail) -> None:
    """Time passes: the next try is due and the sweeper's grace period is over."""
    grace = timedelta(seconds=django_settings.OUTBOX_SWEEP_GRACE_SECONDS)
    OutgoingEmail.objects.filter(pk=email.pk).update(
        next_attempt_at=timezone.now() - grace - timedelta(seconds=1))


def left_sending_by_a_worker(email: OutgoingEmail, *, attempts: int, lease_left: timedelta):
    """What a worker that claimed the row leaves behind: the attempt counted, its lease
    running (a negative `lease_left`: it ran out, the worker died)."""
    OutgoingEmail.objects.filter(pk=email.pk).update(
        status=OutgoingEmail.Status.SENDING, attempts=attempts,
        lease_expires_at=timezone.now() + lease_left)


def run(hand_offs) -> None:
    """Run captured after-commit hand-offs (the task runs in this process)."""
    for hand_off in hand_offs:
        hand_off()


@pytest.fixture
def after_commit(django_capture_on_commit_callbacks):
    """`with after_commit():` runs what the block hands to Celery once it is over, as a commit
    would; tasks run in this process, so queued mail is sent at the end of the block."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def held_hand_offs(django_capture_on_commit_callbacks):
    """`with held_hand_offs() as hand_offs:` keeps the hand-offs for the test to run (or not)."""
    return lambda: django_capture_on_commit_callbacks(execute=False)


@pytest.fixture
def bounced(smtp, after_commit) -> OutgoingEmail:
    """An e-mail whose recipient the server refused for good, so its address is suppressed;
    the server would accept mail to the address again now."""
    smtp.refused_recipients[GONE] = REFUSAL
    with after_commit():
        email = outgoing_email_queue(draft=draft(to=GONE))
    smtp.refused_recipients.clear()
    email = fresh(email)
    assert email.status == OutgoingEmail.Status.FAILED
    return email


# --- A scripted mail server: each message held until the test lets it go ------------------------


@dataclass
class Hold:
    """How the scripted server answers one message: it waits for `go`, then refuses it with
    `answer` or, when `answer` is empty, accepts it."""

    answer: str = ""
    arrived: threading.Event = field(default_factory=threading.Event)
    go: threading.Event = field(default_factory=threading.Event)


class ScriptedMailServer(MailServer):
    """The tests' real SMTP server, answering the next messages (DATA) as `script` says; after
    the script, as MailServer does."""

    def __init__(self):
        super().__init__()
        self.script: list[Hold] = []

    async def handle_DATA(self, server, session, envelope):
        if not self.script:
            return await super().handle_DATA(server, session, envelope)
        hold = self.script.pop(0)
        hold.arrived.set()
        while not (hold.go.is_set() or self.release.is_set()):
            await asyncio.sleep(0.02)
        if hold.answer:
            self.attempts += 1
            return hold.answer
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def scripted_smtp(settings):
    server = ScriptedMailServer().start()
    for name, value in server.django_settings().items():
        setattr(settings, name, value)
    yield server
    server.stop()


def wait_until(condition, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def in_thread(call, outcomes: list) -> threading.Thread:
    """Run `call` as another worker would: its own thread and database connection."""

    def work():
        try:
            outcomes.append(call())
        finally:
            connection.close()

    thread = threading.Thread(target=work)
    thread.start()
    return thread


# --- Sending once -------------------------------------------------------------------------------


def test_a_queued_email_goes_over_smtp_once_with_its_headers_and_both_parts(smtp, after_commit):
    unsubscribe = {"List-Unsubscribe": "<https://portal.example.org/unsubscribe/abc/>",
                   "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    with after_commit():
        email = outgoing_email_queue(draft=draft(
            body_html="<p>You are now a member of Acme.</p>", reply_to="office@example.org",
            headers=unsubscribe))

    [message] = smtp.delivered
    assert message["Message-ID"] == email.message_id
    assert message["From"] == django_settings.DEFAULT_FROM_EMAIL
    assert message["To"] == "wei.ling@example.org"
    assert message["Reply-To"] == "office@example.org"
    assert message["Subject"] == "Your role in Acme changed"
    assert {name: message[name] for name in unsubscribe} == unsubscribe
    assert text_part(message) == "You are now a member of Acme."
    assert html_part(message) == "<p>You are now a member of Acme.</p>"
    email = fresh(email)
    assert (email.status, email.attempts, email.last_error) == ("sent", 1, "")
    assert email.sent_at is not None and email.lease_expires_at is None

    assert outgoing_email_send(email_id=email.pk) == "skipped"
    assert (smtp.attempts, len(smtp.delivered)) == (1, 1)
    assert fresh(email).attempts == 1


def test_an_email_without_reply_to_has_no_reply_to_header(smtp, after_commit):
    with after_commit():
        outgoing_email_queue(draft=draft())
    [message] = smtp.delivered
    assert message["Reply-To"] is None


def test_the_message_id_is_made_once_per_row_and_on_the_senders_domain(db):
    first, second = outgoing_emails_queue(drafts=[draft(), draft()])
    assert first.message_id != second.message_id
    assert first.message_id.endswith("@localhost>")  # DEFAULT_FROM_EMAIL's domain
    assert stored(first)["message_id"] == first.message_id


# --- Temporary failures: tried again later, by the sweeper --------------------------------------


def test_a_451_is_tried_again_by_the_sweeper_once_due_not_at_once(smtp, after_commit):
    smtp.temporary_refusals = 1
    before = timezone.now()
    with after_commit():
        email = outgoing_email_queue(draft=draft())

    email = fresh(email)
    assert (email.status, email.attempts) == ("queued", 1)
    assert "451" in email.last_error
    assert before + RETRY_DELAYS[0] <= email.next_attempt_at <= timezone.now() + RETRY_DELAYS[0]
    assert email.lease_expires_at is None
    assert (smtp.attempts, smtp.delivered) == (1, [])

    # Not due: the sweeper leaves it, and a stray hand-off does not send it.
    with after_commit():
        assert outgoing_emails_sweep() == 0
    assert outgoing_email_send(email_id=email.pk) == "skipped"
    assert smtp.attempts == 1

    # Due: nobody else hands out a mail waiting for another try, so the sweeper takes it at
    # once, without the grace it gives a never-tried mail's hand-off.
    OutgoingEmail.objects.filter(pk=email.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1))
    with after_commit():
        assert outgoing_emails_sweep() == 1
    [message] = smtp.delivered
    assert message["Message-ID"] == email.message_id  # the same e-mail, tried again
    email = fresh(email)
    assert (email.status, email.attempts, email.last_error) == ("sent", 2, "")
    with after_commit():
        assert outgoing_emails_sweep() == 0
    assert len(smtp.delivered) == 1


def test_a_never_tried_mail_is_the_sweepers_only_after_the_grace_period(smtp, settings):
    """Its hand-off at commit was lost (the broker was down): the sweeper hands it out once
    the grace period is over, not while the hand-off may still be on its way."""
    email = outgoing_email_queue(draft=draft())  # the test's transaction never commits
    grace = timedelta(seconds=settings.OUTBOX_SWEEP_GRACE_SECONDS)
    OutgoingEmail.objects.filter(pk=email.pk).update(
        next_attempt_at=timezone.now() - grace + timedelta(seconds=10))
    assert outgoing_emails_sweep() == 0
    due_for_the_sweeper(email)
    assert outgoing_emails_sweep() == 1


def test_a_mail_server_that_is_down_is_a_temporary_failure_and_the_mail_goes_once_it_is_up(
        smtp, after_commit):
    smtp.stop()
    with after_commit():
        email = outgoing_email_queue(draft=draft())
    email = fresh(email)
    assert (email.status, email.attempts) == ("queued", 1)
    assert "ConnectionRefusedError" in email.last_error

    smtp.start()  # the same port
    due_for_the_sweeper(email)
    with after_commit():
        assert outgoing_emails_sweep() == 1
    [message] = smtp.delivered
    assert message["Message-ID"] == email.message_id
    assert (fresh(email).status, fresh(email).attempts) == ("sent", 2)


def test_after_max_attempts_of_temporary_failures_it_fails_and_admins_with_mfa_are_told_in_app(
        smtp, after_commit, mfa_admin_user, admin_user, mfa_staff_user):
    smtp.temporary_refusals = MAX_ATTEMPTS
    with after_commit():
        email = outgoing_email_queue(draft=draft())
    for attempt in range(1, MAX_ATTEMPTS):
        row = fresh(email)
        assert (row.status, row.attempts) == ("queued", attempt)
        # Each try comes later than the one before: the delay grows.
        wait = row.next_attempt_at - timezone.now()
        assert RETRY_DELAYS[attempt - 1] - timedelta(seconds=5) < wait <= RETRY_DELAYS[attempt - 1]
        assert not Notification.objects.filter(kind="email_failed").exists()
        due_for_the_sweeper(email)
        with after_commit():
            assert outgoing_emails_sweep() == 1

    email = fresh(email)
    assert (email.status, email.attempts) == ("failed", MAX_ATTEMPTS)
    assert email.last_error.startswith(f"Given up after {MAX_ATTEMPTS} attempts.")
    assert "451" in email.last_error
    assert (smtp.attempts, smtp.delivered) == (MAX_ATTEMPTS, [])
    # Programme admins with MFA only: not the admin without MFA, not staff.
    [notice] = Notification.objects.filter(kind="email_failed")
    assert notice.recipient == mfa_admin_user
    assert notice.delivery == "in_app" and notice.email is None
    assert "wei.ling@example.org" in notice.message and "451" in notice.message
    assert notice.url == reverse("admin:notifications_outgoingemail_change", args=[email.pk])
    assert not OutgoingEmail.objects.filter(kind="email_failed").exists()
    with after_commit():
        assert outgoing_emails_sweep() == 0
    assert smtp.attempts == MAX_ATTEMPTS


# --- Permanent failures and suppressed addresses ------------------------------------------------


def test_a_permanent_refusal_of_the_recipient_fails_at_once_and_suppresses_the_address(
        smtp, after_commit, mfa_admin_user):
    smtp.refused_recipients[GONE] = REFUSAL
    with after_commit():
        email = outgoing_email_queue(draft=draft(to="Gone@Example.org"))

    email = fresh(email)
    assert (email.status, email.attempts, email.last_error) == ("failed", 1, REFUSAL)
    suppression = SuppressedAddress.objects.get()
    assert suppression.address == GONE  # lower case, whatever the draft said
    assert (suppression.reason, suppression.bounced_email) == (REFUSAL, email)
    [notice] = Notification.objects.filter(kind="email_failed")
    assert notice.recipient == mfa_admin_user and REFUSAL in notice.message
    assert smtp.delivered == []
    due_for_the_sweeper(email)
    with after_commit():
        assert outgoing_emails_sweep() == 0  # failed for good: no retry


def test_later_mail_to_a_suppressed_address_is_held_and_never_offered_to_the_server(
        bounced, smtp, after_commit):
    with after_commit():
        held = outgoing_email_queue(draft=draft(to="GONE@example.org"))

    held = fresh(held)
    assert (held.status, held.attempts) == ("held", 0)
    assert held.last_error.startswith("Held back: mail to this address bounced before")
    assert outgoing_email_send(email_id=held.pk) == "skipped"
    with after_commit():
        assert outgoing_emails_sweep() == 0
    assert (smtp.attempts, smtp.delivered) == (0, [])  # the server would have accepted it


def test_mail_queued_before_the_bounce_is_held_when_its_turn_comes(smtp, held_hand_offs):
    smtp.refused_recipients[GONE] = REFUSAL
    with held_hand_offs() as hand_offs:
        first, second = outgoing_emails_queue(drafts=[draft(to=GONE), draft(to=GONE)])
    first_hand_off, second_hand_off = hand_offs
    first_hand_off()
    smtp.refused_recipients.clear()  # offered again, it would now be accepted
    second_hand_off()

    assert fresh(first).status == "failed"
    second = fresh(second)
    assert (second.status, second.attempts) == ("held", 1)
    assert second.last_error.startswith("Held back: mail to this address bounced before")
    assert second.lease_expires_at is None
    assert (smtp.attempts, smtp.delivered) == (0, [])


def test_account_mail_still_goes_to_a_suppressed_address_of_an_account(bounced, smtp,
                                                                        after_commit):
    person = UserFactory(email=GONE)
    with after_commit():
        email = outgoing_email_queue(draft=draft(
            to=GONE, kind="account", recipient=person, subject="Confirm your e-mail address"))
    assert fresh(email).status == "sent"
    [message] = smtp.delivered_to(GONE)
    assert message["Subject"] == "Confirm your e-mail address"
    assert SuppressedAddress.objects.filter(address=GONE).exists()  # until it is confirmed


def test_account_mail_to_a_suppressed_address_no_account_holds_is_held(bounced, smtp,
                                                                      after_commit):
    """A stranger typing addresses into the password-reset form makes no bounces."""
    with after_commit():
        email = outgoing_email_queue(draft=draft(
            to=GONE, kind="account", subject="No account uses this address"))
    assert fresh(email).status == "held"
    assert smtp.delivered_to(GONE) == []


def test_the_person_confirming_the_address_lifts_the_suppression(bounced, smtp, after_commit):
    person = UserFactory(email=GONE)
    assert suppressed_address_confirmed(person=person, address="Gone@example.org") is True
    assert not SuppressedAddress.objects.exists()
    event = AuditEvent.objects.get(action="suppressed_address.lift")
    assert event.actor == person
    assert event.changes == {"reason": REFUSAL,
                             "lifted_because": "the person confirmed the address"}
    with after_commit():
        outgoing_email_queue(draft=draft(to=GONE))
    assert len(smtp.delivered_to(GONE)) == 1
    assert suppressed_address_confirmed(person=person, address=GONE) is False  # nothing left


def test_a_failed_notice_about_failed_mail_is_not_itself_announced(
        smtp, after_commit, mfa_admin_user):
    smtp.refused_recipients[GONE] = REFUSAL
    with after_commit():
        email = outgoing_email_queue(draft=draft(to=GONE, kind="email_failed"))
    assert fresh(email).status == "failed"
    assert not Notification.objects.exists()  # it would only fail again


def test_a_5xx_answer_to_the_message_fails_it_without_suppressing_the_address(
        scripted_smtp, after_commit, mfa_admin_user):
    rejected = Hold(answer="554 5.6.0 Message content rejected")
    rejected.go.set()
    scripted_smtp.script = [rejected]
    with after_commit():
        email = outgoing_email_queue(draft=draft())

    email = fresh(email)
    assert (email.status, email.attempts) == ("failed", 1)
    assert email.last_error == "554 5.6.0 Message content rejected"
    assert not SuppressedAddress.objects.exists()
    assert Notification.objects.get(kind="email_failed").recipient == mfa_admin_user
    with after_commit():
        outgoing_email_queue(draft=draft())  # the address is not held back
    assert len(scripted_smtp.delivered_to("wei.ling@example.org")) == 1


# --- Resending --------------------------------------------------------------------------------


def test_a_programme_admin_resends_a_bounced_email_lifting_the_suppression_and_it_goes(
        bounced, smtp, after_commit, mfa_admin_user):
    with after_commit():
        resent = outgoing_email_resend(actor=mfa_admin_user, email=bounced)
    assert resent.pk == bounced.pk

    email = fresh(bounced)
    assert (email.status, email.attempts, email.last_error) == ("sent", 1, "")
    [message] = smtp.delivered_to(GONE)
    assert message["Message-ID"] == bounced.message_id
    assert not SuppressedAddress.objects.exists()
    event = AuditEvent.objects.get(action="outgoing_email.resend")
    assert (event.actor, event.target_id) == (mfa_admin_user, bounced.pk)
    assert event.changes == {"status": ["failed", "queued"], "suppression_lifted": True}


def test_a_held_email_resent_by_an_admin_goes(bounced, smtp, after_commit, mfa_admin_user):
    with after_commit():
        held = outgoing_email_queue(draft=draft(to=GONE, subject="Held for a while"))
    assert fresh(held).status == "held"
    with after_commit():
        outgoing_email_resend(actor=mfa_admin_user, email=held)
    assert fresh(held).status == "sent"
    assert [m["Subject"] for m in smtp.delivered_to(GONE)] == ["Held for a while"]
    assert AuditEvent.objects.get(action="outgoing_email.resend").changes["status"] == [
        "held", "queued"]


def a_sent_email(capture) -> OutgoingEmail:
    with capture(execute=True):
        email = outgoing_email_queue(draft=draft())
    assert fresh(email).status == "sent"
    return email


def a_queued_email(capture) -> OutgoingEmail:
    with capture(execute=False):
        return outgoing_email_queue(draft=draft())


def a_cancelled_sealed_email(capture) -> OutgoingEmail:
    with capture(execute=False):
        email = outgoing_email_queue(draft=sealed_draft())
    assert outgoing_emails_cancel(email_ids=[email.pk], reason="Invitation revoked.") == 1
    return email


@pytest.mark.parametrize("make, code", [
    (a_sent_email, "already_sent"),
    (a_queued_email, "not_settled"),
    (a_cancelled_sealed_email, "erased"),
])
def test_resending_what_cannot_be_resent_is_a_conflict_that_changes_nothing(
        smtp, django_capture_on_commit_callbacks, mfa_admin_user, make, code):
    email = make(django_capture_on_commit_callbacks)
    before, delivered = stored(email), len(smtp.delivered)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Conflict) as refused:
        outgoing_email_resend(actor=mfa_admin_user, email=email)

    assert refused.value.code == code
    assert stored(email) == before
    assert not AuditEvent.objects.filter(action="outgoing_email.resend").exists()
    assert len(smtp.delivered) == delivered


@pytest.mark.parametrize("actor", ["mfa_staff_user", "admin_user", "user"])
def test_only_programme_admins_with_mfa_resend(bounced, request, actor):
    before = stored(bounced)
    with pytest.raises(NotAllowed):
        outgoing_email_resend(actor=request.getfixturevalue(actor), email=bounced)
    assert stored(bounced) == before
    assert SuppressedAddress.objects.filter(address=GONE).exists()
    assert not AuditEvent.objects.exclude(action="user.grant_role").exists()  # fixtures grant roles


@pytest.mark.parametrize("actor", ["mfa_staff_user", "admin_user"])
def test_only_programme_admins_with_mfa_lift_a_suppression(bounced, request, actor):
    with pytest.raises(NotAllowed):
        suppressed_address_lift(actor=request.getfixturevalue(actor), address=GONE)
    assert SuppressedAddress.objects.filter(address=GONE).exists()


# --- The admin pages ------------------------------------------------------------------------


def outbox() -> str:
    return reverse("admin:notifications_outgoingemail_changelist")


def suppressed() -> str:
    return reverse("admin:notifications_suppressedaddress_changelist")


def change_page(email: OutgoingEmail) -> str:
    return reverse("admin:notifications_outgoingemail_change", args=[email.pk])


def page_messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def office(client, mfa_admin_user):
    """The programme office's browser, signed in to the admin site."""
    client.force_login(mfa_admin_user)
    return client


def test_the_outbox_list_shows_failed_mail_first_with_its_error(
        office, bounced, smtp, after_commit, held_hand_offs):
    """Failed mail comes first, then held, then waiting, then the history, whatever its age."""
    # The failed e-mail is the oldest; newer ones are held back, wait, or went.
    with after_commit():
        held = outgoing_email_queue(draft=draft(to=GONE))
    with held_hand_offs():
        waiting = outgoing_email_queue(draft=draft(to="waiting@example.org"))
    with after_commit():
        sent = outgoing_email_queue(draft=draft(to="sent@example.org"))

    response = office.get(outbox())

    assert response.status_code == 200
    rows = list(response.context["cl"].result_list)
    assert [row.pk for row in rows] == [bounced.pk, held.pk, waiting.pk, sent.pk], [
        row.status for row in rows]
    assert REFUSAL in response.content.decode()


def test_the_change_page_shows_a_plain_email_but_not_the_body_of_a_sealed_one(
        office, held_hand_offs):
    with held_hand_offs():
        plain = outgoing_email_queue(draft=draft(body_text="You are now a member of Acme."))
        sealed = outgoing_email_queue(draft=sealed_draft())

    page = office.get(change_page(plain))
    assert page.status_code == 200
    assert "You are now a member of Acme." in page.content.decode()

    page = office.get(change_page(sealed))
    assert page.status_code == 200
    content = page.content.decode()
    assert SEALED_FOOTNOTE in content
    assert "s3cr3t-t0ken" not in content
    assert stored(sealed)["body_text"] not in content  # nor the sealed text
    assert 'name="_save"' not in content  # the outbox is read-only


def test_the_change_page_of_a_cancelled_sealed_email_does_not_say_it_was_sent(
        office, held_hand_offs):
    """A cancelled invitation lost its body without ever being sent; the page says so."""
    with held_hand_offs():
        email = outgoing_email_queue(draft=sealed_draft())
    outgoing_emails_cancel(email_ids=[email.pk], reason="Invitation revoked.")
    content = office.get(change_page(email)).content.decode()
    assert SEALED_FOOTNOTE in content
    assert "since it was sent" not in content


def test_the_resend_action_sends_a_failed_email_again_and_reports_a_sent_one_it_refused(
        office, bounced, smtp, after_commit, mfa_admin_user):
    with after_commit():
        sent = outgoing_email_queue(draft=draft(to="sent@example.org"))

    with after_commit():
        response = office.post(outbox(), {"action": "resend",
                                        "_selected_action": [bounced.pk, sent.pk]}, follow=True)

    assert response.status_code == 200
    texts = page_messages(response)
    assert any(text.startswith(f"{fresh(sent)}: This e-mail was already sent") for text in texts)
    assert "1 e-mail(s) queued to be sent again." in texts
    assert (fresh(bounced).status, fresh(bounced).attempts) == ("sent", 1)
    assert len(smtp.delivered_to(GONE)) == 1
    assert (fresh(sent).status, fresh(sent).attempts) == ("sent", 1)
    assert len(smtp.delivered_to("sent@example.org")) == 1
    event = AuditEvent.objects.get(action="outgoing_email.resend")
    assert (event.actor, event.target_id) == (mfa_admin_user, bounced.pk)


def test_the_lift_action_lets_mail_go_to_a_suppressed_address_again(
        office, bounced, smtp, after_commit, mfa_admin_user):
    suppression = SuppressedAddress.objects.get(address=GONE)
    response = office.post(suppressed(), {"action": "lift", "_selected_action": [suppression.pk]},
                           follow=True)

    assert "1 address(es) may receive mail again." in page_messages(response)
    assert not SuppressedAddress.objects.exists()
    event = AuditEvent.objects.get(action="suppressed_address.lift")
    assert event.actor == mfa_admin_user
    assert event.changes == {"reason": REFUSAL, "lifted_because": "lifted by a programme admin"}
    with after_commit():
        outgoing_email_queue(draft=draft(to=GONE))
    assert len(smtp.delivered_to(GONE)) == 1


@pytest.mark.parametrize("person, sent_to", [
    ("mfa_staff_user", "/admin/login/"),  # staff, not admin: the admin's login page
    ("admin_user", "/accounts/2fa/"),  # no authenticator yet: sent to set one up
])
def test_the_outbox_admin_is_only_for_programme_admins_with_mfa(
        client, bounced, request, person, sent_to):
    client.force_login(request.getfixturevalue(person))
    before = stored(bounced)
    for response in (
        client.get(outbox()), client.get(change_page(bounced)), client.get(suppressed()),
        client.post(outbox(), {"action": "resend", "_selected_action": [bounced.pk]}),
        client.post(suppressed(), {"action": "lift", "_selected_action": [
            SuppressedAddress.objects.get().pk]}),
    ):
        assert response.status_code in (302, 403)
        if response.status_code == 302:
            assert sent_to in response["Location"]
    assert stored(bounced) == before
    assert SuppressedAddress.objects.filter(address=GONE).exists()
    assert not AuditEvent.objects.exclude(action="user.grant_role").exists()  # fixtures grant roles


# --- Two workers, leases ----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_workers_sending_the_same_email_at_once_deliver_it_once(
        scripted_smtp, broker_delivery):
    email = outgoing_email_queue(draft=draft())  # handed to the broker; no worker takes it
    held = Hold()  # the winner's message waits at the server until the loser has answered
    scripted_smtp.script = [held]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def send() -> str:
        barrier.wait(timeout=10)
        return outgoing_email_send(email_id=email.pk)

    threads = [in_thread(send, outcomes), in_thread(send, outcomes)]
    try:
        assert held.arrived.wait(10)
        wait_until(lambda: len(outcomes) == 1)
        assert outcomes == ["skipped"]  # while the other still sends
    finally:
        held.go.set()
        for thread in threads:
            thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)

    assert sorted(outcomes) == ["sent", "skipped"]
    assert len(scripted_smtp.delivered) == 1
    email = fresh(email)
    assert (email.status, email.attempts) == ("sent", 1)


def test_a_sending_row_left_by_a_dead_worker_is_swept_once_its_lease_ran_out_and_sent_once(
        smtp, after_commit, held_hand_offs):
    with held_hand_offs():
        email = outgoing_email_queue(draft=draft())
    left_sending_by_a_worker(email, attempts=1, lease_left=-timedelta(seconds=1))

    with after_commit():
        assert outgoing_emails_sweep() == 1

    [message] = smtp.delivered
    assert message["Message-ID"] == email.message_id
    email = fresh(email)
    assert (email.status, email.attempts, email.lease_expires_at) == ("sent", 2, None)
    with after_commit():
        assert outgoing_emails_sweep() == 0
    assert len(smtp.delivered) == 1


def test_a_sending_row_with_a_live_lease_is_left_alone(smtp, after_commit, held_hand_offs):
    with held_hand_offs():
        email = outgoing_email_queue(draft=draft())
    left_sending_by_a_worker(email, attempts=1, lease_left=timedelta(minutes=4))
    before = stored(email)

    with after_commit():
        assert outgoing_emails_sweep() == 0
    assert outgoing_email_send(email_id=email.pk) == "skipped"

    assert stored(email) == before
    assert (smtp.attempts, smtp.delivered) == (0, [])


def test_an_email_whose_workers_kept_dying_is_given_up_without_another_try(
        smtp, after_commit, held_hand_offs, mfa_admin_user):
    with held_hand_offs():
        email = outgoing_email_queue(draft=draft())
    left_sending_by_a_worker(email, attempts=MAX_ATTEMPTS, lease_left=-timedelta(seconds=1))

    with after_commit():
        assert outgoing_emails_sweep() == 1

    email = fresh(email)
    assert email.status == "failed"
    assert email.last_error.startswith(f"Given up after {MAX_ATTEMPTS} attempts; the last ones "
                                       "never finished")
    assert email.lease_expires_at is None
    assert (smtp.attempts, smtp.delivered) == (0, [])
    [notice] = Notification.objects.filter(recipient=mfa_admin_user, kind="email_failed")
    assert email.to in notice.message  # the programme office hears of it, as of any failure


@pytest.mark.django_db(transaction=True)
def test_a_worker_whose_lease_ran_out_leaves_the_row_to_the_worker_holding_it_now(
        scripted_smtp, broker_delivery):
    """A worker whose lease ran out while its server took its time gets a 451 after a second
    worker claimed the row: it settles nothing, so the second worker's send marks the row sent
    and the e-mail is not sent again."""
    email = outgoing_email_queue(draft=draft())  # handed to the broker; no worker takes it
    late, accepted = Hold(answer="451 4.3.0 Try again later"), Hold()
    scripted_smtp.script = [late, accepted]
    outcomes: list[str] = []
    second = None
    first = in_thread(lambda: outgoing_email_send(email_id=email.pk), outcomes)
    try:
        assert late.arrived.wait(10)  # the first worker waits for the server's answer...
        OutgoingEmail.objects.filter(pk=email.pk).update(  # ...longer than its lease
            lease_expires_at=timezone.now() - timedelta(seconds=1))
        second = in_thread(lambda: outgoing_email_send(email_id=email.pk), outcomes)
        assert accepted.arrived.wait(10)  # the second worker claimed it and sends
        late.go.set()  # ...then its server answers 451, while the second still sends
        first.join(timeout=10)
    finally:
        late.go.set()
        accepted.go.set()
        for thread in (first, second):
            if thread is not None:
                thread.join(timeout=10)
    assert "sent" in outcomes  # the second worker's
    assert len(scripted_smtp.delivered) == 1
    settled = fresh(email)
    # Whatever the first worker's late answer was, the row ends as the second worker left it.
    OutgoingEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
    again = outgoing_email_send(email_id=email.pk)  # the sweeper's next hand-off
    assert (settled.status, settled.attempts, again, len(scripted_smtp.delivered)) == (
        "sent", 2, "skipped", 1), settled.last_error


# --- Deactivated recipients, cancelling -------------------------------------------------------


def test_mail_to_a_person_deactivated_before_it_went_is_cancelled_and_not_sent(
        smtp, held_hand_offs):
    person = UserFactory(email="leaving@example.org")
    with held_hand_offs() as hand_offs:
        email = outgoing_email_queue(draft=sealed_draft(to=person.email, recipient=person))
    person.is_active = False
    person.save(update_fields=["is_active"])
    run(hand_offs)

    row = stored(email)
    assert row["status"] == "cancelled"
    assert row["last_error"] == "The person's account is deactivated."
    assert (row["body_text"], row["body_html"]) == ("", "")  # the sealed link is gone too
    assert (smtp.attempts, smtp.delivered) == (0, [])


def test_cancelling_stops_unsent_mail_erases_sealed_bodies_and_leaves_sent_mail_alone(
        smtp, after_commit, held_hand_offs):
    with after_commit():
        sent = outgoing_email_queue(draft=draft(to="sent@example.org"))
    with held_hand_offs() as hand_offs:
        invitation = outgoing_email_queue(draft=sealed_draft())
        plain = outgoing_email_queue(draft=draft(to="plain@example.org"))
    sent_before = stored(sent)

    cancelled = outgoing_emails_cancel(email_ids=[sent.pk, invitation.pk, plain.pk],
                                       reason="Invitation revoked.")

    assert cancelled == 2
    row = stored(invitation)
    assert (row["status"], row["last_error"]) == ("cancelled", "Invitation revoked.")
    assert (row["body_text"], row["body_html"]) == ("", "")
    row = stored(plain)
    assert (row["status"], row["body_text"]) == ("cancelled", "You are now a member of Acme.")
    assert stored(sent) == sent_before
    run(hand_offs)  # the hand-offs made when they were queued find nothing to send
    assert [m["To"] for m in smtp.delivered] == ["sent@example.org"]
    assert outgoing_emails_cancel(email_ids=[], reason="Nothing.") == 0


# --- Sealed bodies ------------------------------------------------------------------------------


def test_a_sealed_email_is_stored_encrypted_delivered_readable_and_erased_once_sent(
        smtp, held_hand_offs):
    with held_hand_offs() as hand_offs:
        email = outgoing_email_queue(draft=sealed_draft())
    row = stored(email)
    assert row["sealed"] is True
    assert row["body_text"] and row["body_html"]
    assert "s3cr3t-t0ken" not in row["body_text"] + row["body_html"]
    assert "Accept" not in row["body_text"] + row["body_html"]

    run(hand_offs)

    [message] = smtp.delivered
    assert text_part(message) == f"Accept the invitation: {LINK}"
    assert f'href="{LINK}"' in html_part(message)
    row = stored(email)
    assert (row["status"], row["body_text"], row["body_html"]) == ("sent", "", "")


def test_a_sealed_email_under_a_replaced_secret_key_fails_for_good_with_a_readable_reason(
        smtp, settings, held_hand_offs):
    with held_hand_offs() as hand_offs:
        email = outgoing_email_queue(draft=sealed_draft())
    settings.SECRET_KEY = "a-replacement-key-9876543210-zyxwvutsrqponmlkjihgfedcba-HGFEDCBA"
    settings.SECRET_KEY_FALLBACKS = []
    run(hand_offs)

    row = fresh(email)
    assert (row.status, row.attempts) == ("failed", 1)
    assert row.last_error == "The sealed body cannot be opened with this server's keys."
    assert (smtp.attempts, smtp.delivered) == (0, [])
    assert not SuppressedAddress.objects.exists()  # the address is not to blame


def test_a_sealed_email_under_a_rotated_secret_key_goes_with_the_old_key_as_fallback(
        smtp, settings, held_hand_offs):
    with held_hand_offs() as hand_offs:
        email = outgoing_email_queue(draft=sealed_draft())
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-replacement-key-9876543210-zyxwvutsrqponmlkjihgfedcba-HGFEDCBA"
    run(hand_offs)

    assert fresh(email).status == "sent"
    [message] = smtp.delivered
    assert LINK in text_part(message)


# --- Cost of notify -----------------------------------------------------------------------------


def test_notifying_more_people_takes_no_more_queries():
    def queries_to_notify(people) -> int:
        with CaptureQueriesContext(connection) as queries:
            notify(recipients=people, kind="role_changed", message="You are now a member.",
                   context={"organisation": "Acme", "role": "member"})
        return len(queries)

    queries_to_notify(UserFactory.create_batch(1))  # per-process caches warm up
    few = queries_to_notify(UserFactory.create_batch(2))
    many = queries_to_notify(UserFactory.create_batch(8))

    assert many == few
    assert OutgoingEmail.objects.filter(kind="role_changed").count() == 11
    assert Notification.objects.filter(kind="role_changed", email__isnull=False).count() == 11
