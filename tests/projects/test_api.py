"""The projects API through the client: projects created, changed and moved by programme staff
with the portfolio's filters; each project shown at the caller's access level; milestones,
deliverables with their files and acceptance, status updates and contributions with their totals;
bad input answered 400 with a message per field (a 409 naming the allowed moves, a 403 naming who
may), never a 500, with nothing changed; and lists whose query counts do not grow with rows."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cluster_portal.core.actors import SYSTEM
from projects.models import Contribution, Deliverable, Milestone, Project, StatusUpdate
from projects.selectors import PortfolioFilters, project_portfolio
from projects.services import (
    contribution_record,
    deliverable_create,
    deliverable_save_draft,
    deliverable_submit,
    milestone_create,
    project_participants_set,
    status_update_post,
)
from talent.models import Skill
from tests.factories import OrganisationFactory, UserFactory, WorkstreamMembershipFactory
from tests.projects.factories import in_days, make_project, person_of_organisation, project_world
from tests.support.api import assert_error, client_for
from tests.support.queries import queries_of_get

pytestmark = pytest.mark.django_db

Status = Project.Status
PDF = b"%PDF-1.7\n%%EOF\n"
SUMMARY_FIELDS = {"code", "title", "summary", "workstream", "lead_organisation", "status",
                  "starts_on", "ends_on", "trl_start", "trl_current", "trl_target", "access"}
MEMBER_FIELDS = {"participants", "principal_investigator", "latest_rag", "latest_update_on",
                 "overdue_milestones", "overdue_deliverables"}


@pytest.fixture
def world():
    return project_world()


@pytest.fixture
def staff(mfa_staff_user):
    return client_for(mfa_staff_user)


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == len(body["results"])
    return body["results"]


def pdf(name="report.pdf", size=None) -> SimpleUploadedFile:
    content = PDF if size is None else PDF + b"0" * (size - len(PDF))
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def create_body(world, **overrides) -> dict:
    return {
        "workstream": world.workstream.slug, "title": "Continuous crystallisation",
        "summary": "A pilot of continuous crystallisation.",
        "lead_organisation": world.lead.slug, "participants": [world.partner.slug],
        "principal_investigator": world.investigator.email,
        "team": [{"email": world.partner_member.email, "role": "Process engineer"}],
        "starts_on": str(in_days(-10)), "ends_on": str(in_days(400)),
        "trl_start": 3, "trl_target": 6, "visibility": "public", **overrides,
    }


# --- Projects: create, change, move -----------------------------------------------------------


def test_staff_create_a_project_with_its_organisations_team_and_skills(world, staff):
    Skill.objects.create(code="crystallisation", name="Crystallisation", category="process")
    response = staff.post("/api/v1/projects/", create_body(
        world, skills=[{"code": "crystallisation", "level": 3}]), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    project = Project.objects.get(code=body["code"])
    assert body["code"].startswith(f"PIPS-CM-{timezone.localdate().year}-")
    assert (body["status"], body["access"], body["visibility"]) == ("draft", "full", "public")
    assert {o["slug"] for o in body["participants"]} == {world.lead.slug, world.partner.slug}
    assert body["principal_investigator"]["id"] == world.investigator.pk
    assert body["team"] == [{"person": {"id": world.partner_member.pk,
                                        "full_name": world.partner_member.full_name},
                             "role": "Process engineer"}]
    assert body["skills"] == [{"code": "crystallisation", "name": "Crystallisation",
                               "level": 3}]
    assert body["allowed_transitions"] == ["proposed", "cancelled"]
    assert project.participants.count() == 2


def test_a_participant_outside_the_workstream_is_refused_and_nothing_is_created(world, staff):
    response = staff.post("/api/v1/projects/",
                          create_body(world, participants=[world.outsider.slug]), format="json")

    body = assert_error(response, 400)
    assert "Outsider Co is not a member" in body["fields"]["participants"][0]
    assert not Project.objects.exists()


@pytest.mark.parametrize(("change", "field"), [
    ({"trl_start": 10}, "trl_start"),
    ({"trl_target": 2**70}, "trl_target"),
    ({"trl_start": "3"}, "trl_start"),
    ({"starts_on": "2026-02-31"}, "starts_on"),
    ({"ends_on": "99999-01-01"}, "ends_on"),
    ({"ends_on": "1066-10-14"}, "ends_on"),
    ({"title": "A\x00B"}, "title"),
    ({"title": "  "}, "title"),
    ({"visibility": "secret"}, "visibility"),
    ({"principal_investigator": "nobody@example.org"}, "principal_investigator"),
    ({"workstream": "no-such-workstream"}, "workstream"),
    ({"participants": "not-a-list"}, "participants"),
    ({"team": [{"email": "x@example.org"}]}, "team"),
    ({"skills": [{"code": "nope", "level": 3}]}, "skills"),
    ({"ends_on": "2000-01-01", "starts_on": "2001-01-01"}, "ends_on"),
    ({"trl_start": 6, "trl_target": 4}, "trl_target"),
])
def test_bad_project_input_is_a_400_naming_the_field(world, staff, change, field):
    response = staff.post("/api/v1/projects/", create_body(world, **change), format="json")

    body = assert_error(response, 400)
    assert field in body["fields"], body
    assert not Project.objects.exists()


def test_a_body_that_is_not_utf8_is_a_400(staff):
    response = staff.generic("POST", "/api/v1/projects/", b'{"title": "\xff\xfe"}',
                             content_type="application/json")
    assert_error(response, 400)


def test_only_staff_create_projects(world):
    response = client_for(world.lead_member).post("/api/v1/projects/", create_body(world),
                                                  format="json")
    assert_error(response, 403, "permission_denied")
    assert not Project.objects.exists()


def test_staff_change_details_organisations_and_team_in_one_request(world, staff):
    project = make_project(world)
    response = staff.patch(f"/api/v1/projects/{project.code}/", {
        "title": "Continuous crystallisation, phase 2", "trl_current": 4,
        "participants": [world.partner.slug, world.bystander.slug],
        "team": [{"email": world.bystander_member.email, "role": "Analyst"}],
    }, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["title"], body["trl_current"]) == ("Continuous crystallisation, phase 2", 4)
    assert {o["slug"] for o in body["participants"]} == {
        world.lead.slug, world.partner.slug, world.bystander.slug}
    assert [place["person"]["id"] for place in body["team"]] == [world.bystander_member.pk]


def test_a_change_refused_in_part_changes_nothing(world, staff):
    project = make_project(world)
    response = staff.patch(f"/api/v1/projects/{project.code}/", {
        "title": "A new title", "participants": [world.outsider.slug]}, format="json")

    assert "participants" in assert_error(response, 400)["fields"]
    project.refresh_from_db()
    assert project.title == "Continuous crystallisation of an API"
    assert set(project.participants.all()) == {world.lead, world.partner}


def test_a_move_from_the_wrong_state_is_a_409_naming_the_allowed_moves(world, staff):
    project = make_project(world)
    response = staff.post(f"/api/v1/projects/{project.code}/transition/",
                          {"to": "completed"}, format="json")

    body = assert_error(response, 409)
    assert "proposed" in body["message"] and "cancelled" in body["message"]
    project.refresh_from_db()
    assert project.status == Status.DRAFT


def test_an_unknown_state_is_a_400(world, staff):
    project = make_project(world)
    body = assert_error(staff.post(f"/api/v1/projects/{project.code}/transition/",
                                   {"to": "flying"}, format="json"), 400)
    assert "to" in body["fields"]


def test_the_principal_investigator_proposes_and_others_are_told_who_may(world):
    project = make_project(world)
    refused = client_for(world.lead_member).post(
        f"/api/v1/projects/{project.code}/transition/", {"to": "proposed"}, format="json")
    # A draft is the team's and staff's alone: to the lead's other people it does not exist.
    assert_error(refused, 404)

    investigator = client_for(world.investigator)
    detail = investigator.get(f"/api/v1/projects/{project.code}/").json()
    assert detail["allowed_transitions"] == ["proposed"]
    moved = investigator.post(f"/api/v1/projects/{project.code}/transition/",
                              {"to": "proposed", "reason": "Ready for review."}, format="json")
    assert moved.status_code == 200, moved.content
    assert moved.json()["status"] == "proposed"

    approve = investigator.post(f"/api/v1/projects/{project.code}/transition/",
                                {"to": "approved"}, format="json")
    assert "programme staff" in assert_error(approve, 403)["message"]
    project.refresh_from_db()
    assert project.status == Status.PROPOSED
    assert project.transitions.get().by == world.investigator


def test_cancelling_without_a_reason_is_a_400_on_the_reason(world, staff):
    project = make_project(world)
    body = assert_error(staff.post(f"/api/v1/projects/{project.code}/transition/",
                                   {"to": "cancelled"}, format="json"), 400)
    assert "reason" in body["fields"]


# --- Projects: what each caller sees ----------------------------------------------------------


def test_each_caller_sees_a_project_at_their_access_level(world):
    project = make_project(world, status=Status.ACTIVE, visibility="public")
    path = f"/api/v1/projects/{project.code}/"

    summary = client_for().get(path).json()
    assert set(summary) == SUMMARY_FIELDS | {"allowed_transitions"}
    assert summary["access"] == "summary"

    member = client_for(world.bystander_member).get(path).json()
    assert member["access"] == "member"
    assert MEMBER_FIELDS | {"team", "skills", "objectives"} <= set(member)
    assert not {"visibility", "officer", "decision_reason"} & set(member)

    full = client_for(world.partner_member).get(path).json()
    assert full["access"] == "full"
    assert {"visibility", "officer", "decision_reason", "created_at"} <= set(full)


def test_a_hidden_project_is_answered_exactly_as_a_missing_one(world):
    project = make_project(world, status=Status.ACTIVE, visibility="participants")
    outsider = client_for(world.outsider_member)

    hidden = outsider.get(f"/api/v1/projects/{project.code}/")
    missing = outsider.get("/api/v1/projects/PIPS-CM-1999-999/")
    assert_error(hidden, 404)
    assert hidden.json() == missing.json()
    assert results(outsider.get("/api/v1/projects/")) == []


def test_the_list_filters_as_the_portfolio_does(world, staff):
    cm = make_project(world, status=Status.ACTIVE, title="Flow reactor pilot")
    other_world = project_world(code="PE")
    pe = make_project(other_world, status=Status.APPROVED, title="Particle sizing")
    make_project(world, title="Draft idea")

    def codes(query):
        return [row["code"] for row in results(staff.get(f"/api/v1/projects/?{query}"))]

    assert codes(f"workstream={world.workstream.slug}&status=active") == [cm.code]
    assert codes("search=sizing") == [pe.code]
    assert codes(f"organisation={other_world.partner.slug}") == [pe.code]
    assert codes("rag=none&ordering=-code&status=approved") == [pe.code]
    assert codes(f"active_to={in_days(-100)}") == []
    assert_error(staff.get("/api/v1/projects/?trl_min=10"), 400)
    assert_error(staff.get("/api/v1/projects/?active_from=2026-13-01"), 400)
    assert_error(staff.get("/api/v1/projects/?overdue=perhaps"), 400)
    assert_error(staff.get("/api/v1/projects/?search=a%00b"), 400)
    assert_error(staff.get("/api/v1/projects/?active_to=10/25/2026"), 400)
    assert_error(staff.get("/api/v1/projects/?active_to=2026-1-5"), 400)
    assert len(codes("active_to=&active_from=")) == 3


@pytest.mark.parametrize(("query", "filters"), [
    ("status=active&ordering=-title", {"status": "active", "sort": "-title"}),
    ("search=pilot", {"text": "pilot"}),
    ("rag=none&trl_min=3&trl_max=3", {"rag": "none", "trl_min": 3, "trl_max": 3}),
    ("overdue=true", {"overdue": True}),
])
def test_the_list_answers_what_the_portfolio_selector_answers(world, mfa_staff_user, query,
                                                              filters):
    for status in (Status.ACTIVE, Status.APPROVED, Status.DRAFT):
        make_project(world, status=status, title=f"{status} pilot")
    milestone_create(actor=SYSTEM, project=Project.objects.get(status=Status.ACTIVE),
                     title="Late", due_on=in_days(-1))
    expected = [project.code for project in project_portfolio(
        user=mfa_staff_user, filters=PortfolioFilters(**filters))]
    rows = results(client_for(mfa_staff_user).get(f"/api/v1/projects/?{query}"))
    assert [row["code"] for row in rows] == expected
    assert expected


def test_filters_on_what_the_summary_hides_are_for_staff(world):
    make_project(world, status=Status.ACTIVE, visibility="public")
    visitor = client_for()
    assert len(results(visitor.get("/api/v1/projects/?search=crystallisation"))) == 1
    for query in (f"organisation={world.partner.slug}", "rag=green", "overdue=true",
                  "trl_min=2", "ordering=-rag"):
        body = assert_error(visitor.get(f"/api/v1/projects/?{query}"), 403)
        assert body["fields"], query


# --- Milestones -------------------------------------------------------------------------------


def test_the_team_plans_milestones_within_the_project(world):
    project = make_project(world, status=Status.ACTIVE)
    investigator = client_for(world.investigator)

    created = investigator.post("/api/v1/milestones/", {
        "project": project.code, "title": "Pilot run", "due_on": str(in_days(30))},
        format="json")
    assert created.status_code == 201, created.content
    milestone_id = created.json()["id"]

    outside = investigator.post("/api/v1/milestones/", {
        "project": project.code, "title": "Too late", "due_on": str(in_days(900))},
        format="json")
    assert "due_on" in assert_error(outside, 400)["fields"]

    rows = results(investigator.get(f"/api/v1/milestones/?project={project.code}"))
    assert [row["title"] for row in rows] == ["Pilot run"]

    done = investigator.post(f"/api/v1/milestones/{milestone_id}/complete/", {}, format="json")
    assert done.json()["completed_on"] == str(timezone.localdate())
    again = investigator.post(f"/api/v1/milestones/{milestone_id}/complete/", {}, format="json")
    assert_error(again, 409)
    reopened = investigator.post(f"/api/v1/milestones/{milestone_id}/reopen/")
    assert reopened.json()["completed_on"] is None

    changed = investigator.patch(f"/api/v1/milestones/{milestone_id}/",
                                 {"title": "Pilot run, week 1"}, format="json")
    assert changed.json()["title"] == "Pilot run, week 1"
    assert investigator.delete(f"/api/v1/milestones/{milestone_id}/").status_code == 204
    assert not Milestone.objects.exists()


def test_milestones_of_a_project_seen_only_in_summary_are_missing(world):
    project = make_project(world, status=Status.ACTIVE, visibility="public")
    milestone = milestone_create(actor=world.investigator, project=project, title="Pilot",
                                 due_on=in_days(10))
    visitor = client_for()
    assert results(visitor.get(f"/api/v1/milestones/?project={project.code}")) == []
    hidden = assert_error(visitor.get(f"/api/v1/milestones/{milestone.pk}/"), 404)
    for missing in (milestone.pk + 1000, 2**31, 10**30, "first"):
        assert assert_error(visitor.get(f"/api/v1/milestones/{missing}/"), 404) == hidden
    assert assert_error(client_for(world.partner_member).get(
        f"/api/v1/deliverables/{2**63}/file/"), 404) == hidden
    assert results(visitor.get("/api/v1/milestones/")) == []
    member = client_for(world.bystander_member)
    assert member.get(f"/api/v1/milestones/{milestone.pk}/").status_code == 200
    refused = member.post(f"/api/v1/milestones/{milestone.pk}/complete/", {}, format="json")
    assert_error(refused, 403)


def test_a_milestone_of_a_hidden_project_is_a_400_on_the_project(world):
    project = make_project(world, status=Status.ACTIVE, visibility="participants")
    response = client_for(world.outsider_member).post("/api/v1/milestones/", {
        "project": project.code, "title": "Sneaky", "due_on": str(in_days(5))}, format="json")
    body = assert_error(response, 400)
    assert body["fields"]["project"] == [f"There is no project “{project.code}”."]


# --- Deliverables -----------------------------------------------------------------------------


def planned_deliverable(world, project, *, due_on=None) -> Deliverable:
    return deliverable_create(actor=world.investigator, project=project, title="Pilot report",
                              kind="report", due_on=due_on or in_days(20))


def test_a_deliverable_is_drafted_submitted_and_approved_with_its_file(world, staff):
    project = make_project(world, status=Status.ACTIVE)
    created = client_for(world.investigator).post("/api/v1/deliverables/", {
        "project": project.code, "title": "Pilot report", "kind": "report",
        "due_on": str(in_days(20))}, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]

    lead = client_for(world.lead_member)
    drafted = lead.post(f"/api/v1/deliverables/{pk}/draft/", {"file": pdf()},
                        format="multipart")
    assert drafted.status_code == 200, drafted.content
    assert drafted.json()["status"] == "draft"
    submitted = lead.post(f"/api/v1/deliverables/{pk}/submit/", {}, format="multipart")
    assert submitted.json()["status"] == "submitted"
    assert submitted.json()["submitted_by"]["id"] == world.lead_member.pk

    returned = staff.post(f"/api/v1/deliverables/{pk}/return/", {"comments": ""},
                          format="json")
    assert "comments" in assert_error(returned, 400)["fields"]
    approved = staff.post(f"/api/v1/deliverables/{pk}/approve/", {"comments": "Thorough."},
                          format="json")
    assert (approved.json()["status"], approved.json()["comments"]) == ("approved", "Thorough.")

    download = client_for(world.partner_member).get(f"/api/v1/deliverables/{pk}/file/")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert b"".join(download.streaming_content) == PDF


def test_only_the_lead_organisation_submits(world):
    project = make_project(world, status=Status.ACTIVE)
    deliverable = planned_deliverable(world, project)
    response = client_for(world.partner_member).post(
        f"/api/v1/deliverables/{deliverable.pk}/submit/", {"file": pdf()}, format="multipart")
    assert "Lead Institute" in assert_error(response, 403)["message"]
    deliverable.refresh_from_db()
    assert deliverable.status == Deliverable.Status.PENDING


def test_a_late_submission_needs_a_justification(world):
    project = make_project(world, status=Status.ACTIVE)
    deliverable = planned_deliverable(world, project, due_on=in_days(-5))
    lead = client_for(world.lead_member)
    path = f"/api/v1/deliverables/{deliverable.pk}/submit/"

    body = assert_error(lead.post(path, {"file": pdf()}, format="multipart"), 400)
    assert "say why it is late" in body["fields"]["late_justification"][0]
    accepted = lead.post(path, {"file": pdf(), "late_justification": "The pilot slipped."},
                         format="multipart")
    assert accepted.json()["late_justification"] == "The pilot slipped."


def test_an_upload_over_the_limit_or_of_the_wrong_type_is_a_400_on_the_file(world, settings):
    settings.PROJECT_DELIVERABLE_MAX_MB = 1
    project = make_project(world, status=Status.ACTIVE)
    deliverable = planned_deliverable(world, project)
    lead = client_for(world.lead_member)
    path = f"/api/v1/deliverables/{deliverable.pk}/draft/"

    too_big = assert_error(lead.post(path, {"file": pdf(size=1536 * 1024)},
                                     format="multipart"), 400)
    assert "the limit is 1 MB" in too_big["fields"]["file"][0]
    program = SimpleUploadedFile("tool.exe", b"MZ\x90\x00", content_type="application/x-exe")
    assert "file" in assert_error(lead.post(path, {"file": program}, format="multipart"),
                                  400)["fields"]
    disguised = SimpleUploadedFile("report.pdf", b"MZ\x90\x00rest")
    assert "file" in assert_error(lead.post(path, {"file": disguised}, format="multipart"),
                                  400)["fields"]
    assert_error(lead.post(path, {}, format="multipart"), 400)
    deliverable.refresh_from_db()
    assert (deliverable.status, bool(deliverable.file)) == (Deliverable.Status.PENDING, False)


def test_the_file_is_for_those_who_see_the_project_in_full(world):
    project = make_project(world, status=Status.ACTIVE, visibility="public")
    deliverable = planned_deliverable(world, project)
    deliverable_save_draft(actor=world.lead_member, deliverable=deliverable, file=pdf())
    path = f"/api/v1/deliverables/{deliverable.pk}/"

    member_view = client_for(world.bystander_member).get(path).json()
    assert "file" not in member_view and "submitted_by" not in member_view
    assert_error(client_for(world.bystander_member).get(path + "file/"), 403)
    assert_error(client_for().get(path + "file/"), 404)
    assert client_for(world.partner_member).get(path).json()["file"].endswith(
        f"/api/v1/deliverables/{deliverable.pk}/file/")


def test_deliverables_of_many_projects_each_show_their_file_at_that_projects_level(world):
    # The bystander's organisation takes part in one project and only sees the other's plan.
    seen_in_full = make_project(world, status=Status.ACTIVE,
                                participants=[world.partner, world.bystander])
    seen_as_member = make_project(world, status=Status.ACTIVE, visibility="members")
    for project in (seen_in_full, seen_as_member):
        deliverable_save_draft(actor=SYSTEM, deliverable=planned_deliverable(world, project),
                               file=pdf())

    rows = results(client_for(world.bystander_member).get("/api/v1/deliverables/"))
    shown = {row["project"]: "file" in row for row in rows}
    assert shown == {seen_in_full.code: True, seen_as_member.code: False}
    only_one = results(client_for(world.bystander_member).get(
        f"/api/v1/deliverables/?project={seen_as_member.code}"))
    assert [row["project"] for row in only_one] == [seen_as_member.code]


def test_a_deliverable_handed_over_keeps_its_terms(world):
    project = make_project(world, status=Status.ACTIVE)
    deliverable = planned_deliverable(world, project)
    deliverable_submit(actor=world.lead_member, deliverable=deliverable, file=pdf())
    investigator = client_for(world.investigator)
    assert_error(investigator.patch(f"/api/v1/deliverables/{deliverable.pk}/",
                                    {"title": "New"}, format="json"), 409)
    assert_error(investigator.delete(f"/api/v1/deliverables/{deliverable.pk}/"), 409)


def test_a_deliverable_names_only_a_milestone_of_its_project(world):
    project = make_project(world, status=Status.ACTIVE)
    other = make_project(world, status=Status.ACTIVE)
    foreign = milestone_create(actor=world.investigator, project=other, title="Elsewhere",
                               due_on=in_days(10))
    response = client_for(world.investigator).post("/api/v1/deliverables/", {
        "project": project.code, "title": "Report", "kind": "report",
        "due_on": str(in_days(10)), "milestone": foreign.pk}, format="json")
    assert "milestone" in assert_error(response, 400)["fields"]


# --- Status updates ---------------------------------------------------------------------------


def test_the_team_posts_monthly_status_updates_seen_only_in_full(world):
    project = make_project(world, status=Status.ACTIVE, visibility="public")
    investigator = client_for(world.investigator)
    body = {"project": project.code, "period": str(timezone.localdate()), "overall": "amber",
            "schedule": "green", "budget": "red", "narrative": "Pilot slipped a week.",
            "trl": 4}

    posted = investigator.post("/api/v1/status-updates/", body, format="json")
    assert posted.status_code == 201, posted.content
    assert posted.json()["period"] == str(timezone.localdate().replace(day=1))
    assert_error(investigator.post("/api/v1/status-updates/", body, format="json"), 409)
    assert "overall" in assert_error(investigator.post(
        "/api/v1/status-updates/", {**body, "overall": "purple"}, format="json"), 400)["fields"]

    update = StatusUpdate.objects.get()
    query = f"/api/v1/status-updates/?project={project.code}"
    assert len(results(client_for(world.partner_member).get(query))) == 1
    assert results(client_for(world.bystander_member).get(query)) == []
    assert_error(client_for(world.bystander_member).get(
        f"/api/v1/status-updates/{update.pk}/"), 404)
    assert client_for().get(f"/api/v1/projects/{project.code}/").json()["trl_current"] == 4


# --- Contributions ----------------------------------------------------------------------------


def contribution_body(project, organisation, **overrides) -> dict:
    return {"project": project.code, "organisation": organisation.slug,
            "year": timezone.localdate().year, "kind": "cash", "committed_sgd": "25000.50",
            "actual_sgd": "1000", **overrides}


def test_staff_record_contributions_in_sgd_and_recording_again_replaces(world, staff):
    project = make_project(world, status=Status.ACTIVE)
    first = staff.post("/api/v1/contributions/", contribution_body(project, world.partner),
                       format="json")
    assert first.status_code == 201, first.content
    assert (first.json()["committed_sgd"], first.json()["actual_sgd"],
            first.json()["currency"]) == ("25000.50", "1000.00", "SGD")
    again = staff.post("/api/v1/contributions/", contribution_body(
        project, world.partner, actual_sgd="2000"), format="json")
    assert again.json()["id"] == first.json()["id"]
    assert Contribution.objects.get().actual_sgd == 2000


@pytest.mark.parametrize(("change", "field"), [
    ({"currency": "USD"}, "currency"),
    ({"committed_sgd": "-5"}, "committed_sgd"),
    ({"actual_sgd": 25000}, "actual_sgd"),
    ({"actual_sgd": "1e5"}, "actual_sgd"),
    ({"actual_sgd": "NaN"}, "actual_sgd"),
    ({"committed_sgd": "1000000000000"}, "committed_sgd"),
    ({"year": 1999}, "year"),
    ({"year": 2**63}, "year"),
    ({"year": 2090}, "year"),
    ({"kind": "shares"}, "kind"),
])
def test_bad_contribution_input_is_a_400_naming_the_field(world, staff, change, field):
    project = make_project(world, status=Status.ACTIVE)
    response = staff.post("/api/v1/contributions/", contribution_body(
        project, world.partner, **change), format="json")
    body = assert_error(response, 400)
    assert field in body["fields"], body
    assert not Contribution.objects.exists()


def test_a_contribution_of_an_organisation_not_taking_part_is_refused(world, staff):
    project = make_project(world, status=Status.ACTIVE)
    response = staff.post("/api/v1/contributions/", contribution_body(project, world.bystander),
                          format="json")
    assert "does not take part" in assert_error(response, 400)["fields"]["organisation"][0]


def test_partners_see_only_their_own_organisations_figures_and_totals(world, staff):
    project = make_project(world, status=Status.ACTIVE)
    year = timezone.localdate().year
    for organisation, amount in ((world.lead, 100), (world.partner, 40)):
        contribution_record(actor=SYSTEM, project=project, organisation=organisation,
                            year=year, kind="cash", committed_sgd=amount)

    partner = client_for(world.partner_member)
    rows = results(partner.get(f"/api/v1/contributions/?project={project.code}"))
    assert [row["organisation"]["slug"] for row in rows] == [world.partner.slug]
    totals = results(partner.get("/api/v1/contributions/totals/?by=workstream"))
    assert [(row["key"], row["committed_cash"]) for row in totals] == [
        (world.workstream.slug, "40.00")]

    by_organisation = results(staff.get("/api/v1/contributions/totals/?by=organisation"))
    assert [(row["name"], row["committed_cash"]) for row in by_organisation] == [
        ("Lead Institute", "100.00"), ("Partner Pharma", "40.00")]
    assert [row["key"] for row in results(
        staff.get("/api/v1/contributions/totals/?by=year"))] == [str(year)]
    assert results(staff.get("/api/v1/contributions/totals/")) == by_organisation
    assert_error(staff.get("/api/v1/contributions/totals/?by=colour"), 400)

    contribution = Contribution.objects.get(organisation=world.lead)
    assert_error(partner.get(f"/api/v1/contributions/{contribution.pk}/"), 404)
    assert_error(partner.delete(f"/api/v1/contributions/{contribution.pk}/"), 403)
    assert staff.delete(f"/api/v1/contributions/{contribution.pk}/").status_code == 204
    assert not Contribution.objects.filter(organisation=world.lead).exists()


# --- Query counts -----------------------------------------------------------------------------


def add_projects(world, count: int) -> list[Project]:
    made = []
    for number in range(count):
        project = make_project(world, status=Status.ACTIVE, visibility="public",
                               title=f"Project {number}")
        milestone_create(actor=world.investigator, project=project, title="Late",
                         due_on=in_days(-3))
        made.append(project)
    return made


def test_the_project_list_costs_the_same_queries_for_few_rows_or_many(world, mfa_staff_user):
    callers = [client_for(mfa_staff_user), client_for(), client_for(world.partner_member),
               client_for(world.bystander_member)]
    add_projects(world, 3)
    few = [queries_of_get(client, "/api/v1/projects/?page_size=100") for client in callers]
    add_projects(world, 6)
    assert [queries_of_get(client, "/api/v1/projects/?page_size=100")
            for client in callers] == few


def test_the_plan_updates_and_contributions_lists_cost_the_same_for_more_rows(
        world, mfa_staff_user):
    project = make_project(world, status=Status.ACTIVE, starts_on=in_days(-400))
    staff = client_for(mfa_staff_user)
    partner = client_for(world.partner_member)
    first_year = project.starts_on.year

    def add_rows(count, offset):
        for number in range(offset, offset + count):
            milestone_create(actor=world.investigator, project=project, title=f"M{number}",
                             due_on=in_days(number % 30))
            deliverable = planned_deliverable(world, project)
            deliverable_save_draft(actor=world.lead_member, deliverable=deliverable,
                                   file=pdf())
            status_update_post(actor=SYSTEM, project=project,
                               period=project.starts_on.replace(day=1)
                               + datetime.timedelta(days=32 * number),
                               overall="green", schedule="green", budget="green",
                               narrative="Fine.")
            organisation = OrganisationFactory()
            WorkstreamMembershipFactory(workstream=world.workstream, organisation=organisation)
            person_of_organisation(organisation)
            project_participants_set(actor=SYSTEM, project=project, organisations=[
                *project.participants.all(), organisation])
            contribution_record(actor=SYSTEM, project=project, organisation=organisation,
                                year=first_year, kind="cash", committed_sgd=number)

    lists = [(staff, f"/api/v1/milestones/?project={project.code}&page_size=100"),
             (partner, f"/api/v1/deliverables/?project={project.code}&page_size=100"),
             (partner, f"/api/v1/status-updates/?project={project.code}&page_size=100"),
             (partner, "/api/v1/deliverables/?page_size=100"),
             (partner, "/api/v1/milestones/?page_size=100"),
             (staff, "/api/v1/contributions/?page_size=100"),
             (staff, "/api/v1/contributions/totals/?by=organisation&page_size=100")]
    add_rows(2, 0)
    few = [queries_of_get(client, path) for client, path in lists]
    add_rows(4, 2)
    assert [queries_of_get(client, path) for client, path in lists] == few


def test_an_unknown_person_in_the_team_is_named(world, staff):
    UserFactory(email="former@example.org", is_active=False)
    response = staff.post("/api/v1/projects/", create_body(
        world, team=[{"email": "former@example.org", "role": "Analyst"}]), format="json")
    assert "team" in assert_error(response, 400)["fields"]
