"""Who gets what from the workstreams API: one table per endpoint and action, one row per role,
with the exact status code and, for lists, exactly the rows returned.

The world is the partners one (tests/partners/test_api_permissions.py) plus: Continuous
Manufacturing with Xylo and Other Hidden as members, Digital Factory with a pending request from
each, Biocatalysis open to join, and Analytics, a planned platform.
"""

import pytest

from tests.factories import JoinRequestFactory, WorkstreamFactory, WorkstreamMembershipFactory
from tests.support.worlds import ROLES, assert_answer, build_world, labels, table
from workstreams.models import JoinRequest

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = build_world()
    cm = WorkstreamFactory(name="Continuous Manufacturing", slug="cm")
    df = WorkstreamFactory(name="Digital Factory", slug="df")
    WorkstreamFactory(name="Biocatalysis", slug="bc")
    WorkstreamFactory(name="Analytics", slug="analytics", kind="platform", status="planned")
    world.workstream_memberships = {
        "xylo": WorkstreamMembershipFactory(organisation=world.xylo, workstream=cm),
        "hidden": WorkstreamMembershipFactory(organisation=world.hidden, workstream=cm),
    }
    world.join_requests = {
        "xylo": JoinRequestFactory(organisation=world.xylo, workstream=df,
                                   requested_by=world.people["partner_admin"]),
        "hidden": JoinRequestFactory(organisation=world.hidden, workstream=df),
    }
    return world


# --- Workstreams ------------------------------------------------------------------------------

# Continuous Manufacturing's members that each role may count: Other Hidden is unlisted.
CM_MEMBER_COUNT = {
    "visitor": 1, "trainee": 1, "other_member": 2, "member": 1, "partner_admin": 1,
    "staff": 2, "admin": 2,
}


@pytest.mark.parametrize(("role", "expected"), table(CM_MEMBER_COUNT))
def test_workstream_list(world, role, expected):
    rows = assert_answer(world.client(role).get("/api/v1/workstreams/"), set())
    assert {row["slug"] for row in rows} == {"cm", "df", "bc", "analytics"}
    assert {row["slug"]: row["member_count"] for row in rows}["cm"] == expected


@pytest.mark.parametrize(("role", "expected"), table(CM_MEMBER_COUNT))
def test_workstream_retrieve(world, role, expected):
    response = world.client(role).get("/api/v1/workstreams/cm/")
    assert response.status_code == 200
    assert response.json()["member_count"] == expected


@pytest.mark.parametrize(("role", "expected"), table({
    "visitor": 401, "trainee": 403, "other_member": 403, "member": 403, "partner_admin": 403,
    "staff": 403, "admin": 200,
}))
def test_workstream_activate(world, role, expected):
    response = world.client(role).post("/api/v1/workstreams/analytics/activate/")
    assert_answer(response, expected)
    status = world.client("admin").get("/api/v1/workstreams/analytics/").json()["status"]
    assert status == ("active" if expected == 200 else "planned")


# --- Join requests ----------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "expected"), table({
    "visitor": 401, "trainee": set(), "other_member": {"hidden"}, "member": {"xylo"},
    "partner_admin": {"xylo"}, "staff": {"xylo", "hidden"}, "admin": {"xylo", "hidden"},
}))
def test_join_request_list(world, role, expected):
    rows = assert_answer(world.client(role).get("/api/v1/join-requests/"), expected)
    if rows is not None:
        assert labels(rows, world.join_requests) == expected


@pytest.mark.parametrize(("role", "expected"), table({
    "visitor": 401, "trainee": 404, "other_member": 404, "member": 200, "partner_admin": 200,
    "staff": 200, "admin": 200,
}))
def test_join_request_retrieve(world, role, expected):
    join_request = world.join_requests["xylo"]
    assert_answer(world.client(role).get(f"/api/v1/join-requests/{join_request.pk}/"),
                  expected)


@pytest.mark.parametrize(("role", "expected"), table({
    "visitor": 401, "trainee": 403, "other_member": 403, "member": 403, "partner_admin": 201,
    "staff": 403, "admin": 403,
}))
def test_join_request_create(world, role, expected):
    response = world.client(role).post(
        "/api/v1/join-requests/",
        {"organisation": "xylo", "workstream": "bc", "motivation": "Enzyme screening.",
         "code_of_conduct_acknowledged": True},
        format="json",
    )
    assert_answer(response, expected)
    assert JoinRequest.objects.filter(workstream__slug="bc").exists() == (expected == 201)


@pytest.mark.parametrize(("role", "expected"), table({
    "visitor": 401, "trainee": 400, "other_member": 403, "member": 400, "partner_admin": 400,
    "staff": 403, "admin": 403,
}))
def test_join_request_create_for_an_unlisted_organisation(world, role, expected):
    response = world.client(role).post(
        "/api/v1/join-requests/",
        {"organisation": "other-hidden", "workstream": "bc", "motivation": "Enzymes.",
         "code_of_conduct_acknowledged": True},
        format="json",
    )
    assert_answer(response, expected)
    if expected == 400:
        assert list(response.json()["fields"]) == ["organisation"]


@pytest.mark.parametrize("action", ["approve", "decline"])
@pytest.mark.parametrize(("role", "expected"), table({
    "visitor": 401, "trainee": 403, "other_member": 403, "member": 403, "partner_admin": 403,
    "staff": 200, "admin": 200,
}))
def test_join_request_decisions(world, role, expected, action):
    join_request = world.join_requests["xylo"]
    response = world.client(role).post(f"/api/v1/join-requests/{join_request.pk}/{action}/",
                                       {"role": "observer", "reason": "Not now."},
                                       format="json")
    assert_answer(response, expected)
    join_request.refresh_from_db()
    assert join_request.status == (
        {"approve": "approved", "decline": "declined"}[action] if expected == 200 else "pending")
    assert world.xylo.workstream_memberships.filter(workstream__slug="df").exists() == (
        expected == 200 and action == "approve")


@pytest.mark.parametrize(("role", "expected"), table({
    "visitor": 401, "trainee": 404, "other_member": 404, "member": 403, "partner_admin": 200,
    "staff": 403, "admin": 403,
}))
def test_join_request_withdraw(world, role, expected):
    join_request = world.join_requests["xylo"]
    response = world.client(role).post(f"/api/v1/join-requests/{join_request.pk}/withdraw/")
    assert_answer(response, expected)
    join_request.refresh_from_db()
    assert join_request.status == ("withdrawn" if expected == 200 else "pending")


# --- Workstream memberships -------------------------------------------------------------------


@pytest.mark.parametrize(("role", "expected"), table({
    "visitor": {"xylo"}, "trainee": {"xylo"}, "other_member": {"xylo", "hidden"},
    "member": {"xylo"}, "partner_admin": {"xylo"}, "staff": {"xylo", "hidden"},
    "admin": {"xylo", "hidden"},
}))
def test_workstream_membership_list(world, role, expected):
    rows = assert_answer(world.client(role).get("/api/v1/workstream-memberships/"), expected)
    assert labels(rows, world.workstream_memberships) == expected
    filtered = world.client(role).get("/api/v1/workstream-memberships/?workstream=cm"
                                      "&active=true").json()
    assert labels(filtered["results"], world.workstream_memberships) == expected


@pytest.mark.parametrize(("role", "expected"), table({
    "visitor": 404, "trainee": 404, "other_member": 200, "member": 404, "partner_admin": 404,
    "staff": 200, "admin": 200,
}))
def test_unlisted_workstream_membership_retrieve(world, role, expected):
    membership = world.workstream_memberships["hidden"]
    assert_answer(world.client(role).get(f"/api/v1/workstream-memberships/{membership.pk}/"),
                  expected)


@pytest.mark.parametrize("role", ROLES)
def test_listed_workstream_membership_retrieve(world, role):
    membership = world.workstream_memberships["xylo"]
    response = world.client(role).get(f"/api/v1/workstream-memberships/{membership.pk}/")
    assert response.status_code == 200
    assert response.json()["organisation"]["slug"] == "xylo"


@pytest.mark.parametrize(("role", "expected"), table({
    "visitor": 401, "trainee": 403, "other_member": 403, "member": 403, "partner_admin": 403,
    "staff": 200, "admin": 200,
}))
def test_workstream_membership_end(world, role, expected):
    membership = world.workstream_memberships["xylo"]
    response = world.client(role).post(f"/api/v1/workstream-memberships/{membership.pk}/end/",
                                       {"reason": "Left the programme."}, format="json")
    assert_answer(response, expected)
    membership.refresh_from_db()
    assert (membership.until is not None) == (expected == 200)
