"""What the portal has told a person. In-app today; e-mail delivery and preferences extend it."""

from django.conf import settings
from django.db import models


class Notification(models.Model):
    class Kind(models.TextChoices):
        ORGANISATION_REGISTERED = "organisation_registered", "Organisation registered"
        ORGANISATION_APPROVED = "organisation_approved", "Organisation approved"
        ORGANISATION_DECLINED = "organisation_declined", "Organisation declined"
        PERSON_REQUESTED_TO_JOIN = "person_requested", "Someone asked to join an organisation"
        PERSON_REQUEST_DECIDED = "person_request_decided", "Request to join an organisation decided"
        INVITATION_SENT = "invitation_sent", "Invitation to an organisation"
        INVITATION_ACCEPTED = "invitation_accepted", "Invitation accepted"
        ROLE_CHANGED = "role_changed", "Role in an organisation changed"
        REMOVED_FROM_ORGANISATION = "removed", "Removed from an organisation"
        JOIN_REQUEST_SUBMITTED = "join_request_submitted", "Workstream join request submitted"
        JOIN_REQUEST_DECIDED = "join_request_decided", "Workstream join request decided"
        JOIN_REQUEST_WITHDRAWN = "join_request_withdrawn", "Workstream join request withdrawn"
        WORKSTREAM_MEMBERSHIP_ENDED = "workstream_membership_ended", "Workstream membership ended"
        TIER_RENEWAL_DUE = "tier_renewal_due", "Programme membership renewal due"
        TIER_STATUS_CHANGED = "tier_status_changed", "Programme membership status changed"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=40, choices=Kind.choices)
    message = models.CharField(max_length=500)
    url = models.CharField(max_length=300, blank=True, help_text="Where the person can act on it.")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notifications_unread"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.message}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
