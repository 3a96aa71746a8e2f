"""`notify`: the one way to tell a person something. Services call it in the transaction of the
change they make; it writes the in-app notice and, as each person's preference for the kind
says, an e-mail in the outbox now or a line in tomorrow's digest."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from cluster_portal.core.actors import person_of

from ..kinds import NotificationKind, kind_get
from ..models import Delivery, Notification, NotificationPreference
from ..rendering import notification_email
from .outbox import outgoing_emails_queue


def deliveries_for(people: list, kind: NotificationKind) -> dict[int, str]:
    """How each person receives `kind`: their choice, else the kind's default. One query."""
    if kind.locked:
        return {person.pk: Delivery.IMMEDIATELY for person in people}
    chosen = dict(NotificationPreference.objects.filter(
        person__in=[person.pk for person in people], kind=kind.key,
    ).values_list("person_id", "delivery"))
    return {person.pk: chosen.get(person.pk, kind.default) for person in people}


@transaction.atomic
def notify(
    *, recipients: Iterable, kind: "str | NotificationKind", message: str, url: str = "",
    actor=None, context: dict | None = None, address: str | None = None, reply_to: str = "",
) -> list[Notification]:
    """Tell every recipient (once each, never the actor themself) that something happened.

    `context` gives the kind's e-mail templates their details (names, a reason); `address`
    sends the e-mail to that address instead of the person's own (a security notice goes to
    the address that was just replaced); `reply_to` makes replies reach someone else than the
    portal (the person who wrote a message). Nothing is e-mailed to a deactivated account.
    """
    kind = kind_get(kind)
    actor = person_of(actor)  # work of the portal itself is told without a person's name
    seen, people = set(), []
    for person in recipients:
        if person is None or person.pk in seen or (actor is not None and person.pk == actor.pk):
            continue
        seen.add(person.pk)
        people.append(person)
    if not people:
        return []
    deliveries = deliveries_for(people, kind)
    notifications = Notification.objects.bulk_create([
        Notification(recipient=person, kind=kind.key, message=message[:500], url=url,
                     actor=actor, delivery=deliveries[person.pk])
        for person in people
    ])
    mailed = [n for n in notifications
              if n.delivery == Delivery.IMMEDIATELY and n.recipient.is_active]
    emails = outgoing_emails_queue(drafts=[
        notification_email(kind=kind, person=n.recipient, message=n.message, url=url,
                           actor=actor, context=context, address=address, reply_to=reply_to)
        for n in mailed
    ])
    for notification, email in zip(mailed, emails, strict=True):
        notification.email = email
    Notification.objects.bulk_update(mailed, ["email"])
    return notifications


@transaction.atomic
def notifications_mark_read(*, recipient, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the recipient's notifications read (all of them when no ids are given). One still
    waiting for the digest then stays out of it: the person has seen it."""
    unread = Notification.objects.filter(recipient=recipient, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=list(notification_ids))
    return unread.update(read_at=timezone.now())
