"""Renewing an organisation's programme membership, as CiviCRM members know it: the term's end
approaches (reminders: organisations.organisation_tier_statuses_refresh), the organisation's
admins ask to renew, in their tier or another (a renewal request), and the programme office
renews it, which starts the next term and approves the request, or declines the request."""

import datetime

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from cluster_portal.accounts.roles import ProgrammeRole
from cluster_portal.accounts.selectors import staff_who_may_act
from cluster_portal.audit.services import audit_record
from cluster_portal.core.actors import is_system
from cluster_portal.core.exceptions import ApplicationError, Conflict, NotAllowed
from cluster_portal.core.transitions import decide, lock_for_decision
from cluster_portal.notifications.services import notify

from .. import notification_kinds as kinds
from ..models import Organisation, RenewalRequest
from ..permissions import is_partner_admin_of, may_decide_organisations, may_request_renewal
from ..selectors import organisation_admins
from ..validators import renewal_message_errors, tier_term_errors
from .organisations import GRACE_DAYS, organisation_set_tier

TERM_YEARS = 1


def _years_after(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def next_term(organisation: Organisation, *, today: datetime.date) -> tuple:
    """(starts_on, ends_on) of the term a renewal starts. A membership still running, or in its
    grace period, goes on without a gap: the same start, the end a year later, so renewing
    early never costs a day of what the tier allows. One that has expired starts afresh today."""
    ends = organisation.tier_ends_on
    if ends is not None and today <= ends + datetime.timedelta(days=GRACE_DAYS):
        return organisation.tier_starts_on, _years_after(ends, TERM_YEARS)
    return today, _years_after(today, TERM_YEARS) - datetime.timedelta(days=1)


def _membership_url(organisation: Organisation) -> str:
    return reverse("partners:membership", kwargs={"slug": organisation.slug})


def _nothing_to_renew(organisation: Organisation) -> Conflict | None:
    if not organisation.is_approved or not organisation.tier:
        return Conflict(f"{organisation.name} has no programme membership to renew yet: the "
                        "programme office sets its tier first.", code="nothing_to_renew")
    if organisation.tier_ends_on is None:
        return Conflict(f"{organisation.name}'s programme membership has no end date, so there "
                        "is nothing to renew.", code="nothing_to_renew")
    return None


@transaction.atomic
def renewal_request_create(*, actor, organisation: Organisation, tier: str = "",
                           message: str = "") -> RenewalRequest:
    """An admin of the organisation asks the programme office to renew its membership, in its
    tier or in `tier`. One request waits at a time; the programme admins are told."""
    if not may_request_renewal(actor, organisation):
        raise NotAllowed("Only the organisation's admins ask to renew its membership.")
    # The organisation's row is the lock that keeps one request waiting, and orders a request
    # after a renewal made at the same moment (organisation_renew takes the same lock first).
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    refusal = _nothing_to_renew(organisation)
    if refusal:
        raise refusal
    tier = tier or organisation.tier
    errors = renewal_message_errors(message)
    if tier not in Organisation.Tier.values:
        errors["tier"] = f"Unknown tier “{tier}”."
    if errors:
        raise ApplicationError("The request to renew is not valid.", fields=errors)
    waiting = organisation.renewal_requests.filter(status=RenewalRequest.Status.PENDING).first()
    if waiting is not None:
        raise Conflict(f"{organisation.name} already asked to renew, on "
                       f"{timezone.localdate(waiting.created_at):%d %b %Y}; the programme "
                       "office will decide it. Withdraw it to ask for something else.",
                       code="already_requested")
    try:
        with transaction.atomic():
            renewal_request = RenewalRequest.objects.create(
                organisation=organisation, tier=tier, term_ends_on=organisation.tier_ends_on,
                message=message.strip(), requested_by=actor,
            )
    except IntegrityError as error:  # partners_one_pending_renewal_request
        raise Conflict(f"{organisation.name} already asked to renew.",
                       code="already_requested") from error
    audit_record(actor=actor, action="renewal_request.create", target=renewal_request,
                 scope=organisation, changes={"tier": tier,
                                              "term_ends_on": organisation.tier_ends_on})
    tier_label = Organisation.Tier(tier).label.lower()
    notify(
        recipients=staff_who_may_act(role=ProgrammeRole.ADMIN),
        kind=kinds.RENEWAL_REQUESTED, actor=actor,
        message=f"{organisation.name} asks to renew its programme membership ({tier_label} "
                f"tier), which ends on {organisation.tier_ends_on:%d %b %Y}.",
        url=reverse("partners:renewals"),
        context={"organisation": organisation.name, "tier": tier_label,
                 "ends_on": f"{organisation.tier_ends_on:%d %B %Y}",
                 "request_message": renewal_request.message},
    )
    return renewal_request


@transaction.atomic
def renewal_request_withdraw(*, actor, renewal_request: RenewalRequest) -> RenewalRequest:
    """The organisation's admins take back a request still waiting."""
    if not is_partner_admin_of(actor, renewal_request.organisation):
        raise NotAllowed("Only the organisation's admins withdraw its request to renew.")
    renewal_request = lock_for_decision(RenewalRequest, renewal_request,
                                        to=RenewalRequest.Status.WITHDRAWN,
                                        with_related=["organisation"])
    decide(renewal_request, to=RenewalRequest.Status.WITHDRAWN, actor=actor)
    audit_record(actor=actor, action="renewal_request.withdraw", target=renewal_request,
                 scope=renewal_request.organisation, changes={"status": "withdrawn"})
    return renewal_request


@transaction.atomic
def renewal_request_decline(*, actor, renewal_request: RenewalRequest,
                            reason: str) -> RenewalRequest:
    """The programme office declines a request to renew, saying why; the organisation's admins
    are told. The membership itself is left as it is."""
    if not may_decide_organisations(actor):
        raise NotAllowed("Only programme admins decide requests to renew.")
    if not (reason or "").strip():
        raise ApplicationError("Say why the request to renew is declined.",
                               fields={"reason": "Give the organisation's admins a reason."})
    renewal_request = lock_for_decision(RenewalRequest, renewal_request,
                                        to=RenewalRequest.Status.DECLINED,
                                        with_related=["organisation"])
    decide(renewal_request, to=RenewalRequest.Status.DECLINED, actor=actor, reason=reason)
    organisation = renewal_request.organisation
    audit_record(actor=actor, action="renewal_request.decline", target=renewal_request,
                 scope=organisation,
                 changes={"status": "declined", "reason": renewal_request.decision_reason})
    notify(
        recipients=organisation_admins(organisation=organisation),
        kind=kinds.RENEWAL_REQUEST_DECLINED, actor=actor,
        message=f"The request to renew {organisation.name}'s programme membership was "
                f"declined: {renewal_request.decision_reason}",
        url=_membership_url(organisation),
        context={"organisation": organisation.name, "reason": renewal_request.decision_reason},
    )
    return renewal_request


@transaction.atomic
def organisation_renew(*, actor, organisation: Organisation, term_ends_on: datetime.date,
                       tier: str = "", ends_on: datetime.date | None = None) -> Organisation:
    """Renew the organisation's programme membership: start its next term (next_term, or until
    `ends_on`) in its tier, the tier its pending request asks for, or `tier`, and approve that
    request. Programme admins only.

    `term_ends_on` is the end of the term being renewed as the actor saw it. Two people renewing
    at once, or a form sent twice, would otherwise add two years: the organisation's row is
    locked, and a term that no longer ends then was renewed meanwhile (409)."""
    if not (is_system(actor) or may_decide_organisations(actor)):
        raise NotAllowed("Only programme admins renew memberships.")
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    refusal = _nothing_to_renew(organisation)
    if refusal:
        raise refusal
    if organisation.tier_ends_on != term_ends_on:
        raise Conflict(f"{organisation.name}'s membership was renewed meanwhile: its term now "
                       f"ends on {organisation.tier_ends_on:%d %b %Y}.", code="already_renewed")
    pending = organisation.renewal_requests.filter(status=RenewalRequest.Status.PENDING).first()
    if pending is not None:
        pending = lock_for_decision(RenewalRequest, pending, to=RenewalRequest.Status.APPROVED)
    starts_on, next_ends_on = next_term(organisation, today=timezone.localdate())
    ends_on = ends_on or next_ends_on
    earliest = max(term_ends_on, starts_on)
    if ends_on <= earliest:
        raise ApplicationError("The renewed term must end after the current one.", fields={
            "ends_on": f"End the renewed term after {earliest:%d %b %Y}."})
    tier = tier or (pending.tier if pending is not None else organisation.tier)
    errors = tier_term_errors(tier=tier, starts_on=starts_on, ends_on=ends_on,
                              current_tier=organisation.tier)
    if errors:  # organisation_set_tier's rule, said here in the renewal's words
        raise ApplicationError(f"The renewed term is not valid: {' '.join(errors.values())}",
                               fields=errors)
    before = [organisation.tier, organisation.tier_starts_on, organisation.tier_ends_on]
    organisation = organisation_set_tier(actor=actor, organisation=organisation, tier=tier,
                                         starts_on=starts_on, ends_on=ends_on)
    if pending is not None:
        decide(pending, to=RenewalRequest.Status.APPROVED, actor=actor)
    audit_record(actor=actor, action="organisation.renew", target=organisation, changes={
        "before": before, "after": [tier, starts_on, ends_on],
        "renewal_request": pending.pk if pending is not None else None,
    })
    tier_label = organisation.get_tier_display().lower()
    notify(
        recipients=organisation_admins(organisation=organisation),
        kind=kinds.TIER_RENEWED, actor=actor,
        message=f"{organisation.name}'s programme membership is renewed ({tier_label} tier) "
                f"until {ends_on:%d %b %Y}.",
        url=_membership_url(organisation),
        context={"organisation": organisation.name, "tier": tier_label,
                 "ends_on": f"{ends_on:%d %B %Y}"},
    )
    return organisation
