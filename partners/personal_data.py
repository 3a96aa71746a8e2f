"""What partners holds about a person, for their profile page and their data download
(cluster_portal.accounts.personal_data explains the registry)."""

from django.db.models import Q
from django.urls import reverse_lazy

from cluster_portal.accounts.personal_data import Affiliation, PersonalData

from .models import Invitation, PersonRequest
from .selectors import invitations_for_person, organisations_of


def affiliations(person) -> list[Affiliation]:
    return [Affiliation(name=membership.organisation.name, role=membership.get_role_display(),
                        url=membership.organisation.get_absolute_url())
            for membership in organisations_of(user=person)]


def _memberships(person) -> list[dict]:
    return [{"organisation": membership.organisation.name,
             "organisation_slug": membership.organisation.slug,
             "role": membership.role, "since": membership.created_at}
            for membership in organisations_of(user=person)]


def _requests_to_join(person) -> list[dict]:
    # What was decided and why; not who decided (another person).
    return [{"organisation": person_request.organisation.name, "message": person_request.message,
             "status": person_request.status, "requested_at": person_request.created_at,
             "decided_at": person_request.decided_at,
             "decision_reason": person_request.decision_reason}
            for person_request in PersonRequest.objects.filter(person=person)
            .select_related("organisation").order_by("-created_at", "-pk")]


def _invitations(person) -> list[dict]:
    """Those the person accepted, and those open to one of their addresses; not who invited."""
    open_to_them = invitations_for_person(user=person).values("pk")
    return [{"organisation": invitation.organisation.name, "email": invitation.email,
             "role": invitation.role, "sent_at": invitation.created_at,
             "expires_at": invitation.expires_at, "accepted_at": invitation.accepted_at}
            for invitation in Invitation.objects.filter(
                Q(accepted_by=person) | Q(pk__in=open_to_them))
            .select_related("organisation").order_by("-created_at", "-pk")]


PERSONAL_DATA = PersonalData(
    sections={
        "organisation_memberships": _memberships,
        "requests_to_join_organisations": _requests_to_join,
        "invitations": _invitations,
    },
    affiliations=affiliations,
    page=("My organisations", reverse_lazy("partners:my_organisations")),
)
