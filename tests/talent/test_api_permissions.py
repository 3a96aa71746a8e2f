"""Who gets what from the talent API: one table per endpoint and action, one row per role, with
the exact status code and, for lists, exactly the rows returned.

The world is the partners one (tests/partners/test_api_permissions.py) plus: the skill "flow";
CM-101, published, with a run of five seats where the partner member and the other
organisation's member each have one; OF-101, whose run offers freed seats, with its one seat
offered to the trainee (its first holder cancelled); and a run of DRAFT-1, not yet published.
"""

import pytest

from talent.models import CourseRun, Enrolment
from talent.services import enrolment_cancel, enrolment_create
from tests.factories import UserFactory
from tests.support.api import assert_error, client_for
from tests.support.worlds import ROLES, assert_answer, build_world, labels, table
from tests.talent.factories import CourseFactory, CourseRunFactory, SkillFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = build_world()
    SkillFactory(code="flow", name="Flow chemistry")
    run = CourseRunFactory(course=CourseFactory(code="CM-101", slug="cm-101"), capacity=5)
    offer_run = CourseRunFactory(course=CourseFactory(code="OF-101", slug="of-101"), capacity=1,
                                 promotion=CourseRun.Promotion.OFFER)
    draft_run = CourseRunFactory(course=CourseFactory(code="DRAFT-1", slug="draft-1",
                                                      is_published=False))
    seated = enrolment_create(actor=UserFactory(), run=offer_run)
    offered = enrolment_create(actor=world.people["trainee"], run=offer_run)
    enrolment_cancel(actor=seated.person, enrolment=seated)
    world.runs = {"run": run, "offer_run": offer_run, "draft": draft_run}
    world.enrolments = {
        "member": enrolment_create(actor=world.people["member"], run=run),
        "other": enrolment_create(actor=world.people["other_member"], run=run),
        "seated": seated,
        "offered": offered,
    }
    return world


# --- Skills and the catalogue -----------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_skill_list(world, role):
    rows = assert_answer(world.client(role).get("/api/v1/skills/"), set())
    assert [row["code"] for row in rows] == ["flow"]


@pytest.mark.parametrize("role", ROLES)
def test_course_list_is_the_published_catalogue_for_everyone(world, role):
    rows = assert_answer(world.client(role).get("/api/v1/courses/"), set())
    assert [row["slug"] for row in rows] == ["cm-101", "of-101"]


@pytest.mark.parametrize("role", ROLES)
def test_course_retrieve(world, role):
    client = world.client(role)
    assert client.get("/api/v1/courses/cm-101/").status_code == 200
    assert_error(client.get("/api/v1/courses/draft-1/"), 404, "not_found")


# --- Runs -------------------------------------------------------------------------------------

PUBLISHED_RUNS = {"run", "offer_run"}


@pytest.mark.parametrize(("role", "expected"), table({
    "visitor": PUBLISHED_RUNS, "trainee": PUBLISHED_RUNS, "other_member": PUBLISHED_RUNS,
    "member": PUBLISHED_RUNS, "partner_admin": PUBLISHED_RUNS,
    "staff": PUBLISHED_RUNS | {"draft"}, "admin": PUBLISHED_RUNS | {"draft"},
}))
def test_course_run_list(world, role, expected):
    rows = assert_answer(world.client(role).get("/api/v1/course-runs/"), expected)
    assert labels(rows, world.runs) == expected


@pytest.mark.parametrize(("role", "expected"), table({
    "visitor": 404, "trainee": 404, "other_member": 404, "member": 404, "partner_admin": 404,
    "staff": 200, "admin": 200,
}))
def test_unpublished_course_run_retrieve(world, role, expected):
    assert_answer(world.client(role).get(f"/api/v1/course-runs/{world.runs['draft'].pk}/"),
                  expected)


@pytest.mark.parametrize(("role", "expected"), table({
    "visitor": 401, "trainee": 201, "other_member": 409, "member": 409, "partner_admin": 201,
    "staff": 201, "admin": 201,
}))
def test_course_run_enrol(world, role, expected):
    run = world.runs["run"]
    response = world.client(role).post(f"/api/v1/course-runs/{run.pk}/enrol/")
    assert_answer(response, expected)
    if expected == 409:
        assert response.json()["code"] == "already_enrolled"
    assert run.enrolments.count() == (3 if expected == 201 else 2)


@pytest.mark.parametrize(("role", "expected"), table({
    # The service asks whether the caller acts for the sponsor before anything else.
    "visitor": 401, "trainee": 403, "other_member": 403, "member": 409, "partner_admin": 201,
    "staff": 201, "admin": 201,
}))
def test_course_run_enrol_sponsored_by_xylo(world, role, expected):
    run = world.runs["run"]
    response = world.client(role).post(f"/api/v1/course-runs/{run.pk}/enrol/",
                                       {"sponsor": "xylo"}, format="json")
    assert_answer(response, expected)
    assert run.enrolments.filter(sponsor=world.xylo).exists() == (expected == 201)


@pytest.mark.parametrize(("role", "expected"), table({
    "visitor": 401, "trainee": 404, "other_member": 404, "member": 404, "partner_admin": 404,
    "staff": 201, "admin": 201,
}))
def test_enrol_on_an_unpublished_course_run(world, role, expected):
    run = world.runs["draft"]
    assert_answer(world.client(role).post(f"/api/v1/course-runs/{run.pk}/enrol/"), expected)
    assert run.enrolments.exists() == (expected == 201)


# --- Enrolments -------------------------------------------------------------------------------

EVERY_ENROLMENT = {"member", "other", "seated", "offered"}


@pytest.mark.parametrize(("role", "expected"), table({
    "visitor": 401, "trainee": {"offered"}, "other_member": {"other"}, "member": {"member"},
    "partner_admin": set(), "staff": EVERY_ENROLMENT, "admin": EVERY_ENROLMENT,
}))
def test_enrolment_list(world, role, expected):
    rows = assert_answer(world.client(role).get("/api/v1/enrolments/"), expected)
    if rows is not None:
        assert labels(rows, world.enrolments) == expected


@pytest.mark.parametrize(("role", "expected"), table({
    "visitor": 401, "trainee": 404, "other_member": 404, "member": 200, "partner_admin": 404,
    "staff": 200, "admin": 200,
}))
def test_enrolment_retrieve(world, role, expected):
    enrolment = world.enrolments["member"]
    assert_answer(world.client(role).get(f"/api/v1/enrolments/{enrolment.pk}/"), expected)


@pytest.mark.parametrize(("role", "expected"), table({
    "visitor": 401, "trainee": 404, "other_member": 404, "member": 200, "partner_admin": 404,
    "staff": 200, "admin": 200,
}))
def test_enrolment_cancel(world, role, expected):
    enrolment = world.enrolments["member"]
    response = world.client(role).post(f"/api/v1/enrolments/{enrolment.pk}/cancel/",
                                       {"reason": "Another commitment."}, format="json")
    assert_answer(response, expected)
    enrolment.refresh_from_db()
    assert enrolment.status == ("cancelled" if expected == 200 else "confirmed")


@pytest.mark.parametrize(("action", "outcome"), [("accept-offer", "confirmed"),
                                                 ("decline-offer", "cancelled")])
@pytest.mark.parametrize(("role", "expected"), table({
    # Staff find the enrolment; only its person answers the offer.
    "visitor": 401, "trainee": 200, "other_member": 404, "member": 404, "partner_admin": 404,
    "staff": 403, "admin": 403,
}))
def test_enrolment_offer_answers(world, role, expected, action, outcome):
    enrolment = world.enrolments["offered"]
    response = world.client(role).post(f"/api/v1/enrolments/{enrolment.pk}/{action}/")
    assert_answer(response, expected)
    enrolment.refresh_from_db()
    assert enrolment.status == (outcome if expected == 200 else "offered")


@pytest.mark.parametrize(("role", "expected"), table({
    "visitor": 401, "trainee": {"offered"}, "other_member": {"other"}, "member": {"member"},
    "partner_admin": set(), "staff": set(), "admin": set(),
}))
def test_my_learning(world, role, expected):
    response = world.client(role).get("/api/v1/me/learning/")
    if expected == 401:
        assert_error(response, 401)
        return
    assert response.status_code == 200
    rows = [row for group in response.json().values() for row in group]
    assert labels(rows, world.enrolments) == expected


@pytest.mark.parametrize(("method", "path"), [
    ("get", "/api/v1/courses/"), ("get", "/api/v1/me/learning/"),
    ("post", "/api/v1/course-runs/{run}/enrol/"), ("post", "/api/v1/enrolments/{own}/cancel/"),
])
def test_staff_without_mfa_are_told_to_set_it_up(world, method, path):
    person = world.people["staff_without_mfa"]
    own = enrolment_create(actor=person, run=world.runs["run"])
    client = client_for(person)
    response = getattr(client, method)(path.format(run=world.runs["run"].pk, own=own.pk))
    assert_error(response, 403, "mfa_required")
    own.refresh_from_db()
    assert own.status == Enrolment.Status.CONFIRMED
    assert world.runs["run"].enrolments.filter(person=person).count() == 1
