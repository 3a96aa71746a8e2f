"""What the portal can tell a person about. Each app declares the kinds it sends (in its own
`notification_kinds.py`) and registers them when Django starts, so the platform never imports a
domain app to learn them.

A kind carries what every part of the notifications service needs: the label a person sees on
the preferences page, the reason printed under its e-mails, its templates, how it is delivered
unless the person chose otherwise, and whether the person may choose at all (security notices
may not be turned off).
"""

from dataclasses import dataclass
from enum import StrEnum

from .models import Delivery


class Audience(StrEnum):
    """Who may receive a kind, so the preferences page offers each person only their own."""

    EVERYONE = "everyone"
    PROGRAMME_STAFF = "programme_staff"
    PROGRAMME_ADMIN = "programme_admin"


@dataclass(frozen=True)
class NotificationKind:
    key: str
    label: str
    # Ends the sentence "You received this e-mail because ...".
    reason: str
    # The folder of templates/ that holds the kind's e-mail: `<app>/email/<key>_subject.txt`
    # and `_message.txt`.
    app: str
    group: str
    default: Delivery = Delivery.IMMEDIATELY
    # A locked kind is always e-mailed at once (security notices): no preference changes it.
    locked: bool = False
    audience: Audience = Audience.EVERYONE

    def __str__(self) -> str:
        return self.key

    @property
    def template_prefix(self) -> str:
        return f"{self.app}/email/{self.key}"


class UnknownKind(LookupError):
    pass


_KINDS: dict[str, NotificationKind] = {}


def register(*kinds: NotificationKind) -> None:
    """Called from each app's `AppConfig.ready()`; registering the same kind again is harmless."""
    for kind in kinds:
        known = _KINDS.get(kind.key)
        if known is not None and known != kind:
            raise ValueError(f"Two different notification kinds are named {kind.key!r}.")
        _KINDS[kind.key] = kind


def kind_get(key: "str | NotificationKind") -> NotificationKind:
    if isinstance(key, NotificationKind):
        return key
    try:
        return _KINDS[key]
    except KeyError as error:
        raise UnknownKind(f"No notification kind is named {key!r}.") from error


def kinds_all() -> list[NotificationKind]:
    """Every registered kind, grouped as the preferences page shows them: what concerns the
    person first, then what they hear of as programme staff; groups in the order the apps
    registered them, kinds in their declared order."""
    groups: dict[str, list[NotificationKind]] = {}
    for kind in sorted(_KINDS.values(), key=lambda kind: kind.audience != Audience.EVERYONE):
        groups.setdefault(kind.group, []).append(kind)
    return [kind for kinds in groups.values() for kind in kinds]
