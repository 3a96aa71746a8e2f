"""Who gets what from the projects API: one table per endpoint and action, one row per role, with
the exact status code and, for lists, exactly the rows returned.

The world is tests/projects/factories.project_world (a workstream whose members are the lead,
the partner and a bystander organisation; an outsider organisation; a person of each, the
principal investigator among the lead's) plus four projects of it: "public", "members" and
"participants" (active, each with that visibility) and "draft" (members, not yet proposed).
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cluster_portal.core.actors import SYSTEM
from projects.models import Contribution, Deliverable, Project
from projects.services import (
    contribution_record,
    deliverable_create,
    deliverable_save_draft,
    deliverable_submit,
    milestone_create,
    status_update_post,
)
from tests.conftest import activate_totp
from tests.factories import UserFactory
from tests.projects.factories import in_days, make_project, project_world
from tests.support.api import assert_error, client_for
from tests.support.worlds import assert_answer, labels

pytestmark = pytest.mark.django_db

Status = Project.Status
ROLES = ("visitor", "trainee", "outsider", "bystander", "participant", "lead", "investigator",
         "staff_without_mfa", "staff", "admin")
NOT_SIGNED_IN = 401
MFA = "mfa"  # staff without a second factor: 403 mfa_required, whatever they ask


def pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("report.pdf", b"%PDF-1.7\n%%EOF\n")


def table(expected: dict) -> list:
    assert set(expected) == set(ROLES), "every role has its row"
    return [pytest.param(role, answer, id=role) for role, answer in expected.items()]


@pytest.fixture
def world():
    world = project_world()
    staff, admin = UserFactory(role="programme_staff"), UserFactory(role="programme_admin")
    activate_totp(staff)
    activate_totp(admin)
    world.people = {
        "visitor": None, "trainee": UserFactory(), "outsider": world.outsider_member,
        "bystander": world.bystander_member, "participant": world.partner_member,
        "lead": world.lead_member, "investigator": world.investigator,
        "staff_without_mfa": UserFactory(role="programme_staff"), "staff": staff,
        "admin": admin,
    }
    world.projects = {
        "public": make_project(world, status=Status.ACTIVE, visibility="public"),
        "members": make_project(world, status=Status.ACTIVE, visibility="members"),
        "participants": make_project(world, status=Status.ACTIVE, visibility="participants"),
        "draft": make_project(world, visibility="members"),
    }
    members = world.projects["members"]
    world.milestone = milestone_create(actor=SYSTEM, project=members, title="Pilot run",
                                       due_on=in_days(30))
    world.deliverable = deliverable_save_draft(actor=SYSTEM, file=pdf(), deliverable=(
        deliverable_create(actor=SYSTEM, project=members, title="Pilot report", kind="report",
                           due_on=in_days(30))))
    world.update = status_update_post(actor=SYSTEM, project=members, period=in_days(0),
                                      overall="green", schedule="green", budget="amber",
                                      narrative="On track.")
    world.contributions = {
        "lead": contribution_record(actor=SYSTEM, project=members, organisation=world.lead,
                                    year=in_days(0).year, kind="cash", committed_sgd=100),
        "partner": contribution_record(actor=SYSTEM, project=members,
                                       organisation=world.partner, year=in_days(0).year,
                                       kind="in_kind", committed_sgd=40),
    }
    world.client = lambda role: client_for(world.people[role])
    return world


def answer(response, expected):
    """As tests.support.worlds.assert_answer, with MFA meaning the staff's refusal."""
    if expected == MFA:
        assert_error(response, 403, "mfa_required")
        return None
    return assert_answer(response, expected)


def code(world, label: str) -> str:
    return world.projects[label].code


# --- Projects ---------------------------------------------------------------------------------

EVERY_PROJECT = {"public", "members", "participants", "draft"}
SHOWN_TO_PARTICIPANTS = {"public", "members", "participants"}


@pytest.mark.parametrize(("role", "expected"), table({
    "visitor": {"public"}, "trainee": {"public"}, "outsider": {"public"},
    "bystander": {"public", "members"}, "participant": SHOWN_TO_PARTICIPANTS,
    "lead": SHOWN_TO_PARTICIPANTS, "investigator": EVERY_PROJECT, "staff_without_mfa": MFA,
    "staff": EVERY_PROJECT, "admin": EVERY_PROJECT,
}))
def test_project_list(world, role, expected):
    rows = answer(world.client(role).get("/api/v1/projects/"), expected)
    if rows is not None:
        assert labels(rows, world.projects, key="code") == expected


FULL = dict.fromkeys(EVERY_PROJECT, "full")
PARTICIPANT = {"public": "full", "members": "full", "participants": "full", "draft": 404}
SUMMARY_ONLY = {"public": "summary", "members": 404, "participants": 404, "draft": 404}


@pytest.mark.parametrize(("role", "expected"), table({
    "visitor": SUMMARY_ONLY, "trainee": SUMMARY_ONLY, "outsider": SUMMARY_ONLY,
    "bystander": {"public": "member", "members": "member", "participants": 404, "draft": 404},
    "participant": PARTICIPANT, "lead": PARTICIPANT, "investigator": FULL,
    "staff_without_mfa": dict.fromkeys(EVERY_PROJECT, MFA), "staff": FULL, "admin": FULL,
}))
def test_project_retrieve_at_each_access_level(world, role, expected):
    client = world.client(role)
    for label, level in expected.items():
        response = client.get(f"/api/v1/projects/{code(world, label)}/")
        if level in (404, MFA):
            answer(response, level)
        else:
            assert response.status_code == 200, (label, response.content)
            assert response.json()["access"] == level, label


STAFF_ONLY = {"visitor": NOT_SIGNED_IN, "trainee": 403, "outsider": 403, "bystander": 403,
              "participant": 403, "lead": 403, "investigator": 403, "staff_without_mfa": MFA}


@pytest.mark.parametrize(("role", "expected"), table({**STAFF_ONLY, "staff": 201,
                                                      "admin": 201}))
def test_project_create(world, role, expected):
    response = world.client(role).post("/api/v1/projects/", {
        "workstream": world.workstream.slug, "title": "New project", "summary": "A pilot.",
        "lead_organisation": world.lead.slug, "principal_investigator": world.investigator.email,
        "starts_on": str(in_days(0)), "ends_on": str(in_days(100)), "trl_start": 2,
        "trl_target": 4}, format="json")
    answer(response, expected)
    assert Project.objects.filter(title="New project").exists() == (expected == 201)


@pytest.mark.parametrize(("role", "expected"), table({**STAFF_ONLY, "staff": 200,
                                                      "admin": 200}))
def test_project_update(world, role, expected):
    project = world.projects["members"]
    response = world.client(role).patch(f"/api/v1/projects/{project.code}/",
                                        {"title": "Renamed"}, format="json")
    answer(response, expected)
    project.refresh_from_db()
    assert (project.title == "Renamed") == (expected == 200)


@pytest.mark.parametrize(("role", "expected"), table({
    # A draft is seen only by its team and staff; the principal investigator puts it forward.
    "visitor": NOT_SIGNED_IN, "trainee": 404, "outsider": 404, "bystander": 404,
    "participant": 404, "lead": 404, "investigator": 200, "staff_without_mfa": MFA,
    "staff": 200, "admin": 200,
}))
def test_project_transition_of_a_draft(world, role, expected):
    project = world.projects["draft"]
    response = world.client(role).post(f"/api/v1/projects/{project.code}/transition/",
                                       {"to": "proposed"}, format="json")
    answer(response, expected)
    project.refresh_from_db()
    assert project.status == (Status.PROPOSED if expected == 200 else Status.DRAFT)


@pytest.mark.parametrize(("role", "expected"), table({
    # Holding a running project is for programme staff; whoever sees it is told so.
    "visitor": NOT_SIGNED_IN, "trainee": 404, "outsider": 404, "bystander": 403,
    "participant": 403, "lead": 403, "investigator": 403, "staff_without_mfa": MFA,
    "staff": 200, "admin": 200,
}))
def test_project_transition_to_on_hold(world, role, expected):
    project = world.projects["members"]
    response = world.client(role).post(f"/api/v1/projects/{project.code}/transition/",
                                       {"to": "on_hold", "reason": "Funding review."},
                                       format="json")
    answer(response, expected)
    if expected == 403:
        assert "programme staff" in response.json()["message"]
    project.refresh_from_db()
    assert project.status == (Status.ON_HOLD if expected == 200 else Status.ACTIVE)


# --- Milestones -------------------------------------------------------------------------------

PLAN_SEEN = {"milestone"}


@pytest.mark.parametrize(("role", "expected"), table({
    "visitor": set(), "trainee": set(), "outsider": set(), "bystander": PLAN_SEEN,
    "participant": PLAN_SEEN, "lead": PLAN_SEEN, "investigator": PLAN_SEEN,
    "staff_without_mfa": MFA, "staff": PLAN_SEEN, "admin": PLAN_SEEN,
}))
def test_milestone_list(world, role, expected):
    response = world.client(role).get(f"/api/v1/milestones/?project={code(world, 'members')}")
    rows = answer(response, expected)
    if rows is not None:
        assert labels(rows, {"milestone": world.milestone}) == expected


@pytest.mark.parametrize(("role", "expected"), table({
    # A project not seen beyond its summary is no project to name (400 on `project`).
    "visitor": NOT_SIGNED_IN, "trainee": 400, "outsider": 400, "bystander": 403,
    "participant": 403, "lead": 403, "investigator": 201, "staff_without_mfa": MFA,
    "staff": 201, "admin": 201,
}))
def test_milestone_create(world, role, expected):
    response = world.client(role).post("/api/v1/milestones/", {
        "project": code(world, "members"), "title": "Scale-up", "due_on": str(in_days(60))},
        format="json")
    answer(response, expected)
    if expected == 400:
        assert set(response.json()["fields"]) == {"project"}
    assert world.projects["members"].milestones.filter(
        title="Scale-up").exists() == (expected == 201)


PLANNERS = {"visitor": NOT_SIGNED_IN, "trainee": 404, "outsider": 404, "bystander": 403,
            "participant": 403, "lead": 403, "staff_without_mfa": MFA}


@pytest.mark.parametrize(("role", "expected"), table({**PLANNERS, "investigator": 200,
                                                      "staff": 200, "admin": 200}))
def test_milestone_complete(world, role, expected):
    response = world.client(role).post(f"/api/v1/milestones/{world.milestone.pk}/complete/",
                                       {}, format="json")
    answer(response, expected)
    world.milestone.refresh_from_db()
    assert (world.milestone.completed_on is not None) == (expected == 200)


@pytest.mark.parametrize(("role", "expected"), table({**PLANNERS, "investigator": 204,
                                                      "staff": 204, "admin": 204}))
def test_milestone_destroy(world, role, expected):
    answer(world.client(role).delete(f"/api/v1/milestones/{world.milestone.pk}/"), expected)
    assert world.projects["members"].milestones.exists() == (expected != 204)


# --- Deliverables -----------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "expected"), table({
    "visitor": 404, "trainee": 404, "outsider": 404, "bystander": "member",
    "participant": "full", "lead": "full", "investigator": "full", "staff_without_mfa": MFA,
    "staff": "full", "admin": "full",
}))
def test_deliverable_retrieve_shows_the_file_only_in_full(world, role, expected):
    response = world.client(role).get(f"/api/v1/deliverables/{world.deliverable.pk}/")
    if expected in (404, MFA):
        answer(response, expected)
        return
    assert response.status_code == 200
    assert ("file" in response.json()) == (expected == "full")


@pytest.mark.parametrize(("role", "expected"), table({
    # The world's deliverable is a draft: it stays with those who work on it (the lead
    # organisation's people) and programme staff until it is submitted; another participant,
    # who sees the project in full, waits for the submission.
    "visitor": 404, "trainee": 404, "outsider": 404, "bystander": 403, "participant": 403,
    "lead": 200, "investigator": 200, "staff_without_mfa": MFA, "staff": 200, "admin": 200,
}))
def test_deliverable_file(world, role, expected):
    response = world.client(role).get(f"/api/v1/deliverables/{world.deliverable.pk}/file/")
    if expected == 200:
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment;")
    else:
        answer(response, expected)


@pytest.mark.parametrize(("role", "expected"), table({
    # Only the lead organisation's people hand a deliverable over (its principal investigator
    # is one of them); programme staff review it instead.
    "visitor": NOT_SIGNED_IN, "trainee": 404, "outsider": 404, "bystander": 403,
    "participant": 403, "lead": 200, "investigator": 200, "staff_without_mfa": MFA,
    "staff": 403, "admin": 403,
}))
def test_deliverable_submit(world, role, expected):
    response = world.client(role).post(f"/api/v1/deliverables/{world.deliverable.pk}/submit/",
                                       {}, format="multipart")
    answer(response, expected)
    world.deliverable.refresh_from_db()
    assert (world.deliverable.status == Deliverable.Status.SUBMITTED) == (expected == 200)


@pytest.mark.parametrize(("role", "expected"), table({**STAFF_ONLY, "staff": 200,
                                                      "admin": 200}))
def test_deliverable_approve(world, role, expected):
    deliverable_submit(actor=world.lead_member, deliverable=world.deliverable)
    response = world.client(role).post(f"/api/v1/deliverables/{world.deliverable.pk}/approve/",
                                       {"comments": "Good."}, format="json")
    answer(response, expected)
    world.deliverable.refresh_from_db()
    assert (world.deliverable.status == Deliverable.Status.APPROVED) == (expected == 200)


# --- Status updates ---------------------------------------------------------------------------

UPDATE_SEEN = {"update"}


@pytest.mark.parametrize(("role", "expected"), table({
    # Members of the workstream see the plan, not the monthly reports.
    "visitor": set(), "trainee": set(), "outsider": set(), "bystander": set(),
    "participant": UPDATE_SEEN, "lead": UPDATE_SEEN, "investigator": UPDATE_SEEN,
    "staff_without_mfa": MFA, "staff": UPDATE_SEEN, "admin": UPDATE_SEEN,
}))
def test_status_update_list(world, role, expected):
    response = world.client(role).get(
        f"/api/v1/status-updates/?project={code(world, 'members')}")
    rows = answer(response, expected)
    if rows is not None:
        assert labels(rows, {"update": world.update}) == expected
    if expected != MFA:
        answer(world.client(role).get(f"/api/v1/status-updates/{world.update.pk}/"),
               200 if expected else 404)


@pytest.mark.parametrize(("role", "expected"), table({
    "visitor": NOT_SIGNED_IN, "trainee": 400, "outsider": 400, "bystander": 403,
    "participant": 403, "lead": 403, "investigator": 201, "staff_without_mfa": MFA,
    "staff": 201, "admin": 201,
}))
def test_status_update_create(world, role, expected):
    project = world.projects["members"]
    response = world.client(role).post("/api/v1/status-updates/", {
        "project": project.code, "period": str(project.starts_on), "overall": "amber",
        "schedule": "amber", "budget": "green", "narrative": "Started."}, format="json")
    answer(response, expected)
    assert project.status_updates.count() == (2 if expected == 201 else 1)


# --- Contributions ----------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "expected"), table({
    # Each organisation's figures to its own people; every one to staff.
    "visitor": NOT_SIGNED_IN, "trainee": set(), "outsider": set(), "bystander": set(),
    "participant": {"partner"}, "lead": {"lead"}, "investigator": {"lead"},
    "staff_without_mfa": MFA, "staff": {"lead", "partner"}, "admin": {"lead", "partner"},
}))
def test_contribution_list_and_totals(world, role, expected):
    client = world.client(role)
    rows = answer(client.get("/api/v1/contributions/"), expected)
    if rows is None:
        return
    assert labels(rows, world.contributions) == expected
    totals = assert_answer(client.get("/api/v1/contributions/totals/?by=organisation"),
                           expected)
    slugs = {"lead": world.lead.slug, "partner": world.partner.slug}
    assert {row["key"] for row in totals} == {slugs[label] for label in expected}


@pytest.mark.parametrize(("role", "expected"), table({**STAFF_ONLY, "staff": 201,
                                                      "admin": 201}))
def test_contribution_create(world, role, expected):
    response = world.client(role).post("/api/v1/contributions/", {
        "project": code(world, "members"), "organisation": world.partner.slug,
        "year": in_days(0).year, "kind": "cash", "committed_sgd": "5000"}, format="json")
    answer(response, expected)
    assert Contribution.objects.filter(kind="cash", organisation=world.partner).exists() == (
        expected == 201)


@pytest.mark.parametrize(("role", "expected"), table({**STAFF_ONLY, "staff": 204,
                                                      "admin": 204}))
def test_contribution_destroy(world, role, expected):
    contribution = world.contributions["partner"]
    answer(world.client(role).delete(f"/api/v1/contributions/{contribution.pk}/"), expected)
    assert Contribution.objects.filter(pk=contribution.pk).exists() == (expected != 204)
