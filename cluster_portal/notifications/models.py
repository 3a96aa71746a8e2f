"""What the portal has told a person, how each person wants to be told, and the e-mail outbox.

The kinds of notification are declared by the apps that send them (`kinds.py`); a row stores
the kind's key.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Delivery(models.TextChoices):
    """How a notification reaches a person beyond the portal's own notifications page."""

    IMMEDIATELY = "immediately", "By e-mail, at once"
    DIGEST = "digest", "In a daily e-mail digest"
    IN_APP = "in_app", "In the portal only"


class OutgoingEmail(models.Model):
    """One e-mail to one address, written in the same transaction as the change that caused it
    and sent once by a task (`services/outbox.py`). A row is never deleted: it is the record of
    what the portal sent, failed to send or held back."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to be sent"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        HELD = "held", "Held back: the address bounced"
        CANCELLED = "cancelled", "Cancelled"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", help_text="The person, when the address belongs to an account.",
    )
    to = models.EmailField("to", max_length=254)
    kind = models.CharField(
        max_length=60, db_index=True,
        help_text="The notification kind, or digest, account (sign-up, password reset) or "
                  "invitation.",
    )
    subject = models.CharField(max_length=300)
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    sealed = models.BooleanField(
        default=False,
        help_text="The bodies are encrypted because they carry a one-time link or code; they are "
                  "erased once the e-mail is sent.",
    )
    reply_to = models.EmailField(max_length=254, blank=True)
    headers = models.JSONField(default=dict, blank=True)
    # The same for every attempt, so a copy sent twice after a crash is recognisably one e-mail.
    message_id = models.CharField(max_length=200)

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    # While a worker sends, no other may; a worker that died leaves the lease to run out.
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    # When the sweeper last gave it to the broker: a row waiting in a long queue is not given
    # again at every sweep. Cleared when a worker takes it.
    handed_out_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "outgoing e-mail"
        indexes = [
            # What the sweeper looks for every minute: a few rows among a growing history.
            models.Index(
                fields=["next_attempt_at"], name="notifications_outbox_due",
                condition=Q(status__in=["queued", "sending"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to}"

    @property
    def problem_in_words(self) -> str:
        """Why it did not go, as the person who caused it (an inviter) may read it: the mail
        server's own answer is for the programme office, in the admin."""
        if self.status == self.Status.HELD:
            return "Mail to this address bounced before, so it was not sent."
        if self.status == self.Status.FAILED:
            return "The receiving mail server did not accept it."
        return ""


class SuppressedAddress(models.Model):
    """An address whose mail server refused it permanently (5xx). Mail to it is held back until
    the person changes or confirms their address again, or the programme office lifts it, so a
    dead mailbox does not collect a retry storm."""

    address = models.EmailField(max_length=254, unique=True)
    reason = models.TextField(help_text="What the mail server answered.")
    bounced_email = models.ForeignKey(
        OutgoingEmail, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "suppressed addresses"

    def __str__(self) -> str:
        return self.address


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=60)
    message = models.CharField(max_length=500)
    url = models.CharField(max_length=300, blank=True, help_text="Where the person can act on it.")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # Decided when the notification is made, from the person's preference for its kind.
    delivery = models.CharField(max_length=20, choices=Delivery.choices, default=Delivery.IN_APP)
    # The e-mail that carried it: its own, or the digest it went out in.
    email = models.ForeignKey(
        OutgoingEmail, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="notifications",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notifications_unread"),
            # What the daily digest collects: unread, waiting for a digest, not yet in one.
            models.Index(
                fields=["recipient", "created_at"], name="notifications_digest_pending",
                condition=Q(delivery="digest", email__isnull=True, read_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.message}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(models.Model):
    """A person's choice for one kind. Without a row, the kind's default applies."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    kind = models.CharField(max_length=60)
    delivery = models.CharField(max_length=20, choices=Delivery.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "kind"],
                                    name="notifications_one_preference_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.kind} → {self.delivery}"
