"""The training admin: courses and runs made and changed through their services (audited; a
run's seats through course_run_set_capacity, which promotes from the waitlist), enrolments
cancelled through theirs, prerequisites waived through theirs, lists at a constant cost."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from cluster_portal.audit.models import AuditEvent
from talent.models import Course, CourseRun, Enrolment, PrerequisiteWaiver
from talent.services import enrolment_create
from tests.factories import UserFactory
from tests.support.queries import queries_of_get
from tests.talent.factories import CourseFactory, CourseRunFactory, SkillFactory, in_days

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(client, mfa_admin_user):
    client.force_login(mfa_admin_user)
    return client


def url(model: str, view: str = "changelist", *args) -> str:
    return reverse(f"admin:talent_{model}_{view}", args=args)


def page_messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def inline_management(prefix: str) -> dict:
    return {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}


def test_a_course_added_in_the_admin_is_made_by_its_service(office):
    skill = SkillFactory()
    response = office.post(url("course", "add"), {
        "code": "cm-150", "title": "Flow safety", "summary": "Hazardous chemistry made safe.",
        "description": "", "mode": "classroom", "hours": "7", "fee": "0",
        "is_published": "on", "skills_taught-0-skill": skill.pk, "skills_taught-0-level": "2",
        **{**inline_management("skills_taught"), "skills_taught-TOTAL_FORMS": "1"},
    }, follow=True)
    assert response.status_code == 200
    course = Course.objects.get()
    assert (course.code, course.slug) == ("CM-150", "cm-150")  # the service's normalising
    assert course.skills_taught.get().skill == skill
    assert AuditEvent.objects.filter(action="course.create", target_id=course.pk).exists()


def test_changing_a_course_goes_through_its_update_and_is_audited(office):
    course = CourseFactory(title="Old title")
    data = {"title": "New title", "summary": course.summary, "description": "",
            "mode": course.mode, "hours": "14", "fee": "0", "is_published": "on",
            **inline_management("skills_taught")}
    office.post(url("course", "change", course.pk), data, follow=True)
    course.refresh_from_db()
    assert course.title == "New title"
    event = AuditEvent.objects.get(action="course.update")
    assert event.changes["title"] == ["Old title", "New title"]


def run_form(run: CourseRun, **changes) -> dict:
    def when(moment):
        local = timezone.localtime(moment)
        return {"0": local.date().isoformat(), "1": local.time().strftime("%H:%M:%S")}

    opens, closes = when(run.enrolment_opens_at), when(run.enrolment_closes_at)
    return {"starts_on": run.starts_on.isoformat(), "ends_on": run.ends_on.isoformat(),
            "venue": run.venue, "capacity": str(run.capacity),
            "enrolment_opens_at_0": opens["0"], "enrolment_opens_at_1": opens["1"],
            "enrolment_closes_at_0": closes["0"], "enrolment_closes_at_1": closes["1"],
            "promotion": run.promotion, "offer_hours": str(run.offer_hours),
            **inline_management("sessions"), **inline_management("enrolments"), **changes}


def test_more_seats_on_a_run_in_the_admin_promote_from_the_waitlist(office):
    run = CourseRunFactory(capacity=1)
    enrolment_create(actor=UserFactory(), run=run)
    waiting = enrolment_create(actor=UserFactory(), run=run)
    office.post(url("courserun", "change", run.pk), run_form(run, capacity="2"), follow=True)
    waiting.refresh_from_db()
    assert waiting.status == Enrolment.Status.CONFIRMED
    assert AuditEvent.objects.filter(action="course_run.set_capacity").exists()


def test_fewer_seats_than_are_taken_is_refused_in_words_and_nothing_changes(office):
    run = CourseRunFactory(capacity=2)
    enrolment_create(actor=UserFactory(), run=run)
    enrolment_create(actor=UserFactory(), run=run)
    response = office.post(url("courserun", "change", run.pk),
                           run_form(run, capacity="1", venue="Another room"), follow=True)
    assert any("2 seats are already taken" in message for message in page_messages(response))
    run.refresh_from_db()
    assert (run.capacity, run.venue) == (2, "Biopolis, Singapore")  # all or nothing


def test_the_office_cancels_enrolments_and_the_seats_go_to_the_line(office):
    run = CourseRunFactory(capacity=1)
    seated = enrolment_create(actor=UserFactory(), run=run)
    waiting = enrolment_create(actor=UserFactory(), run=run)
    office.post(url("enrolment"), {"action": "cancel_selected",
                                   "_selected_action": [seated.pk]}, follow=True)
    seated.refresh_from_db()
    waiting.refresh_from_db()
    assert seated.status == Enrolment.Status.CANCELLED
    assert seated.decision_reason == "Cancelled by the programme office."
    assert waiting.status == Enrolment.Status.CONFIRMED


def test_a_waiver_is_granted_through_its_service(office):
    person, course = UserFactory(), CourseFactory()
    office.post(url("prerequisitewaiver", "add"),
                {"person": person.pk, "course": course.pk, "reason": "Ten years of PAT."},
                follow=True)
    waiver = PrerequisiteWaiver.objects.get()
    assert waiver.waived_by is not None
    assert AuditEvent.objects.filter(action="prerequisite.waive").exists()


@pytest.mark.parametrize("model", ["course", "courserun", "enrolment", "skill",
                                   "prerequisitewaiver", "workstreamskillneed"])
def test_every_talent_list_costs_the_same_for_few_rows_or_many(office, model):
    def add(count):
        for _ in range(count):
            run = CourseRunFactory(starts_on=in_days(5), ends_on=in_days(6),
                                   enrolment_opens_at=timezone.now() - datetime.timedelta(1))
            enrolment_create(actor=UserFactory(), run=run)

    add(2)
    few = queries_of_get(office, url(model))
    add(10)
    assert queries_of_get(office, url(model)) == few
