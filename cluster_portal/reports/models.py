"""Reports built in the background: who asked for what, how far it got, and its file."""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q

from cluster_portal.core.storage import private_storage


class ReportJob(models.Model):
    """One report asked for: its kind, format and parameters, built by a task into a private
    file that only its requester and programme admins download, until it expires."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Being built"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "Excel (XLSX)"
        PDF = "pdf", "PDF"

    kind = models.CharField(max_length=40)
    format = models.CharField(max_length=10, choices=Format.choices)
    parameters = models.JSONField(default=dict, blank=True)
    # The kind, format and parameters in one canonical string: the same request while one
    # is at work returns that one (the constraint below).
    fingerprint = models.CharField(max_length=64, editable=False)
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="report_jobs")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(100)])
    rows = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="reports/", storage=private_storage, blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    # When its file was deleted for having expired (the row stays, to say so).
    expired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["requester", "fingerprint"], condition=Q(status__in=["queued", "running"]),
                name="reports_one_identical_job_at_work"),
            models.CheckConstraint(condition=Q(progress__lte=100),
                                   name="reports_progress_is_a_percentage"),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="reports_status_created")]

    def __str__(self) -> str:
        return f"{self.kind} ({self.format}) for {self.requester}"

    @property
    def is_at_work(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
