"""Programme staff's pages for the course catalogue, through the client: the list of every
course, creating and changing courses and runs, sessions, cancelling a run, and a run's roster
where staff place people, waive prerequisites and cancel enrolments."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cluster_portal.audit.models import AuditEvent
from cluster_portal.core.actors import SYSTEM
from cluster_portal.notifications.models import Notification
from talent.models import Course, CourseRun, Enrolment, PrerequisiteWaiver, Session
from talent.services import course_create, enrolment_cancel, enrolment_create
from tests.factories import (
    OrganisationFactory,
    OrganisationMembershipFactory,
    UserFactory,
    WorkstreamFactory,
)
from tests.support.queries import queries_of_get
from tests.talent.factories import (
    CourseFactory,
    CourseRunFactory,
    CourseSkillFactory,
    SessionFactory,
    SkillFactory,
    in_days,
)

pytestmark = pytest.mark.django_db

MANAGE = reverse("talent:manage_courses")
Status = Enrolment.Status


@pytest.fixture
def staff_client(client, mfa_staff_user):
    client.force_login(mfa_staff_user)
    client.staff = mfa_staff_user
    return client


def at(day: datetime.date, hour: int) -> str:
    return f"{day.isoformat()}T{hour:02d}:00"


def page_text(response) -> str:
    return response.content.decode()


def run_url(name: str, run) -> str:
    return reverse(f"talent:{name}", kwargs={"pk": run.pk})


def course_url(name: str, course) -> str:
    return reverse(f"talent:{name}", kwargs={"slug": course.slug})


def course_form(**changes) -> dict:
    data = {"code": "cm-201", "title": "Continuous crystallisation",
            "summary": "From lab data to a pilot design.", "description": "", "mode": "blended",
            "hours": "21", "fee": "1200", "certificate_valid_months": "", "is_published": "on",
            "skills-TOTAL_FORMS": "3", "skills-INITIAL_FORMS": "0",
            "skills-MIN_NUM_FORMS": "0", "skills-MAX_NUM_FORMS": "30"}
    data.update(changes)
    return data


def run_form(**changes) -> dict:
    data = {"starts_on": in_days(30).isoformat(), "ends_on": in_days(31).isoformat(),
            "venue": "Biopolis", "capacity": "12",
            "enrolment_opens_at": at(timezone.localdate(), 0),
            "enrolment_closes_at": at(in_days(25), 23), "promotion": "confirm",
            "offer_hours": "48"}
    data.update(changes)
    return data


# --- who may come --------------------------------------------------------------------------


def test_the_staff_pages_refuse_partners_and_trainees_and_send_staff_to_set_up_mfa(client):
    course = CourseFactory()
    for person in (UserFactory(), OrganisationMembershipFactory().person):
        client.force_login(person)
        assert client.get(MANAGE).status_code == 403
        assert client.get(course_url("manage_course", course)).status_code == 403
    client.force_login(UserFactory(role="programme_staff"))
    response = client.get(MANAGE)
    assert response.status_code == 302 and reverse("mfa_activate_totp") in response["Location"]


# --- the list of courses -------------------------------------------------------------------


def test_staff_see_every_course_published_or_not_and_filter_them(staff_client):
    cm = WorkstreamFactory(slug="cm")
    flow = CourseFactory(code="CM-101", title="Flow chemistry basics", mode="classroom")
    flow.workstreams.add(cm)
    CourseRunFactory(course=flow, starts_on=in_days(10), ends_on=in_days(10))
    CourseRunFactory(course=flow, starts_on=in_days(40), ends_on=in_days(40))
    CourseFactory(code="DRAFT-1", title="Digital twins", is_published=False, mode="online")

    def codes(**query):
        response = staff_client.get(MANAGE, query)
        assert response.status_code == 200
        return [course.code for course in response.context["page"].object_list]

    assert codes() == ["CM-101", "DRAFT-1"]
    assert codes(published="no") == ["DRAFT-1"]
    assert codes(published="yes", workstream="cm") == ["CM-101"]
    assert codes(q="twins") == ["DRAFT-1"]
    assert codes(mode="classroom") == ["CM-101"]
    [listed, _draft] = staff_client.get(MANAGE).context["page"].object_list
    assert (listed.runs_to_come, listed.next_run_on) == (2, in_days(10))
    assert "Not published" in page_text(staff_client.get(MANAGE))


def test_the_list_of_courses_costs_the_same_queries_for_three_courses_or_thirty(staff_client):
    def add(count):
        for _ in range(count):
            course = CourseFactory(provider=OrganisationFactory())
            course.workstreams.add(WorkstreamFactory())
            CourseRunFactory(course=course)

    add(3)
    few = queries_of_get(staff_client, MANAGE)
    add(27)
    assert queries_of_get(staff_client, MANAGE) == few


# --- creating and changing a course --------------------------------------------------------


def test_staff_create_a_course_with_its_workstreams_prerequisites_and_skills(staff_client):
    provider = OrganisationFactory(name="Institute of Process Chemistry")
    cm = WorkstreamFactory(name="Continuous Manufacturing")
    basics = CourseFactory(code="CM-101")
    crystals, modelling = SkillFactory(name="Crystallisation"), SkillFactory(name="Modelling")
    assert staff_client.get(reverse("talent:manage_course_create")).status_code == 200

    response = staff_client.post(reverse("talent:manage_course_create"), course_form(
        provider=provider.pk, workstreams=[cm.pk], prerequisites=[basics.pk],
        **{"skills-0-skill": crystals.pk, "skills-0-level": "3",
           "skills-1-skill": modelling.pk, "skills-1-level": "2"}))

    course = Course.objects.get(code="CM-201")
    assert response.status_code == 302
    assert response["Location"] == course_url("manage_course", course)
    assert (course.provider, list(course.workstreams.all()),
            list(course.prerequisites.all())) == (provider, [cm], [basics])
    assert {(taught.skill.name, taught.level) for taught in course.skills_taught.all()} == {
        ("Crystallisation", 3), ("Modelling", 2)}
    assert AuditEvent.objects.filter(action="course.create", actor=staff_client.staff).exists()
    page = page_text(staff_client.get(response["Location"]))
    assert "CM-201 Continuous crystallisation is created." in page
    assert "Crystallisation to 3 · practitioner" in page


def test_a_course_form_with_errors_shows_them_beside_the_fields(staff_client):
    pending = OrganisationFactory(status="pending")
    skill = SkillFactory(name="GMP")
    response = staff_client.post(reverse("talent:manage_course_create"), course_form(
        title="", provider=pending.pk,
        **{"skills-0-skill": skill.pk, "skills-0-level": "2",
           "skills-1-skill": skill.pk, "skills-1-level": "3"}))
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) == {"title", "provider"}  # a pending organisation is not offered
    assert "GMP is listed twice: give each skill once." in page_text(response)
    assert 'id="id_title_error"' in page_text(response)
    assert not Course.objects.filter(code="CM-201").exists()


def test_a_course_that_requires_this_one_is_refused_as_its_prerequisite(staff_client):
    basics = CourseFactory(code="CM-101", title="Basics")
    advanced = CourseFactory(code="CM-201")
    advanced.prerequisites.add(basics)
    edit = course_url("manage_course_edit", basics)
    form = staff_client.get(edit).context["form"]
    assert form.initial["title"] == "Basics"
    assert basics not in form.fields["prerequisites"].queryset  # never itself

    response = staff_client.post(edit, course_form(title="Renamed", prerequisites=[advanced.pk]))

    assert response.status_code == 400
    assert response.context["form"].errors["prerequisites"] == [
        "CM-201 already requires CM-101, so it cannot be a prerequisite of it too: neither "
        "could ever be taken."]
    basics.refresh_from_db()
    assert basics.title == "Basics"


def test_staff_change_a_course_and_its_skills_and_the_change_is_audited(staff_client):
    course = CourseFactory(code="PAT-101", title="PAT", is_published=False)
    kept = CourseSkillFactory(course=course, level=2)
    edit = course_url("manage_course_edit", course)
    initial = staff_client.get(edit).context["skills"].initial
    assert initial == [{"skill": kept.skill_id, "level": 2}]

    response = staff_client.post(edit, course_form(
        code="ignored", title="PAT essentials", is_published="on",
        **{"skills-TOTAL_FORMS": "4", "skills-INITIAL_FORMS": "1",
           "skills-0-skill": kept.skill_id, "skills-0-level": "4"}))

    assert response.status_code == 302
    course.refresh_from_db()
    assert (course.code, course.title, course.is_published) == ("PAT-101", "PAT essentials", True)
    event = AuditEvent.objects.get(action="course.update")
    assert event.changes["skills"] == [[f"{kept.skill.name}: level 2"],
                                       [f"{kept.skill.name}: level 4"]]


def test_a_course_may_not_take_a_word_of_the_staff_addresses_as_its_slug(staff_client):
    course = course_create(actor=SYSTEM, code="manage", title="Managing a plant",
                           summary="Plants.", hours=7)
    assert course.slug == "manage-2"
    assert staff_client.get(MANAGE).context["page"].object_list[0] == course


# --- runs ----------------------------------------------------------------------------------


def test_staff_schedule_a_run_with_trainers_of_the_provider(staff_client):
    provider = OrganisationFactory()
    course = CourseFactory(provider=provider)
    trainer = OrganisationMembershipFactory(organisation=provider).person
    stranger = UserFactory()
    new_run = course_url("manage_run_create", course)
    offered = staff_client.get(new_run).context["form"].fields["trainers"].queryset
    assert trainer in offered and staff_client.staff in offered and stranger not in offered

    response = staff_client.post(new_run, run_form(trainers=[trainer.pk]))

    run = CourseRun.objects.get(course=course)
    assert response.status_code == 302 and response["Location"] == run_url("manage_run", run)
    assert list(run.trainers.all()) == [trainer]
    assert (run.capacity, run.venue) == (12, "Biopolis")


def test_a_run_whose_enrolment_closes_before_it_opens_is_shown_again_with_the_reason(
        staff_client):
    course = CourseFactory()
    response = staff_client.post(course_url("manage_run_create", course), run_form(
        enrolment_closes_at=at(timezone.localdate(), 0),
        enrolment_opens_at=at(in_days(2), 0)))
    assert response.status_code == 400
    assert response.context["form"].errors["enrolment_closes_at"] == [
        "Enrolment closes after it opens."]
    assert not CourseRun.objects.exists()


def test_fewer_seats_than_taken_are_refused_beside_the_seats(staff_client):
    run = CourseRunFactory(capacity=2)
    for _ in range(2):
        enrolment_create(actor=UserFactory(), run=run)
    response = staff_client.post(run_url("manage_run_edit", run), run_form(capacity="1"))
    assert response.status_code == 400
    assert response.context["form"].errors["capacity"] == [
        "At least 2, the seats already taken."]
    assert 'id="id_capacity_error"' in page_text(response)
    run.refresh_from_db()
    assert (run.capacity, run.venue) == (2, "Biopolis, Singapore")


def test_more_seats_promote_from_the_waitlist_and_the_page_says_how_many(staff_client):
    run = CourseRunFactory(capacity=1)
    enrolment_create(actor=UserFactory(), run=run)
    first, second, third = (enrolment_create(actor=UserFactory(), run=run) for _ in range(3))
    edit = run_url("manage_run_edit", run)
    assert staff_client.get(edit).context["form"].initial["capacity"] == 1

    response = staff_client.post(edit, run_form(capacity="3"), follow=True)

    assert "2 people were given a seat, and told." in page_text(response)
    statuses = dict(Enrolment.objects.filter(pk__in=[first.pk, second.pk, third.pk])
                    .values_list("pk", "status"))
    assert statuses == {first.pk: Status.CONFIRMED, second.pk: Status.CONFIRMED,
                        third.pk: Status.WAITLISTED}


def test_a_cancelled_run_is_not_edited(staff_client):
    run = CourseRunFactory(status=CourseRun.Status.CANCELLED)
    response = staff_client.get(run_url("manage_run_edit", run))
    assert response.status_code == 302 and response["Location"] == run_url("manage_run", run)


# --- sessions ------------------------------------------------------------------------------


def test_staff_add_change_and_remove_sessions_within_the_run(staff_client):
    run = CourseRunFactory(starts_on=in_days(30), ends_on=in_days(31))
    add = run_url("manage_session_create", run)
    assert staff_client.get(add).status_code == 200

    outside = staff_client.post(add, {"title": "Day 0", "starts_at": at(in_days(29), 9),
                                      "ends_at": at(in_days(30), 17)})
    assert outside.status_code == 400
    assert outside.context["form"].errors["starts_at"][0].startswith("Within the run's dates")

    response = staff_client.post(add, {"title": "Day 1", "starts_at": at(in_days(30), 9),
                                       "ends_at": at(in_days(30), 17)})
    session = Session.objects.get(run=run)
    assert response.status_code == 302
    assert timezone.localtime(session.starts_at).hour == 9

    edit = reverse("talent:manage_session_edit", kwargs={"pk": session.pk})
    staff_client.post(edit, {"title": "Day one", "starts_at": at(in_days(31), 9),
                             "ends_at": at(in_days(31), 12)})
    session.refresh_from_db()
    assert session.title == "Day one"

    remove = reverse("talent:manage_session_remove", kwargs={"pk": session.pk})
    asked = staff_client.get(remove)
    assert asked.status_code == 200 and "Remove the session of" in page_text(asked)
    assert Session.objects.filter(pk=session.pk).exists()
    assert staff_client.post(remove).status_code == 302
    assert not Session.objects.filter(pk=session.pk).exists()


# --- cancelling a run ----------------------------------------------------------------------


def test_cancelling_a_run_asks_first_wants_a_reason_and_tells_everyone(staff_client):
    run = CourseRunFactory(capacity=1)
    seated, waiting = (enrolment_create(actor=UserFactory(), run=run) for _ in range(2))
    cancel = run_url("manage_run_cancel", run)
    asked = staff_client.get(cancel)
    assert asked.status_code == 200
    assert "Every enrolment on it is cancelled (1 seat taken, 1 on the waitlist)" in page_text(
        asked)

    assert staff_client.post(cancel, {"reason": ""}).status_code == 400
    run.refresh_from_db()
    assert run.status == CourseRun.Status.SCHEDULED

    response = staff_client.post(cancel, {"reason": "The trainer is ill."}, follow=True)
    assert "The run is cancelled. Everyone enrolled on it was told" in page_text(response)
    run.refresh_from_db()
    assert (run.status, run.seats_taken) == (CourseRun.Status.CANCELLED, 0)
    assert set(Notification.objects.filter(kind="enrolment_cancelled")
               .values_list("recipient_id", flat=True)) == {seated.person_id, waiting.person_id}


# --- a run's roster ------------------------------------------------------------------------


def test_the_roster_shows_seats_offers_the_waitlist_in_order_and_the_cancelled(staff_client):
    run = CourseRunFactory(capacity=2, promotion=CourseRun.Promotion.OFFER)
    sponsor = OrganisationFactory(name="Helix Biologics")
    member = OrganisationMembershipFactory(organisation=sponsor).person
    seated = enrolment_create(actor=member, run=run, sponsor=sponsor)
    leaving = enrolment_create(actor=UserFactory(), run=run)
    first, second = (enrolment_create(actor=UserFactory(), run=run) for _ in range(2))
    enrolment_cancel(actor=leaving.person, enrolment=leaving, reason="Changed jobs.")

    response = staff_client.get(run_url("manage_run", run))

    sections = {section["key"]: [enrolment.pk for enrolment in section["page"].object_list]
                for section in response.context["sections"]}
    assert sections == {"seats": [seated.pk], "offered": [first.pk], "waitlist": [second.pk],
                        "cancelled": [leaving.pk]}
    text = page_text(response)
    assert "Helix Biologics" in text and "Changed jobs." in text


def test_the_run_page_costs_the_same_queries_for_a_few_people_or_many(staff_client):
    run = CourseRunFactory(capacity=3, promotion=CourseRun.Promotion.OFFER)
    SessionFactory(run=run)
    sponsor = OrganisationFactory()

    def add(count):
        # Every list of the roster has people: seats, an offer, a waitlist, the cancelled.
        for _ in range(count):
            enrolment_create(actor=SYSTEM, run=run, person=UserFactory(), sponsor=sponsor)
        seated = Enrolment.objects.filter(run=run, status=Status.CONFIRMED).first()
        enrolment_cancel(actor=seated.person, enrolment=seated)

    add(5)
    few = queries_of_get(staff_client, run_url("manage_run", run))
    add(25)
    assert queries_of_get(staff_client, run_url("manage_run", run)) == few


def test_staff_enrol_a_person_by_address_even_after_enrolment_closed(staff_client):
    run = CourseRunFactory(enrolment_opens_at=timezone.now() - datetime.timedelta(days=9),
                           enrolment_closes_at=timezone.now() - datetime.timedelta(hours=1))
    person = UserFactory(email="tan.meiling@example.org", full_name="Tan Mei Ling")
    enrol = run_url("manage_enrol", run)

    unknown = staff_client.post(enrol, {"email": "nobody@example.org"})
    assert unknown.status_code == 400
    assert unknown.context["enrol_form"].errors["email"][0].startswith(
        "No active account uses this address.")

    response = staff_client.post(enrol, {"email": "Tan.MeiLing@example.org"}, follow=True)
    assert "Tan Mei Ling has a seat on the run, and was told." in page_text(response)
    assert Enrolment.objects.get(run=run, person=person).status == Status.CONFIRMED

    again = staff_client.post(enrol, {"email": "tan.meiling@example.org"})
    assert again.status_code == 400
    assert "Tan Mei Ling is already enrolled for this run." in page_text(again)


def test_a_waived_prerequisite_lets_staff_enrol_the_person(staff_client):
    basics = CourseFactory(code="CM-101")
    run = CourseRunFactory(course=CourseFactory(code="CM-201"))
    run.course.prerequisites.add(basics)
    person = UserFactory(email="ravi@example.org", full_name="Ravi Kumar")

    refused = staff_client.post(run_url("manage_enrol", run), {"email": "ravi@example.org"})
    assert refused.status_code == 400
    assert "waive the prerequisite for them first" in page_text(refused)
    assert staff_client.post(run_url("manage_waive", run),
                             {"email": "ravi@example.org", "reason": ""}).status_code == 400

    response = staff_client.post(run_url("manage_waive", run),
                                 {"email": "ravi@example.org", "reason": "Ten years in flow."})
    assert response.status_code == 302
    assert PrerequisiteWaiver.objects.filter(person=person, course=run.course).exists()
    assert staff_client.post(run_url("manage_enrol", run),
                             {"email": "ravi@example.org"}).status_code == 302
    assert Enrolment.objects.filter(run=run, person=person).exists()


def test_staff_cancel_an_enrolment_after_asking_with_a_reason_the_person_reads(staff_client):
    run = CourseRunFactory(capacity=1)
    seated = enrolment_create(actor=UserFactory(full_name="Lee Ann"), run=run)
    waiting = enrolment_create(actor=UserFactory(), run=run)
    cancel = reverse("talent:manage_enrolment_cancel", kwargs={"pk": seated.pk})
    asked = staff_client.get(cancel)
    assert "Cancel Lee Ann&#x27;s enrolment" in page_text(asked)
    assert staff_client.post(cancel, {"reason": ""}).status_code == 400

    response = staff_client.post(cancel, {"reason": "Asked by her manager."})

    assert response["Location"] == run_url("manage_run", run)
    seated.refresh_from_db()
    waiting.refresh_from_db()
    assert (seated.status, seated.decision_reason) == (Status.CANCELLED, "Asked by her manager.")
    assert waiting.status == Status.CONFIRMED
    assert Notification.objects.filter(recipient=seated.person,
                                       kind="enrolment_cancelled").exists()


# --- links ---------------------------------------------------------------------------------


def test_the_public_pages_lead_staff_to_manage_and_everyone_to_the_courses(client,
                                                                          mfa_staff_user):
    run = CourseRunFactory()
    manage_course, manage_run = course_url("manage_course", run.course), run_url("manage_run", run)
    public = page_text(client.get(run.course.get_absolute_url()))
    assert manage_course not in public
    assert f'href="{reverse("talent:catalogue")}">Courses</a>' in public
    client.force_login(UserFactory())
    assert manage_run not in page_text(client.get(run.get_absolute_url()))
    client.force_login(mfa_staff_user)
    assert manage_course in page_text(client.get(run.course.get_absolute_url()))
    assert manage_run in page_text(client.get(run.get_absolute_url()))
    assert MANAGE in page_text(client.get(reverse("talent:catalogue")))
