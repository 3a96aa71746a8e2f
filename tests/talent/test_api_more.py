"""The rest of the talent API: a session's register and marking it (the run's trainers and
programme staff, refusals in the service's words), the caller's certificates with where each
stands and where to verify and download it, and the caller's skills profile with the gaps of
their workstreams; each at a fixed number of queries."""

import datetime

import pytest
from django.utils import timezone

from cluster_portal.core.actors import SYSTEM
from talent.models import (
    Attendance,
    Certificate,
    Enrolment,
    LearningPath,
    LearningPathStep,
    WorkstreamSkillNeed,
)
from talent.services import attendance_mark, certificate_revoke, course_run_complete
from tests.factories import (
    OrganisationFactory,
    OrganisationMembershipFactory,
    UserFactory,
    WorkstreamFactory,
    WorkstreamMembershipFactory,
)
from tests.support.api import assert_error, client_for
from tests.support.queries import queries_of_get
from tests.talent.factories import (
    CourseFactory,
    CourseRunFactory,
    CourseSkillFactory,
    SessionFactory,
    SkillFactory,
)
from tests.talent.past_runs import certificate_for, enrol, past_run

pytestmark = pytest.mark.django_db


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == len(body["results"])
    return body["results"]


def register_url(session) -> str:
    return f"/api/v1/course-runs/{session.run_id}/sessions/{session.pk}/attendance/"


def mark(client, session, enrolment, present=True):
    return client.post(register_url(session), {"enrolment": enrolment.pk, "present": present},
                       format="json")


def trained_run(trainer, **fields):
    """A run that ended yesterday, trained by `trainer`, with four sessions."""
    run = past_run(**fields)
    run.trainers.add(trainer)
    return run


def first_session(run):
    return run.sessions.order_by("starts_at").first()


# --- A session's register ---------------------------------------------------------------------


def test_a_trainer_reads_the_register_with_each_persons_mark():
    trainer = UserFactory()
    run = trained_run(trainer)
    session = first_session(run)
    ada, bea, cal = (enrol(run, UserFactory(full_name=name)) for name in ("Ada", "Bea", "Cal"))
    waiting = CourseRunFactory(capacity=1)  # someone else's run: never on this register
    enrol(waiting)
    attendance_mark(actor=SYSTEM, session=session, enrolment=ada, present=True)
    attendance_mark(actor=SYSTEM, session=session, enrolment=bea, present=False)

    rows = results(client_for(trainer).get(register_url(session)))

    assert [(row["id"], row["person"]["full_name"], row["status"], row["attendance"])
            for row in rows] == [(ada.pk, "Ada", "confirmed", "present"),
                                 (bea.pk, "Bea", "confirmed", "absent"),
                                 (cal.pk, "Cal", "confirmed", "unmarked")]


def test_a_trainer_marks_a_person_and_gets_their_row_back():
    trainer = UserFactory()
    run = trained_run(trainer)
    session = first_session(run)
    enrolment = enrol(run)
    client = client_for(trainer)

    response = mark(client, session, enrolment, present=True)
    assert response.status_code == 200, response.content
    assert (response.json()["id"], response.json()["attendance"]) == (enrolment.pk, "present")
    assert mark(client, session, enrolment, present=False).json()["attendance"] == "absent"

    recorded = Attendance.objects.get(session=session, enrolment=enrolment)
    assert (recorded.present, recorded.marked_by) == (False, trainer)


def test_programme_staff_with_mfa_mark_any_run(mfa_staff_user):
    run = past_run()
    enrolment = enrol(run)
    response = mark(client_for(mfa_staff_user), first_session(run), enrolment)
    assert response.status_code == 200, response.content
    assert Attendance.objects.get(enrolment=enrolment).marked_by == mfa_staff_user


def test_who_sees_the_run_but_does_not_train_it_is_refused_and_others_find_nothing():
    trainer, outsider = UserFactory(), UserFactory()
    run = trained_run(trainer)
    session, enrolment = first_session(run), enrol(run)
    draft = trained_run(trainer, course=CourseFactory(is_published=False))
    draft_session, draft_enrolment = first_session(draft), enrol(draft)
    client = client_for(outsider)

    # A published course's run: seen by everyone, trained by its trainers only.
    body = assert_error(client.get(register_url(session)), 403, "permission_denied")
    assert body["message"] == "Only the run's trainers and programme staff keep its registers."
    assert_error(mark(client, session, enrolment), 403, "permission_denied")
    # A course not yet published: no such run, whether it exists or not.
    assert_error(client.get(register_url(draft_session)), 404)
    assert_error(mark(client, draft_session, draft_enrolment), 404)
    # A session of another run, under a run the trainer trains, is not found either.
    other_session = first_session(trained_run(UserFactory()))
    assert_error(client_for(trainer).get(
        f"/api/v1/course-runs/{run.pk}/sessions/{other_session.pk}/attendance/"), 404)
    assert_error(client_for(trainer).get(
        f"/api/v1/course-runs/{run.pk}/sessions/99999999999/attendance/"), 404)
    assert_error(client_for().get(register_url(session)), 401)
    assert not Attendance.objects.exists()


def test_marking_refusals_come_in_the_services_words():
    trainer = UserFactory()
    run, other_run = trained_run(trainer), trained_run(trainer)
    session = first_session(run)
    client = client_for(trainer)

    # Another run the trainer also trains: the service says whose run it is not.
    stranger = enrol(other_run, UserFactory(full_name="Dev Rao"))
    body = assert_error(mark(client, session, stranger), 400, "another_run")
    assert body["message"].startswith("Dev Rao is not enrolled on this run")
    # An enrolment on a run the trainer does not train is no enrolment at all.
    hidden = enrol(past_run())
    body = assert_error(mark(client, session, hidden), 400, "invalid")
    assert body["fields"] == {"enrolment": ["No enrolment on a run you train has this id."]}
    own = enrol(run)
    assert list(assert_error(client.post(register_url(session), {"enrolment": own.pk},
                                         format="json"), 400)["fields"]) == ["present"]

    # A session still to come.
    upcoming = CourseRunFactory()
    upcoming.trainers.add(trainer)
    future_session = SessionFactory(run=upcoming)
    body = assert_error(mark(client, future_session, enrol(upcoming)), 409,
                        "session_not_started")
    assert "attendance is marked from that day" in body["message"]
    assert not Attendance.objects.exists()


def test_a_completed_runs_attendance_is_final():
    trainer = UserFactory()
    run = trained_run(trainer)
    session = first_session(run)
    enrolment = enrol(run)
    # Completing the run turns the seat into a no-show; a seat confirmed afterwards (by the
    # database, as nothing else can) shows the run's own refusal.
    course_run_complete(actor=SYSTEM, run=run, attendance_threshold=75)
    Enrolment.objects.filter(pk=enrolment.pk).update(status=Enrolment.Status.CONFIRMED)
    body = assert_error(mark(client_for(trainer), session, enrolment), 409, "run_closed")
    assert body["message"] == "The run is completed: its attendance is final."


# --- The caller's certificates ----------------------------------------------------------------


def path_certificate(person, *, serial: str, **fields) -> Certificate:
    path = LearningPath.objects.create(slug=f"path-{serial.lower()}", name=f"Path {serial}")
    LearningPathStep.objects.create(path=path, course=CourseFactory(), order=1)
    return Certificate.objects.create(serial=serial, person=person, learning_path=path,
                                      issued_on=timezone.localdate(), **fields)


def test_the_caller_lists_their_own_certificates_with_status_and_links():
    person = UserFactory()
    course_certificate = certificate_for(person, code="GMP-101", title="GMP basics",
                                         certificate_valid_months=12)
    revoked = certificate_for(person)
    certificate_revoke(actor=SYSTEM, certificate=revoked, reason="Issued by mistake.")
    expired = path_certificate(person, serial="EXPIREDPATH2",
                               expires_on=timezone.localdate() - datetime.timedelta(days=1))
    certificate_for()  # someone else's

    rows = results(client_for(person).get("/api/v1/me/certificates/"))

    by_serial = {row["serial"]: row for row in rows}
    assert set(by_serial) == {course_certificate.serial, revoked.serial, expired.serial}
    course_row = by_serial[course_certificate.serial]
    assert course_row["kind"] == "course"
    assert course_row["course"]["code"] == "GMP-101"
    assert course_row["learning_path"] is None
    assert course_row["status"] == "valid"
    assert course_row["expires_on"] == course_certificate.expires_on.isoformat()
    assert course_row["verification_url"].endswith(
        f"/courses/certificates/{course_certificate.serial}/")
    assert course_row["pdf_url"].endswith(
        f"/courses/certificates/{course_certificate.serial}/pdf/")
    assert by_serial[revoked.serial]["status"] == "revoked"
    path_row = by_serial[expired.serial]
    assert (path_row["kind"], path_row["course"], path_row["status"]) == (
        "learning_path", None, "expired")
    assert path_row["learning_path"] == {"slug": "path-expiredpath2", "name": "Path EXPIREDPATH2"}


def test_the_pdf_link_downloads_for_its_holder_only():
    person = UserFactory()
    certificate_for(person)
    [row] = results(client_for(person).get("/api/v1/me/certificates/"))
    path = row["pdf_url"].split("://", 1)[-1].split("/", 1)[1]
    assert client_for(person).get(f"/{path}").status_code == 200
    assert client_for(UserFactory()).get(f"/{path}").status_code == 404


def test_certificates_need_a_signed_in_caller_and_show_nobody_elses():
    certificate_for()
    assert_error(client_for().get("/api/v1/me/certificates/"), 401)
    assert results(client_for(UserFactory()).get("/api/v1/me/certificates/")) == []


# --- The caller's skills profile --------------------------------------------------------------


def completed(person, course, *, on: datetime.date) -> Enrolment:
    completed_at = timezone.make_aware(datetime.datetime.combine(on, datetime.time(17)))
    return Enrolment.objects.create(person=person, run=CourseRunFactory(course=course),
                                    status=Enrolment.Status.COMPLETED, completed_at=completed_at)


def member_of_workstream(person, **workstream_fields):
    organisation = OrganisationFactory()
    OrganisationMembershipFactory(organisation=organisation, person=person)
    workstream = WorkstreamFactory(**workstream_fields)
    WorkstreamMembershipFactory(organisation=organisation, workstream=workstream)
    return workstream


def test_the_skills_profile_lists_held_skills_and_each_workstreams_gaps():
    person = UserFactory()
    flow = SkillFactory(code="flow", name="Flow chemistry")
    pat = SkillFactory(code="pat", name="Process analytical technology")
    taught = CourseFactory(code="FC-101")
    CourseSkillFactory(course=taught, skill=flow, level=3)
    completed(person, taught, on=datetime.date(2026, 3, 4))
    closing = CourseFactory(code="PAT-201")
    CourseSkillFactory(course=closing, skill=pat, level=4)
    workstream = member_of_workstream(person, name="Continuous Manufacturing")
    WorkstreamSkillNeed.objects.create(workstream=workstream, skill=flow, level=2)
    WorkstreamSkillNeed.objects.create(workstream=workstream, skill=pat, level=3)
    WorkstreamSkillNeed.objects.create(workstream=WorkstreamFactory(), skill=pat, level=1)

    response = client_for(person).get("/api/v1/me/skills/")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["held"] == [{"code": "flow", "name": "Flow chemistry", "category":
                             flow.category, "level": 3, "reached_on": "2026-03-04"}]
    [entry] = body["workstreams"]
    assert entry["workstream"] == {"slug": workstream.slug, "name": "Continuous Manufacturing"}
    assert [(gap["skill"], gap["level_needed"], gap["level_held"], gap["met"],
             [course["code"] for course in gap["courses"]]) for gap in entry["gaps"]] == [
        ("flow", 2, 3, True, []), ("pat", 3, 0, False, ["PAT-201"])]


def test_the_skills_profile_is_the_callers_own():
    assert_error(client_for().get("/api/v1/me/skills/"), 401)
    body = client_for(UserFactory()).get("/api/v1/me/skills/").json()
    assert body == {"held": [], "workstreams": []}


# --- Constant query counts --------------------------------------------------------------------


def test_the_register_costs_the_same_queries_for_ten_people_or_a_hundred(mfa_staff_user):
    trainer = UserFactory()
    run = trained_run(trainer, capacity=100)
    session = first_session(run)

    def add_people(count):
        for number in range(count):
            enrolment = enrol(run)
            if number % 3:
                attendance_mark(actor=SYSTEM, session=session, enrolment=enrolment,
                                present=bool(number % 2))

    clients = [client_for(trainer), client_for(mfa_staff_user)]
    path = f"{register_url(session)}?page_size=100"
    add_people(10)
    few = [queries_of_get(client, path) for client in clients]
    add_people(90)
    assert [queries_of_get(client, path) for client in clients] == few
    assert len(results(clients[0].get(path))) == 100


def test_certificates_and_skills_cost_the_same_queries_for_ten_rows_or_a_hundred():
    person = UserFactory()
    workstream = member_of_workstream(person)

    def add_rows(count):
        for number in range(count):
            held, needed = SkillFactory(), SkillFactory()
            course = CourseFactory()
            CourseSkillFactory(course=course, skill=held, level=2)
            CourseSkillFactory(course=CourseFactory(), skill=needed, level=4)
            completed(person, course, on=datetime.date(2026, 3, 4))
            WorkstreamSkillNeed.objects.create(workstream=workstream, skill=needed, level=3)
            if number % 2:
                path_certificate(person, serial=f"PATH{Certificate.objects.count():08d}")
            else:
                enrolment = enrol(CourseRunFactory(course=course), person)
                Certificate.objects.create(serial=f"RUN{Certificate.objects.count():09d}",
                                           person=person, enrolment=enrolment,
                                           issued_on=timezone.localdate())

    client = client_for(person)
    paths = ["/api/v1/me/certificates/?page_size=100", "/api/v1/me/skills/"]
    add_rows(10)
    few = [queries_of_get(client, path) for path in paths]
    add_rows(90)
    assert [queries_of_get(client, path) for path in paths] == few
    assert len(results(client.get(paths[0]))) == 100
    assert len(client.get(paths[1]).json()["held"]) == 100
