"""The transition kit (cluster_portal.core.transitions): states and moves declared once, a
refused move named with the moves that are allowed, and every decision recorded the same way."""

import datetime

import pytest
from django.db import models, transaction

from cluster_portal.core.exceptions import Conflict
from cluster_portal.core.transitions import StateMachine, decide, lock_for_decision
from partners.models import Organisation, PersonRequest
from partners.services import person_request_withdraw
from tests.factories import JoinRequestFactory, OrganisationFactory, UserFactory
from workstreams.models import JoinRequest


class Draft(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    APPROVED = "approved", "Approved"
    RETURNED = "returned", "Returned"


DELIVERABLE = StateMachine(Draft, {
    Draft.DRAFT: (Draft.SUBMITTED,),
    Draft.SUBMITTED: (Draft.APPROVED, Draft.RETURNED),
    Draft.RETURNED: (Draft.SUBMITTED,),
})


class Thing:
    def __init__(self, status):
        self.status = status


def test_the_table_answers_what_may_come_next():
    assert DELIVERABLE.next_states(Thing("submitted")) == ("approved", "returned")
    assert DELIVERABLE.may_move(Thing("returned"), "submitted")
    assert not DELIVERABLE.may_move(Thing("draft"), "approved")
    assert DELIVERABLE.is_final(Thing("approved"))


def test_a_move_from_the_wrong_state_names_the_allowed_ones():
    with pytest.raises(Conflict) as refused:
        DELIVERABLE.check_move(Thing("draft"), "approved", subject="The pilot report")
    assert refused.value.code == "not_allowed_now"
    assert refused.value.message == ("The pilot report is draft; from there it can only be "
                                     "submitted.")


def test_a_move_from_a_final_state_says_it_was_already_decided():
    with pytest.raises(Conflict) as refused:
        DELIVERABLE.check_move(Thing("approved"), "returned", subject="The pilot report")
    assert (refused.value.code, refused.value.message) == (
        "already_decided", "The pilot report was already approved.")


def test_a_table_naming_a_state_that_does_not_exist_is_refused_when_declared():
    with pytest.raises(ValueError, match="archived"):
        StateMachine(Draft, {Draft.DRAFT: ("archived",)})


@pytest.mark.django_db
def test_a_decision_records_who_when_and_why():
    join_request = JoinRequestFactory()
    reviewer = UserFactory(role="programme_staff")
    with transaction.atomic():
        locked = lock_for_decision(JoinRequest, join_request, to=JoinRequest.Status.DECLINED)
        decide(locked, to=JoinRequest.Status.DECLINED, actor=reviewer,
               reason="  Not a fit this year.  ")
    join_request.refresh_from_db()
    assert join_request.status == "declined" and join_request.decided_by == reviewer
    assert join_request.decided_at is not None
    assert join_request.decision_reason == "Not a fit this year."


@pytest.mark.django_db
def test_the_lock_reads_the_state_now_and_names_the_organisation():
    organisation = OrganisationFactory(status=Organisation.Status.PENDING)
    stale = Organisation.objects.get(pk=organisation.pk)
    Organisation.objects.filter(pk=organisation.pk).update(status=Organisation.Status.DECLINED)
    with transaction.atomic(), pytest.raises(Conflict) as refused:
        lock_for_decision(Organisation, stale, to=Organisation.Status.APPROVED)
    assert refused.value.message == f"{organisation.name} was already declined."


@pytest.mark.django_db
def test_every_decided_model_declares_its_moves_over_its_own_states():
    for model in (Organisation, PersonRequest, JoinRequest):
        assert model.MOVES.states is model.Status
        assert model.MOVES.next_states(model(status="pending"))


@pytest.mark.django_db
def test_a_withdrawal_records_who_withdrew():
    person = UserFactory()
    organisation = OrganisationFactory()
    request = PersonRequest.objects.create(organisation=organisation, person=person)
    person_request_withdraw(actor=person, person_request=request)
    request.refresh_from_db()
    assert (request.status, request.decided_by) == ("withdrawn", person)


@pytest.mark.django_db
def test_work_of_the_portal_itself_is_done_as_system_never_as_nobody():
    from cluster_portal.audit.models import AuditEvent
    from cluster_portal.core.actors import SYSTEM
    from cluster_portal.core.exceptions import NotAllowed
    from partners.services import organisation_set_tier

    organisation = OrganisationFactory()
    # Leaving the actor out is a mistake Python refuses, not a way past the check.
    with pytest.raises(TypeError):
        organisation_set_tier(organisation=organisation, tier="core",
                              starts_on=datetime.date(2026, 1, 1))
    with pytest.raises(NotAllowed):
        organisation_set_tier(actor=UserFactory(), organisation=organisation, tier="core",
                              starts_on=datetime.date(2026, 1, 1))
    organisation_set_tier(actor=SYSTEM, organisation=organisation, tier="core",
                          starts_on=datetime.date(2026, 1, 1))
    event = AuditEvent.objects.filter(action="organisation.set_tier").latest("pk")
    assert event.actor is None  # recorded as the portal's own work


@pytest.mark.django_db
def test_a_decided_row_says_what_it_may_become_next():
    join_request = JoinRequestFactory()
    assert join_request.next_states == ("approved", "declined", "withdrawn")
    assert join_request.is_pending
    join_request.status = JoinRequest.Status.DECLINED
    assert join_request.next_states == () and not join_request.is_pending
