"""The programme's collaborative R&D projects: their lifecycle, plan (milestones and
deliverables), monthly status updates and each organisation's contributions."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from cluster_portal.core.storage import private_storage
from cluster_portal.core.transitions import Decision, StateMachine
from cluster_portal.core.validators import validate_single_line

TRL_MIN, TRL_MAX = 1, 9


def trl_field(**kwargs) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        validators=[MinValueValidator(TRL_MIN), MaxValueValidator(TRL_MAX)], **kwargs)


class Rag(models.TextChoices):
    """Red, amber, green: how a status update rates the project, its schedule or its budget."""

    GREEN = "green", "Green"
    AMBER = "amber", "Amber"
    RED = "red", "Red"


class Visibility(models.TextChoices):
    PUBLIC = "public", "Public summary"
    MEMBERS = "members", "Workstream members"
    PARTICIPANTS = "participants", "Project participants only"


class ProjectCodeSequence(models.Model):
    """The last number given to a project of a workstream in a year. Numbers only grow, so a
    code is never given twice, even after its project was cancelled."""

    prefix = models.CharField(max_length=40, unique=True)  # such as PIPS-CM-2026
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.prefix}: {self.last_number}"


class Project(Decision):
    """A collaborative project of a workstream. `decided_*` hold its last move; every move is
    also a `ProjectTransition` row, for its timeline."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PROPOSED = "proposed", "Proposed"
        APPROVED = "approved", "Approved"
        ACTIVE = "active", "Active"
        ON_HOLD = "on_hold", "On hold"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    MOVES = StateMachine(Status, {
        Status.DRAFT: (Status.PROPOSED, Status.CANCELLED),
        Status.PROPOSED: (Status.APPROVED, Status.DRAFT, Status.CANCELLED),
        Status.APPROVED: (Status.ACTIVE, Status.ON_HOLD, Status.CANCELLED),
        Status.ACTIVE: (Status.ON_HOLD, Status.COMPLETED, Status.CANCELLED),
        Status.ON_HOLD: (Status.ACTIVE, Status.CANCELLED),
    })

    code = models.CharField(max_length=40, unique=True, editable=False)
    title = models.CharField(max_length=200, validators=[validate_single_line])
    summary = models.TextField(max_length=1000, help_text="The public summary.")
    objectives = models.TextField(blank=True, max_length=5000)
    workstream = models.ForeignKey("workstreams.Workstream", on_delete=models.PROTECT,
                                   related_name="projects")
    lead_organisation = models.ForeignKey("partners.Organisation", on_delete=models.PROTECT,
                                          related_name="projects_led")
    participants = models.ManyToManyField("partners.Organisation", through="ProjectParticipant",
                                          related_name="projects")
    principal_investigator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="projects_led")
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="projects_overseen",
        help_text="The programme staff member who follows the project and reviews its "
                  "deliverables.")
    starts_on = models.DateField()
    ends_on = models.DateField()
    trl_start = trl_field(verbose_name="TRL at start")
    trl_target = trl_field(verbose_name="target TRL")
    trl_current = trl_field(verbose_name="TRL now")
    visibility = models.CharField(max_length=20, choices=Visibility.choices,
                                  default=Visibility.MEMBERS)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    # The latest status update's ratings, kept on the project so the portfolio filters and
    # sorts by them without a subquery per row (set by status_update_post only).
    latest_rag = models.CharField(max_length=10, choices=Rag.choices, blank=True)
    latest_update_on = models.DateField(null=True, blank=True)
    # When the principal investigator was last reminded of overdue work (weekly at most).
    overdue_reminded_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_on", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")),
                                   name="projects_ends_after_start"),
            models.CheckConstraint(condition=Q(trl_target__gte=F("trl_start")),
                                   name="projects_target_trl_not_below_start"),
            models.CheckConstraint(
                condition=Q(trl_start__gte=TRL_MIN, trl_start__lte=TRL_MAX,
                            trl_target__gte=TRL_MIN, trl_target__lte=TRL_MAX,
                            trl_current__gte=TRL_MIN, trl_current__lte=TRL_MAX),
                name="projects_trl_in_scale"),
        ]
        indexes = [
            models.Index(fields=["status", "workstream"], name="projects_status_ws_idx"),
            models.Index(fields=["latest_rag"], name="projects_latest_rag_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("projects:detail", kwargs={"code": self.code})

    def decision_subject(self) -> str:
        return f"Project {self.code}"


class ProjectParticipant(models.Model):
    """An organisation taking part in a project (the lead organisation is one too)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE,
                                related_name="participations")
    organisation = models.ForeignKey("partners.Organisation", on_delete=models.PROTECT,
                                     related_name="project_participations")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["organisation__name"]
        constraints = [models.UniqueConstraint(fields=["project", "organisation"],
                                               name="projects_one_participation")]

    def __str__(self) -> str:
        return f"{self.organisation} in {self.project.code}"


class ProjectTeamMember(models.Model):
    """A person working on a project besides its principal investigator."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="team")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                               related_name="project_roles")
    role = models.CharField(max_length=80, validators=[validate_single_line],
                            help_text="Such as research engineer or project manager.")

    class Meta:
        ordering = ["person__full_name", "person__email"]
        constraints = [models.UniqueConstraint(fields=["project", "person"],
                                               name="projects_one_team_place")]

    def __str__(self) -> str:
        return f"{self.person} ({self.role})"


class ProjectSkillNeed(models.Model):
    """A skill, at a level, that the project needs (from the talent app's framework)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="skill_needs")
    skill = models.ForeignKey("talent.Skill", on_delete=models.PROTECT,
                              related_name="needed_by_projects")
    level = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(6)])

    class Meta:
        ordering = ["skill__name"]
        constraints = [models.UniqueConstraint(fields=["project", "skill"],
                                               name="projects_one_need_per_skill")]

    def __str__(self) -> str:
        return f"{self.skill} (level {self.level})"


class ProjectTransition(models.Model):
    """One move of a project's lifecycle: who, when, from where to where and why."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=20, choices=Project.Status.choices)
    to_status = models.CharField(max_length=20, choices=Project.Status.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                           blank=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.project.code}: {self.from_status} → {self.to_status}"


class Milestone(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=200, validators=[validate_single_line])
    description = models.TextField(blank=True, max_length=2000)
    due_on = models.DateField()
    completed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [
            # The overdue-work lists, across projects.
            models.Index(fields=["due_on"], condition=Q(completed_on__isnull=True),
                         name="projects_open_milestone_due"),
            # Each listed project's overdue count (selectors.with_overdue_counts), a subquery
            # per row: found by project first, not by scanning every open milestone.
            models.Index(fields=["project", "due_on"], condition=Q(completed_on__isnull=True),
                         name="projects_open_ms_project_due"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        return self.completed_on is None and self.due_on < timezone.localdate()


class Deliverable(Decision):
    """Something the project hands over, with its acceptance workflow: the team drafts it, the
    lead organisation's people submit it with its file, programme staff approve it or return it
    with comments. `decided_*` hold the last review; `decision_reason` its comments."""

    class Kind(models.TextChoices):
        REPORT = "report", "Report"
        PROTOTYPE = "prototype", "Prototype"
        SOFTWARE = "software", "Software"
        DATASET = "dataset", "Dataset"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        APPROVED = "approved", "Approved"
        RETURNED = "returned", "Returned"

    MOVES = StateMachine(Status, {
        Status.PENDING: (Status.DRAFT, Status.SUBMITTED),
        Status.DRAFT: (Status.SUBMITTED,),
        Status.SUBMITTED: (Status.APPROVED, Status.RETURNED),
        Status.RETURNED: (Status.DRAFT, Status.SUBMITTED),
    })

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="deliverables")
    milestone = models.ForeignKey(Milestone, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="deliverables")
    title = models.CharField(max_length=200, validators=[validate_single_line])
    kind = models.CharField(max_length=20, choices=Kind.choices)
    due_on = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    file = models.FileField(upload_to="projects/deliverables/", storage=private_storage,
                            blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="+")
    late_justification = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [
            models.Index(fields=["due_on"],
                         condition=Q(status__in=["pending", "draft", "returned"]),
                         name="projects_open_deliverable_due"),
            # As for milestones: each listed project's overdue count.
            models.Index(fields=["project", "due_on"],
                         condition=Q(status__in=["pending", "draft", "returned"]),
                         name="projects_open_dlv_project_due"),
        ]

    def __str__(self) -> str:
        return self.title

    def decision_subject(self) -> str:
        return f"The deliverable “{self.title}”"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_DELIVERABLE_STATES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_on < timezone.localdate()


# Deliverables still to be handed over: overdue once their due date has passed.
OPEN_DELIVERABLE_STATES = (Deliverable.Status.PENDING, Deliverable.Status.DRAFT,
                           Deliverable.Status.RETURNED)


class StatusUpdate(models.Model):
    """The team's monthly report: overall, schedule and budget as red/amber/green, a narrative
    and, when it moved, the technology readiness level reached."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE,
                                related_name="status_updates")
    period = models.DateField(help_text="The first day of the month reported on.")
    overall = models.CharField(max_length=10, choices=Rag.choices)
    schedule = models.CharField(max_length=10, choices=Rag.choices)
    budget = models.CharField(max_length=10, choices=Rag.choices)
    narrative = models.TextField(max_length=5000)
    trl = trl_field(null=True, blank=True, verbose_name="TRL reached")
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                  null=True, blank=True, related_name="+")
    posted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-period"]
        constraints = [
            models.UniqueConstraint(fields=["project", "period"],
                                    name="projects_one_update_per_month"),
            models.CheckConstraint(condition=Q(period__day=1),
                                   name="projects_update_period_is_a_month"),
        ]

    def __str__(self) -> str:
        return f"{self.project.code} {self.period:%B %Y}"


class Contribution(models.Model):
    """What one participating organisation commits to a project in a year, and what it has
    actually given, in cash or in kind, in Singapore dollars."""

    class Kind(models.TextChoices):
        CASH = "cash", "Cash"
        IN_KIND = "in_kind", "In kind"

    CURRENCY = "SGD"

    project = models.ForeignKey(Project, on_delete=models.CASCADE,
                                related_name="contributions")
    organisation = models.ForeignKey("partners.Organisation", on_delete=models.PROTECT,
                                     related_name="project_contributions")
    year = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    kind = models.CharField(max_length=10, choices=Kind.choices)
    committed_sgd = models.DecimalField("committed (SGD)", max_digits=14, decimal_places=2,
                                        default=0, validators=[MinValueValidator(0)])
    actual_sgd = models.DecimalField("actual (SGD)", max_digits=14, decimal_places=2,
                                     default=0, validators=[MinValueValidator(0)])
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["year", "organisation__name", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["project", "organisation", "year", "kind"],
                                    name="projects_one_contribution_per_year_and_kind"),
            models.CheckConstraint(condition=Q(committed_sgd__gte=0, actual_sgd__gte=0),
                                   name="projects_contribution_not_negative"),
        ]

    def __str__(self) -> str:
        return (f"{self.organisation} {self.year} {self.get_kind_display().lower()} "
                f"to {self.project.code}")
