"""Reads of organisations and their people, scoped to the person asking (the access layer)."""

from .models import Organisation, OrganisationMembership


def organisation_role_names(user) -> list[str]:
    """`partner_admin` / `partner_member` when the person acts for an approved organisation."""
    roles = set(
        OrganisationMembership.objects.filter(
            person=user, organisation__status=Organisation.Status.APPROVED
        ).values_list("role", flat=True)
    )
    names = []
    if OrganisationMembership.Role.ADMIN in roles:
        names.append("partner_admin")
    if roles:
        names.append("partner_member")
    return names
