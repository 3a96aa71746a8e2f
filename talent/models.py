"""Training the cluster's workforce: the skills framework, courses and their runs, sessions,
enrolments with exact capacity and waitlists, attendance, certificates and learning paths."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from cluster_portal.core.transitions import Decision, StateMachine
from cluster_portal.core.validators import validate_single_line


class ProficiencyLevel(models.IntegerChoices):
    """The framework's six levels, from knowing about a skill to shaping how the industry
    practises it."""

    AWARENESS = 1, "1 · Awareness"
    FOUNDATION = 2, "2 · Foundation"
    PRACTITIONER = 3, "3 · Practitioner"
    ADVANCED = 4, "4 · Advanced"
    EXPERT = 5, "5 · Expert"
    LEADER = 6, "6 · Thought leader"


def level_field(**kwargs) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        choices=ProficiencyLevel.choices,
        validators=[MinValueValidator(1), MaxValueValidator(6)], **kwargs)


class Skill(models.Model):
    """A skill of the biopharmaceutical-manufacturing skills framework (loaded from
    talent/data/skills_framework.csv; staff add more)."""

    class Category(models.TextChoices):
        PROCESS = "process", "Process technology"
        QUALITY = "quality", "Quality and compliance"
        DIGITAL = "digital", "Data and digitalisation"
        ENGINEERING = "engineering", "Engineering and automation"
        OPERATIONS = "operations", "Operations and supply chain"
        SCIENCE = "science", "Science"

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120, unique=True, validators=[validate_single_line])
    category = models.CharField(max_length=20, choices=Category.choices)
    description = models.TextField(blank=True, max_length=1000)

    class Meta:
        ordering = ["category", "name"]

    def __str__(self) -> str:
        return self.name


class WorkstreamSkillNeed(models.Model):
    """A skill, at a level, that a workstream needs its people to hold."""

    workstream = models.ForeignKey("workstreams.Workstream", on_delete=models.CASCADE,
                                   related_name="skill_needs")
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="needed_by")
    level = level_field()

    class Meta:
        ordering = ["workstream", "skill__name"]
        constraints = [models.UniqueConstraint(fields=["workstream", "skill"],
                                               name="talent_one_need_per_skill")]

    def __str__(self) -> str:
        return f"{self.workstream}: {self.skill} (level {self.level})"


class Course(models.Model):
    class Mode(models.TextChoices):
        CLASSROOM = "classroom", "Classroom"
        ONLINE = "online", "Online"
        BLENDED = "blended", "Blended"

    code = models.CharField(max_length=20, unique=True, validators=[validate_single_line],
                            help_text="Such as BCM-101.")
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200, validators=[validate_single_line])
    summary = models.CharField(max_length=300, validators=[validate_single_line])
    description = models.TextField(blank=True, max_length=5000)
    provider = models.ForeignKey("partners.Organisation", on_delete=models.SET_NULL, null=True,
                                 blank=True, related_name="courses_provided")
    workstreams = models.ManyToManyField("workstreams.Workstream", blank=True,
                                         related_name="courses")
    mode = models.CharField(max_length=20, choices=Mode.choices, default=Mode.CLASSROOM)
    hours = models.DecimalField(max_digits=5, decimal_places=1,
                                validators=[MinValueValidator(0.5)])
    fee = models.DecimalField("fee (SGD)", max_digits=9, decimal_places=2, default=0,
                              validators=[MinValueValidator(0)])
    prerequisites = models.ManyToManyField("self", symmetrical=False, blank=True,
                                           related_name="required_for")
    # A certificate of this course lapses after this many months (a GMP refresher); empty for
    # one that does not.
    certificate_valid_months = models.PositiveSmallIntegerField(null=True, blank=True)
    is_published = models.BooleanField(default=True,
                                       help_text="Shown in the public catalogue.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("talent:course", kwargs={"slug": self.slug})


class CourseSkill(models.Model):
    """A skill a course builds, and the level a person reaches by completing it."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="skills_taught")
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="taught_by")
    level = level_field()

    class Meta:
        ordering = ["skill__name"]
        constraints = [models.UniqueConstraint(fields=["course", "skill"],
                                               name="talent_one_level_per_course_skill")]

    def __str__(self) -> str:
        return f"{self.skill} to level {self.level}"


class CourseRun(models.Model):
    """One offering of a course, with its dates, venue and seats."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        CANCELLED = "cancelled", "Cancelled"
        COMPLETED = "completed", "Completed"

    MOVES = StateMachine(Status, {
        Status.SCHEDULED: (Status.CANCELLED, Status.COMPLETED),
    })

    class Promotion(models.TextChoices):
        CONFIRM = "confirm", "Confirm the next in line at once"
        OFFER = "offer", "Offer the seat to the next in line for a set time"

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="runs")
    starts_on = models.DateField()
    ends_on = models.DateField()
    venue = models.CharField(max_length=200, blank=True, validators=[validate_single_line],
                             help_text="Empty for an online run.")
    capacity = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    # Seats held (confirmed, or offered and not yet answered). Kept by the enrolment services
    # under the run's row lock; the constraint below is the backstop that makes overbooking
    # impossible even for code that forgets the lock.
    seats_taken = models.PositiveIntegerField(default=0, editable=False)
    enrolment_opens_at = models.DateTimeField()
    enrolment_closes_at = models.DateTimeField()
    promotion = models.CharField(max_length=10, choices=Promotion.choices,
                                 default=Promotion.CONFIRM)
    offer_hours = models.PositiveSmallIntegerField(
        default=48, validators=[MinValueValidator(1), MaxValueValidator(24 * 14)],
        help_text="How long an offered seat waits for an answer.")
    trainers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True,
                                      related_name="runs_trained")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SCHEDULED)
    # Set when the run is completed: the share of sessions a trainee attended to complete it.
    attendance_threshold = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(100)])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(seats_taken__lte=F("capacity")),
                                   name="talent_run_never_overbooked"),
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")),
                                   name="talent_run_ends_after_start"),
            models.CheckConstraint(condition=Q(enrolment_closes_at__gt=F("enrolment_opens_at")),
                                   name="talent_enrolment_window_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.course.code} {self.starts_on:%d %b %Y}"

    def get_absolute_url(self) -> str:
        return reverse("talent:run", kwargs={"pk": self.pk})

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.seats_taken, 0)


class Session(models.Model):
    """A dated slot of a run, for the timetable and attendance."""

    run = models.ForeignKey(CourseRun, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(max_length=200, blank=True, validators=[validate_single_line])
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")),
                                              name="talent_session_ends_after_start")]

    def __str__(self) -> str:
        return self.title or f"Session of {self.starts_at:%d %b %Y %H:%M}"


ACTIVE_ENROLMENT_STATES = ("waitlisted", "offered", "confirmed")


class Enrolment(Decision):
    class Status(models.TextChoices):
        WAITLISTED = "waitlisted", "Waitlisted"
        OFFERED = "offered", "Offered a seat"
        CONFIRMED = "confirmed", "Confirmed"
        CANCELLED = "cancelled", "Cancelled"
        COMPLETED = "completed", "Completed"
        NO_SHOW = "no_show", "No-show"

    MOVES = StateMachine(Status, {
        Status.WAITLISTED: (Status.OFFERED, Status.CONFIRMED, Status.CANCELLED),
        Status.OFFERED: (Status.CONFIRMED, Status.CANCELLED),
        Status.CONFIRMED: (Status.CANCELLED, Status.COMPLETED, Status.NO_SHOW),
    })

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="enrolments")
    run = models.ForeignKey(CourseRun, on_delete=models.PROTECT, related_name="enrolments")
    # The organisation that sends (and pays for) the trainee, when one does.
    sponsor = models.ForeignKey("partners.Organisation", on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="sponsored_enrolments")
    status = models.CharField(max_length=20, choices=Status.choices)
    waitlist_position = models.PositiveIntegerField(null=True, blank=True)
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "run"], condition=Q(status__in=ACTIVE_ENROLMENT_STATES),
                name="talent_one_active_enrolment_per_run"),
            # Positions are renumbered when someone leaves the line (services.enrolments
            # moves them out of the way first, as PostgreSQL checks this row by row).
            models.UniqueConstraint(
                fields=["run", "waitlist_position"], condition=Q(status="waitlisted"),
                name="talent_one_person_per_waitlist_position"),
            models.CheckConstraint(
                condition=Q(status="waitlisted", waitlist_position__isnull=False)
                | (~Q(status="waitlisted") & Q(waitlist_position__isnull=True)),
                name="talent_position_only_on_the_waitlist"),
            models.CheckConstraint(
                condition=~Q(status="offered") | Q(offer_expires_at__isnull=False),
                name="talent_offer_has_an_expiry"),
        ]
        indexes = [
            models.Index(fields=["run", "status", "waitlist_position"]),
            # The list's own order: without it, every page of every enrolment (the API, the
            # exports) sorts the whole table first.
            models.Index(fields=["-created_at", "-id"], name="talent_enrolment_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.run} ({self.get_status_display()})"

    def decision_subject(self) -> str:
        return "This enrolment"

    @property
    def holds_a_seat(self) -> bool:
        return self.status in (self.Status.CONFIRMED, self.Status.OFFERED)


class PrerequisiteWaiver(models.Model):
    """Programme staff let a person take a course without its prerequisites (experience
    gained elsewhere)."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                               related_name="prerequisite_waivers")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="waivers")
    reason = models.TextField(max_length=1000)
    waived_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                  null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "course"],
                                               name="talent_one_waiver_per_course")]

    def __str__(self) -> str:
        return f"{self.course.code} waived for {self.person}"


class Attendance(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendance")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE,
                                  related_name="attendance")
    present = models.BooleanField()
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                  null=True, related_name="+")
    marked_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "enrolment"],
                                               name="talent_one_mark_per_session")]

    def __str__(self) -> str:
        mark = "present" if self.present else "absent"
        return f"{self.enrolment.person} {mark} at {self.session}"


class LearningPath(models.Model):
    """An ordered set of courses; completing them all gives the path's own certificate."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200, validators=[validate_single_line])
    summary = models.CharField(max_length=300, blank=True, validators=[validate_single_line])
    courses = models.ManyToManyField(Course, through="LearningPathStep",
                                     related_name="learning_paths")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class LearningPathStep(models.Model):
    path = models.ForeignKey(LearningPath, on_delete=models.CASCADE, related_name="steps")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["path", "order"]
        constraints = [
            models.UniqueConstraint(fields=["path", "course"], name="talent_course_once_per_path"),
            models.UniqueConstraint(fields=["path", "order"], name="talent_one_course_per_step"),
        ]

    def __str__(self) -> str:
        return f"{self.path}, step {self.order}"


class Certificate(models.Model):
    """What a person earned by completing a run (or every course of a learning path). Its
    serial is public: the verification page confirms it and shows nothing else of the person
    than their name and what they earned."""

    serial = models.CharField(max_length=24, unique=True, editable=False)
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="certificates")
    enrolment = models.OneToOneField(Enrolment, on_delete=models.PROTECT, null=True,
                                     blank=True, related_name="certificate")
    learning_path = models.ForeignKey(LearningPath, on_delete=models.PROTECT, null=True,
                                      blank=True, related_name="certificates")
    issued_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True)
    expiry_reminder_sent_on = models.DateField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revocation_reason = models.TextField(blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                  null=True, related_name="+")

    class Meta:
        ordering = ["-issued_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(enrolment__isnull=False, learning_path__isnull=True)
                | Q(enrolment__isnull=True, learning_path__isnull=False),
                name="talent_certificate_for_a_run_or_a_path"),
            models.UniqueConstraint(fields=["person", "learning_path"],
                                    condition=Q(learning_path__isnull=False),
                                    name="talent_one_certificate_per_path"),
        ]

    def __str__(self) -> str:
        return self.serial


class CertificateBatch(models.Model):
    """Issuing the certificates of a completed run at once, in the background: who asked, and
    how far it got, for the run's certificates page to show. The task behind it may run twice
    (a worker restarted); certificate_issue is idempotent, so the counts stay true."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Issuing"
        FINISHED = "finished", "Finished"

    run = models.ForeignKey(CourseRun, on_delete=models.CASCADE,
                            related_name="certificate_batches")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    issued = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    # The first refusal, in the service's words, when some enrolment could not be given one.
    problem = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One batch at work per run: asking again while one runs shows that one.
            models.UniqueConstraint(fields=["run"], condition=~Q(status="finished"),
                                    name="talent_one_open_certificate_batch_per_run"),
        ]

    def __str__(self) -> str:
        return f"Certificates of {self.run} ({self.get_status_display().lower()})"

    @property
    def percent_done(self) -> int:
        return 100 if not self.total else min(100, (self.issued + self.failed) * 100 // self.total)


class CredentialSigningKey(models.Model):
    """An Ed25519 key pair that signs the portal's Open Badges credentials (talent.credentials).

    One key is active and signs; rotating adds a new active key and retires the old one, whose
    public half stays published (the JWKS) so that every credential it signed still verifies.
    The private half is encrypted at rest with a key derived from SECRET_KEY
    (cluster_portal.core.encryption), so a copy of the database alone cannot sign credentials."""

    kid = models.CharField("key id", max_length=40, unique=True, editable=False)
    # The raw 32-byte public key, base64url without padding: the JWK's "x".
    public_key = models.CharField(max_length=60, editable=False)
    private_key_encrypted = models.TextField(editable=False)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["is_active"], condition=Q(is_active=True),
                                    name="talent_one_active_signing_key"),
        ]

    def __str__(self) -> str:
        return self.kid
