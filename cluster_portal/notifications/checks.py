"""System checks of the notifications service's settings."""

from django.conf import settings
from django.core.checks import Error, register


@register()
def outbox_lease_outlasts_the_send_task(app_configs, **kwargs) -> list[Error]:
    """A worker's lease on an e-mail must outlast the send task's hard time limit; otherwise a
    live but slow sender could see a second worker claim and send the same e-mail."""
    from .tasks import send_outgoing_email

    limit = send_outgoing_email.time_limit
    if limit and limit >= settings.OUTBOX_LEASE_SECONDS:
        return [Error(
            f"OUTBOX_LEASE_SECONDS ({settings.OUTBOX_LEASE_SECONDS}) must be longer than the send "
            f"task's hard time limit ({limit} s).", id="notifications.E001",
        )]
    return []
