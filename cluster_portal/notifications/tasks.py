"""Celery adapters for notifications: plain values in, one service call out."""

from celery import shared_task

from .services import (
    digests_send,
    outgoing_email_send,
    outgoing_emails_sweep,
    outgoing_emails_tidy,
)


# The hard limit stays below the outbox's lease (OUTBOX_LEASE_SECONDS), so a worker still
# sending always finishes, or is stopped, before another may claim the same e-mail.
@shared_task(name="cluster_portal.notifications.tasks.send_outgoing_email", ignore_result=True,
             soft_time_limit=90, time_limit=120)
def send_outgoing_email(email_id: int) -> str:
    return outgoing_email_send(email_id=email_id)


@shared_task(name="cluster_portal.notifications.tasks.sweep_outbox", ignore_result=True,
             soft_time_limit=50, time_limit=60)
def sweep_outbox() -> int:
    return outgoing_emails_sweep()


@shared_task(name="cluster_portal.notifications.tasks.send_daily_digests", ignore_result=True)
def send_daily_digests() -> int:
    return digests_send()


@shared_task(name="cluster_portal.notifications.tasks.tidy_outbox", ignore_result=True)
def tidy_outbox() -> dict:
    return outgoing_emails_tidy()
