"""The e-mail outbox (DESIGN.md rule 4): every e-mail is a row written in the transaction of the
change that caused it, and sent once by a task.

- A queued row is handed to Celery after commit. When the broker is down the row waits, and the
  sweeper (beat, every minute) hands it over again once the broker is back.
- Sending claims the row with one conditional UPDATE, decided in the database: of two workers
  given the same row at once, one sends. The claim counts the attempt and takes a lease. A
  worker that dies mid-send leaves the lease to run out; the sweeper then hands the row out
  again, and a row whose attempts never finish is given up after MAX_ATTEMPTS, so a mail that
  kills its worker is not tried forever.
- A temporary failure (no connection, a 4xx answer) is tried again by the sweeper after a
  growing delay, over about a day; a permanent one (5xx) fails at once. An address the server
  refuses permanently is suppressed: later mail to it is held back instead of bouncing again.
"""

import logging
import smtplib
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.message import make_msgid
from django.db import transaction
from django.db.models import Case, F, Q, TextField, Value, When
from django.urls import reverse
from django.utils import timezone

from cluster_portal.accounts.roles import ProgrammeRole
from cluster_portal.accounts.selectors import staff_who_may_act
from cluster_portal.audit.services import audit_record
from cluster_portal.core.exceptions import Conflict, NotAllowed
from cluster_portal.core.queue import enqueue_on_commit

from ..drafts import EmailDraft
from ..models import OutgoingEmail, SuppressedAddress
from ..permissions import may_manage_outbox
from ..sealing import SealBroken, seal, unseal

logger = logging.getLogger(__name__)

SEND_TASK = "cluster_portal.notifications.tasks.send_outgoing_email"
# Mail a person asks for while they wait (verification, password reset) has this kind. It goes
# even to an address that bounced before: receiving it is how they show the mailbox works again.
ACCOUNT_KIND = "account"

# After the n-th failed attempt, the next comes this much later: about 16 hours in all.
RETRY_DELAYS = (
    timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1),
    timedelta(hours=2), timedelta(hours=4), timedelta(hours=8),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1

Status = OutgoingEmail.Status


@dataclass(frozen=True)
class SendFailure:
    text: str
    permanent: bool
    address_refused: bool = False


def _lease() -> timedelta:
    return timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _suppressed(addresses) -> set[str]:
    lowered = {address.lower() for address in addresses}
    if not lowered:
        return set()
    return set(SuppressedAddress.objects.filter(address__in=lowered)
               .values_list("address", flat=True))


def _held_reason(address: str) -> str:
    return (f"Held back: mail to {address} bounced before. It goes again once the person "
            "changes or confirms the address, or an admin lifts the suppression.")


@transaction.atomic
def outgoing_emails_queue(*, drafts: list[EmailDraft]) -> list[OutgoingEmail]:
    """Write the drafts to the outbox, in the caller's transaction, and hand each to a worker
    once that transaction commits."""
    if not drafts:
        return []
    now = timezone.now()
    held = _suppressed(draft.to for draft in drafts if draft.kind != ACCOUNT_KIND)
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
            last_error=_held_reason(draft.to) if is_held else "",
            next_attempt_at=now,
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
        status=Status.SENDING, attempts=F("attempts") + 1, lease_expires_at=now + _lease(),
    )
    if not claimed:
        return None
    return OutgoingEmail.objects.select_related("recipient").get(pk=email_id)


def _still_ours(email: OutgoingEmail):
    """The row as long as this claim holds it: a worker whose lease ran out, and whose row
    another worker claimed since (counting one more attempt), settles nothing."""
    return OutgoingEmail.objects.filter(pk=email.pk, status=Status.SENDING,
                                        attempts=email.attempts)


def _finish(email: OutgoingEmail, *, status: str, error: str = "", **fields) -> None:
    changes = {"status": status, "lease_expires_at": None, "last_error": error[:2000], **fields}
    if email.sealed and status in (Status.SENT, Status.CANCELLED):
        changes.update(body_text="", body_html="")  # the secret now lives only in the mailbox
    _still_ours(email).update(**changes)


def _reason_not_to_send(email: OutgoingEmail) -> tuple[str, str] | None:
    if email.attempts > MAX_ATTEMPTS:
        return Status.FAILED, (
            f"Given up after {email.attempts - 1} attempts; the last ones never finished (the "
            "worker sending it stopped), so it is not tried again on its own.")
    if email.recipient is not None and not email.recipient.is_active:
        return Status.CANCELLED, "The person's account is deactivated."
    if email.kind != ACCOUNT_KIND and _suppressed([email.to]):
        return Status.HELD, _held_reason(email.to)
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


def _reply_text(code: int, reply) -> str:
    reply = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
    return f"{code} {reply}".strip()


def send_failure_of(error: Exception) -> SendFailure:
    """Whether trying again later could help. 5xx answers about this message or its recipient
    are final; trouble with the server itself (no connection, 4xx, login) may pass."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, reply = next(iter(error.recipients.values()))
        permanent = code >= 500
        return SendFailure(_reply_text(code, reply), permanent, address_refused=permanent)
    if isinstance(error, smtplib.SMTPSenderRefused | smtplib.SMTPDataError):
        return SendFailure(_reply_text(error.smtp_code, error.smtp_error), error.smtp_code >= 500)
    if isinstance(error, smtplib.SMTPResponseException):  # greeting, HELO, login
        return SendFailure(_reply_text(error.smtp_code, error.smtp_error), permanent=False)
    if isinstance(error, SealBroken):
        return SendFailure(str(error), permanent=True)
    if isinstance(error, OSError):  # refused or lost connection, timeout, unknown host
        return SendFailure(f"{type(error).__name__}: {error}".strip(": "), permanent=False)
    logger.error("Unexpected error while sending an e-mail", exc_info=error)
    return SendFailure(f"{type(error).__name__}: {error}", permanent=False)


def _after_failure(email: OutgoingEmail, error: Exception) -> str:
    failure = send_failure_of(error)
    if not failure.permanent and email.attempts < MAX_ATTEMPTS:
        delay = RETRY_DELAYS[email.attempts - 1]
        _still_ours(email).update(
            status=Status.QUEUED, lease_expires_at=None, last_error=failure.text,
            next_attempt_at=timezone.now() + delay,
        )
        logger.warning("Outgoing e-mail %s to %s failed (%s); trying again in %s",
                       email.pk, email.to, failure.text, delay)
        return "retry"
    text = failure.text if failure.permanent else (
        f"Given up after {email.attempts} attempts. The last answer: {failure.text}")
    with transaction.atomic():
        _finish(email, status=Status.FAILED, error=text)
        if failure.address_refused:
            SuppressedAddress.objects.get_or_create(
                address=email.to.lower(), defaults={"reason": text, "bounced_email": email})
        _tell_programme_admins(email, text)
    logger.error("Outgoing e-mail %s to %s failed: %s", email.pk, email.to, text)
    return Status.FAILED


def _tell_programme_admins(email: OutgoingEmail, text: str) -> None:
    from ..notification_kinds import EMAIL_FAILED
    from .notify import notify

    if email.kind == EMAIL_FAILED.key:
        return  # a notice about a failed notice would only fail again
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
            _finish(email, status=status, error=text)
            if status == Status.FAILED:
                _tell_programme_admins(email, text)
        return status
    try:
        _message_of(email).send()
    except Exception as error:  # every failure is recorded on the row; none is lost
        return _after_failure(email, error)
    _finish(email, status=Status.SENT, sent_at=timezone.now())
    return Status.SENT


def outgoing_emails_sweep(*, limit: int = 500) -> int:
    """Hand out again what is due: mail never tried that has waited past the grace period (its
    hand-off was lost to a broker outage), mail waiting for another try, and what a dead worker
    left (its lease ran out)."""
    now = timezone.now()
    grace = timedelta(seconds=settings.OUTBOX_SWEEP_GRACE_SECONDS)
    due = list(
        OutgoingEmail.objects.filter(
            # Never tried: its hand-off at commit normally takes it within the grace period.
            Q(status=Status.QUEUED, attempts=0, next_attempt_at__lte=now - grace)
            # Waiting for another try: nobody else hands it out, so as soon as it is due.
            | Q(status=Status.QUEUED, attempts__gt=0, next_attempt_at__lte=now)
            | Q(status=Status.SENDING, lease_expires_at__lte=now)
        ).order_by("next_attempt_at").values_list("pk", flat=True)[:limit]
    )
    for pk in due:
        enqueue_on_commit(SEND_TASK, pk)
    return len(due)


# --- What admins and other services do to a row -------------------------------------------


@transaction.atomic
def outgoing_email_resend(*, actor, email: OutgoingEmail) -> OutgoingEmail:
    """A programme admin sends a failed, held or cancelled e-mail again. Resending mail that
    bounced lifts the address's suppression: the admin has decided it works again."""
    if not may_manage_outbox(actor):
        raise NotAllowed("Only programme admins resend e-mails.")
    email = OutgoingEmail.objects.select_for_update().get(pk=email.pk)
    if email.status == Status.SENT:
        sent_at = timezone.localtime(email.sent_at)
        raise Conflict(f"This e-mail was already sent, on {sent_at:%d %b %Y at %H:%M}. Nothing "
                       "was changed.", code="already_sent")
    if email.status in (Status.QUEUED, Status.SENDING):
        raise Conflict("This e-mail is still waiting to be sent. Nothing was changed.",
                       code="not_settled")
    if email.sealed and not email.body_text:
        raise Conflict("This e-mail's one-time link was erased when it was cancelled; it can't be "
                       "sent again. Send a new invitation instead.", code="erased")
    lifted, _ = SuppressedAddress.objects.filter(address=email.to.lower()).delete()
    before = email.status
    email.status, email.attempts, email.last_error = Status.QUEUED, 0, ""
    email.next_attempt_at, email.lease_expires_at = timezone.now(), None
    email.save(update_fields=["status", "attempts", "last_error", "next_attempt_at",
                              "lease_expires_at"])
    audit_record(actor=actor, action="outgoing_email.resend", target=email,
                 changes={"status": [before, Status.QUEUED], "suppression_lifted": bool(lifted)})
    enqueue_on_commit(SEND_TASK, email.pk)
    return email


def outgoing_emails_cancel(*, email_ids: list[int], reason: str) -> int:
    """Stop e-mails that have not gone yet (an invitation revoked before it was sent); sealed
    ones lose their bodies, and with them the secret. One already sent, or being sent by a
    live worker, can't be stopped. Returns how many were."""
    if not email_ids:
        return 0
    erased = Case(When(sealed=True, then=Value("")), default=F("body_text"),
                  output_field=TextField())
    erased_html = Case(When(sealed=True, then=Value("")), default=F("body_html"),
                       output_field=TextField())
    unsent = Q(status__in=[Status.QUEUED, Status.FAILED, Status.HELD]) | Q(
        status=Status.SENDING, lease_expires_at__lte=timezone.now())  # a dead worker's
    return OutgoingEmail.objects.filter(unsent, pk__in=email_ids).update(
        status=Status.CANCELLED, last_error=reason, body_text=erased, body_html=erased_html)


def _lift(*, actor, address: str, why: str) -> bool:
    suppression = SuppressedAddress.objects.filter(address=address.lower()).first()
    if suppression is None:
        return False
    audit_record(actor=actor, action="suppressed_address.lift", target=suppression,
                 changes={"reason": suppression.reason, "lifted_because": why})
    suppression.delete()
    return True


@transaction.atomic
def suppressed_address_lift(*, actor, address: str) -> bool:
    """A programme admin lets mail go to a suppressed address again. Mail held back for it
    meanwhile stays held; the admin resends what still matters."""
    if not may_manage_outbox(actor):
        raise NotAllowed("Only programme admins lift a suppressed address.")
    return _lift(actor=actor, address=address, why="lifted by a programme admin")


@transaction.atomic
def suppressed_address_confirmed(*, person, address: str) -> bool:
    """The person confirmed `address` (they opened the link mailed to it), so it works again."""
    return _lift(actor=person, address=address, why="the person confirmed the address")
