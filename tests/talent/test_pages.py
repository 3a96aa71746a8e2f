"""The training pages through the client: the catalogue and its filters, a course and its runs,
enrolling, the waitlist, cancelling with confirmation, offers and "My learning"."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from talent.models import CourseRun, Enrolment
from talent.services import enrolment_cancel, enrolment_create
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

CATALOGUE = reverse("talent:catalogue")
Status = Enrolment.Status


def codes_in(response) -> list[str]:
    return [course.code for course in response.context["page"].object_list]


def test_the_catalogue_lists_published_courses_with_their_next_run_and_seats(client):
    course = CourseFactory(code="CM-101", title="Flow chemistry basics")
    CourseFactory(code="HID-001", is_published=False)
    CourseRunFactory(course=course, starts_on=in_days(40), ends_on=in_days(41), capacity=12)
    CourseRunFactory(course=course, starts_on=in_days(10), ends_on=in_days(11), capacity=8)
    response = client.get(CATALOGUE)
    assert codes_in(response) == ["CM-101"]
    [listed] = response.context["page"].object_list
    assert listed.next_run_on == in_days(10)
    assert listed.upcoming_seats == 20
    assert "20 seats left" in response.content.decode()


def test_the_catalogue_filters_by_words_skill_level_workstream_mode_and_seats(client):
    flow = SkillFactory(code="continuous-processing", name="Continuous processing")
    gmp = SkillFactory(code="gmp", name="GMP")
    cm = WorkstreamFactory(slug="cm", status="active")
    basics = CourseFactory(code="CM-101", title="Flow chemistry basics", mode="classroom")
    basics.workstreams.add(cm)
    CourseSkillFactory(course=basics, skill=flow, level=2)
    advanced = CourseFactory(code="CM-301", title="Advanced flow reactor design", mode="online")
    CourseSkillFactory(course=advanced, skill=flow, level=4)
    refresher = CourseFactory(code="GMP-100", title="GMP refresher", summary="Annual refresher")
    CourseSkillFactory(course=refresher, skill=gmp, level=2)
    CourseRunFactory(course=basics, capacity=1)
    full = CourseRunFactory(course=advanced, capacity=1)
    enrolment_create(actor=UserFactory(), run=full)

    assert codes_in(client.get(CATALOGUE, {"q": "reactor advanced"})) == ["CM-301"]
    assert codes_in(client.get(CATALOGUE, {"q": "refresher"})) == ["GMP-100"]
    assert codes_in(client.get(CATALOGUE, {"q": "RÉACTOR cm-301"})) == ["CM-301"]
    assert codes_in(client.get(CATALOGUE, {"skill": "continuous-processing"})) == [
        "CM-101", "CM-301"]
    assert codes_in(client.get(CATALOGUE, {"skill": "continuous-processing", "level": 3})) == [
        "CM-301"]
    assert codes_in(client.get(CATALOGUE, {"workstream": "cm"})) == ["CM-101"]
    assert codes_in(client.get(CATALOGUE, {"mode": "online"})) == ["CM-301"]
    assert codes_in(client.get(CATALOGUE, {"upcoming": "on"})) == ["CM-101", "CM-301"]
    assert codes_in(client.get(CATALOGUE, {"seats_left": "on"})) == ["CM-101"]


def test_a_filter_value_that_is_not_offered_is_reported_not_a_500(client):
    response = client.get(CATALOGUE, {"skill": "no-such-skill", "level": "9"})
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"skill", "level"}


def test_the_catalogue_costs_the_same_queries_for_three_courses_or_thirty(client):
    def add_courses(count):
        for _ in range(count):
            course = CourseFactory()
            CourseSkillFactory(course=course)
            course.workstreams.add(WorkstreamFactory())
            CourseRunFactory(course=course)

    add_courses(3)
    few = queries_of_get(client, CATALOGUE)
    add_courses(27)
    assert queries_of_get(client, CATALOGUE) == few


def test_a_course_page_shows_skills_prerequisites_and_runs_with_seats_or_waitlist(client):
    basics = CourseFactory(code="PAT-101", title="PAT basics")
    course = CourseFactory(code="PAT-201", title="PAT in practice")
    course.prerequisites.add(basics)
    CourseSkillFactory(course=course, skill=SkillFactory(name="Process analytical technology"),
                       level=3)
    open_run = CourseRunFactory(course=course, capacity=5)
    full_run = CourseRunFactory(course=course, capacity=1, starts_on=in_days(60),
                                ends_on=in_days(60))
    CourseRunFactory(course=course, status=CourseRun.Status.CANCELLED)
    Enrolment.objects.create(person=UserFactory(), run=full_run, status=Status.CONFIRMED)
    CourseRun.objects.filter(pk=full_run.pk).update(seats_taken=1)

    response = client.get(course.get_absolute_url())
    text = response.content.decode()
    assert [run.pk for run in response.context["runs"]] == [open_run.pk, full_run.pk]
    assert "Process analytical technology, to 3 · practitioner" in text
    assert "PAT-101 PAT basics" in text
    assert "5 of 5 left" in text and "Join the waitlist" in text


def test_an_unpublished_course_and_its_runs_are_not_found_except_by_staff(client):
    course = CourseFactory(is_published=False)
    run = CourseRunFactory(course=course)
    assert client.get(course.get_absolute_url()).status_code == 404
    assert client.get(run.get_absolute_url()).status_code == 404


def test_a_trainee_enrols_from_the_run_page_and_sees_it_in_my_learning(client):
    person = UserFactory()
    organisation = OrganisationFactory(name="Helix Bioprocess")
    OrganisationMembershipFactory(organisation=organisation, person=person)
    run = CourseRunFactory(capacity=1, course=CourseFactory(code="CM-101"))
    SessionFactory(run=run, title="Day one")
    client.force_login(person)

    page = client.get(run.get_absolute_url()).content.decode()
    assert "Helix Bioprocess" in page and "Day one" in page
    response = client.post(reverse("talent:enrol", args=[run.pk]),
                           {"sponsor": organisation.pk}, follow=True)
    assert "You have a seat on CM-101" in response.content.decode()
    enrolment = Enrolment.objects.get(person=person)
    assert enrolment.status == Status.CONFIRMED and enrolment.sponsor == organisation

    learning = client.get(reverse("talent:my_learning"))
    assert [e.pk for e in learning.context["upcoming"]] == [enrolment.pk]


def test_a_full_run_puts_the_trainee_on_the_waitlist_with_their_position(client):
    run = CourseRunFactory(capacity=1, course=CourseFactory(code="CM-101"))
    enrolment_create(actor=UserFactory(), run=run)
    person = UserFactory()
    client.force_login(person)
    response = client.post(reverse("talent:enrol", args=[run.pk]), follow=True)
    assert "you are number 1 on its waitlist" in response.content.decode()
    assert "You are number 1 on the waitlist" in client.get(run.get_absolute_url()).content.decode()


def test_enrolling_twice_or_with_someone_elses_organisation_says_why(client):
    run = CourseRunFactory()
    person = UserFactory()
    client.force_login(person)
    client.post(reverse("talent:enrol", args=[run.pk]))
    again = client.post(reverse("talent:enrol", args=[run.pk]), follow=True)
    assert "already enrolled" in again.content.decode()
    stranger_org = OrganisationFactory()
    other_run = CourseRunFactory()
    refused = client.post(reverse("talent:enrol", args=[other_run.pk]),
                          {"sponsor": stranger_org.pk}, follow=True)
    assert "Select a valid choice" in refused.content.decode()
    assert not Enrolment.objects.filter(run=other_run).exists()


def test_cancelling_asks_first_then_frees_the_seat_for_the_next_in_line(client):
    run = CourseRunFactory(capacity=1)
    person = UserFactory()
    mine = enrolment_create(actor=person, run=run)
    waiting = enrolment_create(actor=UserFactory(), run=run)
    client.force_login(person)
    address = reverse("talent:enrolment_cancel", args=[mine.pk])

    ask = client.get(address)
    assert ask.status_code == 200
    assert "goes to the next person on the waitlist" in ask.content.decode()
    mine.refresh_from_db()
    assert mine.status == Status.CONFIRMED  # asking changed nothing

    done = client.post(address)
    assert done.status_code == 302 and done["Location"] == run.get_absolute_url()
    mine.refresh_from_db()
    waiting.refresh_from_db()
    assert (mine.status, waiting.status) == (Status.CANCELLED, Status.CONFIRMED)


def test_someone_elses_enrolment_is_not_found(client):
    enrolment = enrolment_create(actor=UserFactory(), run=CourseRunFactory())
    client.force_login(UserFactory())
    for name in ("talent:enrolment_cancel", "talent:offer_accept", "talent:offer_decline"):
        assert client.post(reverse(name, args=[enrolment.pk])).status_code == 404
    enrolment.refresh_from_db()
    assert enrolment.status == Status.CONFIRMED


def test_an_offered_seat_is_accepted_from_the_run_page(client):
    run = CourseRunFactory(capacity=1, promotion=CourseRun.Promotion.OFFER)
    seated = enrolment_create(actor=UserFactory(), run=run)
    person = UserFactory()
    offered = enrolment_create(actor=person, run=run)
    enrolment_cancel(actor=seated.person, enrolment=seated)
    client.force_login(person)
    assert "A seat is offered to you" in client.get(run.get_absolute_url()).content.decode()
    client.post(reverse("talent:offer_accept", args=[offered.pk]))
    offered.refresh_from_db()
    assert offered.status == Status.CONFIRMED


def test_a_visitor_is_asked_to_sign_in_to_enrol(client):
    run = CourseRunFactory()
    page = client.get(run.get_absolute_url()).content.decode()
    assert "Sign in to enrol" in page
    response = client.post(reverse("talent:enrol", args=[run.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_my_learning_groups_seats_waitlists_and_history(client):
    person = UserFactory()
    seat = enrolment_create(actor=person, run=CourseRunFactory())
    full = CourseRunFactory(capacity=1)
    enrolment_create(actor=UserFactory(), run=full)
    queued = enrolment_create(actor=person, run=full)
    old_run = CourseRunFactory(starts_on=in_days(-30), ends_on=in_days(-29),
                               enrolment_opens_at=timezone.now() - datetime.timedelta(days=60),
                               enrolment_closes_at=timezone.now() - datetime.timedelta(days=31))
    done = Enrolment.objects.create(person=person, run=old_run, status=Status.COMPLETED)
    client.force_login(person)
    context = client.get(reverse("talent:my_learning")).context
    assert [e.pk for e in context["upcoming"]] == [seat.pk]
    assert [e.pk for e in context["waitlisted"]] == [queued.pk]
    assert [e.pk for e in context["history"]] == [done.pk]


def test_the_home_page_shows_runs_open_for_enrolment_soonest_first(client):
    later = CourseRunFactory(starts_on=in_days(50), ends_on=in_days(50),
                             course=CourseFactory(title="Later course"))
    sooner = CourseRunFactory(starts_on=in_days(10), ends_on=in_days(10),
                              course=CourseFactory(title="Sooner course"))
    CourseRunFactory(course=CourseFactory(title="Not yet open"),
                     enrolment_opens_at=timezone.now() + datetime.timedelta(days=3))
    CourseRunFactory(course=CourseFactory(title="Unpublished course", is_published=False))
    response = client.get("/")
    [section] = [shown for shown in response.context["sections"] if shown["key"] == "talent"]
    assert section["context"]["runs"] == [sooner, later]
    text = response.content.decode()
    assert text.index("Sooner course") < text.index("Later course")
    assert "Not yet open" not in text and "Unpublished course" not in text


def test_the_home_page_says_when_no_course_is_open(client):
    assert "No course is open for enrolment right now" in client.get("/").content.decode()


def test_my_page_shows_offers_to_answer_courses_to_come_and_waitlist_places(client):
    person = UserFactory()
    seat = enrolment_create(actor=person, run=CourseRunFactory(course=CourseFactory(code="A-1")))
    full = CourseRunFactory(capacity=1, course=CourseFactory(code="B-2"))
    enrolment_create(actor=UserFactory(), run=full)
    queued = enrolment_create(actor=person, run=full)
    offer_run = CourseRunFactory(capacity=1, promotion=CourseRun.Promotion.OFFER,
                                 course=CourseFactory(code="C-3"))
    seated = enrolment_create(actor=UserFactory(), run=offer_run)
    offered = enrolment_create(actor=person, run=offer_run)
    enrolment_cancel(actor=seated.person, enrolment=seated)
    client.force_login(person)

    response = client.get(reverse("my_portal"))
    [panel] = [shown["context"] for shown in response.context["panels"]
               if shown["key"] == "talent"]
    assert [e.pk for e in panel["offers"]] == [offered.pk]
    assert [e.pk for e in panel["upcoming"]] == [seat.pk]
    assert [e.pk for e in panel["waitlisted"]] == [queued.pk]
    assert "A seat on C-3" in response.content.decode()


def test_my_page_has_no_training_panel_for_someone_with_no_course(client):
    client.force_login(UserFactory())
    keys = [shown["key"] for shown in client.get(reverse("my_portal")).context["panels"]]
    assert "talent" not in keys
