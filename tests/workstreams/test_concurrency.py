"""Two people acting at the same moment: each thread has its own database connection and both
start their transaction together (a barrier), so the services' row locks and constraints are
what decides, as between two web workers."""

import threading

import pytest
from django.db import connection

from cluster_portal.accounts.models import User
from cluster_portal.core.exceptions import ApplicationError, Conflict
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
from workstreams.models import JoinRequest, WorkstreamMembership
from workstreams.services import join_request_approve, join_request_create

pytestmark = pytest.mark.django_db(transaction=True)

ADMIN = OrganisationMembership.Role.ADMIN


def race(*calls) -> list:
    """Run each call in its own thread and connection, released together; return what each
    returned or raised, in the order given."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = call()
        except ApplicationError as error:
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck on a lock"
    return outcomes


def fresh(model, pk):
    """Each thread loads its own copy, as each request would (no shared cached roles)."""
    return model.objects.get(pk=pk)


def staff_with_mfa() -> User:
    person = UserFactory(role="programme_staff")
    activate_totp(person)
    return person


def conflicts(outcomes) -> list[Conflict]:
    return [outcome for outcome in outcomes if isinstance(outcome, Conflict)]


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
