"""The people of an organisation: memberships and requests to join (invitations are in
`invitations`).

Changes that could leave an organisation without an admin lock the organisation's row first,
so two concurrent removals (or demotions) are decided one after the other.
"""


from django.db import IntegrityError, transaction
from django.urls import reverse

from cluster_portal.accounts.memo import forget
from cluster_portal.accounts.permissions import is_programme_admin
from cluster_portal.audit.services import audit_record
from cluster_portal.core.actors import is_system
from cluster_portal.core.exceptions import ApplicationError, Conflict, NotAllowed, NotFound
from cluster_portal.core.transitions import decide, lock_for_decision
from cluster_portal.notifications.services import notify

from .. import notification_kinds as kinds
from ..models import (
    Organisation,
    OrganisationMembership,
    PersonRequest,
)
from ..permissions import is_member_of, may_ask_to_join, may_decide_organisations, may_manage_people
from ..selectors import organisation_admins, organisation_seats

Role = OrganisationMembership.Role


def _forget_roles(person) -> None:
    forget(person, "_organisation_roles", "_workstream_member_orgs")


def _lock(organisation: Organisation) -> Organisation:
    return Organisation.objects.select_for_update().get(pk=organisation.pk)


def _check_room_for_one_more(organisation: Organisation, *, counting_invitations: bool) -> None:
    """The tier caps how many people act for the organisation. Open invitations count too when
    sending a new one, so a batch of invitations cannot overshoot the cap on acceptance."""
    seats = organisation_seats(organisation=organisation)
    limit, taken = seats.limit, seats.people + (seats.invited if counting_invitations else 0)
    if taken >= limit:
        raise Conflict(
            f"{organisation.name} may register at most {limit} people on its current tier, "
            "and that many are registered or invited. Remove someone or revoke an invitation "
            "first, or ask the programme office about a higher tier.",
            code="representative_limit",
        )


@transaction.atomic
def organisation_membership_add(
    *, actor, organisation: Organisation, person, role: str = Role.MEMBER,
) -> OrganisationMembership:
    """Attach a person directly (programme admins in the admin, demo data as SYSTEM). Partners
    use invitations."""
    if not (is_system(actor) or may_decide_organisations(actor)):
        raise NotAllowed("Only programme admins attach people directly.")
    if OrganisationMembership.objects.filter(organisation=organisation, person=person).exists():
        raise Conflict(f"{person} already acts for {organisation.name}.")
    membership = OrganisationMembership.objects.create(
        organisation=organisation, person=person, role=role
    )
    _forget_roles(person)
    audit_record(actor=actor, action="organisation_membership.add", target=membership,
                 scope=organisation,
                 changes={"role": role})
    return membership


@transaction.atomic
def organisation_membership_change_role(
    *, actor, membership: OrganisationMembership, role: str
) -> OrganisationMembership:
    if role not in Role.values:
        raise ApplicationError("Choose a role.", fields={"role": f"Unknown role “{role}”."})
    organisation = _lock(membership.organisation)
    if not may_manage_people(actor, organisation):
        raise NotAllowed("Only the organisation's admins change roles.")
    membership = OrganisationMembership.objects.select_for_update().get(pk=membership.pk)
    if membership.role == role:
        return membership
    if membership.role == Role.ADMIN and _admin_count(organisation) <= 1:
        raise Conflict(
            f"{membership.person} is the last admin of {organisation.name}. Make someone else "
            "an admin first.", code="last_admin",
        )
    before, membership.role = membership.role, role
    membership.save(update_fields=["role"])
    _forget_roles(membership.person)
    audit_record(actor=actor, action="organisation_membership.change_role", target=membership,
                 scope=organisation,
                 changes={"role": [before, role]})
    notify(
        recipients=[membership.person], kind=kinds.ROLE_CHANGED, actor=actor,
        message=f"You are now {membership.get_role_display().lower()} of {organisation.name}.",
        url=organisation.get_absolute_url(),
        context={"organisation": organisation.name, "role": membership.get_role_display().lower(),
                 "is_admin": membership.role == Role.ADMIN},
    )
    return membership


def _admin_count(organisation: Organisation) -> int:
    return organisation.memberships.filter(role=Role.ADMIN).count()


@transaction.atomic
def organisation_membership_remove(*, actor, membership: OrganisationMembership) -> None:
    """An admin removes a colleague, or a person leaves. Never the last admin."""
    organisation = _lock(membership.organisation)
    try:
        membership = OrganisationMembership.objects.select_for_update().get(pk=membership.pk)
    except OrganisationMembership.DoesNotExist as error:
        raise NotFound("That person no longer acts for the organisation.") from error
    leaving = actor.pk == membership.person_id
    if not leaving and not may_manage_people(actor, organisation):
        raise NotAllowed("Only the organisation's admins remove people.")
    if membership.role == Role.ADMIN and _admin_count(organisation) <= 1:
        raise Conflict(
            f"{membership.person} is the last admin of {organisation.name}. Make someone else "
            "an admin first.", code="last_admin",
        )
    person = membership.person
    audit_record(actor=actor, action="organisation_membership.remove", target=organisation,
                 changes={"person": person.email, "role": membership.role})
    membership.delete()
    _forget_roles(person)
    if not leaving:
        notify(
            recipients=[person], kind=kinds.REMOVED_FROM_ORGANISATION, actor=actor,
            message=f"You no longer act for {organisation.name} on the portal.",
            context={"organisation": organisation.name},
        )


# --- Requests to join an organisation ------------------------------------------------------


@transaction.atomic
def person_request_create(*, actor, organisation: Organisation, message: str = "") -> PersonRequest:
    if is_member_of(actor, organisation):
        raise Conflict(f"You already act for {organisation.name}.")
    if is_programme_admin(actor):
        raise NotAllowed("The programme office does not ask to join organisations; it adds "
                         "people to them in the administration when it must.")
    if not may_ask_to_join(actor, organisation):
        raise NotFound("No such organisation.")
    if PersonRequest.objects.filter(organisation=organisation, person=actor,
                                    status=PersonRequest.Status.PENDING).exists():
        raise Conflict(f"You have already asked to join {organisation.name}; its admins will "
                       "decide.")
    try:
        with transaction.atomic():
            request = PersonRequest.objects.create(
                organisation=organisation, person=actor, message=message.strip()
            )
    except IntegrityError as error:
        raise Conflict(f"You have already asked to join {organisation.name}.") from error
    audit_record(actor=actor, action="person_request.create", target=request,
                 scope=organisation)
    notify(
        recipients=organisation_admins(organisation=organisation),
        kind=kinds.PERSON_REQUESTED_TO_JOIN, actor=actor,
        message=f"{actor} asks to join {organisation.name}.",
        url=reverse("partners:people", kwargs={"slug": organisation.slug}),
        context={"organisation": organisation.name, "requester": str(actor),
                 "requester_email": actor.email, "request_message": request.message},
    )
    return request


def _locked_request(person_request: PersonRequest, *, to: str) -> PersonRequest:
    """The request's own row, locked after its organisation's (`_lock`): every decision takes the
    two locks in that one order, so two decisions at once wait for each other instead of
    deadlocking."""
    return lock_for_decision(PersonRequest, person_request, to=to,
                             with_related=("organisation", "person"))


@transaction.atomic
def person_request_approve(*, actor, person_request: PersonRequest,
                           role: str = Role.MEMBER) -> OrganisationMembership:
    if role not in Role.values:
        raise ApplicationError("Choose a role.", fields={"role": f"Unknown role “{role}”."})
    organisation = _lock(person_request.organisation)
    if not may_manage_people(actor, organisation):
        raise NotAllowed("Only the organisation's admins decide requests to join it.")
    person_request = _locked_request(person_request, to=PersonRequest.Status.APPROVED)
    if is_member_of(person_request.person, organisation):
        raise Conflict(f"{person_request.person} already acts for {organisation.name}.")
    _check_room_for_one_more(organisation, counting_invitations=False)
    membership = OrganisationMembership.objects.create(
        organisation=organisation, person=person_request.person, role=role
    )
    decide(person_request, to=PersonRequest.Status.APPROVED, actor=actor)
    _forget_roles(person_request.person)
    audit_record(actor=actor, action="person_request.approve", target=person_request,
                 scope=organisation,
                 changes={"role": role})
    notify(
        recipients=[person_request.person], kind=kinds.PERSON_REQUEST_DECIDED, actor=actor,
        message=f"You now act for {organisation.name} as {membership.get_role_display().lower()}.",
        url=organisation.get_absolute_url(),
        context={"organisation": organisation.name, "approved": True,
                 "role": membership.get_role_display().lower()},
    )
    return membership


@transaction.atomic
def person_request_decline(*, actor, person_request: PersonRequest,
                           reason: str = "") -> PersonRequest:
    organisation = _lock(person_request.organisation)
    if not may_manage_people(actor, organisation):
        raise NotAllowed("Only the organisation's admins decide requests to join it.")
    person_request = _locked_request(person_request, to=PersonRequest.Status.DECLINED)
    decide(person_request, to=PersonRequest.Status.DECLINED, actor=actor, reason=reason)
    audit_record(actor=actor, action="person_request.decline", target=person_request,
                 scope=person_request.organisation,
                 changes={"reason": person_request.decision_reason})
    notify(
        recipients=[person_request.person], kind=kinds.PERSON_REQUEST_DECIDED, actor=actor,
        message=f"Your request to join {person_request.organisation.name} was declined"
                + (f": {person_request.decision_reason}" if person_request.decision_reason
                   else "."),
        context={"organisation": person_request.organisation.name, "approved": False,
                 "reason": person_request.decision_reason},
    )
    return person_request


@transaction.atomic
def person_request_withdraw(*, actor, person_request: PersonRequest) -> PersonRequest:
    if person_request.person_id != actor.pk:
        raise NotAllowed("Only the person who asked can withdraw the request.")
    _lock(person_request.organisation)
    person_request = _locked_request(person_request, to=PersonRequest.Status.WITHDRAWN)
    decide(person_request, to=PersonRequest.Status.WITHDRAWN, actor=actor)
    audit_record(actor=actor, action="person_request.withdraw", target=person_request,
                 scope=person_request.organisation)
    return person_request
