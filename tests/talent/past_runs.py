"""Runs that have taken place, for the tests of attendance, completion and certificates: a run
that ended yesterday with one session a day, trainees enrolled by the programme office (the
enrolment window is over), registers marked through the service, and the run completed."""

import datetime

from django.utils import timezone

from cluster_portal.core.actors import SYSTEM
from talent.models import CourseRun, Enrolment
from talent.services import (
    attendance_mark,
    certificate_issue,
    course_run_complete,
    enrolment_create,
)
from tests.factories import UserFactory
from tests.talent.factories import CourseFactory, CourseRunFactory, SessionFactory, in_days


def past_run(*, sessions: int = 4, capacity: int = 10, **fields) -> CourseRun:
    """A run of `sessions` days that ended yesterday, one session each day (none: a day's run
    whose timetable was never set)."""
    starts_on = in_days(-max(sessions, 1))
    run = CourseRunFactory(
        starts_on=starts_on, ends_on=in_days(-1), capacity=capacity,
        enrolment_opens_at=timezone.now() - datetime.timedelta(days=60),
        enrolment_closes_at=timezone.now() - datetime.timedelta(days=sessions + 2), **fields)
    for day in range(sessions):
        SessionFactory(run=run, title=f"Day {day + 1}", starts_at=timezone.make_aware(
            datetime.datetime.combine(starts_on + datetime.timedelta(days=day),
                                      datetime.time(9))))
    return run


def enrol(run: CourseRun, person=None) -> Enrolment:
    return enrolment_create(actor=SYSTEM, run=run, person=person or UserFactory())


def mark(enrolment: Enrolment, attended: int) -> None:
    """Present at the first `attended` sessions of the run, absent at the others."""
    for number, session in enumerate(enrolment.run.sessions.order_by("starts_at")):
        attendance_mark(actor=SYSTEM, session=session, enrolment=enrolment,
                        present=number < attended)


def completed_enrolment(run: CourseRun | None = None, person=None) -> Enrolment:
    """A trainee who attended every session of a run that is then completed."""
    run = run or past_run(sessions=2)
    enrolment = enrol(run, person)
    mark(enrolment, attended=run.sessions.count())
    course_run_complete(actor=SYSTEM, run=run, attendance_threshold=75)
    enrolment.refresh_from_db()
    return enrolment


def certificate_for(person=None, run: CourseRun | None = None, **course_fields):
    if run is None and course_fields:
        run = past_run(sessions=2, course=CourseFactory(**course_fields))
    return certificate_issue(actor=SYSTEM, enrolment=completed_enrolment(run, person))
