"""The one way to tell a person something. Services call `notify` after they change state.

Today a notification is a row shown in the portal. E-mail delivery and per-person preferences
extend `notify` here, so no caller changes when they arrive.
"""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from .models import Notification


@transaction.atomic
def notify(
    *, recipients: Iterable, kind: str, message: str, url: str = "", actor=None
) -> list[Notification]:
    """Tell every recipient (once each, never the actor themself) that something happened."""
    seen, notifications = set(), []
    for person in recipients:
        if person is None or person.pk in seen or (actor is not None and person.pk == actor.pk):
            continue
        seen.add(person.pk)
        notifications.append(
            Notification(recipient=person, kind=kind, message=message[:500], url=url, actor=actor)
        )
    return Notification.objects.bulk_create(notifications)


@transaction.atomic
def notifications_mark_read(*, recipient, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the recipient's notifications read (all of them when no ids are given)."""
    unread = Notification.objects.filter(recipient=recipient, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=list(notification_ids))
    return unread.update(read_at=timezone.now())
