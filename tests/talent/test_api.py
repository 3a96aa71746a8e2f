"""The talent API through the client: the skills framework, the catalogue with the page's
filters, runs and enrolling on them, the waitlist, cancelling, offers, the caller's learning,
refusals in the common error format and in the services' words, and query counts."""

import datetime

import pytest
from django.utils import timezone

from cluster_portal.notifications.models import Notification
from talent.models import CourseRun, Enrolment, Skill
from talent.services import enrolment_cancel, enrolment_create
from tests.factories import (
    OrganisationFactory,
    OrganisationMembershipFactory,
    UserFactory,
    WorkstreamFactory,
)
from tests.support.api import assert_error, client_for
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

Status = Enrolment.Status


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == len(body["results"])
    return body["results"]


def codes(response) -> list[str]:
    return [course["code"] for course in results(response)]


def enrol(client, run, body=None):
    return client.post(f"/api/v1/course-runs/{run.pk}/enrol/", body or {}, format="json")


def closed_run(**kwargs) -> CourseRun:
    return CourseRunFactory(enrolment_opens_at=timezone.now() - datetime.timedelta(days=10),
                            enrolment_closes_at=timezone.now() - datetime.timedelta(days=1),
                            **kwargs)


# --- Skills -----------------------------------------------------------------------------------


def test_the_skills_framework_is_public_filtered_by_category_and_searched():
    SkillFactory(code="gmp", name="Good manufacturing practice", category=Skill.Category.QUALITY,
                 description="EU and PIC/S GMP for sterile products.")
    SkillFactory(code="chromatography", name="Chromatography", category=Skill.Category.PROCESS)
    visitor = client_for()

    rows = results(visitor.get("/api/v1/skills/"))
    assert [(row["code"], row["category"]) for row in rows] == [
        ("chromatography", "process"), ("gmp", "quality")]
    assert rows[1] == {"code": "gmp", "name": "Good manufacturing practice",
                       "category": "quality",
                       "description": "EU and PIC/S GMP for sterile products."}
    assert [row["code"] for row in results(visitor.get("/api/v1/skills/?category=quality"))] == [
        "gmp"]
    assert [row["code"] for row in results(visitor.get("/api/v1/skills/?search=sterile"))] == [
        "gmp"]
    assert_error(visitor.get("/api/v1/skills/?category=cooking"), 400)


# --- The catalogue ----------------------------------------------------------------------------


def test_the_catalogue_lists_published_courses_with_skills_workstreams_and_next_run():
    cm = WorkstreamFactory(slug="cm")
    basics = CourseFactory(code="CM-101", title="Flow chemistry basics")
    course = CourseFactory(code="CM-201", title="Continuous downstream", mode="blended",
                           hours=21, fee=450, provider=OrganisationFactory(name="Helix"))
    course.workstreams.add(cm)
    course.prerequisites.add(basics)
    CourseSkillFactory(course=course, level=3,
                       skill=SkillFactory(code="continuous-processing",
                                          name="Continuous processing"))
    CourseRunFactory(course=course, starts_on=in_days(40), ends_on=in_days(41), capacity=12)
    CourseRunFactory(course=course, starts_on=in_days(10), ends_on=in_days(11), capacity=8)
    CourseRunFactory(course=course, status=CourseRun.Status.CANCELLED, starts_on=in_days(5),
                     ends_on=in_days(5))
    CourseFactory(code="HID-001", is_published=False)

    rows = results(client_for().get("/api/v1/courses/"))

    assert [row["code"] for row in rows] == ["CM-101", "CM-201"]
    listed = rows[1]
    assert listed["skills"] == [{"skill": "continuous-processing",
                                 "name": "Continuous processing", "level": 3}]
    assert listed["workstreams"] == ["cm"]
    assert listed["prerequisites"] == ["CM-101"]
    assert (listed["next_run_on"], listed["seats_left"]) == (in_days(10).isoformat(), 20)
    assert (listed["mode"], listed["hours"], listed["fee"], listed["provider"]) == (
        "blended", "21.0", "450.00", "Helix")
    assert (rows[0]["next_run_on"], rows[0]["seats_left"], rows[0]["provider"]) == (
        None, None, None)


def test_the_catalogue_filters_as_the_catalogue_page_does(client):
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
    api = client_for()

    # (API query, the catalogue page's query, the courses both find)
    cases = [
        ("search=reactor advanced", {"q": "reactor advanced"}, ["CM-301"]),
        ("search=refresher", {"q": "refresher"}, ["GMP-100"]),
        ("skill=continuous-processing", {"skill": "continuous-processing"},
         ["CM-101", "CM-301"]),
        ("skill=continuous-processing&level=3", {"skill": "continuous-processing", "level": 3},
         ["CM-301"]),
        ("level=4", {"level": 4}, ["CM-301"]),
        ("workstream=cm", {"workstream": "cm"}, ["CM-101"]),
        ("mode=online", {"mode": "online"}, ["CM-301"]),
        ("upcoming=true", {"upcoming": "on"}, ["CM-101", "CM-301"]),
        ("seats_left=true", {"seats_left": "on"}, ["CM-101"]),
        ("seats_left=false", {}, ["CM-101", "CM-301", "GMP-100"]),
    ]
    for query, page_query, expected in cases:
        assert codes(api.get(f"/api/v1/courses/?{query}")) == expected, query
        page = client.get("/courses/", page_query).context["page"].object_list
        assert [course.code for course in page] == expected, page_query


@pytest.mark.parametrize("query", ["level=9", "mode=webinar", "upcoming=maybe",
                                   "search=" + "x" * 101, "search=%00"])
def test_a_filter_value_the_catalogue_does_not_offer_is_a_400_on_its_field(query):
    body = assert_error(client_for().get(f"/api/v1/courses/?{query}"), 400, "invalid")
    assert list(body["fields"]) == [query.split("=")[0]]


def test_a_course_is_found_by_its_slug_unless_unpublished(mfa_staff_user):
    basics = CourseFactory(code="PAT-101")
    course = CourseFactory(code="PAT-201", slug="pat-201")
    course.prerequisites.add(basics)
    CourseFactory(slug="draft", is_published=False)

    response = client_for().get("/api/v1/courses/pat-201/")
    assert response.status_code == 200
    assert (response.json()["code"], response.json()["prerequisites"]) == ("PAT-201",
                                                                           ["PAT-101"])
    # Not yet in the catalogue: not found, by staff either, as on the course page.
    for client in (client_for(), client_for(mfa_staff_user)):
        assert_error(client.get("/api/v1/courses/draft/"), 404, "not_found")


# --- Runs -------------------------------------------------------------------------------------


def test_runs_of_published_courses_are_public_and_staff_see_every_run(mfa_staff_user):
    course = CourseFactory(code="CM-101", slug="cm-101")
    later = CourseRunFactory(course=course, starts_on=in_days(60), ends_on=in_days(61))
    sooner = CourseRunFactory(course=course, capacity=1)
    enrolment_create(actor=UserFactory(), run=sooner)
    enrolment_create(actor=UserFactory(), run=sooner)
    draft = CourseRunFactory(course=CourseFactory(slug="draft-1", is_published=False))

    rows = results(client_for().get("/api/v1/course-runs/"))
    assert [row["id"] for row in rows] == [sooner.pk, later.pk]
    assert (rows[0]["seats_left"], rows[0]["waitlist_length"], rows[0]["course"]) == (
        0, 1, {"code": "CM-101", "slug": "cm-101", "title": course.title})
    staff = client_for(mfa_staff_user)
    assert {row["id"] for row in results(staff.get("/api/v1/course-runs/"))} == {
        sooner.pk, later.pk, draft.pk}
    assert [row["id"] for row in results(staff.get("/api/v1/course-runs/?course=draft-1"))] == [
        draft.pk]
    assert results(client_for().get("/api/v1/course-runs/?course=draft-1")) == []
    assert_error(client_for().get(f"/api/v1/course-runs/{draft.pk}/"), 404, "not_found")
    assert staff.get(f"/api/v1/course-runs/{draft.pk}/").status_code == 200


def test_a_run_shows_its_sessions_and_trainers():
    trainer = UserFactory(full_name="Dr Lim Wei")
    run = CourseRunFactory(capacity=4)
    run.trainers.add(trainer)
    SessionFactory(run=run, title="Day one")
    SessionFactory(run=run, title="Day two", starts_at=timezone.now() + datetime.timedelta(
        days=31), ends_at=timezone.now() + datetime.timedelta(days=31, hours=6))

    body = client_for().get(f"/api/v1/course-runs/{run.pk}/").json()

    assert [session["title"] for session in body["sessions"]] == ["Day one", "Day two"]
    assert body["trainers"] == ["Dr Lim Wei"]
    assert (body["capacity"], body["seats_left"], body["status"]) == (4, 4, "scheduled")


# --- Enrolling --------------------------------------------------------------------------------


def test_a_trainee_enrols_with_their_organisation_as_sponsor_and_sees_it_listed():
    person = UserFactory()
    organisation = OrganisationFactory(name="Helix Bioprocess", slug="helix")
    OrganisationMembershipFactory(organisation=organisation, person=person)
    run = CourseRunFactory(capacity=2, course=CourseFactory(code="CM-101"))
    client = client_for(person)

    response = enrol(client, run, {"sponsor": "helix"})

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["waitlist_position"], body["sponsor"]) == (
        "confirmed", None, {"slug": "helix", "name": "Helix Bioprocess"})
    assert body["person"] == {"id": person.pk, "full_name": person.full_name}
    assert body["run"]["id"] == run.pk and body["run"]["course"]["code"] == "CM-101"
    assert [row["id"] for row in results(client.get("/api/v1/enrolments/"))] == [body["id"]]
    run.refresh_from_db()
    assert run.seats_taken == 1
    assert Notification.objects.filter(recipient=person, kind="enrolment_confirmed").exists()


def test_a_full_run_puts_the_caller_on_the_waitlist_with_their_place():
    run = CourseRunFactory(capacity=1)
    enrolment_create(actor=UserFactory(), run=run)
    enrolment_create(actor=UserFactory(), run=run)

    body = enrol(client_for(UserFactory()), run).json()

    assert (body["status"], body["waitlist_position"], body["confirmed_at"]) == (
        "waitlisted", 2, None)
    assert client_for().get(f"/api/v1/course-runs/{run.pk}/").json()["waitlist_length"] == 2


def test_enrolling_refusals_come_in_the_services_words():
    person = UserFactory()
    client = client_for(person)
    run = CourseRunFactory()
    assert enrol(client, run).status_code == 201

    body = assert_error(enrol(client, run), 409, "already_enrolled")
    assert body["message"] == "You are already enrolled for this run."
    body = assert_error(enrol(client, closed_run()), 409, "enrolment_closed")
    assert body["message"] == "Enrolment for this run has closed."

    basics = CourseFactory(code="PAT-101", title="PAT basics")
    advanced = CourseRunFactory(course=CourseFactory(code="PAT-201"))
    advanced.course.prerequisites.add(basics)
    body = assert_error(enrol(client, advanced), 400, "prerequisite_missing")
    assert body["message"].startswith("This course needs PAT-101 PAT basics completed first.")
    assert Enrolment.objects.filter(person=person).count() == 1


def test_a_sponsor_must_be_an_approved_organisation_the_caller_acts_for():
    person = UserFactory()
    client = client_for(person)
    run = CourseRunFactory()
    OrganisationFactory(slug="public-co")  # listed, but not the caller's
    OrganisationFactory(slug="unlisted", is_listed=False)

    body = assert_error(enrol(client, run, {"sponsor": "public-co"}), 403, "permission_denied")
    assert body["message"] == ("You can name as sponsor only an approved organisation you act "
                               "for.")
    assert body["fields"] == {"sponsor": ["Not an organisation you act for."]}
    # An organisation the caller may not see is no organisation at all, as a missing one.
    hidden = assert_error(enrol(client, run, {"sponsor": "unlisted"}), 400, "invalid")
    missing = assert_error(enrol(client, run, {"sponsor": "nowhere"}), 400, "invalid")
    assert hidden["fields"] == {"sponsor": ["There is no organisation “unlisted”."]}
    assert missing["fields"] == {"sponsor": ["There is no organisation “nowhere”."]}
    assert not Enrolment.objects.exists()


def test_a_visitor_is_told_to_sign_in_and_an_unpublished_run_is_not_found():
    draft = CourseRunFactory(course=CourseFactory(is_published=False))
    assert_error(enrol(client_for(), CourseRunFactory()), 401)
    assert_error(enrol(client_for(UserFactory()), draft), 404, "not_found")
    assert not Enrolment.objects.exists()


# --- Enrolments -------------------------------------------------------------------------------


def test_a_trainee_sees_only_their_own_enrolments_and_staff_see_all(mfa_staff_user):
    person = UserFactory()
    mine = enrolment_create(actor=person, run=CourseRunFactory())
    theirs = enrolment_create(actor=UserFactory(), run=CourseRunFactory())
    client = client_for(person)

    assert [row["id"] for row in results(client.get("/api/v1/enrolments/"))] == [mine.pk]
    assert client.get(f"/api/v1/enrolments/{mine.pk}/").status_code == 200
    # Another person's enrolment does not exist for the caller: 404, never 403.
    for action in ("cancel", "accept-offer", "decline-offer"):
        assert_error(client.post(f"/api/v1/enrolments/{theirs.pk}/{action}/", {},
                                 format="json"), 404, "not_found")
    assert_error(client.get(f"/api/v1/enrolments/{theirs.pk}/"), 404, "not_found")
    theirs.refresh_from_db()
    assert theirs.status == Status.CONFIRMED
    assert {row["id"] for row in results(client_for(mfa_staff_user).get(
        "/api/v1/enrolments/"))} == {mine.pk, theirs.pk}


def test_enrolments_filter_by_status_run_and_course():
    person = UserFactory()
    seat = enrolment_create(actor=person, run=CourseRunFactory(
        course=CourseFactory(slug="cm-101")))
    full = CourseRunFactory(capacity=1, course=CourseFactory(slug="gmp-100"),
                            starts_on=in_days(60), ends_on=in_days(60))
    enrolment_create(actor=UserFactory(), run=full)
    queued = enrolment_create(actor=person, run=full)
    client = client_for(person)

    def ids(query):
        return [row["id"] for row in results(client.get(f"/api/v1/enrolments/?{query}"))]

    assert ids("status=waitlisted") == [queued.pk]
    assert ids(f"run={full.pk}") == [queued.pk]
    assert ids("course=cm-101") == [seat.pk]
    assert ids("") == [queued.pk, seat.pk]  # newest first
    assert ids("ordering=starts_on") == [seat.pk, queued.pk]
    [row] = results(client.get("/api/v1/enrolments/?status=waitlisted"))
    assert row["waitlist_position"] == 1
    for query in ("run=abc", "run=0", "run=99999999999", "status=pending"):
        assert list(assert_error(client.get(f"/api/v1/enrolments/?{query}"), 400)[
            "fields"]) == [query.split("=")[0]]


def test_cancelling_frees_the_seat_for_the_first_in_line_with_the_reason_kept():
    person = UserFactory()
    run = CourseRunFactory(capacity=1)
    mine = enrolment_create(actor=person, run=run)
    waiting = enrolment_create(actor=UserFactory(), run=run)
    client = client_for(person)

    response = client.post(f"/api/v1/enrolments/{mine.pk}/cancel/",
                           {"reason": "My line manager needs me that week."}, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["cancellation_reason"]) == (
        "cancelled", "My line manager needs me that week.")
    assert body["cancelled_at"]
    waiting.refresh_from_db()
    assert (waiting.status, waiting.waitlist_position) == (Status.CONFIRMED, None)
    body = assert_error(client.post(f"/api/v1/enrolments/{mine.pk}/cancel/", {},
                                    format="json"), 409, "already_decided")
    assert body["message"] == "This enrolment was already cancelled."


def test_leaving_the_waitlist_moves_those_behind_up():
    run = CourseRunFactory(capacity=1)
    enrolment_create(actor=UserFactory(), run=run)
    person = UserFactory()
    first = enrolment_create(actor=person, run=run)
    second = enrolment_create(actor=UserFactory(), run=run)

    response = client_for(person).post(f"/api/v1/enrolments/{first.pk}/cancel/")

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["waitlist_position"]) == (
        "cancelled", None)
    second_view = client_for(second.person).get(f"/api/v1/enrolments/{second.pk}/").json()
    assert second_view["waitlist_position"] == 1


def test_a_trainee_cannot_cancel_once_the_run_has_started_but_staff_can(mfa_staff_user):
    person = UserFactory()
    run = CourseRunFactory(starts_on=in_days(0), ends_on=in_days(1))
    enrolment = enrolment_create(actor=person, run=run)

    body = assert_error(client_for(person).post(f"/api/v1/enrolments/{enrolment.pk}/cancel/"),
                        409, "run_started")
    assert body["message"].startswith("The run has started")
    response = client_for(mfa_staff_user).post(f"/api/v1/enrolments/{enrolment.pk}/cancel/",
                                               {"reason": "Moved to the next run."},
                                               format="json")
    assert response.status_code == 200
    assert Notification.objects.filter(recipient=person, kind="enrolment_cancelled").exists()


def offered_seat():
    """A run whose freed seats are offered, with its one seat offered to a person now, and the
    next person in line behind them."""
    run = CourseRunFactory(capacity=1, promotion=CourseRun.Promotion.OFFER)
    seated = enrolment_create(actor=UserFactory(), run=run)
    offered = enrolment_create(actor=UserFactory(), run=run)
    behind = enrolment_create(actor=UserFactory(), run=run)
    enrolment_cancel(actor=seated.person, enrolment=seated)
    offered.refresh_from_db()
    assert offered.status == Status.OFFERED
    return offered, behind


def test_an_offered_seat_is_accepted_by_its_person_only(mfa_staff_user):
    offered, _behind = offered_seat()
    client = client_for(offered.person)
    listed = client.get(f"/api/v1/enrolments/{offered.pk}/").json()
    assert listed["status"] == "offered" and listed["offer_expires_at"]

    refused = assert_error(client_for(mfa_staff_user).post(
        f"/api/v1/enrolments/{offered.pk}/accept-offer/"), 403, "permission_denied")
    assert refused["message"] == "Only the person offered the seat can accept it."
    response = client.post(f"/api/v1/enrolments/{offered.pk}/accept-offer/")

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["offer_expires_at"]) == (
        "confirmed", None)
    body = assert_error(client.post(f"/api/v1/enrolments/{offered.pk}/decline-offer/"), 409,
                        "not_offered")
    assert body["message"] == "There is no seat offered to you on this run."


def test_declining_an_offer_passes_the_seat_to_the_next_in_line():
    offered, behind = offered_seat()

    response = client_for(offered.person).post(f"/api/v1/enrolments/{offered.pk}/decline-offer/")

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    behind.refresh_from_db()
    assert behind.status == Status.OFFERED


def test_an_expired_offer_is_refused_in_words():
    offered, _behind = offered_seat()
    Enrolment.objects.filter(pk=offered.pk).update(
        offer_expires_at=timezone.now() - datetime.timedelta(minutes=1))

    body = assert_error(client_for(offered.person).post(
        f"/api/v1/enrolments/{offered.pk}/accept-offer/"), 409, "offer_expired")
    assert body["message"].startswith("The offer has expired")


def test_accepting_without_an_offer_is_a_409():
    enrolment = enrolment_create(actor=UserFactory(), run=CourseRunFactory())
    assert_error(client_for(enrolment.person).post(
        f"/api/v1/enrolments/{enrolment.pk}/accept-offer/"), 409)
    enrolment.refresh_from_db()
    assert enrolment.status == Status.CONFIRMED


# --- The caller's learning --------------------------------------------------------------------


def test_my_learning_groups_seats_waitlists_and_history():
    person = UserFactory()
    seat = enrolment_create(actor=person, run=CourseRunFactory())
    full = CourseRunFactory(capacity=1)
    enrolment_create(actor=UserFactory(), run=full)
    queued = enrolment_create(actor=person, run=full)
    old_run = CourseRunFactory(starts_on=in_days(-30), ends_on=in_days(-29),
                               enrolment_opens_at=timezone.now() - datetime.timedelta(days=60),
                               enrolment_closes_at=timezone.now() - datetime.timedelta(days=31))
    done = Enrolment.objects.create(person=person, run=old_run, status=Status.COMPLETED)
    enrolment_create(actor=UserFactory(), run=CourseRunFactory())  # someone else's

    response = client_for(person).get("/api/v1/me/learning/")

    assert response.status_code == 200
    body = response.json()
    assert {group: [row["id"] for row in rows] for group, rows in body.items()} == {
        "upcoming": [seat.pk], "waitlisted": [queued.pk], "history": [done.pk]}
    assert body["waitlisted"][0]["waitlist_position"] == 1
    assert "person" not in body["upcoming"][0]
    assert_error(client_for().get("/api/v1/me/learning/"), 401)


def test_the_api_root_names_the_talent_endpoints():
    links = client_for().get("/api/v1/").json()
    assert {"skills", "courses", "course-runs", "enrolments", "me-learning"} <= set(links)


# --- Constant query counts --------------------------------------------------------------------


def test_the_catalogue_costs_the_same_queries_for_ten_courses_or_a_hundred():
    def add_courses(count):
        for _ in range(count):
            course = CourseFactory()
            CourseSkillFactory(course=course)
            course.workstreams.add(WorkstreamFactory())
            course.prerequisites.add(CourseFactory(is_published=False))
            CourseRunFactory(course=course)

    client = client_for()
    add_courses(10)
    few = queries_of_get(client, "/api/v1/courses/?page_size=100")
    add_courses(90)
    assert queries_of_get(client, "/api/v1/courses/?page_size=100") == few
    assert queries_of_get(client, "/api/v1/courses/?page_size=100&skill=x&upcoming=true") <= few


def test_runs_skills_and_enrolments_cost_the_same_queries_for_ten_rows_or_a_hundred(
        mfa_staff_user):
    person = UserFactory()
    organisation = OrganisationFactory()
    OrganisationMembershipFactory(organisation=organisation, person=person)

    def add_rows(count):
        for number in range(count):
            SkillFactory()
            run = CourseRunFactory()
            run.trainers.add(UserFactory())
            SessionFactory(run=run)
            enrolment_create(actor=person, run=run,
                             sponsor=organisation if number % 2 else None)

    own, staff = client_for(person), client_for(mfa_staff_user)
    lists = [(own, "/api/v1/course-runs/?page_size=100"),
             (client_for(), "/api/v1/skills/?page_size=100"),
             (own, "/api/v1/enrolments/?page_size=100"),
             (staff, "/api/v1/enrolments/?page_size=100"),
             (own, "/api/v1/me/learning/")]
    add_rows(10)
    few = [queries_of_get(client, path) for client, path in lists]
    add_rows(90)
    assert [queries_of_get(client, path) for client, path in lists] == few
