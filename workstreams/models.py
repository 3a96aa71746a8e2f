"""The programme and its workstreams. New workstreams and platforms are rows, never code."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse


class Programme(models.Model):
    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=30, unique=True, help_text="Used in project codes.")
    slug = models.SlugField(max_length=60, unique=True)
    tagline = models.CharField(max_length=250, blank=True)
    description = models.TextField(blank=True)
    website = models.URLField(blank=True)
    is_featured = models.BooleanField(
        default=False, help_text="Presented on the home page (one programme at a time)."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_featured"], condition=Q(is_featured=True),
                name="workstreams_one_featured_programme",
            ),
        ]

    def __str__(self) -> str:
        return self.short_name


class ProgrammePhase(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="phases")
    number = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=120)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    summary = models.TextField(blank=True)

    class Meta:
        ordering = ["programme", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "number"], name="workstreams_phase_number"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="workstreams_phase_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme} phase {self.number}: {self.name}"


class Workstream(models.Model):
    class Kind(models.TextChoices):
        WORKSTREAM = "workstream", "Workstream"
        SHARED_PLATFORM = "platform", "Shared platform"
        THEME = "theme", "Cross-cutting theme"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        PLANNED = "planned", "Planned"

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="workstreams")
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children",
        help_text="For sub-workstreams and cross-cutting themes.",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.WORKSTREAM)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=80, unique=True)
    code = models.CharField(
        max_length=10, help_text="Short code used in project codes, such as CM or BC."
    )
    summary = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="led_workstreams", help_text="The programme staff member who leads it.",
    )
    display_order = models.PositiveSmallIntegerField(default=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["display_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "code"], name="workstreams_unique_code"),
            models.CheckConstraint(
                condition=~Q(parent=F("pk")), name="workstreams_not_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("workstreams:detail", kwargs={"slug": self.slug})

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE
