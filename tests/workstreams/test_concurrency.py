"""Two people acting at the same moment: each thread has its own database connection and both
start their transaction together (a barrier), so the services' row locks and constraints are
what decides, as between two web workers."""

import pytest

from cluster_portal.accounts.models import User
from partners.models import Organisation, OrganisationMembership
from partners.services import organisation_membership_remove
from tests.conftest import activate_totp
from tests.factories import (
    JoinRequestFactory,
    OrganisationFactory,
    OrganisationMembershipFactory,
    UserFactory,
    WorkstreamFactory,
)
from tests.support.races import conflicts, fresh, race, staff_with_mfa, unexpected
from workstreams.models import JoinRequest, WorkstreamMembership
from workstreams.services import (
    join_request_approve,
    join_request_create,
    join_request_decline,
    join_request_withdraw,
)

pytestmark = pytest.mark.django_db(transaction=True)

ADMIN = OrganisationMembership.Role.ADMIN


def test_two_approvals_of_one_request_make_exactly_one_membership():
    request = JoinRequestFactory()
    first, second = staff_with_mfa(), staff_with_mfa()

    outcomes = race(
        lambda: join_request_approve(actor=fresh(User, first.pk),
                                     join_request=fresh(JoinRequest, request.pk), role="core"),
        lambda: join_request_approve(actor=fresh(User, second.pk),
                                     join_request=fresh(JoinRequest, request.pk),
                                     role="observer"),
    )

    assert WorkstreamMembership.objects.count() == 1
    [conflict] = conflicts(outcomes)
    assert conflict.code == "already_decided"
    [membership] = [outcome for outcome in outcomes if isinstance(outcome, WorkstreamMembership)]
    request.refresh_from_db()
    assert request.status == JoinRequest.Status.APPROVED
    assert request.granted_role == membership.role == WorkstreamMembership.objects.get().role


def test_the_two_admins_leaving_at_once_leave_exactly_one_admin():
    organisation = OrganisationFactory()
    one = OrganisationMembershipFactory(organisation=organisation, role=ADMIN)
    two = OrganisationMembershipFactory(organisation=organisation, role=ADMIN)

    outcomes = race(
        lambda: organisation_membership_remove(
            actor=fresh(User, one.person_id), membership=fresh(OrganisationMembership, one.pk)),
        lambda: organisation_membership_remove(
            actor=fresh(User, two.person_id), membership=fresh(OrganisationMembership, two.pk)),
    )

    assert organisation.memberships.filter(role=ADMIN).count() == 1
    [conflict] = conflicts(outcomes)
    assert conflict.code == "last_admin"


def test_the_programme_office_removing_both_admins_at_once_leaves_one():
    organisation = OrganisationFactory()
    one = OrganisationMembershipFactory(organisation=organisation, role=ADMIN)
    two = OrganisationMembershipFactory(organisation=organisation, role=ADMIN)
    office = UserFactory(role="programme_admin")
    activate_totp(office)

    outcomes = race(*[
        lambda pk=membership.pk: organisation_membership_remove(
            actor=fresh(User, office.pk), membership=fresh(OrganisationMembership, pk))
        for membership in (one, two)
    ])

    assert Organisation.objects.get(pk=organisation.pk).memberships.count() == 1
    assert len(conflicts(outcomes)) == 1


def test_two_requests_to_join_at_once_make_one_request():
    organisation = OrganisationFactory(ready_to_join=True)
    workstream = WorkstreamFactory()
    one = OrganisationMembershipFactory(organisation=organisation, role=ADMIN).person
    two = OrganisationMembershipFactory(organisation=organisation, role=ADMIN).person

    outcomes = race(*[
        lambda pk=person.pk: join_request_create(
            actor=fresh(User, pk), organisation=fresh(Organisation, organisation.pk),
            workstream=workstream, motivation="We bring a pilot plant.",
            code_of_conduct_acknowledged=True)
        for person in (one, two)
    ])

    assert JoinRequest.objects.filter(organisation=organisation, workstream=workstream).count() == 1
    [conflict] = conflicts(outcomes)
    assert conflict.code == "already_requested"


# Every pair of decisions on one join request, taken at the same moment: exactly one wins, the
# other is told it was already decided, and nothing deadlocks. A few rounds each, since a lock
# taken in the wrong order shows only some of the time.
JOIN_REQUEST_DECISIONS = {
    "approve": (lambda actors, pk: join_request_approve(
        actor=fresh(User, actors["staff"].pk), join_request=fresh(JoinRequest, pk))),
    "decline": (lambda actors, pk: join_request_decline(
        actor=fresh(User, actors["other_staff"].pk), join_request=fresh(JoinRequest, pk),
        reason="The workstream is full this year.")),
    "withdraw": (lambda actors, pk: join_request_withdraw(
        actor=fresh(User, actors["partner_admin"].pk), join_request=fresh(JoinRequest, pk))),
}
OUTCOME_STATUS = {"approve": "approved", "decline": "declined", "withdraw": "withdrawn"}


@pytest.mark.parametrize("first, second", [
    ("approve", "decline"), ("approve", "withdraw"), ("decline", "withdraw"),
    ("decline", "decline"), ("withdraw", "withdraw"),
])
def test_two_decisions_on_one_join_request_at_once_one_wins_without_a_deadlock(first, second):
    actors = {"staff": staff_with_mfa(), "other_staff": staff_with_mfa()}
    for _ in range(3):
        request = JoinRequestFactory()
        actors["partner_admin"] = OrganisationMembershipFactory(
            organisation=request.organisation, role=ADMIN).person
        outcomes = race(lambda pk=request.pk: JOIN_REQUEST_DECISIONS[first](actors, pk),
                        lambda pk=request.pk: JOIN_REQUEST_DECISIONS[second](actors, pk))
        assert unexpected(outcomes) == []
        [conflict] = conflicts(outcomes)
        assert conflict.code == "already_decided"
        winner = (first, second)[outcomes.index(conflict) ^ 1]
        assert fresh(JoinRequest, request.pk).status == OUTCOME_STATUS[winner]
        members = WorkstreamMembership.objects.filter(organisation=request.organisation)
        assert members.count() == (1 if winner == "approve" else 0)
