"""Writes of the notifications service, by concern: `notify` (telling people), `outbox` (the
e-mail outbox: queueing and handing out), `sending` (sending one e-mail, and telling the
programme admins of a failure), `outbox_upkeep` (resending, cancelling, suppressions, the
daily tidy), `preferences` and `digests`."""

from .digests import digest_send, digests_send
from .notify import notifications_mark_read, notify
from .outbox import outgoing_email_queue, outgoing_emails_queue, outgoing_emails_sweep
from .outbox_upkeep import (
    outgoing_email_resend,
    outgoing_emails_cancel,
    outgoing_emails_tidy,
    suppressed_address_confirmed,
    suppressed_address_lift,
)
from .preferences import notification_preferences_set, notification_unsubscribe
from .sending import outgoing_email_send, outgoing_emails_send_due

__all__ = [
    "digest_send",
    "digests_send",
    "notification_preferences_set",
    "notification_unsubscribe",
    "notifications_mark_read",
    "notify",
    "outgoing_email_queue",
    "outgoing_email_resend",
    "outgoing_email_send",
    "outgoing_emails_cancel",
    "outgoing_emails_queue",
    "outgoing_emails_send_due",
    "outgoing_emails_sweep",
    "outgoing_emails_tidy",
    "suppressed_address_confirmed",
    "suppressed_address_lift",
]
