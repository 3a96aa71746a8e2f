"""The partners panel of the person's own page (cluster_portal.core.my_portal): the
organisations they act for, with their role and their programme membership's term, the people
asking to join those they administer, their own requests to join and the invitations waiting
for them, and, for the programme office, the registrations waiting for approval."""

import datetime

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from cluster_portal.accounts.permissions import is_programme_staff
from cluster_portal.core.my_portal import Panel

from .models import Organisation, PersonRequest
from .permissions import may_decide_organisations, may_manage_people
from .selectors import (
    invitations_for_person,
    organisations_of,
    organisations_pending_approval,
    person_request_list_visible,
)
from .services.organisations import GRACE_DAYS


def _people_asking_to_join():
    return Coalesce(Subquery(
        PersonRequest.objects.filter(organisation=OuterRef("organisation_id"),
                                     status=PersonRequest.Status.PENDING)
        .order_by().values("organisation").annotate(count=Count("pk")).values("count"),
        output_field=IntegerField(),
    ), 0)


def _term(organisation: Organisation) -> dict:
    """Where the organisation's programme membership stands, and the date that matters next."""
    ends = organisation.tier_ends_on
    status = organisation.tier_status
    in_grace = ends is not None and status == Organisation.TierStatus.GRACE
    return {
        "status": status,
        "ends_on": ends,
        "renew_by": ends + datetime.timedelta(days=GRACE_DAYS) if in_grace else None,
    }


def read(user) -> dict | None:
    memberships = list(organisations_of(user=user).annotate(
        people_asking=_people_asking_to_join()))
    for membership in memberships:
        organisation = membership.organisation
        # Only those who decide see the count: a member is not asked to act on it.
        membership.requests_to_decide = (membership.people_asking
                                         if may_manage_people(user, organisation) else 0)
        membership.term = _term(organisation)
    context = {
        "memberships": memberships,
        "invitations": list(invitations_for_person(user=user).order_by("expires_at")),
        "pending_requests": list(person_request_list_visible(user=user).filter(
            person=user, status=PersonRequest.Status.PENDING).order_by("-created_at")),
        "approvals_waiting": (organisations_pending_approval().count()
                              if may_decide_organisations(user) else None),
    }
    acts_or_asks = context["memberships"] or context["invitations"] or context["pending_requests"]
    if is_programme_staff(user) and not acts_or_asks and context["approvals_waiting"] is None:
        return None  # the programme's own people need no "find your organisation" here
    return context


PANEL = Panel(key="partners", template="partners/my_portal_panel.html", read=read, order=10)
