"""Registering, approving and describing organisations, and their programme membership term."""

import datetime
import itertools
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from cluster_portal.accounts.memo import forget
from cluster_portal.accounts.models import User
from cluster_portal.accounts.roles import ProgrammeRole
from cluster_portal.accounts.selectors import staff_who_may_act
from cluster_portal.audit.services import audit_record
from cluster_portal.core.actors import SYSTEM, is_system
from cluster_portal.core.exceptions import ApplicationError, Conflict, NotAllowed
from cluster_portal.core.transitions import apply_decision, decide, lock_for_decision
from cluster_portal.core.validators import single_line
from cluster_portal.notifications.services import notify

from .. import notification_kinds as kinds
from ..entitlements import entitlements_of
from ..models import Organisation, OrganisationMembership
from ..permissions import may_decide_organisations, may_edit_profile
from ..review_time import registration_decision_expected_by
from ..selectors import (
    organisation_admins,
    organisation_has_signed_consortium_agreement,
    organisation_list_visible,
)
from ..validators import (
    normalise_uen,
    organisation_fields_errors,
    organisation_name_key,
    tier_term_errors,
    validate_logo,
)

# A new member is "new" for its first three months; an ended term has a month's grace.
NEW_MEMBER_DAYS = 90
GRACE_DAYS = 30
# Renewal reminders go this many days before a term ends, and one notice once it has ended.
RENEWAL_REMINDER_DAYS = (60, 30, 7)
LAPSED = 0

PROFILE_FIELDS = ("name", "website", "country", "description", "is_listed", "kind")


# Words the partners URLs use before "<slug>/"; no organisation may take them as its slug.
RESERVED_SLUGS = frozenset({"register", "mine", "approvals", "invitations", "requests",
                            "renewals"})


# A person may have this many registrations waiting for the programme office at once.
MAX_WAITING_REGISTRATIONS = 1


def _unique_slug(name: str, *, registered_by_a_partner: bool = False) -> str:
    """The organisation's address. A partner's registration always ends in a random suffix:
    an address taken or not by a hidden organisation of the same name must not show in it."""
    base = slugify(name)[:63] or "organisation"

    def candidates():
        if registered_by_a_partner:
            while True:
                yield f"{base}-{secrets.token_hex(3)}"
        yield base
        for n in itertools.count(2):
            yield f"{base}-{n}"

    return next(slug for slug in candidates() if slug not in RESERVED_SLUGS
                and not Organisation.objects.filter(slug=slug).exists())


def _duplicate_uen_error() -> ApplicationError:
    return ApplicationError(
        "An organisation with this UEN is already registered.",
        fields={"uen": "An organisation with this UEN is already registered. If it is yours, "
                "ask a colleague who administers it to invite you, or contact the programme "
                "office."},
        code="duplicate_uen",
    )


def _similar_names_error(names: list[str]) -> ApplicationError:
    listed = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    return ApplicationError(
        "An organisation of a very similar name is already registered.",
        fields={
            "name": f"Already registered under a very similar name: {listed}. If it is yours, "
                    "ask to join it from its page rather than registering it again.",
            "confirm_not_duplicate": "If this is a different organisation, confirm it and send "
                                     "the registration again.",
        },
        code="similar_name",
    )


def _approved_twin_error(organisation: Organisation, twin: Organisation | None) -> Conflict:
    holder = twin.name if twin is not None else "Another organisation"
    return Conflict(f"{holder} is already approved with the UEN {organisation.uen}. Decline this "
                    "registration, or correct its UEN first.", code="duplicate_uen")


def _checked_fields(fields: dict) -> dict:
    errors = organisation_fields_errors(fields)
    if errors:
        raise ApplicationError("Some fields are not valid.", fields=errors)
    if "name" in fields:
        fields["name"] = single_line(fields["name"])
    return fields


def _save_new(organisation: Organisation) -> Organisation:
    if organisation.is_approved and Organisation.objects.filter(
            uen=organisation.uen, status=Organisation.Status.APPROVED).exists():
        raise _duplicate_uen_error()
    try:
        organisation.full_clean(validate_constraints=False)
    except ValidationError as error:
        raise ApplicationError("Some fields are not valid.", fields=error.message_dict) from error
    try:
        with transaction.atomic():
            organisation.save()
    except IntegrityError as error:
        if organisation.is_approved:  # a concurrent approval took the UEN
            raise _duplicate_uen_error() from error
        raise Conflict("Someone registered an organisation of the same name at this very "
                       "moment. Send the form again.") from error
    return organisation


def _new_organisation(*, name: str, uen: str, kind: str, website: str, country: str,
                      description: str, registered_by_a_partner: bool, **fields) -> Organisation:
    checked = _checked_fields({"name": name, "uen": uen, "website": website, "country": country,
                               "description": description})
    return Organisation(
        name=checked["name"], name_key=organisation_name_key(checked["name"]),
        slug=_unique_slug(checked["name"], registered_by_a_partner=registered_by_a_partner),
        uen=normalise_uen(uen), kind=kind, website=website.strip(),
        country=country.strip().upper(), description=description.strip(), **fields,
    )


@transaction.atomic
def organisation_create(
    *, name: str, uen: str, kind: str, tier: str = "", website: str = "", country: str = "SG",
    description: str = "", is_listed: bool = False,
    status: str = Organisation.Status.PENDING, created_by=None,
) -> Organisation:
    """An organisation as the programme office records it (admin, demo data). The office sees
    every organisation, so any other holding the UEN is named as the clash it is."""
    if Organisation.objects.filter(uen=normalise_uen(uen)).exists():
        raise _duplicate_uen_error()
    return _save_new(_new_organisation(
        name=name, uen=uen, kind=kind, website=website, country=country,
        description=description, registered_by_a_partner=False, tier=tier,
        is_listed=is_listed, status=status, created_by=created_by,
    ))


class AlreadyActsFor(Conflict):
    """The registrant already acts for an organisation with this UEN: most often the same form
    sent twice (registered, Back, Send again). Pages send the person to it."""

    code = "already_yours"

    def __init__(self, message: str, *, organisation: Organisation):
        super().__init__(message)
        self.organisation = organisation


def _already_acts_for(actor, uen: str) -> AlreadyActsFor | None:
    membership = OrganisationMembership.objects.filter(
        person=actor, organisation__uen=normalise_uen(uen)).select_related("organisation").first()
    if membership is None:
        return None
    organisation, name = membership.organisation, membership.organisation.name
    if organisation.status == Organisation.Status.PENDING:
        message = (f"You have already registered {name}: it is waiting for the programme "
                   "office's approval, and there is nothing more to send. Here it is.")
    elif organisation.status == Organisation.Status.DECLINED:
        message = (f"You have already registered {name}, and the programme office declined "
                   "it. Write to the programme office if it should look at it again.")
    elif membership.role == OrganisationMembership.Role.ADMIN:
        message = (f"{name} is already registered, and you administer it: here it is. Invite "
                   "your colleagues from its People page.")
    else:
        message = f"{name} is already registered, and you act for it: here it is."
    return AlreadyActsFor(message, organisation=organisation)


@transaction.atomic
def organisation_register(
    *, actor, name: str, uen: str, kind: str, website: str = "", country: str = "SG",
    description: str = "", is_listed: bool = False, confirm_not_duplicate: bool = False,
) -> Organisation:
    """A signed-in person registers their organisation. It waits for a programme admin's
    approval and is invisible to everyone but its registrant and staff until then.

    A UEN is refused only when an organisation the registrant may see already holds it: a
    hidden one (waiting, declined, unlisted) is the programme office's to find, in the approvals
    queue, and is never confirmed to a stranger.

    A name that looks like one already registered ("meridian pharma asia" for "Meridian Pharma
    Asia Pte Ltd") is a warning, not a refusal: the registrant is told, and registers anyway by
    confirming `confirm_not_duplicate`. The warning names only organisations the registrant may
    already see (the directory's, and their own), by the same rule as the UEN: telling a stranger
    that some hidden organisation has a similar name, even without naming it, would confirm that
    it exists. The programme office still sees every look-alike in the approvals queue."""
    # The person's row is the lock that keeps two registrations at once within the limit.
    User.objects.select_for_update().filter(pk=actor.pk).first()
    already = _already_acts_for(actor, uen)
    if already is not None:
        raise already
    waiting = Organisation.objects.filter(created_by=actor, status=Organisation.Status.PENDING)
    if waiting.count() >= MAX_WAITING_REGISTRATIONS:
        raise Conflict(
            f"Your registration of {waiting.first().name} is waiting for the programme "
            "office's decision. Register another organisation once it is decided.",
            code="registration_waiting",
        )
    _checked_fields({"name": name, "uen": uen, "website": website, "country": country,
                     "description": description})
    visible = organisation_list_visible(user=actor)
    if visible.filter(uen=normalise_uen(uen)).exists():
        raise _duplicate_uen_error()
    name_key = organisation_name_key(single_line(name))
    # A name with no Latin letters or digits has an empty key, which says nothing alike.
    similar = list(visible.filter(name_key=name_key).values_list("name", flat=True)[:4]
                   ) if name_key else []
    if similar and not confirm_not_duplicate:
        raise _similar_names_error(similar)
    organisation = _save_new(_new_organisation(
        name=name, uen=uen, kind=kind, website=website, country=country,
        description=description, registered_by_a_partner=True, is_listed=is_listed,
        created_by=actor,
    ))
    OrganisationMembership.objects.create(
        organisation=organisation, person=actor, role=OrganisationMembership.Role.ADMIN
    )
    forget(actor, "_organisation_roles", "_workstream_member_orgs")
    changes = {"name": organisation.name, "uen": organisation.uen}
    if similar:  # registered although warned: the programme office reads why in the history
        changes["confirmed_not_duplicate_of"] = similar
    audit_record(actor=actor, action="organisation.register", target=organisation,
                 changes=changes)
    notify(
        recipients=staff_who_may_act(role=ProgrammeRole.ADMIN),
        kind=kinds.ORGANISATION_REGISTERED, actor=actor,
        message=f"{organisation.name} registered and is waiting for approval.",
        url=reverse("partners:approvals"), context={"organisation": organisation.name},
    )
    _acknowledge_registration(organisation, registrant=actor)
    return organisation


def _acknowledge_registration(organisation: Organisation, *, registrant) -> None:
    """Tell the registrant the registration arrived, what happens next and by when. From the
    portal: notify() never tells a person of what they did themself."""
    expected_by = registration_decision_expected_by(organisation)
    days = settings.REGISTRATION_REVIEW_DAYS
    notify(
        recipients=[registrant], kind=kinds.REGISTRATION_RECEIVED, actor=SYSTEM,
        message=f"We received the registration of {organisation.name}. A programme admin "
                f"decides it within {days} working days, by {expected_by:%d %b %Y}; you will "
                "be told here and by e-mail.",
        url=organisation.get_absolute_url(),
        context={"organisation": organisation.name, "review_days": days,
                 "expected_by": f"{expected_by:%A %d %B %Y}"},
    )


@transaction.atomic
def organisation_approve(
    *, actor, organisation: Organisation, tier: str = "", tier_starts_on=None, tier_ends_on=None,
) -> Organisation:
    if not may_decide_organisations(actor):
        raise NotAllowed("Only programme admins approve organisations.")
    organisation = lock_for_decision(Organisation, organisation, to=Organisation.Status.APPROVED)
    twin = Organisation.objects.filter(uen=organisation.uen, status=Organisation.Status.APPROVED)
    if twin.exists():
        raise _approved_twin_error(organisation, twin.first())
    decided = apply_decision(organisation, to=Organisation.Status.APPROVED, actor=actor)
    # A term recorded while the registration waited starts to count now, not at the next sweep.
    organisation.tier_status = tier_status_on(organisation, timezone.localdate())
    try:
        with transaction.atomic():
            organisation.save(update_fields=[*decided, "tier_status"])
    except IntegrityError as error:  # a registration of the same UEN approved at this moment
        raise _approved_twin_error(organisation, twin.first()) from error
    if tier:
        organisation = organisation_set_tier(
            actor=actor, organisation=organisation, tier=tier,
            starts_on=tier_starts_on or timezone.localdate(), ends_on=tier_ends_on,
        )
    audit_record(actor=actor, action="organisation.approve", target=organisation,
                 changes={"status": "approved", "tier": tier})
    notify(
        recipients=organisation_admins(organisation=organisation),
        kind=kinds.ORGANISATION_APPROVED, actor=actor, url=organisation.get_absolute_url(),
        **_approval_notice(organisation),
    )
    return organisation


def _approval_notice(organisation: Organisation) -> dict:
    """What the approval lets the organisation do now, and only that: without a tier (or
    before its term starts) it may invite a few people but join no workstream, and joining
    also waits for a consortium agreement. The in-app message and the e-mail say the same."""
    entitlements = entitlements_of(organisation)
    may_join = bool(entitlements.workstream_kinds)
    has_agreement = organisation_has_signed_consortium_agreement(organisation=organisation)
    needs = [] if may_join else [
        "its programme membership tier, which the programme office sets next" if not
        organisation.tier else "its programme membership term to start"]
    if not has_agreement:
        needs.append("a signed consortium agreement, which the programme office records")
    if needs:
        now = (f"You can now invite colleagues (up to {entitlements.max_representatives} people "
               "in all until a tier is set). " if not organisation.tier
               else "You can now invite colleagues. ")
        message = f"{organisation.name} is approved. {now}Joining workstreams waits for " \
                  f"{' and '.join(needs)}."
    else:
        message = (f"{organisation.name} is approved. You can now invite colleagues and ask to "
                   "join workstreams.")
    return {"message": message, "context": {
        "organisation": organisation.name, "tier": organisation.get_tier_display(),
        "may_join": may_join and has_agreement, "needs": needs,
        "max_representatives": entitlements.max_representatives,
    }}


@transaction.atomic
def organisation_decline(*, actor, organisation: Organisation, reason: str) -> Organisation:
    if not may_decide_organisations(actor):
        raise NotAllowed("Only programme admins decline organisations.")
    if not reason.strip():
        raise ApplicationError("Say why the registration is declined.",
                               fields={"reason": "Give the registrant a reason."})
    organisation = lock_for_decision(Organisation, organisation, to=Organisation.Status.DECLINED)
    decide(organisation, to=Organisation.Status.DECLINED, actor=actor, reason=reason)
    audit_record(actor=actor, action="organisation.decline", target=organisation,
                 changes={"status": "declined", "reason": organisation.decision_reason})
    notify(
        recipients=organisation_admins(organisation=organisation),
        kind=kinds.ORGANISATION_DECLINED, actor=actor,
        message=f"The registration of {organisation.name} was declined: "
                f"{organisation.decision_reason}",
        url=organisation.get_absolute_url(),
        context={"organisation": organisation.name, "reason": organisation.decision_reason},
    )
    return organisation


@transaction.atomic
def organisation_update_profile(*, actor, organisation: Organisation, logo=None,
                                remove_logo: bool = False, **changes) -> Organisation:
    """Partner admins edit their organisation's public profile. Only PROFILE_FIELDS change."""
    if not may_edit_profile(actor, organisation):
        raise NotAllowed("Only the organisation's admins edit its profile.")
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise ApplicationError(f"These fields can't be changed here: {', '.join(sorted(unknown))}.")
    changes = _checked_fields(changes)
    before = {name: getattr(organisation, name) for name in changes}
    for name, value in changes.items():
        setattr(organisation, name, value.strip() if isinstance(value, str) else value)
    if "country" in changes:
        organisation.country = organisation.country.upper()
    if "name" in changes:
        organisation.name_key = organisation_name_key(organisation.name)
    if logo is not None:
        try:
            extension = validate_logo(logo)
        except ValidationError as error:
            raise ApplicationError(error.messages[0], fields={"logo": error.messages}) from error
        # The stored name is ours, with the extension of the format Pillow found: an uploaded
        # name such as "logo.html" must never decide how the file is later served.
        logo.name = f"{organisation.slug}.{extension}"
        organisation.logo = logo
    elif remove_logo:
        organisation.logo = ""
    try:
        organisation.full_clean(exclude=["logo"], validate_constraints=False)
    except ValidationError as error:
        raise ApplicationError("Some fields are not valid.", fields=error.message_dict) from error
    organisation.save()
    changed = {k: [before[k], getattr(organisation, k)] for k in changes
               if before[k] != getattr(organisation, k)}
    if logo is not None or remove_logo:
        changed["logo"] = "replaced" if logo is not None else "removed"
    audit_record(actor=actor, action="organisation.update_profile", target=organisation,
                 changes=changed)
    return organisation


def tier_status_on(organisation: Organisation, today: datetime.date) -> str:
    """Where the programme membership term stands on `today`."""
    Status = Organisation.TierStatus
    starts, ends = organisation.tier_starts_on, organisation.tier_ends_on
    if not organisation.tier or starts is None or not organisation.is_approved or today < starts:
        return Status.NONE  # a term that has not started entitles to nothing yet
    if ends is not None and today > ends + datetime.timedelta(days=GRACE_DAYS):
        return Status.EXPIRED
    if ends is not None and today > ends:
        return Status.GRACE
    if today < starts + datetime.timedelta(days=NEW_MEMBER_DAYS):
        return Status.NEW
    return Status.CURRENT


@transaction.atomic
def organisation_set_tier(
    *, actor, organisation: Organisation, tier: str, starts_on: datetime.date,
    ends_on: datetime.date | None = None,
) -> Organisation:
    if not (is_system(actor) or may_decide_organisations(actor)):
        raise NotAllowed("Only programme admins set an organisation's tier.")
    errors = tier_term_errors(tier=tier or "", starts_on=starts_on, ends_on=ends_on,
                              current_tier=organisation.tier)
    if not tier:
        errors.setdefault("tier", "Choose a tier.")
    if errors:
        raise ApplicationError("The membership term is not valid.", fields=errors)
    before = [organisation.tier, organisation.tier_starts_on, organisation.tier_ends_on]
    organisation.tier, organisation.tier_starts_on, organisation.tier_ends_on = (
        tier, starts_on, ends_on)
    organisation.renewal_reminder_sent_on = None  # a new term gets its own reminder
    organisation.tier_status = tier_status_on(organisation, timezone.localdate())
    organisation.save(update_fields=["tier", "tier_starts_on", "tier_ends_on",
                                     "renewal_reminder_sent_on", "tier_status"])
    audit_record(actor=actor, action="organisation.set_tier", target=organisation,
                 changes={"before": before, "after": [tier, starts_on, ends_on]})
    return organisation


def organisation_tier_statuses_refresh(*, today: datetime.date | None = None) -> dict:
    """The daily sweep: move each term's status on, remind the organisation's admins 60, 30 and
    7 days before the term ends, and tell them once it has ended (renewal_notice_due).

    Idempotent, so a retried or doubled run changes nothing more, and a missed day is made up
    the next. Each organisation is its own transaction: one failure does not hold back the rest.
    """
    today = today or timezone.localdate()
    changed = reminded = 0
    ids = Organisation.objects.filter(status=Organisation.Status.APPROVED).exclude(tier="")
    for pk in ids.values_list("pk", flat=True):
        with transaction.atomic():
            organisation = Organisation.objects.select_for_update().get(pk=pk)
            notice = renewal_notice_due(organisation, today)
            new_status = tier_status_on(organisation, today)
            if new_status != organisation.tier_status:
                old_status = organisation.tier_status
                organisation.tier_status = new_status
                organisation.save(update_fields=["tier_status"])
                audit_record(actor=SYSTEM, action="organisation.tier_status",
                             target=organisation, changes={"before": old_status,
                                                           "after": new_status})
                if notice != LAPSED:  # the notice that the term ended says so: one e-mail
                    _tell_tier_status(organisation)
                changed += 1
            if notice is not None:
                organisation.renewal_reminder_sent_on = today
                organisation.save(update_fields=["renewal_reminder_sent_on"])
                _tell_renewal_notice(organisation, lapsed=notice == LAPSED)
                reminded += 1
    return {"changed": changed, "reminded": reminded}


def renewal_notice_due(organisation: Organisation, today: datetime.date) -> int | None:
    """The renewal notice owed today, if any: the days before the end of the nearest reminder
    date reached (60, 30, 7), or LAPSED once the term has ended (within its grace period).

    `renewal_reminder_sent_on` is the day of the term's last notice (a new term clears it):
    notices whose date is not after it were sent, so each goes once per term. A run that missed
    a reminder's day sends it on the next; one that missed several sends only the nearest, not
    a burst of stale ones."""
    ends = organisation.tier_ends_on
    if ends is None:
        return None
    sent_on = organisation.renewal_reminder_sent_on
    notices = [(ends - datetime.timedelta(days=days), days) for days in RENEWAL_REMINDER_DAYS]
    notices.append((ends + datetime.timedelta(days=1), LAPSED))
    reached = [days for on, days in notices
               if on <= today and (sent_on is None or on > sent_on)]
    if not reached:
        return None
    notice = reached[-1]
    if notice == LAPSED:
        return LAPSED if today <= ends + datetime.timedelta(days=GRACE_DAYS) else None
    return notice


def _tell_tier_status(organisation: Organisation) -> None:
    status = organisation.get_tier_status_display().lower()
    notify(
        recipients=organisation_admins(organisation=organisation),
        kind=kinds.TIER_STATUS_CHANGED,
        message=f"{organisation.name}'s programme membership is now {status}.",
        url=organisation.get_absolute_url(),
        context={"organisation": organisation.name, "status": status},
    )


def _tell_renewal_notice(organisation: Organisation, *, lapsed: bool) -> None:
    tier, ends_on = organisation.get_tier_display().lower(), organisation.tier_ends_on
    if lapsed:
        kind = kinds.TIER_LAPSED
        message = (f"{organisation.name}'s {tier} membership ended on {ends_on:%d %b %Y}. Ask "
                   "to renew it before its month of grace ends.")
    else:
        kind = kinds.TIER_RENEWAL_DUE
        message = (f"{organisation.name}'s {tier} membership ends on {ends_on:%d %b %Y}. Ask "
                   "the programme office to renew it from the Membership page.")
    notify(
        recipients=organisation_admins(organisation=organisation), kind=kind, message=message,
        url=reverse("partners:membership", kwargs={"slug": organisation.slug}),
        context={"organisation": organisation.name, "tier": tier,
                 "ends_on": f"{ends_on:%d %B %Y}"},
    )
