"""Invitations: e-mailed, single-use, expiring links to act for an organisation, one by one or
from a CSV file. The database keeps only a digest of each token; the e-mail carries the token,
and waits in the outbox sealed (encrypted) until it is sent, then its body is erased."""


import csv
import datetime
import io
import secrets
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from cluster_portal.audit.services import audit_record
from cluster_portal.core.exceptions import ApplicationError, Conflict, NotAllowed, NotFound
from cluster_portal.core.links import portal_url
from cluster_portal.core.validators import single_line, validate_single_line
from cluster_portal.notifications.drafts import EmailDraft
from cluster_portal.notifications.rendering import email_subject, layout
from cluster_portal.notifications.services import (
    notify,
    outgoing_email_queue,
    outgoing_emails_cancel,
)

from .. import notification_kinds as kinds
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


INVITATION_KIND = "invitation"


def _invitation_email(invitation: Invitation, token: str) -> EmailDraft:
    """The invitation e-mail, with its one-time link. Replies go to the person who invited."""
    inviter = invitation.invited_by
    inviter_name = (inviter.full_name or inviter.email) if inviter is not None else "An admin"
    link = portal_url(reverse("partners:invitation", args=[token]))
    words = {"invitation": invitation, "inviter_name": inviter_name,
             "organisation": invitation.organisation.name, "portal_name": settings.PORTAL_NAME}
    subject = email_subject(render_to_string("partners/email/invitation_subject.txt", words))
    text, html = layout(
        subject=subject, person_name=invitation.full_name,
        content=render_to_string("partners/email/invitation_message.txt", words),
        action_url=link, action_label="Accept the invitation",
        footer_lines=[
            f"You received this e-mail because {inviter_name} invited this address to act for "
            f"{invitation.organisation.name}. If you did not expect it, ignore it: nothing "
            "happens unless the link is used. Replying reaches the person who invited you.",
        ],
    )
    return EmailDraft(
        to=invitation.email, subject=subject, body_text=text, body_html=html,
        kind=INVITATION_KIND, reply_to=inviter.email if inviter is not None else "",
        sealed=True,
    )


def _close_open_invitations(organisation: Organisation, email: str, now) -> int:
    """Re-inviting an address replaces its earlier open invitation: revoked, and its e-mail
    stopped if it has not gone yet."""
    replaced = list(organisation.invitations.unanswered().filter(
        email__iexact=email).values_list("pk", "email_message_id"))
    if replaced:
        Invitation.objects.filter(pk__in=[pk for pk, _ in replaced]).update(revoked_at=now)
        outgoing_emails_cancel(email_ids=[mail for _, mail in replaced if mail],
                               reason="The invitation was replaced by a new one.")
    return len(replaced)


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
    try:
        validate_single_line(full_name)
    except ValidationError as error:
        raise ApplicationError("The name is one line of text.",
                               fields={"full_name": error.messages}) from error
    organisation = _lock(organisation)
    if not may_manage_people(actor, organisation):
        raise NotAllowed("Only the admins of an approved organisation invite people.")
    if organisation.memberships.filter(person__email__iexact=email).exists():
        raise Conflict(f"{email} already acts for {organisation.name}.",
                       fields={"email": "This person is already a member."},
                       code="already_member")
    now = timezone.now()
    replaced = _close_open_invitations(organisation, email, now)
    _check_room_for_one_more(organisation, counting_invitations=True)
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        organisation=organisation, email=email, full_name=single_line(full_name)[:150], role=role,
        token_digest=invitation_token_digest(token), invited_by=actor,
        expires_at=now + INVITATION_VALID_FOR,
    )
    invitation.email_message = outgoing_email_queue(draft=_invitation_email(invitation, token))
    invitation.save()
    audit_record(actor=actor, action="invitation.create", target=invitation,
                 scope=organisation,
                 changes={"email": email, "role": role, "replaced": replaced})
    existing = [address.user for address in EmailAddress.objects.filter(
        email__iexact=email, verified=True).select_related("user")]
    notify(
        recipients=existing, kind=kinds.INVITATION_SENT, actor=actor,
        message=f"{actor} invites you to act for {organisation.name} on the portal.",
        url=reverse("partners:my_organisations"),
        context={"organisation": organisation.name, "role": invitation.get_role_display().lower()},
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
    if invitation.email_message_id:
        outgoing_emails_cancel(email_ids=[invitation.email_message_id],
                               reason="The invitation was revoked before its e-mail went.")
    audit_record(actor=actor, action="invitation.revoke", target=invitation,
                 scope=invitation.organisation)
    return invitation


@transaction.atomic
def invitation_email_from_the_old_queue(*, invitation_id: int, token: str) -> bool:
    """An invitation e-mail handed to the broker before the outbox existed, its token in the
    message: it goes through the outbox like any other, if the invitation is still open and the
    token is its own. Kept for one release, so that a deploy loses none of them."""
    invitation = Invitation.objects.select_for_update(of=("self",)).select_related(
        "organisation", "invited_by").filter(pk=invitation_id).first()
    if (invitation is None or invitation.email_message_id is not None
            or invitation.token_digest != invitation_token_digest(token)
            or invitation.status_at(timezone.now()) != Invitation.Status.PENDING):
        return False
    invitation.email_message = outgoing_email_queue(draft=_invitation_email(invitation, token))
    invitation.save(update_fields=["email_message"])
    return True


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
    audit_record(actor=actor, action="invitation.accept", target=invitation,
                 scope=organisation)
    notify(
        # The admins as they are now: an inviter who has since left hears nothing more.
        recipients=organisation_admins(organisation=organisation),
        kind=kinds.INVITATION_ACCEPTED, actor=actor,
        message=f"{actor} accepted the invitation and now acts for {organisation.name}.",
        url=reverse("partners:people", kwargs={"slug": organisation.slug}),
        context={"organisation": organisation.name, "role": membership.get_role_display().lower()},
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
