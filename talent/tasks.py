"""Celery adapters for training: plain values in, one service call out."""

from celery import shared_task

from .services import enrolment_offers_expire


@shared_task(ignore_result=True, time_limit=300)
def expire_seat_offers() -> int:
    """Offers of a freed seat that were not answered in time pass to the next in line."""
    return enrolment_offers_expire()
