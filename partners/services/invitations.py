"""Invitations: e-mailed, single-use, expiring links to act for an organisation, one by one or
from a CSV file. The database keeps only a digest of each token; the e-mail carries the token."""


import csv
import datetime
import io
import secrets
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

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
from ..permissions import is_member_of, may_accept_invitation, may_manage_people
from ..selectors import organisation_admins
from .people import Role, _check_room_for_one_more, _forget_roles, _lock

INVITATION_VALID_FOR = datetime.timedelta(days=14)
CSV_MAX_ROWS = 500
CSV_MAX_BYTES = 512 * 1024



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


def wrong_account_error(invitation: Invitation) -> NotAllowed:
    return NotAllowed(
        f"This invitation is for {invitation.email}. Sign in with that address (or add and "
        "verify it in your account) to accept it.", code="wrong_account",
    )


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
    if not may_accept_invitation(actor, invitation):
        raise wrong_account_error(invitation)
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
    # A request of theirs to join is settled by the invitation; it must not wait in the queue.
    PersonRequest.objects.filter(
        organisation=organisation, person=actor, status=PersonRequest.Status.PENDING
    ).update(status=PersonRequest.Status.APPROVED, decided_by=invitation.invited_by,
             decided_at=invitation.accepted_at,
             decision_reason="Joined through an invitation.")
    _forget_roles(actor)
    audit_record(actor=actor, action="invitation.accept", target=invitation)
    notify(
        # The admins as they are now: an inviter who has since left hears nothing more.
        recipients=organisation_admins(organisation=organisation),
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


def _delimiter_of(text: str) -> str:
    """Commas, or the semicolons that spreadsheets write where the comma is a decimal mark.
    Only the delimiter is taken from the header: the quoting rules stay Excel's."""
    try:
        return csv.Sniffer().sniff(text[:4096].partition("\n")[0], delimiters=",;\t").delimiter
    except csv.Error:
        return ","


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
    # NUL is no character a name or address holds, and the database refuses it.
    text = text.replace("\x00", "")
    reader = csv.DictReader(io.StringIO(text), delimiter=_delimiter_of(text))
    try:
        columns = {(name or "").strip().lower() for name in reader.fieldnames or []}
        if not {"name", "email"} <= columns:
            raise ApplicationError(
                "The first line must name the columns: name, email, role.",
                fields={"file": "Missing a header line with name, email and role."},
            )
        rows = list(reader)
    except csv.Error as error:  # a malformed line, or a field beyond the csv module's limit
        raise ApplicationError(
            "The file is not a CSV file the portal can read.",
            fields={"file": f"Line {reader.line_num}: {error}. Save the sheet as CSV UTF-8."},
        ) from error
    if len(rows) > CSV_MAX_ROWS:
        raise ApplicationError(f"At most {CSV_MAX_ROWS} rows at once.",
                               fields={"file": f"The file has {len(rows)} rows."})
    if not rows:
        raise ApplicationError("The file has no rows under its header.",
                               fields={"file": "Add one line per colleague."})
    report, seen = [], set()
    for line, raw in enumerate(rows, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        if not any(row.values()):
            continue  # a spreadsheet's empty line (",,") is no one to invite
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
