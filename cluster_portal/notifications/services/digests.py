"""The daily digest: one e-mail per person with what waits for it, sent by beat at a set hour
(Singapore time). Nothing is sent to a person with nothing waiting."""

import contextlib
import logging

from django.db import transaction

from ..kinds import UnknownKind, kind_get
from ..models import Delivery, Notification
from ..rendering import digest_email
from .outbox import outgoing_email_queue

logger = logging.getLogger(__name__)


def _waiting():
    return Notification.objects.filter(delivery=Delivery.DIGEST, email__isnull=True,
                                       read_at__isnull=True)


@transaction.atomic
def digest_send(*, person_id: int) -> bool:
    """Put one person's waiting notifications into one e-mail of the outbox. Safe to run twice
    or at once: the rows are locked (skipping locked ones) and marked with the e-mail."""
    items = list(_waiting().filter(recipient_id=person_id, recipient__is_active=True)
                 .select_for_update(skip_locked=True, of=("self",))
                 .select_related("recipient").order_by("created_at", "pk"))
    kinds = {}
    for key in {item.kind for item in items}:
        # A kind no app declares any more is left in the portal.
        with contextlib.suppress(UnknownKind):
            kinds[key] = kind_get(key)
    items = [item for item in items if item.kind in kinds]
    if not items:
        return False
    email = outgoing_email_queue(
        draft=digest_email(person=items[0].recipient, notifications=items, kinds=kinds))
    Notification.objects.filter(pk__in=[item.pk for item in items]).update(email=email)
    return True


def digests_send() -> int:
    """Every person's digest, each in its own transaction, so one that fails (and is logged)
    holds back nobody else's; its notices wait for the next run. Returns how many were queued."""
    # order_by() drops the model's ordering, which DISTINCT would otherwise count in.
    people = _waiting().filter(recipient__is_active=True).order_by().values_list(
        "recipient_id", flat=True).distinct()
    queued = 0
    for person_id in list(people):
        try:
            queued += digest_send(person_id=person_id)
        except Exception:  # one person's digest must not stop the others'
            logger.exception("The daily digest of person %s failed", person_id)
    return queued
