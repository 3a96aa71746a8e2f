"""What programme staff change on courses and runs through the services: a course's
workstreams, prerequisites and skills, a run's trainers and seats, its sessions, and cancelling
a run with everyone on it."""

import datetime

import pytest
from django.utils import timezone

from cluster_portal.audit.models import AuditEvent
from cluster_portal.core.actors import SYSTEM
from cluster_portal.core.exceptions import ApplicationError, Conflict, NotAllowed
from cluster_portal.notifications.models import Notification
from talent.models import Attendance, CourseRun, CourseSkill, Enrolment, Session
from talent.services import (
    course_create,
    course_run_cancel,
    course_run_create,
    course_run_update,
    course_update,
    enrolment_cancel,
    enrolment_create,
    session_create,
    session_delete,
    session_update,
)
from tests.factories import (
    OrganisationFactory,
    OrganisationMembershipFactory,
    UserFactory,
    WorkstreamFactory,
)
from tests.support.races import staff_with_mfa
from tests.talent.factories import (
    CourseFactory,
    CourseRunFactory,
    CourseSkillFactory,
    SessionFactory,
    SkillFactory,
    in_days,
)

pytestmark = pytest.mark.django_db

Status = Enrolment.Status


def at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def last_event(action: str) -> AuditEvent:
    return AuditEvent.objects.filter(action=action).latest("pk")


# --- courses ---------------------------------------------------------------------------------


def test_a_course_update_sets_workstreams_prerequisites_and_skills_in_one_audited_change():
    staff = staff_with_mfa()
    cm, df = WorkstreamFactory(name="Continuous Manufacturing"), WorkstreamFactory(name="DF")
    basics = CourseFactory(code="CM-101")
    course = CourseFactory(code="CM-201", title="Old title")
    course.workstreams.add(cm)
    flow, pat = SkillFactory(name="Flow chemistry"), SkillFactory(name="PAT")
    CourseSkillFactory(course=course, skill=flow, level=2)

    course_update(actor=staff, course=course, title="Crystallisation", workstreams=[df],
                  prerequisites=[basics], skills={flow: 3, pat: 2})

    course.refresh_from_db()
    assert course.title == "Crystallisation"
    assert list(course.workstreams.all()) == [df]
    assert list(course.prerequisites.all()) == [basics]
    assert {(taught.skill.name, taught.level) for taught in course.skills_taught.all()} == {
        ("Flow chemistry", 3), ("PAT", 2)}
    [event] = AuditEvent.objects.filter(action="course.update")
    assert event.actor == staff
    assert event.changes == {
        "title": ["Old title", "Crystallisation"],
        "workstreams": [["Continuous Manufacturing"], ["DF"]],
        "prerequisites": [[], ["CM-101"]],
        "skills": [["Flow chemistry: level 2"], ["Flow chemistry: level 3", "PAT: level 2"]],
    }


def test_an_update_that_changes_nothing_records_nothing_and_unnamed_sets_stay():
    staff = staff_with_mfa()
    course = CourseFactory(title="Same")
    basics = CourseFactory()
    course.prerequisites.add(basics)
    skill = CourseSkillFactory(course=course, level=2).skill

    course_update(actor=staff, course=course, title="Same", skills={skill: 2})
    course_update(actor=staff, course=course, title="Same")  # prerequisites not given: kept

    assert not AuditEvent.objects.filter(action="course.update").exists()
    assert list(course.prerequisites.all()) == [basics]


def test_a_course_cannot_require_itself_or_a_course_that_requires_it():
    staff = staff_with_mfa()
    basics, advanced = CourseFactory(code="CM-101"), CourseFactory(code="CM-201")
    advanced.prerequisites.add(basics)

    with pytest.raises(ApplicationError) as itself:
        course_update(actor=staff, course=basics, prerequisites=[basics])
    assert itself.value.fields == {"prerequisites": ["CM-101 cannot be a prerequisite of itself."]}

    with pytest.raises(ApplicationError) as loop:
        course_update(actor=staff, course=basics, title="Changed too", prerequisites=[advanced])
    assert loop.value.fields["prerequisites"] == [
        "CM-201 already requires CM-101, so it cannot be a prerequisite of it too: neither "
        "could ever be taken."]
    basics.refresh_from_db()
    assert basics.title != "Changed too" and not basics.prerequisites.exists()


def test_a_provider_must_be_approved_and_new_workstreams_active_but_a_course_keeps_its_own():
    staff = staff_with_mfa()
    pending = OrganisationFactory(name="Waiting Co", status="pending")
    planned = WorkstreamFactory(name="Analytics", status="planned")
    with pytest.raises(ApplicationError) as refused:
        course_create(actor=staff, code="DF-101", title="Data", summary="Data.", hours=7,
                      provider=pending, workstreams=[planned])
    assert set(refused.value.fields) == {"provider", "workstreams"}
    assert "Waiting Co is not an approved organisation" in refused.value.fields["provider"][0]
    assert refused.value.fields["workstreams"] == [
        "Analytics is not active: courses are listed under active workstreams only."]

    course = CourseFactory()
    course.workstreams.add(planned)
    active = WorkstreamFactory()
    course_update(actor=staff, course=course, workstreams=[planned, active])
    assert set(course.workstreams.all()) == {planned, active}


def test_a_skill_level_outside_the_framework_is_refused():
    with pytest.raises(ApplicationError) as refused:
        course_update(actor=staff_with_mfa(), course=CourseFactory(),
                      skills={SkillFactory(name="GMP"): 9})
    assert refused.value.fields == {"skills": ["Give GMP a level from 1 to 6."]}


def test_only_programme_staff_with_mfa_change_a_course():
    course = CourseFactory()
    for person in (UserFactory(), UserFactory(role="programme_staff")):
        with pytest.raises(NotAllowed):
            course_update(actor=person, course=course, title="Mine now")


# --- runs ------------------------------------------------------------------------------------


def test_trainers_are_programme_staff_or_people_of_the_provider():
    staff = staff_with_mfa()
    provider = OrganisationFactory(name="Quantix Automation")
    course = CourseFactory(provider=provider)
    run = CourseRunFactory(course=course)
    colleague = UserFactory(role="programme_staff", full_name="Ann Staff")
    provider_person = OrganisationMembershipFactory(organisation=provider).person
    stranger = UserFactory(full_name="Sam Stranger")

    with pytest.raises(ApplicationError) as refused:
        course_run_update(actor=staff, run=run, trainers=[colleague, stranger])
    assert refused.value.fields == {"trainers": [
        "Sam Stranger cannot train this run: its trainers are programme staff or people "
        "acting for Quantix Automation."]}
    assert not run.trainers.exists()

    course_run_update(actor=staff, run=run, venue="Tuas", trainers=[colleague, provider_person])
    assert set(run.trainers.all()) == {colleague, provider_person}
    event = last_event("course_run.update")
    assert event.changes["venue"] == ["Biopolis, Singapore", "Tuas"]
    assert event.changes["trainers"] == [[], sorted([colleague.full_name,
                                                     provider_person.full_name])]


def test_a_run_is_created_only_with_trainers_who_may_train_it():
    with pytest.raises(ApplicationError) as refused:
        course_run_create(actor=staff_with_mfa(), course=CourseFactory(), starts_on=in_days(10),
                          ends_on=in_days(10), capacity=5,
                          enrolment_opens_at=timezone.now(),
                          enrolment_closes_at=timezone.now() + datetime.timedelta(days=5),
                          trainers=[UserFactory()])
    assert set(refused.value.fields) == {"trainers"}
    assert not CourseRun.objects.exists()


def test_fewer_seats_than_taken_are_refused_beside_the_field_and_nothing_else_is_saved():
    staff = staff_with_mfa()
    run = CourseRunFactory(capacity=2, venue="Biopolis")
    for _ in range(2):
        enrolment_create(actor=UserFactory(), run=run)
    with pytest.raises(Conflict) as refused:
        course_run_update(actor=staff, run=run, venue="Tuas", capacity=1)
    assert refused.value.fields == {"capacity": ["At least 2, the seats already taken."]}
    run.refresh_from_db()
    assert (run.venue, run.capacity) == ("Biopolis", 2)


def test_more_seats_go_to_the_waitlist_at_once_and_the_run_says_to_whom():
    staff = staff_with_mfa()
    run = CourseRunFactory(capacity=1)
    enrolment_create(actor=UserFactory(), run=run)
    first, second, third = (enrolment_create(actor=UserFactory(), run=run) for _ in range(3))

    updated = course_run_update(actor=staff, run=run, capacity=3)

    assert [enrolment.pk for enrolment in updated.promoted] == [first.pk, second.pk]
    assert updated.seats_taken == 3
    third.refresh_from_db()
    assert (third.status, third.waitlist_position) == (Status.WAITLISTED, 1)
    assert course_run_update(actor=staff, run=run, venue="Tuas").promoted == []


def test_a_run_cannot_move_away_from_its_sessions_nor_end_before_it_starts():
    staff = staff_with_mfa()
    run = CourseRunFactory(starts_on=in_days(30), ends_on=in_days(31))
    SessionFactory(run=run, starts_at=at(in_days(31), 9), ends_at=at(in_days(31), 17))
    with pytest.raises(ApplicationError) as moved:
        course_run_update(actor=staff, run=run, ends_on=in_days(30))
    assert list(moved.value.fields) == ["ends_on"]
    assert "would fall outside the run's dates" in moved.value.fields["ends_on"][0]
    with pytest.raises(ApplicationError) as backwards:
        course_run_update(actor=staff, run=run, starts_on=in_days(32), ends_on=in_days(31))
    assert backwards.value.fields == {"ends_on": ["The run ends on or after the day it starts."]}


# --- cancelling a run ------------------------------------------------------------------------


def test_cancelling_a_run_cancels_every_enrolment_frees_the_seats_and_tells_everyone(
        django_capture_on_commit_callbacks, mailoutbox):
    staff = staff_with_mfa()
    run = CourseRunFactory(capacity=1, promotion=CourseRun.Promotion.OFFER,
                           course=CourseFactory(code="CM-101", title="Flow basics"))
    seated, offered, waiting = (enrolment_create(actor=UserFactory(), run=run)
                                for _ in range(3))
    left = enrolment_create(actor=UserFactory(), run=run)
    enrolment_cancel(actor=left.person, enrolment=left)
    enrolment_cancel(actor=seated.person, enrolment=seated)  # the seat is offered to the next
    offered.refresh_from_db()
    assert offered.status == Status.OFFERED
    seated = enrolment_create(actor=staff, run=run, person=UserFactory())  # waits, in line
    Notification.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True):
        course_run_cancel(actor=staff, run=run, reason="The trainer is ill.")

    run.refresh_from_db()
    assert (run.status, run.seats_taken) == (CourseRun.Status.CANCELLED, 0)
    for enrolment in (offered, waiting, seated):
        enrolment.refresh_from_db()
        assert enrolment.status == Status.CANCELLED
        assert enrolment.waitlist_position is None and enrolment.offer_expires_at is None
        assert (enrolment.decided_by, enrolment.decision_reason) == (staff,
                                                                     "The trainer is ill.")
    told = Notification.objects.filter(kind="enrolment_cancelled")
    assert {notice.recipient_id for notice in told} == {
        offered.person_id, waiting.person_id, seated.person_id}
    assert all("The trainer is ill." in notice.message for notice in told)
    assert len(mailoutbox) == 3
    assert "by the programme office" in mailoutbox[0].body
    event = last_event("course_run.cancel")
    assert event.changes == {"status": ["scheduled", "cancelled"], "reason": "The trainer is ill.",
                             "enrolments_cancelled": 3}
    assert AuditEvent.objects.filter(action="enrolment.cancel",
                                     changes__run_cancelled=True).count() == 3


def test_a_run_is_cancelled_once_with_a_reason_and_only_by_staff():
    staff = staff_with_mfa()
    run = CourseRunFactory()
    with pytest.raises(ApplicationError) as no_reason:
        course_run_cancel(actor=staff, run=run, reason="  ")
    assert "reason" in no_reason.value.fields
    with pytest.raises(NotAllowed):
        course_run_cancel(actor=UserFactory(), run=run, reason="Mine.")
    course_run_cancel(actor=staff, run=run, reason="No trainer.")
    with pytest.raises(Conflict) as again:
        course_run_cancel(actor=staff, run=run, reason="No trainer.")
    assert again.value.message == f"The run of {run.course.code} was already cancelled."


def test_a_cancelled_run_no_longer_changes():
    staff = staff_with_mfa()
    run = CourseRunFactory()
    course_run_cancel(actor=SYSTEM, run=run, reason="Room flooded.")
    with pytest.raises(Conflict):
        course_run_update(actor=staff, run=run, venue="Elsewhere")
    with pytest.raises(Conflict) as timetable:
        session_create(actor=staff, run=run, starts_at=at(run.starts_on, 9),
                       ends_at=at(run.starts_on, 12))
    assert timetable.value.message == "The run is cancelled: its timetable no longer changes."


# --- sessions --------------------------------------------------------------------------------


def test_sessions_are_added_changed_and_removed_within_the_run_and_audited():
    staff = staff_with_mfa()
    run = CourseRunFactory(starts_on=in_days(30), ends_on=in_days(31))
    session = session_create(actor=staff, run=run, starts_at=at(in_days(30), 9),
                             ends_at=at(in_days(30), 17), title=" Day 1 ")
    assert session.title == "Day 1"
    session_update(actor=staff, session=session, title="Day one", ends_at=at(in_days(30), 16))
    session.refresh_from_db()
    assert (session.title, session.ends_at) == ("Day one", at(in_days(30), 16))
    session_delete(actor=staff, session=session)
    assert not Session.objects.filter(pk=session.pk).exists()
    assert list(AuditEvent.objects.filter(scope_id=run.pk, action__startswith="session.")
                .order_by("pk").values_list("action", flat=True)) == [
        "session.create", "session.update", "session.delete"]
    assert last_event("session.update").changes["title"] == ["Day 1", "Day one"]


def test_a_session_lies_within_the_run_and_ends_after_it_starts():
    staff = staff_with_mfa()
    run = CourseRunFactory(starts_on=in_days(30), ends_on=in_days(30))
    with pytest.raises(ApplicationError) as early:
        session_create(actor=staff, run=run, starts_at=at(in_days(29), 9),
                       ends_at=at(in_days(30), 12))
    assert list(early.value.fields) == ["starts_at"]
    assert early.value.fields["starts_at"][0].startswith("Within the run's dates")
    with pytest.raises(ApplicationError) as backwards:
        session_create(actor=staff, run=run, starts_at=at(in_days(30), 12),
                       ends_at=at(in_days(30), 9))
    assert backwards.value.fields == {"ends_at": ["A session ends after it starts."]}
    session = SessionFactory(run=run)
    with pytest.raises(ApplicationError) as moved:
        session_update(actor=staff, session=session, ends_at=at(in_days(31), 9))
    assert list(moved.value.fields) == ["ends_at"]


def test_a_session_with_attendance_marked_is_not_removed():
    staff = staff_with_mfa()
    run = CourseRunFactory()
    session = SessionFactory(run=run)
    enrolment = enrolment_create(actor=UserFactory(), run=run)
    Attendance.objects.create(session=session, enrolment=enrolment, present=True,
                              marked_by=staff)
    with pytest.raises(Conflict) as refused:
        session_delete(actor=staff, session=session)
    assert refused.value.code == "session_has_attendance"
    assert Session.objects.filter(pk=session.pk).exists()


# --- staff placing people --------------------------------------------------------------------


def test_staff_place_someone_after_the_window_and_are_told_in_the_persons_name():
    staff = staff_with_mfa()
    run = CourseRunFactory(enrolment_closes_at=timezone.now() - datetime.timedelta(hours=1),
                           enrolment_opens_at=timezone.now() - datetime.timedelta(days=9))
    person = UserFactory(full_name="Tan Mei Ling")
    assert enrolment_create(actor=staff, run=run, person=person).status == Status.CONFIRMED
    with pytest.raises(Conflict) as again:
        enrolment_create(actor=staff, run=run, person=person)
    assert again.value.message == "Tan Mei Ling is already enrolled for this run."

    advanced = CourseRunFactory(course=CourseFactory())
    advanced.course.prerequisites.add(run.course)
    with pytest.raises(ApplicationError) as missing:
        enrolment_create(actor=staff, run=advanced, person=UserFactory(full_name="Ravi Kumar"))
    assert missing.value.message.endswith(
        "If Ravi Kumar has equivalent experience, waive the prerequisite for them first.")


def test_course_skills_left_out_of_an_update_are_removed():
    staff = staff_with_mfa()
    course = CourseFactory()
    kept, dropped = CourseSkillFactory(course=course), CourseSkillFactory(course=course)
    course_update(actor=staff, course=course, skills={kept.skill: 4})
    assert list(CourseSkill.objects.filter(course=course).values_list("skill_id", "level")) == [
        (kept.skill_id, 4)]
    assert not CourseSkill.objects.filter(pk=dropped.pk).exists()
