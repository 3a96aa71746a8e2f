"""A person's own notifications and settings; nobody reads anyone else's."""

from dataclasses import dataclass

from django.db.models import QuerySet

from .kinds import NotificationKind, kinds_all
from .models import Delivery, Notification, NotificationPreference
from .permissions import may_receive_kind


def notification_list(*, recipient) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=recipient).select_related("actor")


def notification_unread_count(*, recipient) -> int:
    return Notification.objects.filter(recipient=recipient, read_at__isnull=True).count()


@dataclass(frozen=True)
class PreferenceRow:
    kind: NotificationKind
    delivery: str

    @property
    def is_default(self) -> bool:
        return self.delivery == self.kind.default

    @property
    def delivery_label(self) -> str:
        return Delivery(self.delivery).label


def notification_preferences_for(person) -> list[PreferenceRow]:
    """Every kind the person may receive, with how they receive it (their choice or the
    kind's default), in the order the preferences page shows them. One query."""
    chosen = dict(NotificationPreference.objects.filter(person=person)
                  .values_list("kind", "delivery"))
    return [
        PreferenceRow(kind=kind, delivery=kind.default if kind.locked
                      else chosen.get(kind.key, kind.default))
        for kind in kinds_all() if may_receive_kind(person, kind)
    ]
