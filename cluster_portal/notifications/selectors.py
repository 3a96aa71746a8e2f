"""A person's own notifications; nobody reads anyone else's."""

from django.db.models import QuerySet

from .models import Notification


def notification_list(*, recipient) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=recipient).select_related("actor")


def notification_unread_count(*, recipient) -> int:
    return Notification.objects.filter(recipient=recipient, read_at__isnull=True).count()
