"""The e-mail outbox (DESIGN.md rule 4): every e-mail is a row written in the transaction of the
change that caused it, and sent once by a task.

- A queued row is handed to Celery after commit. When the broker is down the row waits, and the
  sweeper (beat, every minute) hands it over again once the broker is back. A row the sweeper
  handed out is not handed out again before a lease has passed, so a long queue in the broker
  does not fill with copies.
- Sending claims the row with one conditional UPDATE, decided in the database: of two workers
  given the same row at once, one sends. The claim counts the attempt and takes a lease. A
  worker that dies mid-send leaves the lease to run out; the sweeper then hands the row out
  again, and a row whose attempts never finish is given up after MAX_ATTEMPTS, so a mail that
  kills its worker is not tried forever.
- A temporary failure (no connection, a 4xx answer, a policy refusal) is tried again by the
  sweeper after a growing delay, over about a day; a permanent one fails at once. An address
  whose mailbox is gone is suppressed: later mail to it is held back instead of bouncing again
  (`smtp_failures.py` says which answers mean what).
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.message import make_msgid
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from cluster_portal.accounts.roles import ProgrammeRole
from cluster_portal.accounts.selectors import staff_who_may_act
from cluster_portal.core.queue import enqueue_on_commit

from ..drafts import EmailDraft
from ..models import OutgoingEmail, SuppressedAddress
from ..sealing import seal, unseal
from ..smtp_failures import send_failure_of

logger = logging.getLogger(__name__)

SEND_TASK = "cluster_portal.notifications.tasks.send_outgoing_email"
# Mail a person asks for while they wait (verification, password reset) has this kind. To an
# account's own address it goes even after a bounce: receiving it is how the person shows the
# mailbox works again. To an address typed by a stranger it is held like any other mail.
ACCOUNT_KIND = "account"

# After the n-th failed attempt, the next comes this much later: about 16 hours in all.
RETRY_DELAYS = (
    timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1),
    timedelta(hours=2), timedelta(hours=4), timedelta(hours=8),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1

Status = OutgoingEmail.Status


def lease() -> timedelta:
    return timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def suppressed(addresses) -> set[str]:
    lowered = {address.lower() for address in addresses}
    if not lowered:
        return set()
    return set(SuppressedAddress.objects.filter(address__in=lowered)
               .values_list("address", flat=True))


def _ignores_suppression(kind: str, recipient) -> bool:
    return kind == ACCOUNT_KIND and recipient is not None


HELD_REASON = ("Held back: mail to this address bounced before, so nothing more is sent to it. "
               "A programme admin can send this again once the address works.")


@transaction.atomic
def outgoing_emails_queue(*, drafts: list[EmailDraft]) -> list[OutgoingEmail]:
    """Write the drafts to the outbox, in the caller's transaction, and hand each to a worker
    once that transaction commits."""
    if not drafts:
        return []
    now = timezone.now()
    held = suppressed(draft.to for draft in drafts
                      if not _ignores_suppression(draft.kind, draft.recipient))
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(" >") or None
    rows = []
    for draft in drafts:
        is_held = draft.to.lower() in held
        rows.append(OutgoingEmail(
            recipient=draft.recipient, to=draft.to, kind=draft.kind,
            subject=_one_line(draft.subject)[:300],
            body_text=seal(draft.body_text) if draft.sealed else draft.body_text,
            body_html=seal(draft.body_html) if draft.sealed else draft.body_html,
            sealed=draft.sealed, reply_to=draft.reply_to, headers=draft.headers,
            message_id=make_msgid(domain=domain),
            status=Status.HELD if is_held else Status.QUEUED,
            last_error=HELD_REASON if is_held else "", next_attempt_at=now,
        ))
    OutgoingEmail.objects.bulk_create(rows)
    for row in rows:
        if row.status == Status.QUEUED:
            enqueue_on_commit(SEND_TASK, row.pk)
    return rows


def outgoing_email_queue(*, draft: EmailDraft) -> OutgoingEmail:
    return outgoing_emails_queue(drafts=[draft])[0]


# --- Sending ------------------------------------------------------------------------------


def _claimable(now) -> Q:
    return (Q(status=Status.QUEUED, next_attempt_at__lte=now)
            | Q(status=Status.SENDING, lease_expires_at__lte=now))


def _claim(email_id: int) -> OutgoingEmail | None:
    """One conditional UPDATE: the database lets exactly one caller move the row to SENDING.
    The attempt is counted before the mail goes, so one that kills its worker still counts."""
    now = timezone.now()
    claimed = OutgoingEmail.objects.filter(_claimable(now), pk=email_id).update(
        status=Status.SENDING, attempts=F("attempts") + 1, lease_expires_at=now + lease(),
        handed_out_at=None,
    )
    if not claimed:
        return None
    return OutgoingEmail.objects.select_related("recipient").get(pk=email_id)


def _finish(email: OutgoingEmail, *, status: str, error: str = "", **fields) -> bool:
    """Settle the row while this claim still holds it. A worker whose lease ran out, and whose
    row another worker claimed since (counting one more attempt), settles nothing, and says so
    (False), so that it records no side effects either."""
    changes = {"status": status, "lease_expires_at": None, "last_error": error[:2000], **fields}
    if email.sealed and status in (Status.SENT, Status.CANCELLED):
        changes.update(body_text="", body_html="")  # the secret now lives only in the mailbox
    return bool(OutgoingEmail.objects.filter(
        pk=email.pk, status=Status.SENDING, attempts=email.attempts).update(**changes))


def _reason_not_to_send(email: OutgoingEmail) -> tuple[str, str] | None:
    if email.attempts > MAX_ATTEMPTS:
        return Status.FAILED, (
            f"Given up after {email.attempts - 1} attempts; the last ones never finished (the "
            "worker sending it stopped), so it is not tried again on its own.")
    if email.recipient is not None and not email.recipient.is_active:
        return Status.CANCELLED, "The person's account is deactivated."
    if not _ignores_suppression(email.kind, email.recipient) and suppressed([email.to]):
        return Status.HELD, HELD_REASON
    return None


def _message_of(email: OutgoingEmail) -> EmailMultiAlternatives:
    text, html = email.body_text, email.body_html
    if email.sealed:
        text, html = unseal(text), unseal(html)
    message = EmailMultiAlternatives(
        subject=email.subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[email.to],
        reply_to=[email.reply_to] if email.reply_to else None,
        headers={**email.headers, "Message-ID": email.message_id},
        connection=get_connection(),
    )
    if html:
        message.attach_alternative(html, "text/html")
    return message


def _after_failure(email: OutgoingEmail, error: Exception) -> str:
    failure = send_failure_of(error)
    if not failure.permanent and email.attempts < MAX_ATTEMPTS:
        delay = RETRY_DELAYS[email.attempts - 1]
        if _finish(email, status=Status.QUEUED, error=failure.text,
                   next_attempt_at=timezone.now() + delay):
            logger.warning("Outgoing e-mail %s to %s failed (%s); trying again in %s",
                           email.pk, email.to, failure.text, delay)
        return "retry"
    text = failure.text if failure.permanent else (
        f"Given up after {email.attempts} attempts. The last answer: {failure.text}")
    with transaction.atomic():
        if not _finish(email, status=Status.FAILED, error=text):
            return "skipped"
        if failure.address_refused:
            SuppressedAddress.objects.get_or_create(
                address=email.to.lower(), defaults={"reason": text, "bounced_email": email})
        _tell_programme_admins(email, text)
    logger.error("Outgoing e-mail %s to %s failed: %s", email.pk, email.to, text)
    return Status.FAILED


def _tell_programme_admins(email: OutgoingEmail, text: str) -> None:
    """One in-app notice per address and day. None for account mail to an address no account
    holds: a stranger typing addresses into the reset form must not page the office."""
    from ..notification_kinds import EMAIL_FAILED
    from .notify import notify  # notify queues its e-mails here: imported when it is needed

    if email.kind == EMAIL_FAILED.key:
        return  # a notice about a failed notice would only fail again
    if email.kind == ACCOUNT_KIND and email.recipient is None:
        return
    told_today = OutgoingEmail.objects.filter(
        to__iexact=email.to, status=Status.FAILED,
        created_at__gte=timezone.now() - timedelta(days=1)).exclude(pk=email.pk)
    if told_today.exists():
        return
    notify(
        recipients=staff_who_may_act(role=ProgrammeRole.ADMIN), kind=EMAIL_FAILED,
        message=f"An e-mail to {email.to} (“{email.subject}”) could not be delivered: {text}",
        url=reverse("admin:notifications_outgoingemail_change", args=[email.pk]),
        context={"address": email.to, "subject": email.subject, "error": text},
    )


def outgoing_email_send(*, email_id: int) -> str:
    """Send one e-mail of the outbox, at most once however many workers are handed it.
    Returns what happened: sent, retry, failed, held, cancelled, or skipped (not due, already
    settled, or another worker has it)."""
    email = _claim(email_id)
    if email is None:
        return "skipped"
    reason = _reason_not_to_send(email)
    if reason is not None:
        status, text = reason
        with transaction.atomic():
            if _finish(email, status=status, error=text) and status == Status.FAILED:
                _tell_programme_admins(email, text)
        return status
    try:
        _message_of(email).send()
    except Exception as error:  # every failure is recorded on the row; none is lost
        return _after_failure(email, error)
    _finish(email, status=Status.SENT, sent_at=timezone.now())
    return Status.SENT


def _due(now) -> Q:
    """What the sweeper hands out: never tried and past the grace period (its hand-off at
    commit was lost to a broker outage), waiting for another try and due, or left by a dead
    worker — unless the sweeper handed it out less than a lease ago."""
    grace = timedelta(seconds=settings.OUTBOX_SWEEP_GRACE_SECONDS)
    not_handed_lately = Q(handed_out_at__isnull=True) | Q(handed_out_at__lte=now - lease())
    return not_handed_lately & (
        Q(status=Status.QUEUED, attempts=0, next_attempt_at__lte=now - grace)
        | Q(status=Status.QUEUED, attempts__gt=0, next_attempt_at__lte=now)
        | Q(status=Status.SENDING, lease_expires_at__lte=now)
    )


@transaction.atomic
def outgoing_emails_sweep(*, limit: int = 500) -> int:
    """Hand out again what is due (`_due`), marking each row handed out."""
    now = timezone.now()
    due = list(OutgoingEmail.objects.filter(_due(now)).select_for_update(skip_locked=True)
               .order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
    OutgoingEmail.objects.filter(pk__in=due).update(handed_out_at=now)
    for pk in due:
        enqueue_on_commit(SEND_TASK, pk)
    return len(due)


def outgoing_emails_send_due() -> dict[str, int]:
    """Send, in this process, every e-mail that could be sent now: without a broker (`make
    run`) this is the later try for what failed, or what a stopped process left half-sent."""
    outcomes: dict[str, int] = {}
    due = OutgoingEmail.objects.filter(_claimable(timezone.now())).values_list("pk", flat=True)
    for pk in list(due):
        outcome = outgoing_email_send(email_id=pk)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes
