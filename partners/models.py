"""Organisations taking part in the cluster, the people who act for them, their agreements and
their programme membership (tier, term and status)."""

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from cluster_portal.core.storage import private_storage
from cluster_portal.core.transitions import Decision, StateMachine
from cluster_portal.core.validators import validate_single_line


class Organisation(Decision):
    class Kind(models.TextChoices):
        PHARMA_MNC = "pharma_mnc", "Pharma MNC"
        BIOTECH = "biotech", "Biotech"
        SME = "sme", "SME"
        START_UP = "start_up", "Start-up"
        TECHNOLOGY_PROVIDER = "technology_provider", "Technology provider"
        RESEARCH_INSTITUTE = "research_institute", "Research institute"
        INSTITUTE_OF_HIGHER_LEARNING = "ihl", "Institute of higher learning"
        PUBLIC_AGENCY = "public_agency", "Public agency"

    class Tier(models.TextChoices):
        CORE = "core", "Core"
        MEMBER = "member", "Member"
        ASSOCIATE = "associate", "Associate"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for approval"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"

    # A registration is decided once: approved (it joins the programme) or declined.
    MOVES = StateMachine(Status, {Status.PENDING: (Status.APPROVED, Status.DECLINED)})

    class TierStatus(models.TextChoices):
        """Where the organisation's programme membership term stands; kept current daily."""

        NONE = "none", "No membership"
        NEW = "new", "New"
        CURRENT = "current", "Current"
        GRACE = "grace", "In grace period"
        EXPIRED = "expired", "Expired"

    name = models.CharField(max_length=200, validators=[validate_single_line])
    # The name as two look-alike names share it (case, accents, punctuation and legal suffixes
    # such as "Pte Ltd" dropped), so the approvals queue can warn of a company registered twice.
    name_key = models.CharField(max_length=200, db_index=True, editable=False, default="")
    slug = models.SlugField(max_length=80, unique=True)
    uen = models.CharField(
        "UEN", max_length=20, db_index=True, validators=[validate_single_line],
        help_text="Unique Entity Number issued by the registrar (or the foreign equivalent).",
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    website = models.URLField(blank=True)
    country = models.CharField(max_length=2, default="SG", help_text="ISO 3166 country code.")
    description = models.TextField(blank=True)
    # Served by partners:logo, which shows it only to those who may see the organisation.
    logo = models.ImageField(upload_to="partners/logos/", blank=True, storage=private_storage)
    is_listed = models.BooleanField(
        "listed in the public directory", default=False,
        help_text="Visible to visitors and other partners once approved.",
    )

    # The programme membership: tier and term, set by programme admins.
    tier = models.CharField(max_length=20, choices=Tier.choices, blank=True)
    tier_starts_on = models.DateField(null=True, blank=True)
    tier_ends_on = models.DateField(null=True, blank=True)
    tier_status = models.CharField(
        max_length=20, choices=TierStatus.choices, default=TierStatus.NONE
    )
    renewal_reminder_sent_on = models.DateField(null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(tier_ends_on__isnull=True) | Q(tier_starts_on__isnull=False)
                & Q(tier_ends_on__gte=F("tier_starts_on")),
                name="partners_tier_ends_after_start",
            ),
            # One approved organisation per UEN. A registration may share a UEN while it waits:
            # refusing it would tell a stranger that a hidden organisation holds that UEN; the
            # programme office sees the clash in the approvals queue instead.
            models.UniqueConstraint(fields=["uen"], condition=Q(status="approved"),
                                    name="partners_one_approved_organisation_per_uen"),
        ]

    def decision_subject(self) -> str:
        """How a refused decision names it (cluster_portal.core.transitions)."""
        return self.name

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("partners:detail", kwargs={"slug": self.slug})

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED


class OrganisationMembership(models.Model):
    """A person acting for an organisation. Services keep at least one admin per organisation."""

    class Role(models.TextChoices):
        ADMIN = "admin", "Partner admin"
        MEMBER = "member", "Partner member"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="organisation_memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation", "person__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "person"], name="partners_one_membership_per_person"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.organisation} ({self.get_role_display()})"


class PersonRequest(Decision):
    """A signed-in person asks to join an existing organisation; its admins decide."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    MOVES = StateMachine(Status, {
        Status.PENDING: (Status.APPROVED, Status.DECLINED, Status.WITHDRAWN),
    })

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="person_requests"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="organisation_requests"
    )
    message = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "person"], condition=Q(status="pending"),
                name="partners_one_pending_person_request",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} asks to join {self.organisation}"


class InvitationQuerySet(models.QuerySet):
    """The one place that says, in the database's terms, what state an invitation is in
    (Invitation.status_at says it for one row)."""

    def unanswered(self):
        """Neither accepted nor revoked: at most one per address and organisation."""
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True)

    def open(self, now=None):
        """Unanswered and not expired: its link still works."""
        return self.unanswered().filter(expires_at__gt=now or timezone.now())

    def in_status(self, status: str, now=None):
        now = now or timezone.now()
        return {
            Invitation.Status.ACCEPTED: lambda: self.filter(accepted_at__isnull=False),
            Invitation.Status.REVOKED: lambda: self.filter(revoked_at__isnull=False),
            Invitation.Status.EXPIRED: lambda: self.unanswered().filter(expires_at__lte=now),
            Invitation.Status.PENDING: lambda: self.open(now),
        }[status]()


def invitation_token_digest(token: str) -> str:
    """Invitations store a digest of their token, so a database read cannot accept one."""
    return hashlib.sha256(token.encode()).hexdigest()


class Invitation(models.Model):
    """An e-mailed, single-use, expiring link to join an organisation with a role."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        REVOKED = "revoked", "Revoked"
        EXPIRED = "expired", "Expired"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField()
    full_name = models.CharField(max_length=150, blank=True, validators=[validate_single_line])
    role = models.CharField(
        max_length=20, choices=OrganisationMembership.Role.choices,
        default=OrganisationMembership.Role.MEMBER,
    )
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    # The e-mail that carries the link, in the outbox: whether it went is shown to the inviter.
    email_message = models.ForeignKey(
        "notifications.OutgoingEmail", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(revoked_at__isnull=True),
                name="partners_invitation_accepted_or_revoked",
            ),
            # An address has at most one open invitation per organisation; re-inviting
            # revokes the earlier one.
            models.UniqueConstraint(
                fields=["organisation", "email"],
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="partners_one_open_invitation_per_address",
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.organisation}"

    def status_at(self, now) -> str:
        if self.accepted_at:
            return self.Status.ACCEPTED
        if self.revoked_at:
            return self.Status.REVOKED
        if self.expires_at <= now:
            return self.Status.EXPIRED
        return self.Status.PENDING


class InvitationImport(models.Model):
    """What one CSV import of invitations did, line by line. The upload redirects to its own
    page (post, redirect, get), so reloading the report shows it again instead of sending every
    invitation again, which would kill each earlier link. A row of the organisation's, read only
    by the person who imported (the addresses in it are their colleagues'), and only until
    `expires_at`: it is the answer to one upload, not a record (the audit trail is)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitation_imports"
    )
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    file_name = models.CharField(max_length=255, blank=True)
    # [{"line": 2, "email": "...", "outcome": "invited" | "refused", "message": "..."}]
    rows = models.JSONField(default=list)
    invited = models.PositiveIntegerField(default=0)
    refused = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Import of {self.file_name or 'a CSV file'} for {self.organisation}"


class Agreement(Decision):
    """A consortium agreement or NDA between the programme and an organisation. The programme
    office attaches the agreement to sign (`document`) and sends it; the organisation's admin
    uploads the signed copy; the office confirms it, which makes it signed (decided by, at, and
    why). Both files are private, served only by access-checked views."""

    class Kind(models.TextChoices):
        CONSORTIUM = "consortium", "Consortium agreement"
        NDA = "nda", "Non-disclosure agreement"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SENT = "sent", "Sent for signature"
        SIGNED = "signed", "Signed"
        EXPIRED = "expired", "Expired"
        TERMINATED = "terminated", "Terminated"

    # The move the portal makes on the partner's signed copy: the office confirms it. The
    # office's own record of an agreement (agreement_record: one signed on paper, a termination)
    # may set any status, as it records what happened elsewhere.
    MOVES = StateMachine(Status, {Status.SENT: (Status.SIGNED,)})

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="agreements"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    reference = models.CharField(max_length=60, blank=True)
    signed_on = models.DateField(null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    document = models.FileField(
        "agreement to sign", upload_to="partners/agreements/", blank=True,
        storage=private_storage, help_text="The PDF the organisation downloads to sign.",
    )
    signed_copy = models.FileField(upload_to="partners/agreements/signed/", blank=True,
                                   storage=private_storage)
    signed_copy_uploaded_at = models.DateTimeField(null=True, blank=True)
    signed_copy_uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organisation", "kind", "-signed_on"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="signed") | Q(signed_on__isnull=False),
                name="partners_signed_agreement_has_date",
            ),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(signed_on__isnull=True)
                | Q(expires_on__gte=F("signed_on")),
                name="partners_agreement_expires_after_signing",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.organisation}"

    def decision_subject(self) -> str:
        """How a refused decision names it (cluster_portal.core.transitions)."""
        return f"The {self.get_kind_display().lower()} of {self.organisation}"

    @property
    def awaits_confirmation(self) -> bool:
        """Sent, and its signed copy is in: the programme office's turn."""
        return self.status == self.Status.SENT and bool(self.signed_copy)


class RenewalRequest(Decision):
    """A partner admin asks the programme office to renew the organisation's programme
    membership for another term, in its tier or another. Renewing the membership
    (organisation_renew) approves it; the office may instead decline it, with a reason, and the
    organisation's admins may withdraw it."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    MOVES = StateMachine(Status, {
        Status.PENDING: (Status.APPROVED, Status.DECLINED, Status.WITHDRAWN),
    })

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="renewal_requests"
    )
    tier = models.CharField("tier asked for", max_length=20, choices=Organisation.Tier.choices)
    # The end of the term it asks to renew, as it stood when asked.
    term_ends_on = models.DateField(null=True, blank=True)
    message = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("requested at", auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"], condition=Q(status="pending"),
                name="partners_one_pending_renewal_request",
            ),
        ]

    def __str__(self) -> str:
        return f"Renewal of {self.organisation} ({self.get_status_display()})"

    def decision_subject(self) -> str:
        return f"The request to renew {self.organisation}'s membership"

    @property
    def changes_tier(self) -> bool:
        return self.tier != self.organisation.tier
