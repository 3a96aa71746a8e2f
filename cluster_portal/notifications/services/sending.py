"""Sending an e-mail of the outbox (outbox.py queues them and hands them out): claimed with one
conditional UPDATE, so of two workers given the same row one sends; a temporary failure is
tried again later, a permanent one fails at once and the programme admins are told (through
notify, which in turn queues its e-mails in the outbox: this module sits above both)."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from cluster_portal.accounts.roles import ProgrammeRole
from cluster_portal.accounts.selectors import staff_who_may_act

from ..models import OutgoingEmail, SuppressedAddress
from ..notification_kinds import EMAIL_FAILED
from ..sealing import unseal
from ..smtp_failures import send_failure_of
from .notify import notify
from .outbox import (
    ACCOUNT_KIND,
    HELD_REASON,
    MAX_ATTEMPTS,
    RETRY_DELAYS,
    _ignores_suppression,
    lease,
    suppressed,
)

logger = logging.getLogger(__name__)

Status = OutgoingEmail.Status


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


def outgoing_emails_send_due() -> dict[str, int]:
    """Send, in this process, every e-mail that could be sent now: without a broker (`make
    run`) this is the later try for what failed, or what a stopped process left half-sent."""
    outcomes: dict[str, int] = {}
    due = OutgoingEmail.objects.filter(_claimable(timezone.now())).values_list("pk", flat=True)
    for pk in list(due):
        outcome = outgoing_email_send(email_id=pk)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes
