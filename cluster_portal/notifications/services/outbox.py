"""The e-mail outbox (design rule 4): every e-mail is a row written in the transaction of the
change that caused it, and sent once by a task (sending.py sends it; this module queues it and
hands it out).

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

from datetime import timedelta

from django.conf import settings
from django.core.mail.message import make_msgid
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cluster_portal.core.queue import enqueue_on_commit

from ..drafts import EmailDraft
from ..models import OutgoingEmail, SuppressedAddress
from ..sealing import seal

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
