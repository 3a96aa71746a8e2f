"""Who changed what, and when (design rule 7). Rows are written by services, never edited."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone


class AuditEvent(models.Model):
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", help_text="Empty when the portal itself acted (a scheduled task).",
    )
    action = models.CharField(max_length=60, help_text="Such as join_request.approve.")
    target_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    target_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("target_type", "target_id")
    target_repr = models.CharField(max_length=300)
    # What the change belongs to, when that is not the target itself: an invitation's or a
    # join request's organisation. An organisation's history is its own events and these.
    scope_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+",
                                   null=True, blank=True)
    scope_id = models.PositiveBigIntegerField(null=True, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target"),
                   models.Index(fields=["scope_type", "scope_id"], name="audit_scope")]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.created_at):%Y-%m-%d %H:%M} {self.action} " \
               f"{self.target_repr}"

    @property
    def description(self) -> str:
        """The action in words ("approved the registration"), as the app that records it says."""
        from .descriptions import describe

        return describe(self.action)
