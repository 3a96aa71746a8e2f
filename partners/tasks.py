"""Celery adapters for partners: plain values in, one service call out."""

from celery import shared_task

from .services import organisation_membership_statuses_refresh


@shared_task(ignore_result=True)
def refresh_membership_statuses() -> dict:
    return organisation_membership_statuses_refresh()
