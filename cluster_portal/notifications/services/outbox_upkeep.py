"""What people and other services do to the outbox's rows, besides sending them: a programme
admin resends a failed e-mail or lets mail go to a suppressed address again, a service stops an
e-mail that should not go any more, and the daily tidy erases what need not be kept."""

from datetime import timedelta

from django.db import transaction
from django.db.models import Case, F, Q, TextField, Value, When
from django.utils import timezone

from cluster_portal.audit.services import audit_record
from cluster_portal.core.exceptions import Conflict, NotAllowed
from cluster_portal.core.queue import enqueue_on_commit

from ..models import OutgoingEmail, SuppressedAddress
from ..permissions import may_manage_outbox
from .outbox import SEND_TASK

Status = OutgoingEmail.Status

# A sealed e-mail that did not go keeps its secret no longer than the secret could be used:
# invitations expire after 14 days, password-reset and verification links sooner.
UNSENT_SECRETS_KEPT_FOR = timedelta(days=14)
# The text of what was sent is kept this long for the programme office to look at; the row
# itself (who, what, when, how it went) stays as the record.
SENT_BODIES_KEPT_FOR = timedelta(days=90)


def _erased_unless_kept(column: str, keep: Q):
    return Case(When(keep, then=F(column)), default=Value(""), output_field=TextField())


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
        raise Conflict("This e-mail's one-time link was erased (it was cancelled, or kept past "
                       "the link's life); it can't be sent again. Send a new invitation or ask "
                       "the person to request a new link.", code="erased")
    lifted, _ = SuppressedAddress.objects.filter(address=email.to.lower()).delete()
    before = email.status
    email.status, email.attempts, email.last_error = Status.QUEUED, 0, ""
    email.next_attempt_at, email.lease_expires_at, email.handed_out_at = timezone.now(), None, None
    email.save(update_fields=["status", "attempts", "last_error", "next_attempt_at",
                              "lease_expires_at", "handed_out_at"])
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
    unsent = Q(status__in=[Status.QUEUED, Status.FAILED, Status.HELD]) | Q(
        status=Status.SENDING, lease_expires_at__lte=timezone.now())  # a dead worker's
    not_sealed = Q(sealed=False)
    return OutgoingEmail.objects.filter(unsent, pk__in=email_ids).update(
        status=Status.CANCELLED, last_error=reason,
        body_text=_erased_unless_kept("body_text", not_sealed),
        body_html=_erased_unless_kept("body_html", not_sealed),
    )


def outgoing_emails_tidy() -> dict[str, int]:
    """The daily tidy: sealed bodies of mail that never went are erased once their secret has
    expired, and the bodies of sent mail after SENT_BODIES_KEPT_FOR. Rows are kept."""
    now = timezone.now()
    unsent_secrets = OutgoingEmail.objects.filter(
        sealed=True, status__in=[Status.FAILED, Status.HELD],
        created_at__lte=now - UNSENT_SECRETS_KEPT_FOR).exclude(body_text="")
    old_sent = OutgoingEmail.objects.filter(
        status=Status.SENT, created_at__lte=now - SENT_BODIES_KEPT_FOR).exclude(body_text="")
    return {
        "secrets_erased": unsent_secrets.update(body_text="", body_html=""),
        "bodies_erased": old_sent.update(body_text="", body_html=""),
    }


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
