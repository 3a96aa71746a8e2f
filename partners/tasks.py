"""Celery adapters for partners: load by id, call one service or send one mail."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .models import Invitation
from .services import organisation_membership_statuses_refresh


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_invitation_email(self, invitation_id: int, token: str) -> bool:
    """Mail the invitation link. Skips an invitation that is no longer open (idempotent)."""
    invitation = Invitation.objects.select_related("organisation", "invited_by").filter(
        pk=invitation_id).first()
    if invitation is None or invitation.status_at(timezone.now()) != Invitation.Status.PENDING:
        return False
    url = settings.PORTAL_BASE_URL.rstrip("/") + reverse("partners:invitation", args=[token])
    context = {"invitation": invitation, "url": url}
    send_mail(
        subject=f"[Cluster Portal] {invitation.organisation.name} invites you",
        message=render_to_string("partners/email/invitation.txt", context),
        from_email=None,
        recipient_list=[invitation.email],
    )
    return True


@shared_task
def refresh_membership_statuses() -> dict:
    return organisation_membership_statuses_refresh()
