"""The programme and its workstreams. New workstreams and platforms are rows, never code."""

import datetime
import posixpath

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from cluster_portal.core.storage import private_storage
from cluster_portal.core.transitions import Decision, StateMachine


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


class JoinRequest(Decision):
    """An organisation asks to join a workstream; programme staff approve or decline it."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    MOVES = StateMachine(Status, {
        Status.PENDING: (Status.APPROVED, Status.DECLINED, Status.WITHDRAWN),
    })

    organisation = models.ForeignKey(
        "partners.Organisation", on_delete=models.CASCADE, related_name="join_requests"
    )
    workstream = models.ForeignKey(Workstream, on_delete=models.CASCADE,
                                   related_name="join_requests")
    motivation = models.TextField()
    code_of_conduct_acknowledged_at = models.DateTimeField(
        help_text="When the requester acknowledged the competition-law code of conduct.",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField("requested at", auto_now_add=True)
    granted_role = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "workstream"], condition=Q(status="pending"),
                name="workstreams_one_pending_join_request",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} → {self.workstream} ({self.get_status_display()})"

    @property
    def is_pending(self) -> bool:
        """Still to be decided: its state allows a move (MOVES), so pages offer the decisions."""
        return not self.MOVES.is_final(self)


class WorkstreamMembership(models.Model):
    """An organisation's membership of a workstream. Active while `until` is empty."""

    class Role(models.TextChoices):
        CORE = "core", "Core member"
        ASSOCIATE = "associate", "Associate member"
        OBSERVER = "observer", "Observer"

    organisation = models.ForeignKey(
        "partners.Organisation", on_delete=models.CASCADE, related_name="workstream_memberships"
    )
    workstream = models.ForeignKey(Workstream, on_delete=models.CASCADE,
                                   related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    since = models.DateField()
    until = models.DateField(null=True, blank=True)
    join_request = models.OneToOneField(
        JoinRequest, on_delete=models.SET_NULL, null=True, blank=True, related_name="membership"
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    end_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["workstream", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "workstream"], condition=Q(until__isnull=True),
                name="workstreams_one_active_membership",
            ),
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=F("since")),
                name="workstreams_membership_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} in {self.workstream} ({self.get_role_display()})"

    @property
    def is_active(self) -> bool:
        return self.until is None


class WorkstreamMeeting(models.Model):
    """A meeting in a workstream's members-only area. Members add it to their calendars (one
    .ics file, or their feed of every meeting), so what a calendar needs is kept here: an end,
    and a sequence number that grows whenever the time or the place changes."""

    # How long a meeting lasts when no end is given.
    DEFAULT_LENGTH = datetime.timedelta(hours=1)
    # Changing any of these moves the meeting in people's calendars: the sequence grows.
    SCHEDULE_FIELDS = ("title", "starts_at", "ends_at", "location")

    workstream = models.ForeignKey(Workstream, on_delete=models.CASCADE, related_name="meetings")
    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(
        null=True, blank=True, help_text="Leave empty for a meeting of one hour.")
    location = models.CharField(max_length=200, blank=True)
    agenda = models.TextField(blank=True)
    sequence = models.PositiveIntegerField(
        default=0, editable=False,
        help_text="How often the meeting was rescheduled or moved (iCalendar SEQUENCE).")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=F("starts_at")),
                name="workstreams_meeting_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.workstream}: {self.title}"

    @property
    def ends_at_or_default(self) -> datetime.datetime:
        return self.ends_at or self.starts_at + self.DEFAULT_LENGTH


class WorkstreamMeetingFile(models.Model):
    """A meeting's agenda, minutes or a paper for it. Kept in private storage and served only
    through an access-checked view, as the workstream's documents are."""

    class Kind(models.TextChoices):
        AGENDA = "agenda", "Agenda"
        MINUTES = "minutes", "Minutes"
        PAPER = "paper", "Paper"

    meeting = models.ForeignKey(WorkstreamMeeting, on_delete=models.CASCADE,
                                related_name="files")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    file = models.FileField(upload_to="workstreams/meetings/", storage=private_storage)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["meeting", "kind", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.meeting.title}"

    @property
    def filename(self) -> str:
        return posixpath.basename(self.file.name)


class MeetingCalendarFeed(models.Model):
    """A person's subscription to the meetings of their organisations' workstreams. The address
    a calendar app polls carries a token signed with the key below; a new key (renewing the
    link) or no row at all (turning it off) makes every earlier address answer 404."""

    person = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="meeting_calendar_feed")
    key = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Meetings calendar of {self.person}"


class WorkstreamDocument(models.Model):
    """A document shared in a workstream's members-only area. Served only through an
    access-checked view, never as a public media URL."""

    workstream = models.ForeignKey(Workstream, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(max_length=200)
    file = models.FileField(upload_to="workstreams/documents/", storage=private_storage)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.title
