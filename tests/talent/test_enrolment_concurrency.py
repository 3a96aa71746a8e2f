"""Capacity is exact under concurrency (design rule 3): many people enrolling, cancelling and
staff changing the seats at the same moment, each in its own thread and database connection,
released together."""

import pytest

from cluster_portal.accounts.models import User
from talent.models import CourseRun, Enrolment
from talent.services import course_run_set_capacity, enrolment_cancel, enrolment_create
from tests.factories import UserFactory
from tests.support.races import fresh, race, staff_with_mfa, unexpected
from tests.talent.factories import CourseRunFactory

pytestmark = pytest.mark.django_db(transaction=True)

Status = Enrolment.Status


def enrol(person_pk: int, run_pk: int):
    return lambda: enrolment_create(actor=fresh(User, person_pk),
                                    run=fresh(CourseRun, run_pk))


def statuses(run) -> dict[str, int]:
    counted: dict[str, int] = {}
    for status in Enrolment.objects.filter(run=run).values_list("status", flat=True):
        counted[status] = counted.get(status, 0) + 1
    return counted


def waitlist_positions(run) -> list[int]:
    return list(Enrolment.objects.filter(run=run, status=Status.WAITLISTED)
                .order_by("waitlist_position").values_list("waitlist_position", flat=True))


def test_fifty_enrolling_at_once_in_ten_seats_gives_ten_seats_and_a_line_of_forty():
    run = CourseRunFactory(capacity=10)
    people = [UserFactory() for _ in range(50)]

    outcomes = race(*(enrol(person.pk, run.pk) for person in people))

    assert unexpected(outcomes) == []
    assert statuses(run) == {Status.CONFIRMED: 10, Status.WAITLISTED: 40}
    assert waitlist_positions(run) == list(range(1, 41))
    run.refresh_from_db()
    assert run.seats_taken == 10


def test_one_person_enrolling_twice_at_once_gets_one_enrolment():
    run = CourseRunFactory(capacity=5)
    person = UserFactory()
    outcomes = race(*(enrol(person.pk, run.pk) for _ in range(4)))
    assert unexpected(outcomes) == []
    assert Enrolment.objects.filter(person=person).count() == 1
    assert sum(isinstance(outcome, Enrolment) for outcome in outcomes) == 1


def test_cancellations_at_once_promote_exactly_as_many_people_each_once():
    run = CourseRunFactory(capacity=10)
    enrolments = [enrolment_create(actor=UserFactory(), run=run) for _ in range(25)]
    seated = [enrolment for enrolment in enrolments if enrolment.status == Status.CONFIRMED]
    in_line = [enrolment for enrolment in enrolments if enrolment.status == Status.WAITLISTED]
    leaving = seated[:6]

    outcomes = race(*(
        (lambda enrolment=enrolment: enrolment_cancel(
            actor=fresh(User, enrolment.person_id), enrolment=fresh(Enrolment, enrolment.pk)))
        for enrolment in leaving))

    assert unexpected(outcomes) == []
    assert statuses(run) == {Status.CONFIRMED: 10, Status.CANCELLED: 6, Status.WAITLISTED: 9}
    promoted = set(Enrolment.objects.filter(run=run, status=Status.CONFIRMED)
                   .exclude(pk__in=[enrolment.pk for enrolment in seated])
                   .values_list("pk", flat=True))
    # The first six in line, whatever order the cancellations landed in.
    assert promoted == {enrolment.pk for enrolment in in_line[:6]}
    assert waitlist_positions(run) == list(range(1, 10))
    run.refresh_from_db()
    assert run.seats_taken == 10


def test_enrolling_cancelling_and_adding_seats_at_once_never_overbook():
    run = CourseRunFactory(capacity=5)
    seated = [enrolment_create(actor=UserFactory(), run=run) for _ in range(5)]
    newcomers = [UserFactory() for _ in range(10)]
    staff = staff_with_mfa()

    outcomes = race(
        *(enrol(person.pk, run.pk) for person in newcomers),
        *((lambda enrolment=enrolment: enrolment_cancel(
            actor=fresh(User, enrolment.person_id), enrolment=fresh(Enrolment, enrolment.pk)))
          for enrolment in seated[:3]),
        lambda: course_run_set_capacity(actor=fresh(User, staff.pk),
                                        run=fresh(CourseRun, run.pk), capacity=8),
    )

    assert unexpected(outcomes) == []
    run.refresh_from_db()
    counted = statuses(run)
    assert run.capacity == 8
    assert counted[Status.CONFIRMED] == run.seats_taken == 8
    assert counted[Status.WAITLISTED] == 5 + 10 - 3 - 8  # who is still in, less the seats
    assert waitlist_positions(run) == list(range(1, counted[Status.WAITLISTED] + 1))
