"""Writes of programmes and workstreams. Every state change goes through a function here."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from cluster_portal.accounts.roles import ProgrammeRole
from cluster_portal.accounts.selectors import staff_who_may_act
from cluster_portal.audit.models import AuditEvent
from cluster_portal.audit.services import audit_record
from cluster_portal.core.actors import is_system, person_of
from cluster_portal.core.changes import save_changes
from cluster_portal.core.exceptions import (
    ApplicationError,
    Conflict,
    NotAllowed,
    RateLimited,
    refuse_if_any,
)
from cluster_portal.core.transitions import decide, lock_for_decision
from cluster_portal.core.validators import (
    single_line,
    validate_document,
    validate_multiline_text,
    validate_single_line,
)
from cluster_portal.notifications.services import notify
from partners.entitlements import ENTITLED_STATUSES, entitlements_of
from partners.models import Organisation
from partners.permissions import may_request_workstreams
from partners.selectors import organisation_admins, organisation_has_signed_consortium_agreement

from . import notification_kinds as kinds
from .models import (
    JoinRequest,
    MeetingCalendarFeed,
    Programme,
    ProgrammePhase,
    Workstream,
    WorkstreamDocument,
    WorkstreamMeeting,
    WorkstreamMeetingFile,
    WorkstreamMembership,
)
from .permissions import (
    may_contact_workstream_lead,
    may_manage_members_area,
    may_manage_workstreams,
    may_review_join_requests,
    may_subscribe_to_meetings,
    may_withdraw_join_request,
    member_organisation_ids,
)
from .selectors import workstream_member_people

# Words the workstreams URLs use before "<slug>/"; no workstream may take them as its slug.
RESERVED_SLUGS = frozenset({"queue", "requests", "calendar"})


# What the *_update services change; the slug never (links must not break), a workstream's
# status only through workstream_activate.
PROGRAMME_EDITABLE = {"name", "short_name", "tagline", "description", "website", "is_featured"}
PHASE_EDITABLE = {"programme", "number", "name", "starts_on", "ends_on", "summary"}
WORKSTREAM_EDITABLE = {"programme", "name", "code", "summary", "kind", "description", "parent",
                       "lead", "display_order"}


def _check_may_manage(actor) -> None:
    if not (is_system(actor) or may_manage_workstreams(actor)):
        raise NotAllowed("Only programme admins manage programmes, phases and workstreams.")


def _unfeature_others(programme: Programme) -> None:
    # Only one programme is presented on the home page; featuring this one unfeatures the rest.
    Programme.objects.filter(is_featured=True).exclude(pk=programme.pk).update(is_featured=False)


@transaction.atomic
def programme_create(
    *, actor, name: str, short_name: str, tagline: str = "", description: str = "",
    website: str = "", is_featured: bool = False,
) -> Programme:
    _check_may_manage(actor)
    programme = Programme(
        name=name, short_name=short_name, slug=slugify(short_name), tagline=tagline,
        description=description, website=website, is_featured=is_featured,
    )
    if is_featured:
        _unfeature_others(programme)
    programme.full_clean()
    programme.save()
    audit_record(actor=actor, action="programme.create", target=programme)
    return programme


@transaction.atomic
def programme_update(*, actor, programme: Programme, **fields) -> Programme:
    """Descriptive fields (name, tagline, description, website) and whether it is featured;
    the slug stays, so links keep working."""
    _check_may_manage(actor)
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    if fields.get("is_featured"):
        _unfeature_others(programme)
    save_changes(actor=actor, instance=programme, action="programme.update", fields=fields,
                 editable=PROGRAMME_EDITABLE)
    return programme


@transaction.atomic
def programme_phase_create(*, actor, programme: Programme, number: int, name: str, starts_on,
                           ends_on=None, summary: str = "") -> ProgrammePhase:
    _check_may_manage(actor)
    phase = ProgrammePhase(programme=programme, number=number, name=name, starts_on=starts_on,
                           ends_on=ends_on, summary=summary)
    phase.full_clean()
    phase.save()
    audit_record(actor=actor, action="programme_phase.create", target=phase)
    return phase


@transaction.atomic
def programme_phase_update(*, actor, phase: ProgrammePhase, **fields) -> ProgrammePhase:
    _check_may_manage(actor)
    phase = ProgrammePhase.objects.select_for_update().get(pk=phase.pk)
    save_changes(actor=actor, instance=phase, action="programme_phase.update", fields=fields,
                 editable=PHASE_EDITABLE)
    return phase


@transaction.atomic
def workstream_create(
    *, actor, programme: Programme, name: str, code: str, summary: str,
    kind: str = Workstream.Kind.WORKSTREAM, status: str = Workstream.Status.PLANNED,
    description: str = "", parent: Workstream | None = None, lead=None, display_order: int = 100,
) -> Workstream:
    _check_may_manage(actor)
    slug = slugify(name)
    if slug in RESERVED_SLUGS:
        slug = f"{slug}-workstream"
    workstream = Workstream(
        programme=programme, name=name, slug=slug, code=code.upper(), summary=summary,
        kind=kind, status=status, description=description, parent=parent, lead=lead,
        display_order=display_order,
    )
    workstream.full_clean()
    workstream.save()
    audit_record(actor=actor, action="workstream.create", target=workstream)
    return workstream


@transaction.atomic
def workstream_update(*, actor, workstream: Workstream, **fields) -> Workstream:
    """Descriptive fields, its lead, parent and place in lists; the status moves only through
    workstream_activate, the slug never (links must not break)."""
    _check_may_manage(actor)
    if {"status", "slug"} & set(fields):
        raise ApplicationError("A workstream's status changes by activating it, and its "
                               "address never changes.")
    workstream = Workstream.objects.select_for_update().get(pk=workstream.pk)
    if "code" in fields:
        fields["code"] = fields["code"].upper()
    save_changes(actor=actor, instance=workstream, action="workstream.update", fields=fields,
                 editable=WORKSTREAM_EDITABLE)
    return workstream


@transaction.atomic
def workstream_activate(*, actor, workstream: Workstream) -> Workstream:
    """A planned platform goes live: partners can ask to join it from now on."""
    if not may_manage_workstreams(actor):
        raise NotAllowed("Only programme admins activate workstreams and platforms.")
    workstream = Workstream.objects.select_for_update().get(pk=workstream.pk)
    if workstream.status == Workstream.Status.ACTIVE:
        raise Conflict(f"{workstream.name} is already active.")
    workstream.status = Workstream.Status.ACTIVE
    workstream.save(update_fields=["status"])
    audit_record(actor=actor, action="workstream.activate", target=workstream,
                 changes={"status": ["planned", "active"]})
    return workstream


# The reviewers read a motivation whole, in the queue and in their e-mail: a few paragraphs.
# (The column stays a TextField: the rule is the portal's, not the database's.)
MOTIVATION_MAX_LENGTH = 2000


def motivation_too_long(motivation: str) -> str | None:
    if len(motivation) > MOTIVATION_MAX_LENGTH:
        return (f"Keep the motivation to {MOTIVATION_MAX_LENGTH:,} characters; it has "
                f"{len(motivation):,}.")
    return None


def _reviewers_of(workstream: Workstream) -> list:
    """Who hears of a new request: the workstream's lead, or all programme staff if none; only
    staff who may act (with MFA), since the request names the organisation."""
    reviewers = staff_who_may_act(role=ProgrammeRole.STAFF)
    if workstream.lead_id:
        lead = list(reviewers.filter(pk=workstream.lead_id))
        if lead:
            return lead
    return list(reviewers)


def _has_active_membership(organisation, workstream) -> bool:
    return WorkstreamMembership.objects.filter(
        organisation=organisation, workstream=workstream, until__isnull=True
    ).exists()


def _entitlement_obstacles(organisation: Organisation, workstream: Workstream, *,
                           entitled_kinds, has_agreement: bool) -> list[ApplicationError]:
    """The conditions of joining that depend on the organisation's standing: the workstream is
    open, the tier covers its kind, a consortium agreement is signed. Every one that fails, so
    an organisation that lacks both a tier and an agreement hears of both at once."""
    obstacles: list[ApplicationError] = []
    if workstream.status != Workstream.Status.ACTIVE:
        obstacles.append(Conflict(f"{workstream.name} is planned, not yet open to members.",
                                  code="workstream_not_active"))
    if workstream.kind not in entitled_kinds:
        if not organisation.tier:
            reason = "it has no programme membership tier yet"
        elif organisation.tier_status == Organisation.TierStatus.EXPIRED:
            reason = "its programme membership has expired"
        elif organisation.tier_status not in ENTITLED_STATUSES:
            reason = "its programme membership term has not started yet"
        else:
            reason = f"its {organisation.get_tier_display().lower()} tier does not cover " \
                     f"{workstream.get_kind_display().lower()}s"
        obstacles.append(NotAllowed(f"{organisation.name} can't join {workstream.name}: {reason}.",
                                    code="not_entitled"))
    if not has_agreement:
        obstacles.append(NotAllowed(
            f"{organisation.name} needs a signed consortium agreement before joining "
            "workstreams. The programme office records it once signed.",
            code="no_consortium_agreement",
        ))
    return obstacles


def join_request_refusal(obstacles: list[ApplicationError]) -> ApplicationError:
    """One error naming every obstacle: the first one's kind (and so status) and code, and
    every message, in order."""
    if len(obstacles) == 1:
        return obstacles[0]
    first = obstacles[0]
    return type(first)(" ".join(obstacle.message for obstacle in obstacles), code=first.code)


def _ensure_may_join(organisation: Organisation, workstream: Workstream) -> None:
    """The conditions of joining, checked when a request is made and again when it is approved:
    a tier or agreement may lapse while the request waits in the queue."""
    obstacles = _entitlement_obstacles(
        organisation, workstream, entitled_kinds=entitlements_of(organisation).workstream_kinds,
        has_agreement=organisation_has_signed_consortium_agreement(organisation=organisation))
    if obstacles:
        raise join_request_refusal(obstacles)


def join_request_obstacles(*, organisation: Organisation,
                           workstreams) -> dict[int, list[ApplicationError]]:
    """For each workstream, everything that would stop the organisation asking to join it now
    (an empty list when nothing would); changes nothing. Pages ask before offering the form,
    so nobody writes a motivation in vain, and name every obstacle, not only the first. The
    same rule as join_request_create, in a fixed number of queries however many workstreams
    are asked about. Being a member already, or having asked, is the whole answer: the
    organisation's standing is beside the point then."""
    workstreams = list(workstreams)
    member_of = set(WorkstreamMembership.objects.filter(
        organisation=organisation, workstream__in=workstreams, until__isnull=True,
    ).values_list("workstream_id", flat=True))
    requested = set(JoinRequest.objects.filter(
        organisation=organisation, workstream__in=workstreams, status=JoinRequest.Status.PENDING,
    ).values_list("workstream_id", flat=True))
    entitled_kinds = entitlements_of(organisation).workstream_kinds
    has_agreement = organisation_has_signed_consortium_agreement(organisation=organisation)
    obstacles = {}
    for workstream in workstreams:
        if workstream.pk in member_of:
            obstacles[workstream.pk] = [Conflict(
                f"{organisation.name} is already a member of {workstream.name}.",
                code="already_member")]
        elif workstream.pk in requested:
            obstacles[workstream.pk] = [Conflict(
                f"{organisation.name} has already asked to join {workstream.name}; programme "
                "staff will decide.", code="already_requested")]
        else:
            obstacles[workstream.pk] = _entitlement_obstacles(
                organisation, workstream, entitled_kinds=entitled_kinds,
                has_agreement=has_agreement)
    return obstacles


@transaction.atomic
def join_request_create(
    *, actor, organisation: Organisation, workstream: Workstream, motivation: str,
    code_of_conduct_acknowledged: bool,
) -> JoinRequest:
    """A partner admin asks for the organisation to join a workstream.

    Refused, with the reason, when the organisation is not entitled (tier, lapsed membership,
    no signed consortium agreement), the workstream is not open, or the organisation is already
    in it or already asked.
    """
    if not may_request_workstreams(actor, organisation):
        raise NotAllowed("Only the admins of an approved organisation ask to join workstreams.")
    errors = {}
    if not motivation.strip():
        errors["motivation"] = "Say why the organisation wants to join and what it brings."
    elif motivation_too_long(motivation.strip()):
        errors["motivation"] = motivation_too_long(motivation.strip())
    if not code_of_conduct_acknowledged:
        errors["code_of_conduct"] = ("Acknowledge the programme's competition-law code of "
                                     "conduct to ask to join.")
    if errors:
        raise ApplicationError("Some fields are not valid.", fields=errors)
    obstacles = join_request_obstacles(organisation=organisation,
                                       workstreams=[workstream])[workstream.pk]
    if obstacles:
        raise join_request_refusal(obstacles)
    try:
        with transaction.atomic():
            join_request = JoinRequest.objects.create(
                organisation=organisation, workstream=workstream, motivation=motivation.strip(),
                code_of_conduct_acknowledged_at=timezone.now(), requested_by=actor,
            )
    except IntegrityError as error:  # a concurrent request got in first
        raise Conflict(f"{organisation.name} has already asked to join {workstream.name}.",
                       code="already_requested") from error
    audit_record(actor=actor, action="join_request.create", target=join_request,
                 scope=organisation)
    notify(
        recipients=_reviewers_of(workstream), kind=kinds.JOIN_REQUEST_SUBMITTED,
        actor=actor, message=f"{organisation.name} asks to join {workstream.name}.",
        url=reverse("workstreams:queue"),
        context={"organisation": organisation.name, "workstream": workstream.name,
                 "motivation": join_request.motivation},
    )
    return join_request


def _start_membership(*, organisation, workstream, **fields) -> WorkstreamMembership:
    already = Conflict(f"{organisation.name} is already a member of {workstream.name}.",
                       code="already_member")
    if _has_active_membership(organisation, workstream):
        raise already
    try:
        with transaction.atomic():
            return WorkstreamMembership.objects.create(
                organisation=organisation, workstream=workstream, **fields)
    except IntegrityError as error:  # a concurrent approval or direct add got in first
        raise already from error


def _tell_organisation(join_request: JoinRequest, *, kind, message: str, actor,
                       **context) -> None:
    recipients = organisation_admins(organisation=join_request.organisation)
    if join_request.requested_by is not None and join_request.organisation.memberships.filter(
        person=join_request.requested_by
    ).exists():  # someone who has since left the organisation hears no more of its business
        recipients.append(join_request.requested_by)
    notify(recipients=recipients, kind=kind, actor=actor, message=message,
           url=join_request.workstream.get_absolute_url(),
           context={"organisation": join_request.organisation.name,
                    "workstream": join_request.workstream.name, **context})


@transaction.atomic
def join_request_approve(
    *, actor, join_request: JoinRequest, role: str = WorkstreamMembership.Role.CORE,
) -> WorkstreamMembership:
    if not may_review_join_requests(actor):
        raise NotAllowed("Only programme staff decide join requests.")
    if role not in WorkstreamMembership.Role.values:
        raise ApplicationError("Choose a role.", fields={"role": f"Unknown role “{role}”."})
    join_request = lock_for_decision(JoinRequest, join_request, to=JoinRequest.Status.APPROVED)
    _ensure_may_join(join_request.organisation, join_request.workstream)
    membership = _start_membership(
        organisation=join_request.organisation, workstream=join_request.workstream, role=role,
        since=timezone.localdate(), join_request=join_request,
    )
    join_request.granted_role = role
    decide(join_request, to=JoinRequest.Status.APPROVED, actor=actor, also=["granted_role"])
    audit_record(actor=actor, action="join_request.approve", target=join_request,
                 scope=join_request.organisation,
                 changes={"role": role})
    audit_record(actor=actor, action="workstream_membership.start", target=membership,
                 scope=join_request.organisation, changes={"role": role})
    _tell_organisation(
        join_request, kind=kinds.JOIN_REQUEST_DECIDED, actor=actor,
        message=f"{join_request.organisation.name} joined {join_request.workstream.name} as "
                f"{membership.get_role_display().lower()}.",
        approved=True, role=membership.get_role_display().lower(),
    )
    return membership


@transaction.atomic
def join_request_decline(*, actor, join_request: JoinRequest, reason: str) -> JoinRequest:
    if not may_review_join_requests(actor):
        raise NotAllowed("Only programme staff decide join requests.")
    if not (reason or "").strip():
        raise ApplicationError("Give the organisation a reason.",
                               fields={"reason": "Say why the request is declined."})
    join_request = lock_for_decision(JoinRequest, join_request, to=JoinRequest.Status.DECLINED)
    decide(join_request, to=JoinRequest.Status.DECLINED, actor=actor, reason=reason)
    audit_record(actor=actor, action="join_request.decline", target=join_request,
                 scope=join_request.organisation,
                 changes={"reason": join_request.decision_reason})
    _tell_organisation(
        join_request, kind=kinds.JOIN_REQUEST_DECIDED, actor=actor,
        message=f"The request of {join_request.organisation.name} to join "
                f"{join_request.workstream.name} was declined: {join_request.decision_reason}",
        approved=False, reason=join_request.decision_reason,
    )
    return join_request


@transaction.atomic
def join_request_withdraw(*, actor, join_request: JoinRequest) -> JoinRequest:
    if not may_withdraw_join_request(actor, join_request):
        raise NotAllowed("Only the organisation's admins withdraw its requests.")
    join_request = lock_for_decision(JoinRequest, join_request, to=JoinRequest.Status.WITHDRAWN)
    decide(join_request, to=JoinRequest.Status.WITHDRAWN, actor=actor)
    audit_record(actor=actor, action="join_request.withdraw", target=join_request,
                 scope=join_request.organisation)
    notify(recipients=_reviewers_of(join_request.workstream),
           kind=kinds.JOIN_REQUEST_WITHDRAWN, actor=actor,
           message=f"{join_request.organisation.name} withdrew its request to join "
                   f"{join_request.workstream.name}.", url=reverse("workstreams:queue"),
           context={"organisation": join_request.organisation.name,
                    "workstream": join_request.workstream.name})
    return join_request


@transaction.atomic
def workstream_membership_add(
    *, actor, organisation: Organisation, workstream: Workstream,
    role: str = WorkstreamMembership.Role.CORE, since=None,
) -> WorkstreamMembership:
    """Record a membership directly (programme office, demo data), without a request."""
    if not (is_system(actor) or may_review_join_requests(actor)):
        raise NotAllowed("Only programme staff add workstream members directly.")
    membership = _start_membership(
        organisation=organisation, workstream=workstream, role=role,
        since=since or timezone.localdate(),
    )
    audit_record(actor=actor, action="workstream_membership.start", target=membership,
                 scope=organisation, changes={"role": role})
    return membership


@transaction.atomic
def workstream_membership_end(
    *, actor, membership: WorkstreamMembership, reason: str = "",
) -> WorkstreamMembership:
    if not may_review_join_requests(actor):
        raise NotAllowed("Only programme staff end workstream memberships.")
    membership = WorkstreamMembership.objects.select_for_update(of=("self",)).select_related(
        "organisation", "workstream").get(pk=membership.pk)
    if membership.until is not None:
        raise Conflict("This membership has already ended.", code="already_ended")
    membership.until = max(timezone.localdate(), membership.since)
    membership.ended_by, membership.end_reason = person_of(actor), (reason or "").strip()
    membership.save(update_fields=["until", "ended_by", "end_reason"])
    audit_record(actor=actor, action="workstream_membership.end", target=membership,
                 scope=membership.organisation,
                 changes={"reason": membership.end_reason})
    notify(
        recipients=organisation_admins(organisation=membership.organisation),
        kind=kinds.WORKSTREAM_MEMBERSHIP_ENDED, actor=actor,
        message=f"{membership.organisation.name}'s membership of {membership.workstream.name} "
                "has ended" + (f": {membership.end_reason}" if membership.end_reason else "."),
        url=membership.workstream.get_absolute_url(),
        context={"organisation": membership.organisation.name,
                 "workstream": membership.workstream.name, "reason": membership.end_reason},
    )
    return membership


# --- The members' area: documents, meeting files, writing to the lead, calendar feeds ----------

TITLE_MAX_LENGTH = 200
CONTACT_SUBJECT_MAX_LENGTH = 150
CONTACT_MESSAGE_MAX_LENGTH = 5000
# How often one person may write to workstream leads: enough for a conversation, too few for a
# mailing. Counted from the audit trail, so it holds across processes and a cache outage.
CONTACT_LIMIT = 5
CONTACT_WINDOW = timedelta(hours=1)


def _check_may_manage_members_area(actor, workstream: Workstream) -> None:
    if not (is_system(actor) or may_manage_members_area(actor, workstream)):
        raise NotAllowed("Only programme staff and the workstream's lead share files in its "
                         "members' area.")


def _file_errors(upload) -> list[str]:
    try:
        validate_document(upload)
    except ValidationError as error:
        return error.messages
    return []


def _line_errors(value: str, *, what: str, max_length: int) -> tuple[str, list[str]]:
    """`value` as one clean line, and what is wrong with it, in words."""
    try:
        validate_single_line(value)
    except ValidationError as error:
        return value, error.messages
    value = single_line(value)
    if not value:
        return value, [f"Give the {what}."]
    if len(value) > max_length:
        return value, [f"Keep the {what} to {max_length} characters; it has {len(value)}."]
    return value, []


def _members_area_url(workstream: Workstream) -> str:
    return reverse("workstreams:members", kwargs={"slug": workstream.slug})


@transaction.atomic
def workstream_document_share(*, actor, workstream: Workstream, title: str, file,
                              on_behalf_of=None) -> WorkstreamDocument:
    """Share a document in the members' area and tell the people of the member organisations
    (each as they chose for this kind: at once, in the digest, or in the portal only). Their
    e-mails are rows of the outbox, handed to a worker once this transaction commits.

    Work of the portal itself (demo data) may say whom the document is from (`on_behalf_of`);
    a person acting is always its uploader."""
    _check_may_manage_members_area(actor, workstream)
    uploader = on_behalf_of if is_system(actor) and on_behalf_of is not None else person_of(actor)
    title, title_errors = _line_errors(title or "", what="title", max_length=TITLE_MAX_LENGTH)
    errors = {"title": title_errors, "file": _file_errors(file)}
    refuse_if_any(errors)
    document = WorkstreamDocument.objects.create(
        workstream=workstream, title=title, file=file, uploaded_by=uploader)
    audit_record(actor=actor, action="workstream_document.share", target=document,
                 scope=workstream, changes={"title": title, "file": document.file.name})
    notify(
        recipients=workstream_member_people(workstream=workstream),
        kind=kinds.WORKSTREAM_DOCUMENT_SHARED, actor=actor,
        message=f"“{title}” was shared in the members' area of {workstream.name}.",
        url=_members_area_url(workstream),
        context={"workstream": workstream.name, "title": title},
    )
    return document


@transaction.atomic
def workstream_meeting_file_attach(*, actor, meeting: WorkstreamMeeting, kind: str,
                                   file) -> WorkstreamMeetingFile:
    """Attach an agenda, minutes or a paper to a meeting of the members' area."""
    _check_may_manage_members_area(actor, meeting.workstream)
    errors = {"file": _file_errors(file)}
    if kind not in WorkstreamMeetingFile.Kind.values:
        errors["kind"] = ["Say whether the file is the agenda, the minutes or a paper."]
    refuse_if_any(errors)
    meeting_file = WorkstreamMeetingFile.objects.create(
        meeting=meeting, kind=kind, file=file, uploaded_by=person_of(actor))
    audit_record(actor=actor, action="workstream_meeting_file.attach", target=meeting_file,
                 scope=meeting.workstream,
                 changes={"meeting": meeting.title, "kind": kind, "file": meeting_file.file.name})
    return meeting_file


@transaction.atomic
def workstream_meeting_file_remove(*, actor, meeting_file: WorkstreamMeetingFile) -> None:
    """Take a file off a meeting (a wrong upload). The stored file goes once this commits."""
    workstream = meeting_file.meeting.workstream
    _check_may_manage_members_area(actor, workstream)
    storage, name = meeting_file.file.storage, meeting_file.file.name
    audit_record(actor=actor, action="workstream_meeting_file.remove", target=meeting_file,
                 scope=workstream,
                 changes={"meeting": meeting_file.meeting.title, "kind": meeting_file.kind,
                          "file": name})
    meeting_file.delete()
    transaction.on_commit(lambda: storage.delete(name))


def workstream_lead_of(workstream: Workstream) -> list:
    """Who reads a member's message to the lead: the lead, or the programme staff when the
    workstream has none (or its lead may not act as staff now)."""
    return _reviewers_of(workstream)


@transaction.atomic
def workstream_lead_contact(*, actor, workstream: Workstream, subject: str, message: str):
    """A person of a member organisation writes to the workstream's lead. The message goes
    through the outbox with Reply-To the sender, so the lead answers them directly; the sender
    never learns the lead's address unless the lead replies."""
    if not may_contact_workstream_lead(actor, workstream):
        raise NotAllowed("Only the people of the workstream's member organisations write to "
                         "its lead here.")
    subject, subject_errors = _line_errors(subject or "", what="subject",
                                           max_length=CONTACT_SUBJECT_MAX_LENGTH)
    message = (message or "").strip()
    message_errors = []
    if not message:
        message_errors.append("Write your message.")
    elif len(message) > CONTACT_MESSAGE_MAX_LENGTH:
        message_errors.append(f"Keep the message to {CONTACT_MESSAGE_MAX_LENGTH} characters; "
                              f"it has {len(message)}.")
    else:
        try:
            validate_multiline_text(message)
        except ValidationError as error:
            message_errors += error.messages
    errors = {name: messages for name, messages in
              (("subject", subject_errors), ("message", message_errors)) if messages}
    if errors:
        raise ApplicationError("The message can't be sent as it is.", fields=errors)
    # One person's messages are counted one at a time, so two sent at once can't both slip
    # under the limit.
    get_user_model().objects.select_for_update().filter(pk=actor.pk).exists()
    sent_lately = AuditEvent.objects.filter(
        actor=actor, action="workstream.lead_contact",
        created_at__gte=timezone.now() - CONTACT_WINDOW,
    ).count()
    if sent_lately >= CONTACT_LIMIT:
        raise RateLimited(f"You have written {CONTACT_LIMIT} messages in the last hour, the "
                          "most the portal sends for one person. Please write again later.")
    recipients = workstream_lead_of(workstream)
    if not recipients:
        raise Conflict("Nobody can receive messages for this workstream just now. Please write "
                       f"to the programme office at {settings.PROGRAMME_OFFICE_EMAIL}.",
                       code="no_recipient")
    to_lead = [person.pk for person in recipients] == [workstream.lead_id]
    organisations = ", ".join(Organisation.objects.filter(
        pk__in=member_organisation_ids(actor, workstream)).order_by("name")
        .values_list("name", flat=True))
    sender_name = actor.full_name or actor.email
    audit_record(actor=actor, action="workstream.lead_contact", target=workstream,
                 changes={"subject": subject, "to": "lead" if to_lead else "programme staff",
                          "recipients": [person.pk for person in recipients]})
    return notify(
        recipients=recipients, kind=kinds.WORKSTREAM_LEAD_CONTACTED, actor=actor,
        message=f"{sender_name} ({actor.email}, {organisations}) wrote about "
                f"{workstream.name}: {subject}. {message}",
        url=_members_area_url(workstream), reply_to=actor.email,
        context={"workstream": workstream.name, "subject": subject, "body": message,
                 "sender_name": sender_name, "sender_email": actor.email,
                 "organisations": organisations, "to_office": not to_lead},
    )


@transaction.atomic
def meeting_calendar_feed_renew(*, actor) -> MeetingCalendarFeed:
    """Give the person a calendar link, or a new one: every earlier link stops working."""
    if not may_subscribe_to_meetings(actor):
        raise NotAllowed("Calendar links are for the people of member organisations and "
                         "for those with sessions to follow.")
    feed, created = MeetingCalendarFeed.objects.update_or_create(
        person=actor, defaults={"key": secrets.token_urlsafe(32)})
    audit_record(actor=actor, action="meeting_calendar_feed.create" if created
                 else "meeting_calendar_feed.renew", target=feed)
    return feed


@transaction.atomic
def meeting_calendar_feed_revoke(*, actor) -> None:
    """Turn the person's calendar link off; calendars that poll it get 404 from now on."""
    feed = MeetingCalendarFeed.objects.select_for_update().filter(
        person_id=getattr(actor, "pk", None)).first()
    if feed is None:
        raise Conflict("You have no calendar link to turn off.", code="no_feed")
    audit_record(actor=actor, action="meeting_calendar_feed.revoke", target=feed)
    feed.delete()
