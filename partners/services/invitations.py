"""Invitations: e-mailed, single-use, expiring links to act for an organisation, one by one or
from a CSV file. The database keeps only a digest of each token; the e-mail carries the token,
and waits in the outbox sealed (encrypted) until it is sent, then its body is erased."""


import csv
import datetime
import io
import secrets
from dataclasses import asdict, dataclass

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
    InvitationImport,
    Organisation,
    OrganisationMembership,
    PersonRequest,
    invitation_token_digest,
)
from ..permissions import is_member_of, may_accept_invitation, may_manage_people
from ..selectors import organisation_admins
from ..validators import email_length_error
from .people import Role, _check_room_for_one_more, _forget_roles, _lock

INVITATION_VALID_FOR = datetime.timedelta(days=14)
INVITATION_NAME_MAX_LENGTH = 150
# One address gets at most this many invitations from one organisation in a day, however they
# are sent (one by one, again, from a CSV file): a mistake or a loop does not flood a mailbox.
INVITATIONS_A_DAY_PER_ADDRESS = 5
# Sending an invitation again is refused this soon after the last: its e-mail may still be on
# its way, and a second one would only kill the link the person is about to click.
RESEND_NOT_BEFORE = datetime.timedelta(minutes=5)
CSV_MAX_ROWS = 500
CSV_MAX_BYTES = 512 * 1024
# How long the report of a CSV import stays readable at its own address.
IMPORT_REPORT_KEPT_FOR = datetime.timedelta(days=7)


def _normalise_email(email: str) -> str:
    email = (email or "").strip()
    too_long = email_length_error(email)
    if too_long:
        raise ApplicationError("Enter a shorter e-mail address.", fields={"email": too_long})
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


def _check_invitation_rate(organisation: Organisation, email: str, now) -> None:
    since = now - datetime.timedelta(days=1)
    sent = list(organisation.invitations.filter(email__iexact=email, created_at__gt=since)
                .order_by("created_at").values_list("created_at", flat=True))
    if len(sent) >= INVITATIONS_A_DAY_PER_ADDRESS:
        next_at = timezone.localtime(sent[-INVITATIONS_A_DAY_PER_ADDRESS]
                                     + datetime.timedelta(days=1))
        raise Conflict(
            f"{email} has been sent {len(sent)} invitations to {organisation.name} in the last "
            f"24 hours, the most the portal sends one address in a day. You can send another "
            f"from {next_at:%d %b %Y, %H:%M}.",
            fields={"email": "Too many invitations to this address today."},
            code="invitation_rate_limited",
        )


@dataclass(frozen=True)
class Sent:
    """An invitation just sent: the row, its one-time token, and how many earlier open
    invitations of the address it replaced (their links no longer work)."""

    invitation: Invitation
    token: str
    replaced: int


def _invite(*, actor, organisation: Organisation, email: str, role: str, full_name: str,
            action: str = "invitation.create", changes: dict | None = None) -> Sent:
    email = _normalise_email(email)
    if role not in Role.values:
        raise ApplicationError("Choose a role.", fields={"role": f"Unknown role “{role}”."})
    try:
        validate_single_line(full_name)
    except ValidationError as error:
        raise ApplicationError("The name is one line of text.",
                               fields={"full_name": error.messages}) from error
    full_name = single_line(full_name)
    if len(full_name) > INVITATION_NAME_MAX_LENGTH:
        raise ApplicationError("Enter a shorter name.", fields={"full_name": (
            f"A name has at most {INVITATION_NAME_MAX_LENGTH} characters; this one has "
            f"{len(full_name)}.")})
    organisation = _lock(organisation)
    if not may_manage_people(actor, organisation):
        raise NotAllowed("Only the admins of an approved organisation invite people.")
    if organisation.memberships.filter(person__email__iexact=email).exists():
        raise Conflict(f"{email} already acts for {organisation.name}.",
                       fields={"email": "This person is already a member."},
                       code="already_member")
    now = timezone.now()
    _check_invitation_rate(organisation, email, now)
    replaced = _close_open_invitations(organisation, email, now)
    _check_room_for_one_more(organisation, counting_invitations=True)
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        organisation=organisation, email=email, full_name=full_name, role=role,
        token_digest=invitation_token_digest(token), invited_by=actor,
        expires_at=now + INVITATION_VALID_FOR,
    )
    invitation.email_message = outgoing_email_queue(draft=_invitation_email(invitation, token))
    invitation.save()
    audit_record(actor=actor, action=action, target=invitation, scope=organisation,
                 changes={"email": email, "role": role, "replaced": replaced, **(changes or {})})
    existing = [address.user for address in EmailAddress.objects.filter(
        email__iexact=email, verified=True).select_related("user")]
    notify(
        recipients=existing, kind=kinds.INVITATION_SENT, actor=actor,
        message=f"{actor} invites you to act for {organisation.name} on the portal.",
        url=reverse("partners:my_organisations"),
        context={"organisation": organisation.name, "role": invitation.get_role_display().lower()},
    )
    return Sent(invitation, token, replaced)


@transaction.atomic
def invitation_create(
    *, actor, organisation: Organisation, email: str, role: str = Role.MEMBER,
    full_name: str = "",
) -> tuple[Invitation, str]:
    """Invite an address to act for the organisation. Returns the invitation and its one-time
    token; only the e-mail carries the token, the database keeps a digest. An unanswered
    invitation of the same address is replaced: its link stops working."""
    sent = _invite(actor=actor, organisation=organisation, email=email, role=role,
                   full_name=full_name)
    return sent.invitation, sent.token


@transaction.atomic
def invitation_resend(*, actor, invitation: Invitation) -> Sent:
    """Send an open or expired invitation again: a new link, with the same role, and the old
    link dead. Not within RESEND_NOT_BEFORE of the last sending, and within the day's limit
    per address."""
    organisation = _lock(invitation.organisation)
    if not may_manage_people(actor, organisation):
        raise NotAllowed("Only the organisation's admins send invitations again.")
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    now = timezone.now()
    status = invitation.status_at(now)
    if status in (Invitation.Status.ACCEPTED, Invitation.Status.REVOKED):
        raise Conflict(f"This invitation is already {Invitation.Status(status).label.lower()}; "
                       "invite the address anew instead.", code="invitation_closed")
    if now < invitation.created_at + RESEND_NOT_BEFORE:
        again_at = timezone.localtime(invitation.created_at + RESEND_NOT_BEFORE)
        raise Conflict(f"The invitation to {invitation.email} was sent moments ago and its "
                       f"e-mail may still be on its way. Send it again from {again_at:%H:%M} "
                       "if it does not arrive.", code="resent_too_soon")
    return _invite(actor=actor, organisation=organisation, email=invitation.email,
                   role=invitation.role, full_name=invitation.full_name,
                   action="invitation.resend", changes={"replaces": invitation.pk})


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
    line: int  # the line of the file where the row starts, the header being line 1
    email: str
    outcome: str  # "invited" or "refused"
    message: str


def _delimiter_of(text: str) -> str:
    """Commas, or the semicolons that spreadsheets write where the comma is a decimal mark.
    Only the delimiter is taken from the header: the quoting rules stay Excel's."""
    try:
        header = (text[:4096].splitlines() or [""])[0]  # whatever its line ending
        return csv.Sniffer().sniff(header, delimiters=",;\t").delimiter
    except csv.Error:
        return ","


def _unreadable_csv(error: csv.Error, line: int) -> ApplicationError:
    if str(error).startswith("field larger than field limit"):
        detail = (f"Line {line}: a field runs on for more than {csv.field_size_limit():,} "
                  "characters, far more than a name, an address or a role. A quote (\") opened "
                  "on that line is probably never closed; close it, or remove it.")
    else:
        detail = f"Line {line} can't be read as CSV ({error})."
    return ApplicationError("The file is not a CSV file the portal can read.",
                            fields={"file": f"{detail} Save the sheet as CSV UTF-8 and upload "
                                            "it again."})


def _csv_records(text: str) -> list[tuple[int, list[str]]]:
    """The file's records, each with the line it starts on. A quoted field may hold line
    breaks, and blank lines count as lines, so the reader's own count of the lines it has read
    says where the next record starts; any kind of line ending counts as one."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter_of(text))
    records, starts_on = [], 1
    try:
        for record in reader:
            records.append((starts_on, record))
            starts_on = reader.line_num + 1
    except csv.Error as error:  # a malformed record, or a field beyond the csv module's limit
        raise _unreadable_csv(error, starts_on) from error
    return records


def _read_invitation_csv(upload) -> list[tuple[int, dict[str, str]]]:
    """The rows of an uploaded CSV as {column: value}, each with its line; blank rows left out.
    Refuses a file that is too large, not UTF-8, without the header, or too long."""
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
    records = [(line, cells) for line, cells in _csv_records(text.replace("\x00", ""))
               if any(cell.strip() for cell in cells)]
    header = [cell.strip().lower() for cell in records[0][1]] if records else []
    if not {"name", "email"} <= set(header):
        raise ApplicationError(
            "The first line must name the columns: name, email, role.",
            fields={"file": "Missing a header line with name, email and role."},
        )
    rows = [(line, {column: (cells[index] if index < len(cells) else "").strip()
                    for index, column in enumerate(header) if column})
            for line, cells in records[1:]]
    if len(rows) > CSV_MAX_ROWS:
        raise ApplicationError(f"At most {CSV_MAX_ROWS} rows at once.",
                               fields={"file": f"The file has {len(rows)} rows; split it into "
                                               f"files of at most {CSV_MAX_ROWS}."})
    if not rows:
        raise ApplicationError("The file has no rows under its header.",
                               fields={"file": "Add one line per colleague."})
    return rows


def invitations_import_csv(*, actor, organisation: Organisation, upload) -> InvitationImport:
    """Invite many colleagues from a CSV with the columns name, email, role (admin/member).

    Each row is its own transaction, so a refused row leaves the others invited. The report,
    which says what happened to the row starting on each line, is kept (InvitationImport) for
    the importer to read at its own address for IMPORT_REPORT_KEPT_FOR.
    """
    if not may_manage_people(actor, organisation):
        raise NotAllowed("Only the organisation's admins invite people.")
    report, seen = [], set()
    for line, row in _read_invitation_csv(upload):
        email, role = row.get("email", ""), (row.get("role") or Role.MEMBER).lower()
        if email.lower() in seen:
            report.append(ImportRow(line, email, "refused", "Listed twice in this file."))
            continue
        seen.add(email.lower())
        try:
            with transaction.atomic():
                sent = _invite(actor=actor, organisation=organisation, email=email, role=role,
                               full_name=row.get("name", ""))
        except ApplicationError as error:
            detail = "; ".join(m for ms in error.fields.values() for m in ms) or error.message
            report.append(ImportRow(line, email, "refused", detail))
        else:
            message = f"Invited as {Role(role).label.lower()}."
            if sent.replaced:
                message += (" This replaces the earlier invitation to the address: its link no "
                            "longer works.")
            report.append(ImportRow(line, email, "invited", message))
    return _record_import(actor=actor, organisation=organisation, upload=upload, report=report)


@transaction.atomic
def _record_import(*, actor, organisation: Organisation, upload,
                   report: list[ImportRow]) -> InvitationImport:
    now = timezone.now()
    # Reports are answers to one upload: those past their time go as a new one is kept.
    InvitationImport.objects.filter(expires_at__lte=now).delete()
    invited = sum(1 for row in report if row.outcome == "invited")
    return InvitationImport.objects.create(
        organisation=organisation, imported_by=actor,
        file_name=single_line(getattr(upload, "name", "") or "")[:255],
        rows=[asdict(row) for row in report], invited=invited, refused=len(report) - invited,
        expires_at=now + IMPORT_REPORT_KEPT_FOR,
    )
