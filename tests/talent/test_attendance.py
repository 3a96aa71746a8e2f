"""Marking attendance: the service (only a confirmed seat of the session's own run, by the run's
trainers or programme staff, audited) and the registers, whose buttons save one row at a time
through htmx, at a fixed number of queries."""

import pytest
from django.urls import reverse

from cluster_portal.audit.models import AuditEvent
from cluster_portal.core.actors import SYSTEM
from cluster_portal.core.exceptions import ApplicationError, Conflict, NotAllowed
from talent.models import Attendance
from talent.services import attendance_mark, course_run_complete
from tests.factories import UserFactory
from tests.support.queries import queries_of_get
from tests.talent.factories import CourseRunFactory, SessionFactory
from tests.talent.past_runs import enrol, past_run

pytestmark = pytest.mark.django_db


def trained_run(trainer, **fields):
    run = past_run(**fields)
    run.trainers.add(trainer)
    return run


def test_a_trainer_marks_present_then_absent_and_each_change_is_audited_once():
    trainer = UserFactory()
    run = trained_run(trainer, sessions=2)
    enrolment = enrol(run)
    session = run.sessions.first()

    attendance_mark(actor=trainer, session=session, enrolment=enrolment, present=True)
    attendance_mark(actor=trainer, session=session, enrolment=enrolment, present=True)
    mark = attendance_mark(actor=trainer, session=session, enrolment=enrolment, present=False)

    assert Attendance.objects.get(session=session, enrolment=enrolment).present is False
    assert mark.marked_by == trainer
    changes = [event.changes["present"] for event in
               AuditEvent.objects.filter(action="attendance.mark").order_by("pk")]
    assert changes == [[None, True], [True, False]]  # marking the same twice records nothing


def test_a_session_of_another_run_is_refused_and_nothing_is_marked():
    trainer = UserFactory()
    run, other = trained_run(trainer), trained_run(trainer)
    enrolment = enrol(run)
    with pytest.raises(ApplicationError) as refused:
        attendance_mark(actor=trainer, session=other.sessions.first(), enrolment=enrolment,
                        present=True)
    assert refused.value.code == "another_run"
    assert "not enrolled on this run" in refused.value.message
    assert not Attendance.objects.exists()
    assert not AuditEvent.objects.filter(action="attendance.mark").exists()


def test_only_the_runs_trainers_and_staff_with_mfa_mark(mfa_staff_user, staff_user):
    run = past_run()
    enrolment = enrol(run)
    session = run.sessions.first()
    trainer_of_another_run = UserFactory()
    CourseRunFactory().trainers.add(trainer_of_another_run)
    for outsider in (trainer_of_another_run, enrolment.person, staff_user):
        with pytest.raises(NotAllowed):
            attendance_mark(actor=outsider, session=session, enrolment=enrolment, present=True)
    attendance_mark(actor=mfa_staff_user, session=session, enrolment=enrolment, present=True)
    assert Attendance.objects.get().present


def test_only_confirmed_seats_on_sessions_that_have_begun_of_an_open_run_are_marked():
    run = past_run(sessions=2, capacity=1)
    seated, waiting = enrol(run), enrol(run)
    with pytest.raises(Conflict, match="waitlisted: only confirmed seats"):
        attendance_mark(actor=SYSTEM, session=run.sessions.first(), enrolment=waiting,
                        present=True)

    future = CourseRunFactory()
    tomorrow = SessionFactory(run=future)
    with pytest.raises(Conflict, match="attendance is marked from that day"):
        attendance_mark(actor=SYSTEM, session=tomorrow, enrolment=enrol(future), present=True)

    for session in run.sessions.all():
        attendance_mark(actor=SYSTEM, session=session, enrolment=seated, present=True)
    course_run_complete(actor=SYSTEM, run=run, attendance_threshold=50)
    seated.refresh_from_db()
    with pytest.raises(Conflict):
        attendance_mark(actor=SYSTEM, session=run.sessions.first(), enrolment=seated,
                        present=False)
    assert Attendance.objects.filter(present=True).count() == 2


def register_url(session) -> str:
    return reverse("talent:session_attendance", kwargs={"pk": session.pk})


def test_the_register_saves_one_tap_through_htmx_and_answers_with_the_row(client):
    trainer = UserFactory()
    run = trained_run(trainer, sessions=1)
    enrolment = enrol(run, UserFactory(full_name="Tan Mei Ling"))
    session = run.sessions.get()
    client.force_login(trainer)

    page = client.get(register_url(session))
    assert page.status_code == 200
    assert "Tan Mei Ling" in page.content.decode()
    assert 'hx-post="' in page.content.decode()

    row = client.post(register_url(session), {"enrolment": enrolment.pk, "present": "1"},
                      HTTP_HX_REQUEST="true")
    assert row.status_code == 200
    html = row.content.decode()
    assert html.strip().startswith("<li") and f'id="enrolment-{enrolment.pk}"' in html
    assert f'id="present-{enrolment.pk}"' in html
    assert 'value="1" class="btn btn-success" aria-pressed="true"' in html
    assert Attendance.objects.get().present is True
    # The totals above the register follow, out of band.
    assert 'id="register-counts" hx-swap-oob="true">1 present, 0 absent' in html

    # Without JavaScript the form posts and the register comes back (PRG).
    plain = client.post(register_url(session), {"enrolment": enrolment.pk, "present": "0"})
    assert plain.status_code == 302
    assert plain["Location"] == register_url(session) + f"#enrolment-{enrolment.pk}"
    assert Attendance.objects.get().present is False


def test_the_register_answers_the_services_refusal_in_the_row(client):
    trainer = UserFactory()
    future = CourseRunFactory()
    future.trainers.add(trainer)
    session = SessionFactory(run=future)
    enrolment = enrol(future)
    client.force_login(trainer)
    row = client.post(register_url(session), {"enrolment": enrolment.pk, "present": "1"},
                      HTTP_HX_REQUEST="true")
    assert row.status_code == 409
    assert 'role="alert"' in row.content.decode()
    assert "attendance is marked from that day" in row.content.decode()
    assert not Attendance.objects.exists()


def test_another_runs_enrolment_on_a_register_is_not_found_as_if_it_did_not_exist(client):
    trainer = UserFactory()
    run, other = trained_run(trainer), trained_run(trainer)
    stranger = enrol(other)
    client.force_login(trainer)
    url = register_url(run.sessions.first())
    answer = client.post(url, {"enrolment": stranger.pk, "present": "1"})
    missing = client.post(url, {"enrolment": 2_000_000_000, "present": "1"})
    assert answer.status_code == missing.status_code == 404
    assert not Attendance.objects.exists()


def test_someone_who_does_not_train_the_run_finds_no_register(client, staff_user):
    run = past_run()
    enrolment = enrol(run)
    client.force_login(enrolment.person)
    assert client.get(register_url(run.sessions.first())).status_code == 404
    assert client.get(reverse("talent:run_attendance", kwargs={"pk": run.pk})).status_code == 404
    client.force_login(staff_user)  # staff without a second factor set it up first
    answer = client.get(reverse("talent:run_attendance", kwargs={"pk": run.pk}))
    assert answer.status_code == 302 and reverse("mfa_activate_totp") in answer["Location"]


def test_the_run_page_shows_each_trainees_attendance(client):
    trainer = UserFactory()
    run = trained_run(trainer, sessions=4)
    enrolment = enrol(run, UserFactory(full_name="Lim Wei Jie"))
    for session in list(run.sessions.order_by("starts_at"))[:3]:
        attendance_mark(actor=trainer, session=session, enrolment=enrolment, present=True)
    client.force_login(trainer)
    page = client.get(reverse("talent:run_attendance", kwargs={"pk": run.pk}))
    [row] = page.context["trainees"]
    assert (row.attended, row.sessions, row.percent) == (3, 4, 75)
    assert "3 of 4 sessions (75%)" in page.content.decode()
    assert "Complete the run" not in page.content.decode()  # staff complete it, not trainers


def test_the_attendance_pages_cost_the_same_queries_for_more_trainees_and_sessions(
        client, mfa_staff_user):
    client.force_login(mfa_staff_user)

    def counts(sessions: int, trainees: int) -> tuple[int, int]:
        run = past_run(sessions=sessions, capacity=trainees)
        for _ in range(trainees):
            enrolment = enrol(run)
            for session in run.sessions.all():
                attendance_mark(actor=SYSTEM, session=session, enrolment=enrolment,
                                present=True)
        return (queries_of_get(client, reverse("talent:run_attendance",
                                               kwargs={"pk": run.pk})),
                queries_of_get(client, register_url(run.sessions.first())))

    assert counts(sessions=1, trainees=1) == counts(sessions=5, trainees=6)


def test_a_trainer_finds_the_register_from_their_own_page(client):
    trainer = UserFactory()
    run = CourseRunFactory()
    run.trainers.add(trainer)
    client.force_login(trainer)
    page = client.get(reverse("my_portal")).content.decode()
    assert reverse("talent:run_attendance", kwargs={"pk": run.pk}) in page
    assert reverse("talent:my_certificates") in client.get(
        reverse("talent:my_learning")).content.decode()
