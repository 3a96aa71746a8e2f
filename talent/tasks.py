"""Celery adapters for training: plain values in, one service call out."""

from celery import shared_task

from .services import (
    certificate_batch_run,
    certificate_expiry_reminders_send,
    enrolment_offers_expire,
)


@shared_task(ignore_result=True, time_limit=300)
def expire_seat_offers() -> int:
    """Offers of a freed seat that were not answered in time pass to the next in line."""
    return enrolment_offers_expire()


@shared_task(ignore_result=True, acks_late=True, time_limit=1800, soft_time_limit=1700)
def issue_run_certificates(batch_id: int) -> None:
    """The certificates of a completed run (certificate_batch_start queues it after commit).
    Running it again issues nothing twice."""
    certificate_batch_run(batch_id=batch_id)


@shared_task(ignore_result=True, time_limit=600)
def remind_expiring_certificates() -> int:
    """Holders of a certificate that expires within a month are told, once (daily)."""
    return certificate_expiry_reminders_send()
