"""Who may do what with notifications beyond their own: the outbox is the programme office's."""

from cluster_portal.accounts.permissions import (
    is_programme_admin,
    is_programme_staff,
    may_use_admin_site,
)

from .kinds import Audience, NotificationKind


def may_manage_outbox(user) -> bool:
    """Programme admins (with MFA) watch the outgoing mail: resend what failed, lift a
    suppressed address."""
    return may_use_admin_site(user)


def may_receive_kind(user, kind: NotificationKind) -> bool:
    """Whether the kind is for this person at all, so preferences offer only their own kinds."""
    if kind.audience == Audience.EVERYONE:
        return True
    if kind.audience == Audience.PROGRAMME_STAFF:
        return is_programme_staff(user)
    return is_programme_admin(user)
