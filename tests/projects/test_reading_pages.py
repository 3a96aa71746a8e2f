"""The projects' reading pages through the client, as each kind of reader: a project's page at
the level of access the reader has, its drawn timeline, its actions, its history, the
contribution totals, the /me/ panel and the workstream page's section."""

from decimal import Decimal

import pytest
from django.urls import reverse

from cluster_portal.core.actors import SYSTEM
from projects.models import Contribution, Deliverable, Project, Rag, Visibility
from projects.services import (
    contribution_record,
    deliverable_create,
    milestone_complete,
    milestone_create,
    status_update_post,
)
from tests.factories import OrganisationFactory, UserFactory, WorkstreamMembershipFactory
from tests.projects.factories import in_days, make_project, project_world
from tests.support.queries import queries_of_get

pytestmark = pytest.mark.django_db

S = Project.Status


@pytest.fixture
def world():
    return project_world()


def detail_url(project) -> str:
    return reverse("projects:detail", args=[project.code])


def page_text(client, url, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def planned_project(world, **overrides):
    """An active project with a reached milestone, an overdue one, an overdue deliverable, a
    status update and each participant's contribution."""
    project = make_project(world, status=S.ACTIVE, objectives="Reach steady state.",
                           **overrides)
    reached = milestone_create(actor=SYSTEM, project=project, title="Rig commissioned",
                               due_on=in_days(-60))
    milestone_complete(actor=SYSTEM, milestone=reached, completed_on=in_days(-61))
    milestone_create(actor=SYSTEM, project=project, title="Seeding protocol agreed",
                     due_on=in_days(-5))
    deliverable_create(actor=SYSTEM, project=project, title="Kinetics dataset",
                       kind=Deliverable.Kind.DATASET, due_on=in_days(-3))
    status_update_post(actor=SYSTEM, project=project, period=in_days(-35).replace(day=1),
                       overall=Rag.AMBER, schedule=Rag.RED, budget=Rag.GREEN,
                       narrative="Seeding trials slipped a month.")
    for organisation, amount in ((world.lead, "120000"), (world.partner, "987654")):
        contribution_record(actor=SYSTEM, project=project, organisation=organisation,
                            year=in_days(0).year, kind=Contribution.Kind.CASH,
                            committed_sgd=Decimal(amount))
    project.refresh_from_db()
    return project


# --- one project, by access level ---------------------------------------------------------------

def test_a_hidden_project_is_not_found_exactly_like_a_missing_one(client, world):
    members_only = make_project(world, status=S.ACTIVE)
    draft = make_project(world, visibility=Visibility.PUBLIC)
    missing = reverse("projects:detail", args=["PIPS-CM-2000-999"])
    assert client.get(missing).status_code == 404
    assert client.get(detail_url(members_only)).status_code == 404
    assert client.get(detail_url(draft)).status_code == 404
    client.force_login(world.outsider_member)
    assert client.get(detail_url(members_only)).status_code == 404
    client.force_login(world.partner_member)  # a participant sees no draft yet
    assert client.get(detail_url(draft)).status_code == 404


def test_a_visitor_sees_only_the_public_summary(client, world):
    project = planned_project(world, visibility=Visibility.PUBLIC)
    text = page_text(client, detail_url(project))
    assert project.title in text and "A pilot of continuous crystallisation." in text
    assert "Lead Institute" in text and "3 at start" in text and "target 6" in text
    for hidden in ("Reach steady state.", "Seeding protocol agreed", "Kinetics dataset",
                   "Overdue", "Amber", "Partner Pharma", "Seeding trials slipped",
                   "now</strong>"):
        assert hidden not in text, hidden
    assert reverse("projects:edit", args=[project.code]) not in text


def test_a_workstream_member_sees_the_plan_with_overdue_work_named_but_not_the_reports(
        client, world):
    project = planned_project(world)
    client.force_login(world.bystander_member)
    text = page_text(client, detail_url(project))
    assert "Reach steady state." in text and "Partner Pharma" in text
    assert "Seeding protocol agreed" in text and "Kinetics dataset" in text
    assert "Overdue" in text and "2 milestones or deliverables past their due date" in text
    assert "rag-amber" in text  # the latest rating
    assert "Seeding trials slipped" not in text  # status updates are for participants
    assert "/deliverables/" not in text  # its page and file are for participants
    assert "987,654" not in text and "120,000" not in text


def test_a_participant_sees_rag_history_moves_and_only_their_own_contribution(client, world):
    project = planned_project(world)
    client.force_login(world.partner_member)
    response = client.get(detail_url(project))
    text = response.content.decode()
    assert "Seeding trials slipped a month." in text
    assert "Schedule" in text and "rag-red" in text and "rag-green" in text
    assert "Approved → <strong>Active</strong>" in text and "Set up for a test." in text
    deliverable = project.deliverables.get()
    assert reverse("projects:deliverable", args=[project.code, deliverable.pk]) in text
    assert "987,654.00" in text  # the partner's own figure
    assert "120,000" not in text  # never the lead's
    assert reverse("projects:history", args=[project.code]) not in text
    assert reverse("projects:edit", args=[project.code]) not in text
    assert reverse("projects:milestone_create", args=[project.code]) not in text


def test_the_timeline_is_drawn_against_today_and_listed_in_order(client, world):
    project = planned_project(world)
    client.force_login(world.partner_member)
    response = client.get(detail_url(project))
    drawing = response.context["drawing"]
    by_title = {mark.title: mark for mark in drawing["marks"]}
    span = (project.ends_on - project.starts_on).days
    assert by_title["Seeding protocol agreed"].state == "overdue"
    assert by_title["Seeding protocol agreed"].at == round(85 * 100 / span)
    assert by_title["Rig commissioned"].state == "done"
    assert drawing["today_at"] == round(90 * 100 / span)
    text = response.content.decode()
    assert f"tl-today tl-at-{drawing['today_at']}" in text
    assert "tl-mark tl-milestone is-overdue" in text and "tl-mark tl-milestone is-done" in text
    listed = [entry.title for entry in response.context["timeline"]]
    assert listed.index("Rig commissioned") < listed.index("Seeding protocol agreed") \
        < listed.index("Kinetics dataset")


def test_staff_see_every_action_their_role_allows(client, world, mfa_staff_user):
    project = planned_project(world)
    client.force_login(mfa_staff_user)
    text = page_text(client, detail_url(project))
    for name in ("edit", "people", "milestone_create", "deliverable_create",
                 "status_update_create", "contributions", "history"):
        assert reverse(f"projects:{name}", args=[project.code]) in text, name
    assert reverse("projects:move", args=[project.code, S.ON_HOLD]) in text
    assert reverse("projects:move", args=[project.code, S.COMPLETED]) in text
    # Cancelling a project that has started is the programme office's move, not staff's.
    assert reverse("projects:move", args=[project.code, S.CANCELLED]) not in text


def test_the_principal_investigator_may_propose_the_draft_and_plan_it(client, world):
    project = make_project(world)
    client.force_login(world.investigator)
    text = page_text(client, detail_url(project))
    assert reverse("projects:move", args=[project.code, S.PROPOSED]) in text
    assert reverse("projects:milestone_create", args=[project.code]) in text
    assert reverse("projects:edit", args=[project.code]) not in text
    assert reverse("projects:move", args=[project.code, S.CANCELLED]) not in text


def test_a_project_page_costs_the_same_however_long_its_plan_and_reports(client, world,
                                                                         mfa_staff_user):
    project = planned_project(world)
    client.force_login(mfa_staff_user)
    few = queries_of_get(client, detail_url(project))
    for n in range(6):
        milestone = milestone_create(actor=SYSTEM, project=project, title=f"Step {n}",
                                     due_on=in_days(n * 10 - 30))
        deliverable_create(actor=SYSTEM, project=project, title=f"Report {n}",
                           kind=Deliverable.Kind.REPORT, due_on=in_days(n * 10),
                           milestone=milestone)
    for day in (-85, 0):  # months other than the one already reported
        status_update_post(actor=SYSTEM, project=project, period=in_days(day),
                           overall=Rag.GREEN, schedule=Rag.GREEN, budget=Rag.GREEN,
                           narrative="On track.")
    assert queries_of_get(client, detail_url(project)) == few


# --- history --------------------------------------------------------------------------------------

def test_staff_read_the_projects_history_including_its_plan_and_reports(client, world,
                                                                        mfa_staff_user):
    project = planned_project(world)
    url = reverse("projects:history", args=[project.code])
    assert client.get(url).status_code == 302  # visitors sign in first
    client.force_login(world.investigator)
    assert client.get(url).status_code == 403
    client.force_login(mfa_staff_user)
    text = page_text(client, url)
    for phrase in ("Created a project", "Moved a project in its lifecycle", "Added a milestone",
                   "Planned a deliverable", "Posted a status update", "Recorded a contribution"):
        assert phrase in text, phrase
    assert "Seeding protocol agreed" in text


def test_the_history_pages_and_costs_the_same_for_few_or_many_events(client, world,
                                                                      mfa_staff_user):
    project = make_project(world, status=S.ACTIVE)
    url = reverse("projects:history", args=[project.code])
    client.force_login(mfa_staff_user)
    few = queries_of_get(client, url)
    for n in range(60):
        milestone_create(actor=SYSTEM, project=project, title=f"Step {n}", due_on=in_days(n))
    assert queries_of_get(client, url) == few
    assert queries_of_get(client, f"{url}?page=2") == few
    first, second = client.get(url), client.get(url, {"page": 2})
    assert len(first.context["page"].object_list) == 50
    assert "Step 59" in first.content.decode()  # latest first
    assert "Step 0" in second.content.decode()


# --- contribution totals -------------------------------------------------------------------------

def test_a_partner_sees_only_their_own_organisations_figures(client, world):
    planned_project(world)
    url = reverse("projects:contribution_totals")
    assert client.get(url).status_code == 302
    client.force_login(world.partner_member)
    response = client.get(url)
    text = response.content.decode()
    assert "Partner Pharma" in text and "987,654.00" in text
    assert "Lead Institute" not in text and "120,000" not in text
    assert "1,107,654" not in text  # no total that includes the lead's figure
    client.force_login(world.outsider_member)
    text = page_text(client, url)
    assert "No contribution of your organisations is recorded yet." in text
    assert "987,654" not in text


def test_staff_see_totals_per_workstream_organisation_and_year(client, world, mfa_staff_user):
    planned_project(world)
    client.force_login(mfa_staff_user)
    response = client.get(reverse("projects:contribution_totals"))
    text = response.content.decode()
    assert "Lead Institute" in text and "Partner Pharma" in text
    assert response.context["overall"]["committed_cash"] == Decimal("1107654")
    [by_workstream] = response.context["by_workstream"]
    assert by_workstream["project__workstream__name"] == "Workstream CM"
    assert "1,107,654.00" in text


def test_contribution_totals_cost_the_same_for_few_or_many_organisations(client, world,
                                                                          mfa_staff_user):
    def record(count):
        for _ in range(count):
            organisation = OrganisationFactory()
            WorkstreamMembershipFactory(workstream=world.workstream, organisation=organisation)
            project = make_project(world, status=S.ACTIVE, participants=[organisation])
            for year in (2026, 2027):
                contribution_record(actor=SYSTEM, project=project, organisation=organisation,
                                    year=year, kind=Contribution.Kind.IN_KIND,
                                    committed_sgd=Decimal("5000"))

    url = reverse("projects:contribution_totals")
    client.force_login(mfa_staff_user)
    record(2)
    few = queries_of_get(client, url)
    record(6)
    assert queries_of_get(client, url) == few


def test_staff_without_a_second_factor_are_not_offered_staff_actions(client, world):
    project = make_project(world, status=S.ACTIVE, visibility=Visibility.PUBLIC)
    client.force_login(UserFactory(role="programme_staff"))
    text = page_text(client, detail_url(project))
    assert reverse("projects:edit", args=[project.code]) not in text
    assert reverse("projects:move", args=[project.code, S.ON_HOLD]) not in text


# --- /me/ and the workstream page ----------------------------------------------------------------

def test_my_portal_lists_the_persons_projects_with_their_overdue_work(client, world):
    project = planned_project(world)
    client.force_login(world.investigator)
    text = page_text(client, reverse("my_portal"))
    assert "Your projects" in text and project.code in text
    assert "Overdue: 1 milestone, 1 deliverable" in text
    assert "Deliverables to review" not in text
    client.force_login(world.bystander_member)
    assert project.code not in page_text(client, reverse("my_portal"))


def test_staff_find_deliverables_to_review_and_overdue_work_on_their_page(client, world,
                                                                          mfa_staff_user):
    project = planned_project(world)
    Deliverable.objects.filter(project=project).update(status=Deliverable.Status.SUBMITTED)
    client.force_login(mfa_staff_user)
    text = page_text(client, reverse("my_portal"))
    assert "Deliverables to review" in text and "Kinetics dataset" in text
    assert "Overdue: 1 milestone and 0 deliverables" in text


def test_my_portal_panel_costs_the_same_for_few_or_many_projects(client, world, mfa_staff_user):
    def add(count):
        for _ in range(count):
            project = make_project(world, status=S.ACTIVE)
            milestone_create(actor=SYSTEM, project=project, title="Late", due_on=in_days(-1))

    add(2)
    client.force_login(world.investigator)
    few = queries_of_get(client, reverse("my_portal"))
    client.force_login(mfa_staff_user)
    staff_few = queries_of_get(client, reverse("my_portal"))
    add(6)
    assert queries_of_get(client, reverse("my_portal")) == staff_few
    client.force_login(world.investigator)
    assert queries_of_get(client, reverse("my_portal")) == few


def test_the_workstream_page_shows_the_projects_the_reader_may_see(client, world):
    running = make_project(world, status=S.ACTIVE, title="Running members-only project")
    public = make_project(world, status=S.COMPLETED, title="Finished public project",
                          visibility=Visibility.PUBLIC)
    draft = make_project(world, title="Draft idea")
    url = world.workstream.get_absolute_url()
    text = page_text(client, url)
    assert public.title in text and running.title not in text and draft.title not in text
    assert "Latest rating" not in text  # a visitor sees the public summary only
    client.force_login(world.bystander_member)
    text = page_text(client, url)
    assert text.index(running.title) < text.index(public.title)  # running first
    assert "Latest rating" in text
    assert draft.title not in text
    assert f"{reverse('projects:list')}?workstream={world.workstream.slug}" in text


def test_the_workstream_section_shows_ten_and_costs_the_same_for_more(client, world):
    for n in range(3):
        make_project(world, status=S.ACTIVE, visibility=Visibility.PUBLIC, title=f"Early {n}")
    url = world.workstream.get_absolute_url()
    client.force_login(world.bystander_member)
    few = queries_of_get(client, url)
    for n in range(9):
        make_project(world, status=S.COMPLETED, title=f"Later {n}")
    assert queries_of_get(client, url) == few
    response = client.get(url)
    [section] = [s for s in response.context["sections"] if s["key"] == "projects"]
    assert len(section["context"]["projects"]) == 10 and section["context"]["more"]
    assert "All the projects of Workstream CM" in response.content.decode()
