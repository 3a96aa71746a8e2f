"""Joining workstreams through the services: who may ask, what the tier and agreements allow,
the staff's decision, withdrawal, ending a membership, and activating a planned platform."""

import datetime

import pytest
from django.utils import timezone

from cluster_portal.audit.models import AuditEvent
from cluster_portal.core.actors import SYSTEM
from cluster_portal.core.exceptions import ApplicationError, Conflict, NotAllowed
from cluster_portal.notifications.models import Notification
from partners.models import Agreement, Organisation, OrganisationMembership
from tests.conftest import activate_totp
from tests.factories import (
    AgreementFactory,
    OrganisationFactory,
    OrganisationMembershipFactory,
    UserFactory,
    WorkstreamFactory,
    WorkstreamMembershipFactory,
)
from workstreams.models import JoinRequest, Workstream, WorkstreamMembership
from workstreams.services import (
    join_request_approve,
    join_request_create,
    join_request_decline,
    join_request_obstacles,
    join_request_withdraw,
    workstream_activate,
    workstream_membership_add,
    workstream_membership_end,
)

pytestmark = pytest.mark.django_db

Kind, Role = Workstream.Kind, WorkstreamMembership.Role
MOTIVATION = "We bring a pilot plant and two process engineers."


def partner_admin_of(organisation):
    return OrganisationMembershipFactory(
        organisation=organisation, role=OrganisationMembership.Role.ADMIN).person


def ask(actor, organisation, workstream, **overrides) -> JoinRequest:
    arguments = {"motivation": MOTIVATION, "code_of_conduct_acknowledged": True} | overrides
    return join_request_create(actor=actor, organisation=organisation, workstream=workstream,
                               **arguments)


@pytest.fixture
def lead(db):
    person = UserFactory(role="programme_staff")
    activate_totp(person)  # only staff who may act are told of requests
    return person


@pytest.fixture
def workstream(lead):
    return WorkstreamFactory(name="Continuous Manufacturing", lead=lead)


@pytest.fixture
def organisation():
    return OrganisationFactory(name="Meridian Pharma Asia", tier="core", ready_to_join=True)


@pytest.fixture
def partner_admin(organisation):
    return partner_admin_of(organisation)


@pytest.fixture
def pending(partner_admin, organisation, workstream) -> JoinRequest:
    return ask(partner_admin, organisation, workstream)


# --- Asking ------------------------------------------------------------------------------------


def test_a_partner_admin_asks_and_the_workstream_lead_is_told(partner_admin, organisation,
                                                              workstream, lead):
    request = ask(partner_admin, organisation, workstream, motivation="  We bring PAT.  ")
    assert request.status == JoinRequest.Status.PENDING
    assert request.motivation == "We bring PAT."
    assert request.requested_by == partner_admin
    assert request.code_of_conduct_acknowledged_at is not None
    assert AuditEvent.objects.filter(action="join_request.create", actor=partner_admin,
                                     target_id=request.pk).exists()
    notice = Notification.objects.get(kind="join_request_submitted")
    assert notice.recipient == lead
    assert "Meridian Pharma Asia" in notice.message


def test_without_a_lead_all_programme_staff_and_admins_are_told(partner_admin, organisation):
    staff, admin = UserFactory(role="programme_staff"), UserFactory(role="programme_admin")
    activate_totp(staff)
    activate_totp(admin)
    UserFactory(role="programme_staff")  # without MFA: not told, as they may not see requests
    ask(partner_admin, organisation, WorkstreamFactory(lead=None))
    recipients = set(Notification.objects.values_list("recipient", flat=True))
    assert recipients == {staff.pk, admin.pk}


def test_motivation_and_the_code_of_conduct_are_required(partner_admin, organisation,
                                                        workstream):
    with pytest.raises(ApplicationError) as refused:
        ask(partner_admin, organisation, workstream, motivation=" ",
            code_of_conduct_acknowledged=False)
    assert set(refused.value.fields) == {"motivation", "code_of_conduct"}
    assert not JoinRequest.objects.exists()


def test_only_a_partner_admin_of_the_organisation_asks(organisation, workstream, mfa_staff_user):
    member = OrganisationMembershipFactory(organisation=organisation).person
    other_admin = partner_admin_of(OrganisationFactory(ready_to_join=True))
    for actor in (member, other_admin, mfa_staff_user):
        with pytest.raises(NotAllowed):
            ask(actor, organisation, workstream)
    assert not JoinRequest.objects.exists()


def test_a_planned_workstream_takes_no_requests(partner_admin, organisation):
    planned = WorkstreamFactory(kind=Kind.SHARED_PLATFORM, status=Workstream.Status.PLANNED)
    with pytest.raises(Conflict) as refused:
        ask(partner_admin, organisation, planned)
    assert refused.value.code == "workstream_not_active"


@pytest.mark.parametrize("tier, kind, allowed", [
    ("core", Kind.WORKSTREAM, True), ("core", Kind.SHARED_PLATFORM, True),
    ("member", Kind.WORKSTREAM, True), ("member", Kind.SHARED_PLATFORM, False),
    ("associate", Kind.WORKSTREAM, False), ("associate", Kind.SHARED_PLATFORM, True),
    ("associate", Kind.THEME, True),
])
def test_the_tier_decides_which_kinds_of_workstream_an_organisation_may_join(tier, kind, allowed):
    organisation = OrganisationFactory(tier=tier, ready_to_join=True)
    workstream = WorkstreamFactory(kind=kind)
    if allowed:
        ask(partner_admin_of(organisation), organisation, workstream)
        assert JoinRequest.objects.count() == 1
    else:
        with pytest.raises(NotAllowed) as refused:
            ask(partner_admin_of(organisation), organisation, workstream)
        assert refused.value.code == "not_entitled"
        assert "tier does not cover" in refused.value.message
        assert not JoinRequest.objects.exists()


@pytest.mark.parametrize("tier_status, allowed", [
    ("new", True), ("current", True), ("grace", True), ("expired", False),
])
def test_an_expired_membership_cannot_join(workstream, tier_status, allowed):
    organisation = OrganisationFactory(tier="core", tier_status=tier_status,
                                       ready_to_join=True)
    if allowed:
        ask(partner_admin_of(organisation), organisation, workstream)
    else:
        with pytest.raises(NotAllowed) as refused:
            ask(partner_admin_of(organisation), organisation, workstream)
        assert "expired" in refused.value.message
    assert JoinRequest.objects.count() == int(allowed)


def test_an_organisation_without_a_tier_cannot_join(workstream):
    organisation = OrganisationFactory(tier="", tier_starts_on=None, tier_ends_on=None,
                                       tier_status="none", ready_to_join=True)
    with pytest.raises(NotAllowed) as refused:
        ask(partner_admin_of(organisation), organisation, workstream)
    assert "no programme membership tier" in refused.value.message


@pytest.mark.parametrize("agreement", [
    None,
    {"kind": Agreement.Kind.NDA},
    {"status": Agreement.Status.SENT, "signed_on": None},
    {"expires_on": datetime.date(2020, 1, 1), "signed_on": datetime.date(2019, 1, 1)},
    {"signed_on": datetime.date(2999, 1, 1)},
])
def test_joining_needs_a_consortium_agreement_in_force(workstream, agreement):
    organisation = OrganisationFactory(tier="core")
    if agreement is not None:
        AgreementFactory(organisation=organisation, **agreement)
    with pytest.raises(NotAllowed) as refused:
        ask(partner_admin_of(organisation), organisation, workstream)
    assert refused.value.code == "no_consortium_agreement"
    assert not JoinRequest.objects.exists()


def test_a_second_request_or_one_from_a_member_is_refused(partner_admin, organisation,
                                                         workstream, pending):
    with pytest.raises(Conflict) as refused:
        ask(partner_admin, organisation, workstream)
    assert refused.value.code == "already_requested"

    other = WorkstreamFactory()
    WorkstreamMembershipFactory(organisation=organisation, workstream=other)
    with pytest.raises(Conflict) as refused:
        ask(partner_admin, organisation, other)
    assert refused.value.code == "already_member"
    assert JoinRequest.objects.count() == 1


# --- Deciding ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_staff_approve_with_a_role_and_the_organisation_is_told(pending, mfa_staff_user,
                                                                partner_admin, organisation,
                                                                role):
    colleague_admin = partner_admin_of(organisation)
    membership = join_request_approve(actor=mfa_staff_user, join_request=pending, role=role)

    assert membership.role == role and membership.until is None
    assert membership.since == timezone.localdate()
    assert membership.join_request == pending
    pending.refresh_from_db()
    assert pending.status == JoinRequest.Status.APPROVED
    assert pending.decided_by == mfa_staff_user and pending.granted_role == role
    assert AuditEvent.objects.filter(action="join_request.approve", target_id=pending.pk,
                                     actor=mfa_staff_user).exists()
    assert AuditEvent.objects.filter(action="workstream_membership.start",
                                     target_id=membership.pk).exists()
    told = set(Notification.objects.filter(kind="join_request_decided")
               .values_list("recipient", flat=True))
    assert told == {partner_admin.pk, colleague_admin.pk}


def test_the_deciding_staff_member_is_not_told_of_their_own_decision(organisation, workstream,
                                                                     mfa_admin_user):
    # The requester is also programme staff here: still not told of their own act.
    OrganisationMembershipFactory(organisation=organisation, person=mfa_admin_user,
                                  role=OrganisationMembership.Role.ADMIN)
    request = ask(mfa_admin_user, organisation, workstream)
    join_request_approve(actor=mfa_admin_user, join_request=request)
    assert not Notification.objects.filter(recipient=mfa_admin_user,
                                           kind="join_request_decided").exists()


@pytest.mark.parametrize("second", ["approve", "decline", "withdraw"])
def test_a_decided_request_cannot_be_decided_again(pending, mfa_staff_user, partner_admin,
                                                   second):
    join_request_approve(actor=mfa_staff_user, join_request=pending)
    with pytest.raises(Conflict) as refused:
        {
            "approve": lambda: join_request_approve(actor=mfa_staff_user, join_request=pending),
            "decline": lambda: join_request_decline(actor=mfa_staff_user, join_request=pending,
                                                    reason="Changed my mind."),
            "withdraw": lambda: join_request_withdraw(actor=partner_admin, join_request=pending),
        }[second]()
    assert refused.value.code == "already_decided"
    assert WorkstreamMembership.objects.count() == 1
    assert JoinRequest.objects.get(pk=pending.pk).status == JoinRequest.Status.APPROVED


def test_only_staff_with_mfa_decide(pending, partner_admin, staff_user, admin_user):
    for actor in (partner_admin, staff_user, admin_user):
        with pytest.raises(NotAllowed):
            join_request_approve(actor=actor, join_request=pending)
        with pytest.raises(NotAllowed):
            join_request_decline(actor=actor, join_request=pending, reason="No.")
    assert JoinRequest.objects.get(pk=pending.pk).status == JoinRequest.Status.PENDING
    assert not WorkstreamMembership.objects.exists()


def test_an_unknown_role_is_refused(pending, mfa_staff_user):
    with pytest.raises(ApplicationError) as refused:
        join_request_approve(actor=mfa_staff_user, join_request=pending, role="chair")
    assert "role" in refused.value.fields
    assert JoinRequest.objects.get(pk=pending.pk).status == JoinRequest.Status.PENDING


def test_approving_when_the_organisation_joined_meanwhile_changes_nothing(
        pending, mfa_staff_user, organisation, workstream):
    workstream_membership_add(actor=mfa_staff_user, organisation=organisation,
                              workstream=workstream)
    with pytest.raises(Conflict) as refused:
        join_request_approve(actor=mfa_staff_user, join_request=pending)
    assert refused.value.code == "already_member"
    assert JoinRequest.objects.get(pk=pending.pk).status == JoinRequest.Status.PENDING
    assert WorkstreamMembership.objects.count() == 1


def test_a_decline_needs_a_reason_which_the_organisation_reads(pending, mfa_staff_user,
                                                               partner_admin):
    for reason in ("", "   "):
        with pytest.raises(ApplicationError) as refused:
            join_request_decline(actor=mfa_staff_user, join_request=pending, reason=reason)
        assert "reason" in refused.value.fields
    assert JoinRequest.objects.get(pk=pending.pk).status == JoinRequest.Status.PENDING

    join_request_decline(actor=mfa_staff_user, join_request=pending,
                         reason=" The workstream is full this year. ")
    pending.refresh_from_db()
    assert pending.status == JoinRequest.Status.DECLINED
    assert pending.decision_reason == "The workstream is full this year."
    notice = Notification.objects.get(recipient=partner_admin,
                                      kind="join_request_decided")
    assert "The workstream is full this year." in notice.message
    assert AuditEvent.objects.get(action="join_request.decline").changes == {
        "reason": "The workstream is full this year."}
    assert not WorkstreamMembership.objects.exists()


def test_after_a_decline_the_organisation_may_ask_again(pending, mfa_staff_user, partner_admin,
                                                        organisation, workstream):
    join_request_decline(actor=mfa_staff_user, join_request=pending, reason="Not yet.")
    again = ask(partner_admin, organisation, workstream)
    assert again.status == JoinRequest.Status.PENDING
    assert JoinRequest.objects.count() == 2


def test_a_partner_admin_withdraws_and_the_reviewers_are_told(pending, partner_admin, lead):
    join_request_withdraw(actor=partner_admin, join_request=pending)
    pending.refresh_from_db()
    assert pending.status == JoinRequest.Status.WITHDRAWN
    assert pending.decided_by == partner_admin
    assert Notification.objects.filter(recipient=lead,
                                       kind="join_request_withdrawn").exists()
    assert AuditEvent.objects.filter(action="join_request.withdraw",
                                     actor=partner_admin).exists()


def test_only_the_organisations_admins_withdraw(pending, organisation, mfa_staff_user):
    member = OrganisationMembershipFactory(organisation=organisation).person
    outsider = partner_admin_of(OrganisationFactory())
    for actor in (member, outsider, mfa_staff_user):
        with pytest.raises(NotAllowed):
            join_request_withdraw(actor=actor, join_request=pending)
    assert JoinRequest.objects.get(pk=pending.pk).status == JoinRequest.Status.PENDING


# --- Memberships -------------------------------------------------------------------------------


def test_staff_end_a_membership_and_the_organisation_may_ask_again(
        pending, mfa_staff_user, partner_admin, organisation, workstream):
    membership = join_request_approve(actor=mfa_staff_user, join_request=pending)
    Notification.objects.all().delete()
    workstream_membership_end(actor=mfa_staff_user, membership=membership,
                              reason=" Left the programme. ")
    membership.refresh_from_db()
    assert membership.until == timezone.localdate()
    assert membership.ended_by == mfa_staff_user
    assert membership.end_reason == "Left the programme."
    notice = Notification.objects.get(recipient=partner_admin)
    assert notice.kind == "workstream_membership_ended"
    assert "Left the programme." in notice.message
    assert AuditEvent.objects.filter(action="workstream_membership.end",
                                     target_id=membership.pk).exists()

    with pytest.raises(Conflict) as refused:
        workstream_membership_end(actor=mfa_staff_user, membership=membership)
    assert refused.value.code == "already_ended"
    ask(partner_admin, organisation, workstream)  # a former member may ask to rejoin


def test_only_staff_with_mfa_end_memberships(partner_admin, organisation, staff_user):
    membership = WorkstreamMembershipFactory(organisation=organisation)
    for actor in (partner_admin, staff_user):
        with pytest.raises(NotAllowed):
            workstream_membership_end(actor=actor, membership=membership)
    assert WorkstreamMembership.objects.get(pk=membership.pk).until is None


def test_memberships_added_directly_are_audited_and_never_doubled(organisation, workstream,
                                                                  mfa_staff_user, partner_admin):
    since = timezone.localdate() - datetime.timedelta(days=30)
    membership = workstream_membership_add(actor=SYSTEM, organisation=organisation,
                                           workstream=workstream, role=Role.OBSERVER, since=since)
    assert membership.since == since and membership.role == Role.OBSERVER
    assert AuditEvent.objects.get(action="workstream_membership.start").actor is None
    with pytest.raises(Conflict):
        workstream_membership_add(actor=mfa_staff_user, organisation=organisation,
                                  workstream=workstream)
    with pytest.raises(NotAllowed):
        workstream_membership_add(actor=partner_admin, organisation=OrganisationFactory(),
                                  workstream=workstream)
    assert WorkstreamMembership.objects.count() == 1


# --- Workstreams -------------------------------------------------------------------------------


def test_a_programme_admin_activates_a_planned_platform(mfa_admin_user, mfa_staff_user):
    platform = WorkstreamFactory(kind=Kind.SHARED_PLATFORM, status=Workstream.Status.PLANNED)
    with pytest.raises(NotAllowed):
        workstream_activate(actor=mfa_staff_user, workstream=platform)
    platform = workstream_activate(actor=mfa_admin_user, workstream=platform)
    assert Workstream.objects.get(pk=platform.pk).status == Workstream.Status.ACTIVE
    assert AuditEvent.objects.get(action="workstream.activate").actor == mfa_admin_user
    with pytest.raises(Conflict):
        workstream_activate(actor=mfa_admin_user, workstream=platform)

    core = OrganisationFactory(tier="core", ready_to_join=True)
    ask(partner_admin_of(core), core, platform)  # open to requests from now on
    assert JoinRequest.objects.filter(workstream=platform).count() == 1


def test_a_pending_organisation_cannot_ask(workstream):
    organisation = OrganisationFactory(status=Organisation.Status.PENDING, ready_to_join=True)
    with pytest.raises(NotAllowed):
        ask(partner_admin_of(organisation), organisation, workstream)


def test_a_member_is_told_it_is_a_member_before_anything_about_its_standing():
    # What stands in the way first: being in it already (or having asked), then the standing
    # of the organisation (tier, agreement), the same on the join page, the tab and the API.
    organisation = OrganisationFactory(tier="core", ready_to_join=True)
    workstream = WorkstreamFactory(status="active")
    WorkstreamMembershipFactory(organisation=organisation, workstream=workstream)
    Organisation.objects.filter(pk=organisation.pk).update(tier_status="expired")
    organisation.refresh_from_db()
    other = WorkstreamFactory(status="active")
    obstacles = join_request_obstacles(organisation=organisation, workstreams=[workstream, other])
    assert [obstacle.code for obstacle in obstacles[workstream.pk]] == ["already_member"]
    assert [obstacle.code for obstacle in obstacles[other.pk]] == ["not_entitled"]
