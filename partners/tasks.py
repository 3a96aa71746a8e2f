"""Celery adapters for partners: plain values in, one service call out."""

from celery import shared_task

from .services import organisation_tier_statuses_refresh
from .services.invitations import invitation_email_from_the_old_queue


@shared_task(ignore_result=True)
def refresh_tier_statuses() -> dict:
    return organisation_tier_statuses_refresh()


# The task name the portal used before the e-mail outbox. Messages of it still in the broker when
# this release is deployed are moved into the outbox instead of being dropped as unknown.
# Remove it in the release after this one.
@shared_task(name="partners.tasks.send_invitation_email", ignore_result=True)
def send_invitation_email(invitation_id: int, token: str) -> bool:
    return invitation_email_from_the_old_queue(invitation_id=invitation_id, token=token)
