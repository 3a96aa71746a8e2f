"""Enrolling, the waitlist, cancelling, offers and capacity changes, one person at a time
(tests/talent/test_enrolment_concurrency.py has them at once)."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from cluster_portal.audit.models import AuditEvent
from cluster_portal.core.actors import SYSTEM
from cluster_portal.core.exceptions import ApplicationError, Conflict, NotAllowed
from cluster_portal.notifications.models import Notification
from talent.models import CourseRun, Enrolment
from talent.services import (
    course_run_set_capacity,
    enrolment_cancel,
    enrolment_create,
    enrolment_offer_accept,
    enrolment_offer_decline,
    enrolment_offers_expire,
    prerequisite_waive,
)
from talent.tasks import expire_seat_offers
from tests.factories import OrganisationFactory, OrganisationMembershipFactory, UserFactory
from tests.support.races import staff_with_mfa
from tests.talent.factories import CourseFactory, CourseRunFactory, in_days

pytestmark = pytest.mark.django_db

Status = Enrolment.Status


def enrol_many(run, count):
    return [enrolment_create(actor=UserFactory(), run=run) for _ in range(count)]


def line_of(run) -> list[tuple[int, int]]:
    return list(Enrolment.objects.filter(run=run, status=Status.WAITLISTED)
                .order_by("waitlist_position").values_list("waitlist_position", "person_id"))


def test_seats_are_confirmed_until_the_run_is_full_then_people_queue_in_order():
    run = CourseRunFactory(capacity=2)
    first, second, third, fourth = enrol_many(run, 4)
    run.refresh_from_db()
    assert [first.status, second.status] == [Status.CONFIRMED] * 2
    assert (third.status, third.waitlist_position) == (Status.WAITLISTED, 1)
    assert (fourth.status, fourth.waitlist_position) == (Status.WAITLISTED, 2)
    assert run.seats_taken == 2 and run.seats_left == 0


def test_the_trainee_is_told_of_a_seat_and_of_a_place_in_line(django_capture_on_commit_callbacks):
    run = CourseRunFactory(capacity=1, course=CourseFactory(code="CM-101", title="Flow basics"))
    with django_capture_on_commit_callbacks(execute=True):
        seated = enrolment_create(actor=UserFactory(), run=run)
        queued = enrolment_create(actor=UserFactory(), run=run)
    assert Notification.objects.get(recipient=seated.person).kind == "enrolment_confirmed"
    waiting = Notification.objects.get(recipient=queued.person)
    assert waiting.kind == "enrolment_waitlisted"
    assert "number 1" in waiting.message
    subjects = sorted(message.subject for message in mail.outbox)
    assert any("You are confirmed on CM-101 Flow basics" in subject for subject in subjects)
    assert any("number 1 on the waitlist of CM-101" in subject for subject in subjects)


def test_a_cancelled_seat_goes_to_the_first_in_line_and_the_line_closes_up(
        django_capture_on_commit_callbacks):
    run = CourseRunFactory(capacity=1)
    seated, first, second, third = enrol_many(run, 4)
    with django_capture_on_commit_callbacks(execute=True):
        enrolment_cancel(actor=seated.person, enrolment=seated)
    first.refresh_from_db()
    assert first.status == Status.CONFIRMED and first.waitlist_position is None
    assert line_of(run) == [(1, second.person_id), (2, third.person_id)]
    run.refresh_from_db()
    assert run.seats_taken == 1
    told = Notification.objects.filter(recipient=first.person).latest("pk")
    assert told.kind == "enrolment_confirmed" and "A seat opened up" in told.message


def test_leaving_the_waitlist_moves_those_behind_up_one():
    run = CourseRunFactory(capacity=1)
    _, first, second, third = enrol_many(run, 4)
    enrolment_cancel(actor=second.person, enrolment=second)
    assert line_of(run) == [(1, first.person_id), (2, third.person_id)]
    run.refresh_from_db()
    assert run.seats_taken == 1  # leaving the line frees no seat


def test_enrolling_twice_in_a_run_or_in_an_overlapping_run_of_the_course_is_refused():
    run = CourseRunFactory()
    person = UserFactory()
    enrolment_create(actor=person, run=run)
    with pytest.raises(Conflict) as twice:
        enrolment_create(actor=person, run=run)
    assert twice.value.code == "already_enrolled"

    overlapping = CourseRunFactory(course=run.course, starts_on=run.ends_on,
                                   ends_on=run.ends_on + datetime.timedelta(days=2))
    with pytest.raises(Conflict) as overlap:
        enrolment_create(actor=person, run=overlapping)
    assert overlap.value.code == "overlapping_run"
    later = CourseRunFactory(course=run.course, starts_on=in_days(90), ends_on=in_days(91))
    assert enrolment_create(actor=person, run=later).status == Status.CONFIRMED


@pytest.mark.parametrize(("change", "code"), [
    ({"enrolment_opens_at": timezone.now() + datetime.timedelta(days=1)}, "enrolment_not_open"),
    ({"enrolment_opens_at": timezone.now() - datetime.timedelta(days=9),
      "enrolment_closes_at": timezone.now() - datetime.timedelta(days=1)}, "enrolment_closed"),
    ({"status": CourseRun.Status.CANCELLED}, "run_closed"),
])
def test_enrolment_outside_the_window_or_in_a_cancelled_run_is_refused(change, code):
    run = CourseRunFactory(**change)
    with pytest.raises(Conflict) as refused:
        enrolment_create(actor=UserFactory(), run=run)
    assert refused.value.code == code
    assert not Enrolment.objects.exists()


def test_staff_may_place_someone_after_the_window_closed_but_not_in_a_cancelled_run():
    staff = staff_with_mfa()
    closed = CourseRunFactory(enrolment_opens_at=timezone.now() - datetime.timedelta(days=9),
                              enrolment_closes_at=timezone.now() - datetime.timedelta(days=1))
    assert enrolment_create(actor=staff, run=closed, person=UserFactory()).status == \
        Status.CONFIRMED
    cancelled = CourseRunFactory(status=CourseRun.Status.CANCELLED)
    with pytest.raises(Conflict):
        enrolment_create(actor=staff, run=cancelled, person=UserFactory())


def test_a_missing_prerequisite_is_named_and_a_waiver_lets_the_person_in():
    basics = CourseFactory(code="PAT-101", title="PAT basics")
    advanced = CourseFactory(code="PAT-201")
    advanced.prerequisites.add(basics)
    run = CourseRunFactory(course=advanced)
    person = UserFactory()
    with pytest.raises(ApplicationError) as missing:
        enrolment_create(actor=person, run=run)
    assert "PAT-101 PAT basics" in missing.value.message
    assert missing.value.code == "prerequisite_missing"

    prerequisite_waive(actor=staff_with_mfa(), person=person, course=advanced,
                       reason="Ten years of PAT work at a CMO.")
    assert enrolment_create(actor=person, run=run).status == Status.CONFIRMED


def test_a_completed_prerequisite_satisfies_the_course():
    basics = CourseFactory()
    advanced = CourseFactory()
    advanced.prerequisites.add(basics)
    person = UserFactory()
    done = enrolment_create(actor=person, run=CourseRunFactory(course=basics))
    Enrolment.objects.filter(pk=done.pk).update(status=Status.COMPLETED)
    assert enrolment_create(actor=person, run=CourseRunFactory(course=advanced)).status == \
        Status.CONFIRMED


def test_nobody_enrols_or_cancels_for_someone_else_but_staff():
    run = CourseRunFactory()
    person, stranger = UserFactory(), UserFactory()
    with pytest.raises(NotAllowed):
        enrolment_create(actor=stranger, run=run, person=person)
    enrolment = enrolment_create(actor=person, run=run)
    with pytest.raises(NotAllowed):
        enrolment_cancel(actor=stranger, enrolment=enrolment)
    enrolment_cancel(actor=staff_with_mfa(), enrolment=enrolment, reason="Wrong run.")
    enrolment.refresh_from_db()
    assert enrolment.status == Status.CANCELLED
    assert Notification.objects.filter(recipient=person, kind="enrolment_cancelled").exists()


def test_a_sponsor_must_be_an_approved_organisation_the_trainee_acts_for():
    run = CourseRunFactory()
    person = UserFactory()
    own = OrganisationFactory()
    OrganisationMembershipFactory(organisation=own, person=person)
    with pytest.raises(NotAllowed):
        enrolment_create(actor=person, run=run, sponsor=OrganisationFactory())
    assert enrolment_create(actor=person, run=run, sponsor=own).sponsor == own


def test_a_trainee_cannot_cancel_once_the_run_has_started():
    run = CourseRunFactory(starts_on=timezone.localdate(), ends_on=in_days(1),
                           enrolment_opens_at=timezone.now() - datetime.timedelta(days=9))
    enrolment = enrolment_create(actor=UserFactory(), run=run)
    with pytest.raises(Conflict) as refused:
        enrolment_cancel(actor=enrolment.person, enrolment=enrolment)
    assert refused.value.code == "run_started"


def test_cancelling_twice_says_it_is_already_cancelled():
    enrolment = enrolment_create(actor=UserFactory(), run=CourseRunFactory())
    enrolment_cancel(actor=enrolment.person, enrolment=enrolment)
    with pytest.raises(Conflict) as again:
        enrolment_cancel(actor=enrolment.person, enrolment=enrolment)
    assert again.value.code == "already_decided"


def offer_run(**kwargs):
    return CourseRunFactory(capacity=1, promotion=CourseRun.Promotion.OFFER, offer_hours=24,
                            **kwargs)


def test_an_offered_seat_is_held_until_answered_and_accepting_confirms_it():
    run = offer_run()
    seated, waiting, behind = enrol_many(run, 3)
    enrolment_cancel(actor=seated.person, enrolment=seated)
    waiting.refresh_from_db()
    assert waiting.status == Status.OFFERED
    assert waiting.offer_expires_at > timezone.now() + datetime.timedelta(hours=23)
    run.refresh_from_db()
    assert run.seats_taken == 1  # the offer holds the seat
    assert line_of(run) == [(1, behind.person_id)]
    assert Notification.objects.filter(recipient=waiting.person, kind="seat_offered").exists()

    with pytest.raises(NotAllowed):
        enrolment_offer_accept(actor=behind.person, enrolment=waiting)
    enrolment_offer_accept(actor=waiting.person, enrolment=waiting)
    waiting.refresh_from_db()
    assert waiting.status == Status.CONFIRMED and waiting.offer_expires_at is None


def test_declining_an_offer_passes_the_seat_to_the_next_in_line():
    run = offer_run()
    seated, waiting, behind = enrol_many(run, 3)
    enrolment_cancel(actor=seated.person, enrolment=seated)
    enrolment_offer_decline(actor=waiting.person, enrolment=waiting)
    behind.refresh_from_db()
    assert behind.status == Status.OFFERED
    run.refresh_from_db()
    assert run.seats_taken == 1


def test_an_offer_left_unanswered_lapses_to_the_next_and_an_expired_one_cannot_be_accepted():
    run = offer_run()
    seated, waiting, behind = enrol_many(run, 3)
    enrolment_cancel(actor=seated.person, enrolment=seated)
    later = timezone.now() + datetime.timedelta(hours=25)
    Enrolment.objects.filter(pk=waiting.pk).update(offer_expires_at=timezone.now())
    with pytest.raises(Conflict) as expired:
        enrolment_offer_accept(actor=waiting.person, enrolment=waiting)
    assert expired.value.code == "offer_expired"

    assert enrolment_offers_expire(now=later) == 1
    assert enrolment_offers_expire(now=later - datetime.timedelta(hours=2)) == 0  # again: none
    waiting.refresh_from_db()
    behind.refresh_from_db()
    assert waiting.status == Status.CANCELLED
    assert behind.status == Status.OFFERED
    assert AuditEvent.objects.filter(action="enrolment.offer_expired").count() == 1


def test_capacity_cannot_fall_below_the_seats_taken_and_more_seats_promote_at_once():
    staff = staff_with_mfa()
    run = CourseRunFactory(capacity=2)
    enrol_many(run, 5)
    with pytest.raises(Conflict) as refused:
        course_run_set_capacity(actor=staff, run=run, capacity=1)
    assert "2 seats are already taken" in refused.value.message
    course_run_set_capacity(actor=staff, run=run, capacity=4)
    run.refresh_from_db()
    assert run.seats_taken == 4
    assert [position for position, _ in line_of(run)] == [1]
    with pytest.raises(NotAllowed):
        course_run_set_capacity(actor=UserFactory(), run=run, capacity=9)


def test_every_change_is_in_the_audit_trail():
    run = CourseRunFactory(capacity=1)
    seated, _in_line = enrol_many(run, 2)
    enrolment_cancel(actor=seated.person, enrolment=seated)
    actions = list(AuditEvent.objects.order_by("pk").values_list("action", flat=True))
    assert actions == ["enrolment.create", "enrolment.create", "enrolment.promote_confirmed",
                       "enrolment.cancel"]


def test_system_work_enrols_without_a_person_acting():
    person = UserFactory()
    enrolment = enrolment_create(actor=SYSTEM, run=CourseRunFactory(), person=person)
    assert enrolment.person == person and enrolment.status == Status.CONFIRMED


def test_the_periodic_task_lets_lapsed_offers_pass_on_and_is_on_beat(settings):
    run = offer_run()
    seated, waiting, behind = enrol_many(run, 3)
    enrolment_cancel(actor=seated.person, enrolment=seated)
    Enrolment.objects.filter(pk=waiting.pk).update(
        offer_expires_at=timezone.now() - datetime.timedelta(minutes=1))
    assert expire_seat_offers.apply().get() == 1
    behind.refresh_from_db()
    assert behind.status == Status.OFFERED
    entry = settings.CELERY_BEAT_SCHEDULE["expire-seat-offers"]
    assert entry["task"] == "talent.tasks.expire_seat_offers"
