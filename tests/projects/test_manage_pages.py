"""The pages where programme staff set projects up and move them: a new project with its
generated code, its details, its organisations, team and skills, and its lifecycle one move at
a time (the principal investigator proposes a draft or takes it back)."""

import pytest
from django.test import Client
from django.urls import reverse

from cluster_portal.audit.models import AuditEvent
from projects.models import Project, ProjectParticipant, ProjectSkillNeed, ProjectTeamMember
from tests.conftest import activate_totp
from tests.factories import UserFactory, WorkstreamFactory, WorkstreamMembershipFactory
from tests.projects.factories import in_days, make_project, person_of_organisation, project_world
from tests.talent.factories import SkillFactory

pytestmark = pytest.mark.django_db

Status = Project.Status
CREATE = reverse("projects:create")


def signed_in(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def staff_person():
    person = UserFactory(role="programme_staff")
    activate_totp(person)
    return person


def text(response) -> str:
    return response.content.decode().replace("&#x27;", "'").replace("&quot;", '"')


@pytest.fixture
def world():
    return project_world()


@pytest.fixture
def staff():
    return staff_person()


def skills_rows(**rows) -> dict:
    data = {"skills-TOTAL_FORMS": "3", "skills-INITIAL_FORMS": "0",
            "skills-MIN_NUM_FORMS": "0", "skills-MAX_NUM_FORMS": "30"}
    data.update(rows)
    return data


def create_form(world, **changes) -> dict:
    data = {"workstream": world.workstream.pk, "title": "Continuous downstream processing",
            "summary": "A pilot line.", "objectives": "Prove it at scale.",
            "lead_organisation": world.lead.pk, "participants": [world.partner.pk],
            "principal_investigator": world.investigator.email,
            "team": f"{world.partner_member.email}, Research engineer",
            "starts_on": in_days(-10).isoformat(), "ends_on": in_days(300).isoformat(),
            "trl_start": "3", "trl_target": "6", "visibility": "members", "officer": "",
            **skills_rows()}
    data.update(changes)
    return data


def url(name: str, project, **kwargs) -> str:
    return reverse(f"projects:{name}", kwargs={"code": project.code, **kwargs})


# --- creating a project --------------------------------------------------------------------

def test_staff_create_a_project_with_a_generated_code_and_are_told_it(world, staff):
    skill = SkillFactory(name="Chromatography")
    client = signed_in(staff)
    page = client.get(CREATE)
    assert page.status_code == 200
    html = text(page)
    assert world.lead.name in html and world.partner.name in html
    assert world.outsider.name not in html  # offered only the workstreams' members
    response = client.post(CREATE, create_form(
        world, **{"skills-0-skill": skill.pk, "skills-0-level": "3"}))
    project = Project.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("projects:detail", kwargs={"code": project.code})
    assert project.code.startswith(f"{world.workstream.programme.short_name}-CM-")
    assert project.status == Status.DRAFT and project.officer == staff
    assert {p.organisation for p in project.participations.all()} == {world.lead, world.partner}
    member = ProjectTeamMember.objects.get(project=project)
    assert (member.person, member.role) == (world.partner_member, "Research engineer")
    assert ProjectSkillNeed.objects.get(project=project).level == 3
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any(project.code in m for m in messages)


def test_a_participant_outside_the_workstream_is_refused_beside_the_field(world, staff):
    other = WorkstreamFactory(code="BX", name="Workstream BX")
    WorkstreamMembershipFactory(workstream=other, organisation=world.outsider)
    response = signed_in(staff).post(CREATE, create_form(
        world, participants=[world.partner.pk, world.outsider.pk]))
    assert response.status_code == 400
    html = text(response)
    assert "Outsider Co is not a member of Workstream CM" in html
    assert 'id="id_participants_error"' in html
    assert not Project.objects.exists()


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"principal_investigator": "nobody@example.org"}, "principal_investigator",
     "No active account uses nobody@example.org"),
    ({"team": "not an address, Engineer"}, "team", "is not an e-mail address"),
    ({"team": "ghost@example.org, Engineer"}, "team", "No active account uses ghost@example.org"),
    ({"trl_start": "6", "trl_target": "3"}, "trl_target", "at least the TRL at start"),
    ({"trl_target": "12"}, "trl_target", "Select a valid choice"),
    ({"ends_on": "2000-01-01"}, "ends_on", ""),
    ({"title": ""}, "title", "required"),
])
def test_bad_input_on_the_new_project_form_is_named_and_nothing_is_created(
        world, staff, changes, field, words):
    response = signed_in(staff).post(CREATE, create_form(world, **changes))
    assert response.status_code == 400
    html = text(response)
    assert f'id="id_{field}_error"' in html
    assert words in html
    assert not Project.objects.exists()


def test_someone_outside_the_team_is_refused_as_a_team_member(world, staff):
    response = signed_in(staff).post(CREATE, create_form(
        world, team=f"{world.bystander_member.email}, Adviser"))
    assert response.status_code == 400
    assert "neither acts for a participating organisation" in text(response)
    assert not Project.objects.exists()


def test_a_skill_twice_is_refused(world, staff):
    skill = SkillFactory()
    response = signed_in(staff).post(CREATE, create_form(world, **{
        "skills-0-skill": skill.pk, "skills-0-level": "2",
        "skills-1-skill": skill.pk, "skills-1-level": "4"}))
    assert response.status_code == 400
    assert "is listed twice" in text(response)
    assert not Project.objects.exists()


@pytest.mark.parametrize("who", ["investigator", "partner_member", "bystander_member"])
def test_only_staff_create_projects(world, who):
    client = signed_in(getattr(world, who))
    assert client.get(CREATE).status_code == 403
    assert client.post(CREATE, create_form(world)).status_code == 403
    assert not Project.objects.exists()


def test_a_visitor_is_sent_to_sign_in_and_staff_without_a_second_factor_to_set_it_up(world):
    assert Client().get(CREATE).status_code == 302
    assert "login" in Client().get(CREATE)["Location"]
    response = signed_in(UserFactory(role="programme_staff")).get(CREATE)
    assert response.status_code == 302 and "login" not in response["Location"]


# --- editing -------------------------------------------------------------------------------

def edit_form(project, **changes) -> dict:
    data = {"title": project.title, "summary": project.summary, "objectives": "",
            "lead_organisation": project.lead_organisation_id,
            "principal_investigator": project.principal_investigator.email,
            "starts_on": project.starts_on.isoformat(), "ends_on": project.ends_on.isoformat(),
            "trl_start": project.trl_start, "trl_current": project.trl_current,
            "trl_target": project.trl_target, "visibility": project.visibility,
            "officer": project.officer_id or ""}
    data.update(changes)
    return data


def test_staff_change_the_details(world, staff):
    project = make_project(world, officer=staff)
    client = signed_in(staff)
    page = client.get(url("edit", project))
    assert page.status_code == 200 and project.title in text(page)
    response = client.post(url("edit", project), edit_form(
        project, title="A renamed project", visibility="public", trl_current="4"))
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.title, project.visibility, project.trl_current) == (
        "A renamed project", "public", 4)


def test_a_lead_organisation_that_does_not_take_part_is_refused(world, staff):
    project = make_project(world)
    response = signed_in(staff).post(url("edit", project), edit_form(
        project, lead_organisation=world.bystander.pk))
    assert response.status_code == 400
    assert "Bystander Biotech does not take part in the project" in text(response)
    project.refresh_from_db()
    assert project.lead_organisation == world.lead


def test_dates_that_would_leave_a_milestone_outside_are_refused(world, staff):
    from projects.services import milestone_create
    project = make_project(world)
    milestone_create(actor=staff, project=project, title="Pilot run", due_on=in_days(200))
    response = signed_in(staff).post(url("edit", project), edit_form(
        project, ends_on=in_days(100).isoformat()))
    assert response.status_code == 400
    assert "Pilot run would fall outside the project's dates" in text(response)
    project.refresh_from_db()
    assert project.ends_on == in_days(640)


@pytest.mark.parametrize("who", ["investigator", "lead_member", "partner_member"])
def test_only_staff_edit(world, who):
    project = make_project(world, status=Status.ACTIVE)
    client = signed_in(getattr(world, who))
    assert client.get(url("edit", project)).status_code == 403
    assert client.post(url("edit", project), edit_form(project, title="Mine")).status_code == 403
    project.refresh_from_db()
    assert project.title != "Mine"


def test_a_completed_project_is_not_edited(world, staff):
    project = make_project(world, status=Status.COMPLETED)
    response = signed_in(staff).get(url("edit", project))
    assert response.status_code == 302 and response["Location"] == url("detail", project)


def test_a_missing_project_is_a_404(staff):
    assert signed_in(staff).get(reverse("projects:edit", kwargs={"code": "NO-SUCH"})
                                ).status_code == 404


# --- organisations, team and skills --------------------------------------------------------

def test_staff_set_participants_team_and_skills_each_on_its_own(world, staff):
    project = make_project(world)
    client = signed_in(staff)
    page = text(client.get(url("people", project)))
    assert world.bystander.name in page and world.outsider.name not in page
    response = client.post(url("people", project), {
        "part": "participants", "participants": [world.partner.pk, world.bystander.pk]})
    assert response.status_code == 302
    assert set(project.participations.values_list("organisation", flat=True)) == {
        world.lead.pk, world.partner.pk, world.bystander.pk}
    response = client.post(url("people", project), {
        "part": "team", "team": f"{world.bystander_member.email}, Analyst\n\n"})
    assert response.status_code == 302
    assert project.team.get().person == world.bystander_member
    skill = SkillFactory()
    response = client.post(url("people", project), {
        "part": "skills", **skills_rows(**{"skills-0-skill": skill.pk, "skills-0-level": "5"})})
    assert response.status_code == 302
    assert project.skill_needs.get().level == 5


def test_a_participant_not_a_workstream_member_is_refused_on_the_people_page(world, staff):
    project = make_project(world)
    other = WorkstreamFactory(code="BX", name="Workstream BX")
    WorkstreamMembershipFactory(workstream=other, organisation=world.outsider)
    response = signed_in(staff).post(url("people", project), {
        "part": "participants", "participants": [world.partner.pk, world.outsider.pk]})
    # Not offered: an organisation outside the workstream is not among the choices at all.
    assert response.status_code == 400
    assert 'id="participants-participants_error"' in text(response)
    assert not ProjectParticipant.objects.filter(organisation=world.outsider).exists()


def test_a_team_member_outside_the_organisations_is_refused(world, staff):
    project = make_project(world)
    response = signed_in(staff).post(url("people", project), {
        "part": "team", "team": f"{world.outsider_member.email}, Adviser"})
    assert response.status_code == 400
    assert "neither acts for a participating organisation" in text(response)
    assert not project.team.exists()


@pytest.mark.parametrize("who", ["investigator", "partner_member"])
def test_only_staff_set_the_people(world, who):
    project = make_project(world, status=Status.ACTIVE)
    client = signed_in(getattr(world, who))
    assert client.get(url("people", project)).status_code == 403
    response = client.post(url("people", project), {
        "part": "team", "team": f"{world.lead_member.email}, Engineer"})
    assert response.status_code == 403
    assert not project.team.exists()


# --- the lifecycle -------------------------------------------------------------------------

def test_staff_move_a_project_after_a_confirmation(world, staff):
    project = make_project(world, status=Status.PROPOSED)
    client = signed_in(staff)
    page = client.get(url("move", project, to="approved"))
    assert page.status_code == 200
    assert "core/confirm_page.html" in [t.name for t in page.templates]
    assert f"Approve {project.code}?" in text(page)
    project.refresh_from_db()
    assert project.status == Status.PROPOSED  # the page changed nothing
    response = client.post(url("move", project, to="approved"), {"reason": ""})
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.status == Status.APPROVED
    assert project.transitions.last().by == staff


def test_a_move_that_must_say_why_asks_for_the_reason(world, staff):
    project = make_project(world, status=Status.ACTIVE)
    client = signed_in(staff)
    assert 'name="reason"' in text(client.get(url("move", project, to="on_hold")))
    response = client.post(url("move", project, to="on_hold"), {"reason": "  "})
    assert response.status_code == 400
    assert "Say why" in text(response)
    project.refresh_from_db()
    assert project.status == Status.ACTIVE
    response = client.post(url("move", project, to="on_hold"), {"reason": "Funding review."})
    project.refresh_from_db()
    assert response.status_code == 302 and project.status == Status.ON_HOLD
    assert project.transitions.last().reason == "Funding review."


def test_a_move_from_the_wrong_state_is_a_409_naming_the_moves_allowed(world, staff):
    project = make_project(world, status=Status.DRAFT)
    client = signed_in(staff)
    for response in (client.get(url("move", project, to="completed")),
                     client.post(url("move", project, to="completed"), {"reason": "x"})):
        assert response.status_code == 409
        html = text(response)
        assert f"Project {project.code} is draft; from there it can only be proposed, " \
               "cancelled." in html
    project.refresh_from_db()
    assert project.status == Status.DRAFT
    assert not AuditEvent.objects.filter(action="project.transition").exists()


def test_the_principal_investigator_proposes_the_draft_but_does_not_approve_it(world):
    project = make_project(world, status=Status.DRAFT)
    client = signed_in(world.investigator)
    assert client.get(url("move", project, to="proposed")).status_code == 200
    assert client.post(url("move", project, to="proposed")).status_code == 302
    project.refresh_from_db()
    assert project.status == Status.PROPOSED
    response = client.post(url("move", project, to="approved"))
    assert response.status_code == 403
    assert "Only programme staff may approve" in text(response)
    project.refresh_from_db()
    assert project.status == Status.PROPOSED


def test_only_the_programme_office_cancels_a_started_project(world, staff):
    project = make_project(world, status=Status.ACTIVE)
    response = signed_in(staff).post(url("move", project, to="cancelled"), {"reason": "No."})
    assert response.status_code == 403
    assert "Only the programme office may cancel" in text(response)
    project.refresh_from_db()
    assert project.status == Status.ACTIVE


@pytest.mark.parametrize("who", ["lead_member", "partner_member", "bystander_member"])
def test_people_without_a_move_role_are_refused(world, who):
    project = make_project(world, status=Status.APPROVED, visibility="members")
    client = signed_in(getattr(world, who))
    assert client.get(url("move", project, to="active")).status_code == 403
    assert client.post(url("move", project, to="active")).status_code == 403
    project.refresh_from_db()
    assert project.status == Status.APPROVED


def test_a_hidden_project_or_an_unknown_state_is_a_404(world, staff):
    project = make_project(world, status=Status.DRAFT)
    assert signed_in(world.outsider_member).get(
        url("move", project, to="proposed")).status_code == 404
    assert signed_in(staff).get(url("move", project, to="finished")).status_code == 404


def test_a_visitor_is_sent_to_sign_in_before_a_move(world):
    project = make_project(world, status=Status.APPROVED, visibility="public")
    response = Client().post(url("move", project, to="active"))
    assert response.status_code == 302 and "login" in response["Location"]
    project.refresh_from_db()
    assert project.status == Status.APPROVED


def test_a_person_of_the_lead_organisation_is_not_its_principal_investigator(world):
    project = make_project(world, status=Status.PROPOSED)
    someone = person_of_organisation(world.lead)
    client = signed_in(someone)
    assert client.get(url("move", project, to="draft")).status_code == 403
    assert signed_in(someone).get(url("move", make_project(world), to="proposed")
                                  ).status_code == 404  # a draft is hidden from them


def test_each_organisation_offered_names_its_workstreams(world, staff):
    other = WorkstreamFactory(code="BX", name="Workstream BX")
    WorkstreamMembershipFactory(workstream=other, organisation=world.outsider)
    WorkstreamMembershipFactory(workstream=other, organisation=world.partner)
    html = text(signed_in(staff).get(CREATE))
    assert "Partner Pharma (Workstream BX, Workstream CM)" in html
    assert "Outsider Co (Workstream BX)" in html


def test_the_edit_page_says_the_lead_organisation_is_one_of_the_participants(world, staff):
    project = make_project(world)
    html = text(signed_in(staff).get(url("edit", project)))
    assert "One of the participating organisations; its people submit" in html


def test_the_way_out_of_cancelling_a_project_is_not_called_cancel(world, staff):
    """"Cancel the project" beside a "Cancel" that keeps it would read as two ways to do it."""
    project = make_project(world)
    html = text(signed_in(staff).get(url("move", project, to="cancelled")))
    assert "Back to the project" in html
    assert "data-confirm-cancel>Cancel<" not in html
