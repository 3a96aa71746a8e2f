"""Organisations taking part in the cluster and the people who act for them."""

from django.conf import settings
from django.db import models


class Organisation(models.Model):
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

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    uen = models.CharField(
        "UEN", max_length=20, unique=True,
        help_text="Unique Entity Number issued by the registrar (or the foreign equivalent).",
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    tier = models.CharField(max_length=20, choices=Tier.choices, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    website = models.URLField(blank=True)
    country = models.CharField(max_length=2, default="SG", help_text="ISO 3166 country code.")
    description = models.TextField(blank=True)
    is_listed = models.BooleanField(
        "listed in the public directory", default=False,
        help_text="Visible to visitors once approved.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OrganisationMembership(models.Model):
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
        ordering = ["organisation", "person"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "person"], name="partners_one_membership_per_person"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.organisation} ({self.get_role_display()})"
