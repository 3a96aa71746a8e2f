"""The people of an organisation: memberships, requests to join, invitations.

Changes that could leave an organisation without an admin lock the organisation's row first,
so two concurrent removals (or demotions) are decided one after the other.
"""

import csv
import datetime
import io
import secrets
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from cluster_portal.accounts.memo import forget
from cluster_portal.audit.services import audit_record
from cluster_portal.core.exceptions import ApplicationError, Conflict, NotAllowed, NotFound
from cluster_portal.core.queue import enqueue_on_commit
from cluster_portal.notifications.models import Notification
from cluster_portal.notifications.services import notify

from ..entitlements import entitlements_of
from ..models import (
    Invitation,
    Organisation,
    OrganisationMembership,
    PersonRequest,
    invitation_token_digest,
)
from ..permissions import is_member_of, may_ask_to_join, may_manage_people
from ..selectors import organisation_admins

INVITATION_VALID_FOR = datetime.timedelta(days=14)
CSV_MAX_ROWS = 500
CSV_MAX_BYTES = 512 * 1024
Role = OrganisationMembership.Role


def _forget_roles(person) -> None:
    forget(person, "_organisation_roles", "_workstream_member_orgs")


def _lock(organisation: Organisation) -> Organisation:
    return Organisation.objects.select_for_update().get(pk=organisation.pk)


def _check_room_for_one_more(organisation: Organisation, *, counting_invitations: bool) -> None:
    """The tier caps how many people act for the organisation. Open invitations count too when
    sending a new one, so a batch of invitations cannot overshoot the cap on acceptance."""
    limit = entitlements_of(organisation).max_representatives
    taken = organisation.memberships.count()
    if counting_invitations:
        taken += organisation.invitations.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        ).count()
    if taken >= limit:
        raise Conflict(
            f"{organisation.name} may register at most {limit} people on its current tier, "
            "and that many are registered or invited. Remove someone or revoke an invitation "
            "first, or ask the programme office about a higher tier.",
            code="representative_limit",
        )


@transaction.atomic
def organisation_membership_add(
    *, organisation: Organisation, person, role: str = Role.MEMBER, actor=None,
) -> OrganisationMembership:
    """Attach a person directly (programme office, demo data). Partners use invitations."""
    if OrganisationMembership.objects.filter(organisation=organisation, person=person).exists():
        raise Conflict(f"{person} already acts for {organisation.name}.")
    membership = OrganisationMembership.objects.create(
        organisation=organisation, person=person, role=role
    )
    _forget_roles(person)
    audit_record(actor=actor, action="organisation_membership.add", target=membership,
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
                 changes={"role": [before, role]})
    notify(
        recipients=[membership.person], kind=Notification.Kind.ROLE_CHANGED, actor=actor,
        message=f"You are now {membership.get_role_display().lower()} of {organisation.name}.",
        url=organisation.get_absolute_url(),
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
            recipients=[person], kind=Notification.Kind.REMOVED_FROM_ORGANISATION, actor=actor,
            message=f"You no longer act for {organisation.name} on the portal.",
        )


# --- Requests to join an organisation ------------------------------------------------------


@transaction.atomic
def person_request_create(*, actor, organisation: Organisation, message: str = "") -> PersonRequest:
    if is_member_of(actor, organisation):
        raise Conflict(f"You already act for {organisation.name}.")
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
    audit_record(actor=actor, action="person_request.create", target=request)
    notify(
        recipients=organisation_admins(organisation=organisation),
        kind=Notification.Kind.PERSON_REQUESTED_TO_JOIN, actor=actor,
        message=f"{actor} asks to join {organisation.name}.",
        url=reverse("partners:people", kwargs={"slug": organisation.slug}),
    )
    return request


def _locked_pending_request(request: PersonRequest) -> PersonRequest:
    request = PersonRequest.objects.select_for_update().select_related(
        "organisation", "person").get(pk=request.pk)
    if request.status != PersonRequest.Status.PENDING:
        raise Conflict(f"This request was already {request.get_status_display().lower()}.")
    return request


@transaction.atomic
def person_request_approve(*, actor, request: PersonRequest,
                           role: str = Role.MEMBER) -> OrganisationMembership:
    organisation = _lock(request.organisation)
    if not may_manage_people(actor, organisation):
        raise NotAllowed("Only the organisation's admins decide requests to join it.")
    request = _locked_pending_request(request)
    if is_member_of(request.person, organisation):
        raise Conflict(f"{request.person} already acts for {organisation.name}.")
    _check_room_for_one_more(organisation, counting_invitations=False)
    membership = OrganisationMembership.objects.create(
        organisation=organisation, person=request.person, role=role
    )
    request.status = PersonRequest.Status.APPROVED
    request.decided_by, request.decided_at = actor, timezone.now()
    request.save(update_fields=["status", "decided_by", "decided_at"])
    _forget_roles(request.person)
    audit_record(actor=actor, action="person_request.approve", target=request,
                 changes={"role": role})
    notify(
        recipients=[request.person], kind=Notification.Kind.PERSON_REQUEST_DECIDED, actor=actor,
        message=f"You now act for {organisation.name} as {membership.get_role_display().lower()}.",
        url=organisation.get_absolute_url(),
    )
    return membership


@transaction.atomic
def person_request_decline(*, actor, request: PersonRequest, reason: str = "") -> PersonRequest:
    if not may_manage_people(actor, request.organisation):
        raise NotAllowed("Only the organisation's admins decide requests to join it.")
    request = _locked_pending_request(request)
    request.status = PersonRequest.Status.DECLINED
    request.decided_by, request.decided_at = actor, timezone.now()
    request.decision_reason = reason.strip()
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    audit_record(actor=actor, action="person_request.decline", target=request,
                 changes={"reason": request.decision_reason})
    notify(
        recipients=[request.person], kind=Notification.Kind.PERSON_REQUEST_DECIDED, actor=actor,
        message=f"Your request to join {request.organisation.name} was declined"
                + (f": {request.decision_reason}" if request.decision_reason else "."),
    )
    return request


@transaction.atomic
def person_request_withdraw(*, actor, request: PersonRequest) -> PersonRequest:
    if request.person_id != actor.pk:
        raise NotAllowed("Only the person who asked can withdraw the request.")
    request = _locked_pending_request(request)
    request.status = PersonRequest.Status.WITHDRAWN
    request.decided_at = timezone.now()
    request.save(update_fields=["status", "decided_at"])
    audit_record(actor=actor, action="person_request.withdraw", target=request)
    return request


# --- Invitations -----------------------------------------------------------------------------


def _normalise_email(email: str) -> str:
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError as error:
        raise ApplicationError("Enter a valid e-mail address.",
                               fields={"email": f"“{email}” is not a valid e-mail address."}
                               ) from error
    local, _, domain = email.rpartition("@")
    return f"{local}@{domain.lower()}"


@transaction.atomic
def invitation_create(
    *, actor, organisation: Organisation, email: str, role: str = Role.MEMBER,
    full_name: str = "",
) -> tuple[Invitation, str]:
    """Invite an address to act for the organisation. Returns the invitation and its one-time
    token; only the e-mail carries the token, the database keeps a digest."""
    email = _normalise_email(email)
    if role not in Role.values:
        raise ApplicationError("Choose a role.", fields={"role": f"Unknown role “{role}”."})
    organisation = _lock(organisation)
    if not may_manage_people(actor, organisation):
        raise NotAllowed("Only the admins of an approved organisation invite people.")
    if organisation.memberships.filter(person__email__iexact=email).exists():
        raise Conflict(f"{email} already acts for {organisation.name}.",
                       fields={"email": "This person is already a member."},
                       code="already_member")
    now = timezone.now()
    # Re-inviting an address replaces its earlier open invitation (a fresh link, a new expiry).
    replaced = organisation.invitations.filter(
        email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    _check_room_for_one_more(organisation, counting_invitations=True)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        organisation=organisation, email=email, full_name=full_name.strip()[:150], role=role,
        token_digest=invitation_token_digest(token), invited_by=actor,
        expires_at=now + INVITATION_VALID_FOR,
    )
    audit_record(actor=actor, action="invitation.create", target=invitation,
                 changes={"email": email, "role": role, "replaced": replaced})
    from ..tasks import send_invitation_email

    enqueue_on_commit(send_invitation_email, invitation.pk, token)
    existing = [address.user for address in EmailAddress.objects.filter(
        email__iexact=email, verified=True).select_related("user")]
    notify(
        recipients=existing, kind=Notification.Kind.INVITATION_SENT, actor=actor,
        message=f"{actor} invites you to act for {organisation.name} on the portal.",
        url=reverse("partners:my_organisations"),
    )
    return invitation, token


@transaction.atomic
def invitation_revoke(*, actor, invitation: Invitation) -> Invitation:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not may_manage_people(actor, invitation.organisation):
        raise NotAllowed("Only the organisation's admins revoke invitations.")
    status = invitation.status_at(timezone.now())
    if status != Invitation.Status.PENDING:
        raise Conflict(f"This invitation is already {Invitation.Status(status).label.lower()}.")
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit_record(actor=actor, action="invitation.revoke", target=invitation)
    return invitation


def invitation_get_by_token(*, token: str) -> Invitation:
    try:
        return Invitation.objects.select_related("organisation", "invited_by").get(
            token_digest=invitation_token_digest(token or "")
        )
    except Invitation.DoesNotExist as error:
        raise NotFound("This invitation link is not valid. Ask for a new invitation.") from error


def invitation_ensure_open(*, invitation: Invitation) -> None:
    """Refuse an invitation that was used, withdrawn or has expired, with the reason. The
    invitation page asks this before offering the Accept button."""
    status = invitation.status_at(timezone.now())
    if status == Invitation.Status.ACCEPTED:
        raise Conflict("This invitation has already been used.", code="invitation_used")
    if status == Invitation.Status.REVOKED:
        raise Conflict("This invitation was withdrawn. Ask for a new one.",
                       code="invitation_revoked")
    if status == Invitation.Status.EXPIRED:
        raise Conflict("This invitation has expired. Ask the organisation's admin for a new one.",
                       code="invitation_expired")


@transaction.atomic
def invitation_accept(
    *, actor, token: str = "", invitation: Invitation | None = None
) -> OrganisationMembership:
    """The invited person accepts with an account that holds the invited address, verified.
    A link works once: the row is locked, so two clicks cannot both attach the account.

    `invitation` instead of `token` accepts from the person's own list of invitations
    (`selectors.invitations_for_person`): the database keeps only the token's digest, and the
    verified-address check below is what proves the person is the one invited."""
    if invitation is None:
        invitation = invitation_get_by_token(token=token)
    organisation = _lock(invitation.organisation)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    invitation_ensure_open(invitation=invitation)
    holds_address = EmailAddress.objects.filter(
        user=actor, email__iexact=invitation.email, verified=True
    ).exists()
    if not holds_address:
        raise NotAllowed(
            f"This invitation is for {invitation.email}. Sign in with that address (or add and "
            "verify it in your account) to accept it.", code="wrong_account",
        )
    if is_member_of(actor, organisation):
        raise Conflict(f"You already act for {organisation.name}.", code="already_member")
    limit = entitlements_of(organisation).max_representatives
    if organisation.memberships.count() >= limit:
        raise Conflict(f"{organisation.name} has reached its limit of {limit} people.",
                       code="representative_limit")
    membership = OrganisationMembership.objects.create(
        organisation=organisation, person=actor, role=invitation.role
    )
    invitation.accepted_at, invitation.accepted_by = timezone.now(), actor
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    _forget_roles(actor)
    audit_record(actor=actor, action="invitation.accept", target=invitation)
    notify(
        recipients=[invitation.invited_by, *organisation_admins(organisation=organisation)],
        kind=Notification.Kind.INVITATION_ACCEPTED, actor=actor,
        message=f"{actor} accepted the invitation and now acts for {organisation.name}.",
        url=reverse("partners:people", kwargs={"slug": organisation.slug}),
    )
    return membership


@dataclass(frozen=True)
class ImportRow:
    line: int
    email: str
    outcome: str  # "invited" or "refused"
    message: str


def invitations_import_csv(*, actor, organisation: Organisation, upload) -> list[ImportRow]:
    """Invite many colleagues from a CSV with the columns name, email, role (admin/member).

    Each row is its own transaction, so a refused row leaves the others invited; the report
    says what happened to every row.
    """
    if not may_manage_people(actor, organisation):
        raise NotAllowed("Only the organisation's admins invite people.")
    if upload.size > CSV_MAX_BYTES:
        raise ApplicationError("The file is larger than 512 KB.",
                               fields={"file": "Upload a CSV of at most 512 KB."})
    try:
        text = upload.read().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ApplicationError("The file is not UTF-8 text.",
                               fields={"file": "Save the sheet as CSV UTF-8 and upload it again."}
                               ) from error
    reader = csv.DictReader(io.StringIO(text))
    columns = {(name or "").strip().lower() for name in reader.fieldnames or []}
    if not {"name", "email"} <= columns:
        raise ApplicationError(
            "The first line must name the columns: name, email, role.",
            fields={"file": "Missing a header line with name, email and role."},
        )
    rows = list(reader)
    if len(rows) > CSV_MAX_ROWS:
        raise ApplicationError(f"At most {CSV_MAX_ROWS} rows at once.",
                               fields={"file": f"The file has {len(rows)} rows."})
    if not rows:
        raise ApplicationError("The file has no rows under its header.",
                               fields={"file": "Add one line per colleague."})
    report, seen = [], set()
    for line, raw in enumerate(rows, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        email, role = row.get("email", ""), (row.get("role") or Role.MEMBER).lower()
        if email.lower() in seen:
            report.append(ImportRow(line, email, "refused", "Listed twice in this file."))
            continue
        seen.add(email.lower())
        try:
            invitation_create(actor=actor, organisation=organisation, email=email, role=role,
                              full_name=row.get("name", ""))
        except ApplicationError as error:
            detail = "; ".join(m for ms in error.fields.values() for m in ms) or error.message
            report.append(ImportRow(line, email, "refused", detail))
        else:
            report.append(ImportRow(line, email, "invited", f"Invited as {Role(role).label}."))
    return report
