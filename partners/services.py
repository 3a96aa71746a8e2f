"""Writes of organisations and their people. Every state change goes through a function here."""

from django.db import transaction
from django.utils.text import slugify

from .models import Organisation, OrganisationMembership


def _unique_slug(name: str) -> str:
    base = slugify(name)[:70] or "organisation"
    slug, n = base, 2
    while Organisation.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def organisation_create(
    *, name: str, uen: str, kind: str, tier: str = "", website: str = "", country: str = "SG",
    description: str = "", is_listed: bool = False,
    status: str = Organisation.Status.PENDING,
) -> Organisation:
    organisation = Organisation(
        name=name, slug=_unique_slug(name), uen=uen.strip().upper(), kind=kind, tier=tier,
        website=website, country=country.upper(), description=description, is_listed=is_listed,
        status=status,
    )
    organisation.full_clean()
    organisation.save()
    return organisation


@transaction.atomic
def organisation_membership_add(
    *, organisation: Organisation, person, role: str = OrganisationMembership.Role.MEMBER
) -> OrganisationMembership:
    membership = OrganisationMembership(organisation=organisation, person=person, role=role)
    membership.full_clean()
    membership.save()
    return membership
