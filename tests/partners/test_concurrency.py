"""Two decisions on one thing at the same moment, in two threads with their own connections
(tests/support/races.py): exactly one wins, the other is told why, and nothing deadlocks. Each
pair runs a few rounds, since locks taken in opposite orders deadlock only some of the time."""

import pytest

from cluster_portal.accounts.models import User
from partners.models import Invitation, Organisation, OrganisationMembership, PersonRequest
from partners.services import (
    invitation_accept,
    invitation_create,
    invitation_revoke,
    organisation_approve,
    organisation_decline,
    organisation_register,
    person_request_approve,
    person_request_create,
    person_request_decline,
    person_request_withdraw,
)
from tests.factories import OrganisationFactory, OrganisationMembershipFactory, UserFactory
from tests.support.races import conflicts, fresh, race, staff_with_mfa, unexpected

pytestmark = pytest.mark.django_db(transaction=True)

ADMIN = OrganisationMembership.Role.ADMIN
ROUNDS = 3

PERSON_REQUEST_DECISIONS = {
    "approve": lambda people, pk: person_request_approve(
        actor=fresh(User, people["admin"].pk), person_request=fresh(PersonRequest, pk)),
    "decline": lambda people, pk: person_request_decline(
        actor=fresh(User, people["other_admin"].pk), person_request=fresh(PersonRequest, pk),
        reason="We do not know you."),
    "withdraw": lambda people, pk: person_request_withdraw(
        actor=fresh(User, people["asker"].pk), person_request=fresh(PersonRequest, pk)),
}
PERSON_REQUEST_STATUS = {"approve": "approved", "decline": "declined", "withdraw": "withdrawn"}


@pytest.mark.parametrize("first, second", [
    ("approve", "approve"), ("approve", "decline"), ("approve", "withdraw"),
    ("decline", "decline"), ("decline", "withdraw"),
])
def test_two_decisions_on_a_request_to_join_an_organisation_one_wins(first, second):
    organisation = OrganisationFactory(tier="core")
    people = {
        "admin": OrganisationMembershipFactory(organisation=organisation, role=ADMIN).person,
        "other_admin": OrganisationMembershipFactory(organisation=organisation,
                                                     role=ADMIN).person,
    }
    for _ in range(ROUNDS):
        people["asker"] = UserFactory()
        request = person_request_create(actor=people["asker"], organisation=organisation)
        outcomes = race(lambda pk=request.pk: PERSON_REQUEST_DECISIONS[first](people, pk),
                        lambda pk=request.pk: PERSON_REQUEST_DECISIONS[second](people, pk))
        assert unexpected(outcomes) == []
        [conflict] = conflicts(outcomes)
        assert "already" in conflict.message
        winner = (first, second)[outcomes.index(conflict) ^ 1]
        assert fresh(PersonRequest, request.pk).status == PERSON_REQUEST_STATUS[winner]
        joined = organisation.memberships.filter(person=people["asker"]).count()
        assert joined == (1 if winner == "approve" else 0)


@pytest.mark.parametrize("first, second", [("approve", "decline"), ("approve", "approve"),
                                           ("decline", "decline")])
def test_two_decisions_on_a_registration_one_wins(first, second):
    office = [staff_with_mfa("programme_admin"), staff_with_mfa("programme_admin")]
    decide = {
        "approve": lambda actor, pk: organisation_approve(
            actor=fresh(User, actor.pk), organisation=fresh(Organisation, pk)),
        "decline": lambda actor, pk: organisation_decline(
            actor=fresh(User, actor.pk), organisation=fresh(Organisation, pk),
            reason="We could not confirm the UEN."),
    }
    for round_number in range(ROUNDS):
        organisation = organisation_register(
            actor=UserFactory(), name=f"Helix Biologics {round_number}",
            uen=f"20260{round_number}123K", kind="biotech")
        outcomes = race(lambda pk=organisation.pk: decide[first](office[0], pk),
                        lambda pk=organisation.pk: decide[second](office[1], pk))
        assert unexpected(outcomes) == []
        [conflict] = conflicts(outcomes)
        assert "was already" in conflict.message
        winner = (first, second)[outcomes.index(conflict) ^ 1]
        expected = "approved" if winner == "approve" else "declined"
        assert fresh(Organisation, organisation.pk).status == expected


def test_accepting_an_invitation_while_it_is_revoked_one_wins():
    organisation = OrganisationFactory(tier="core")
    admin = OrganisationMembershipFactory(organisation=organisation, role=ADMIN).person
    for round_number in range(ROUNDS):
        invited = UserFactory(email=f"invited{round_number}@example.org")
        invitation, token = invitation_create(actor=admin, organisation=organisation,
                                              email=invited.email)
        outcomes = race(
            lambda: invitation_accept(actor=fresh(User, invited.pk), token=token),  # noqa: B023
            lambda pk=invitation.pk: invitation_revoke(actor=fresh(User, admin.pk),
                                                       invitation=fresh(Invitation, pk)),
        )
        assert unexpected(outcomes) == []
        assert len(conflicts(outcomes)) == 1
        accepted = organisation.memberships.filter(person=invited).exists()
        state = fresh(Invitation, invitation.pk)
        assert accepted == (state.accepted_at is not None) != (state.revoked_at is not None)
