"""The project list (the portfolio for programme staff) and its CSV export: who sees which
projects and which of their columns, the filters and their refusals, sorting by a column,
paging, and the cost of a page however many projects there are."""

import csv
import io

import pytest
from django.core.cache import cache
from django.urls import reverse

from cluster_portal.core.actors import SYSTEM
from projects.models import Deliverable, Project, ProjectParticipant, Rag, Visibility
from projects.services import deliverable_create, milestone_create, status_update_post
from tests.factories import OrganisationFactory, WorkstreamFactory, WorkstreamMembershipFactory
from tests.projects.factories import in_days, make_project, project_world
from tests.support.queries import queries_of_get

pytestmark = pytest.mark.django_db

S = Project.Status
LIST = reverse("projects:list")
CSV = reverse("projects:portfolio_csv")


def cold_queries_of_get(client, path: str) -> int:
    """Queries of a GET with nothing kept in the cache (the staff filter's organisations are
    kept between visits): the count of the list's own reading, the same at every size."""
    cache.clear()
    return queries_of_get(client, path)


@pytest.fixture
def world():
    return project_world()


def codes_in(response) -> list[str]:
    assert response.status_code == 200
    return [project.code for project in response.context["page"].object_list]


def rated(project, rag):
    status_update_post(actor=SYSTEM, project=project, period=in_days(0), overall=rag,
                       schedule=rag, budget=rag, narrative="Monthly report.")
    project.refresh_from_db()
    return project


def csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


# --- who sees what ------------------------------------------------------------------------------

def test_visitors_see_public_projects_as_cards_without_ratings_or_overdue_work(client, world):
    public = rated(make_project(world, status=S.ACTIVE, visibility=Visibility.PUBLIC,
                                title="Public flow project"), Rag.RED)
    milestone_create(actor=SYSTEM, project=public, title="Late", due_on=in_days(-2))
    make_project(world, status=S.ACTIVE, title="Members-only project")
    make_project(world, visibility=Visibility.PUBLIC, title="Draft public project")
    response = client.get(LIST)
    assert codes_in(response) == [public.code]
    text = response.content.decode()
    assert "Public flow project" in text and "Lead Institute" in text
    assert "A pilot of continuous crystallisation." in text
    assert "rag-red" not in text and "overdue" not in text.lower()
    assert "Export CSV" not in text
    assert 'name="rag"' not in text  # filters that would tell what the summary hides


def test_workstream_members_also_see_members_projects_and_participants_their_drafts(
        client, world):
    members = make_project(world, status=S.APPROVED)
    proposed = make_project(world, status=S.PROPOSED)
    draft = make_project(world)
    client.force_login(world.bystander_member)
    assert codes_in(client.get(LIST)) == [members.code]
    client.force_login(world.partner_member)
    assert sorted(codes_in(client.get(LIST))) == sorted([members.code, proposed.code])
    client.force_login(world.outsider_member)
    assert codes_in(client.get(LIST)) == []
    assert "No project to show you yet." in client.get(LIST).content.decode()
    client.force_login(world.investigator)
    assert draft.code in codes_in(client.get(LIST))


def test_staff_see_the_whole_portfolio_with_ratings_trl_and_overdue_counts(
        client, world, mfa_staff_user):
    active = rated(make_project(world, status=S.ACTIVE), Rag.AMBER)
    milestone_create(actor=SYSTEM, project=active, title="Late", due_on=in_days(-2))
    deliverable_create(actor=SYSTEM, project=active, title="Late report", due_on=in_days(-1),
                       kind=Deliverable.Kind.REPORT)
    draft = make_project(world)
    client.force_login(mfa_staff_user)
    response = client.get(LIST)
    assert sorted(codes_in(response)) == sorted([active.code, draft.code])
    text = response.content.decode()
    assert "Project portfolio" in text and "rag-amber" in text and ">Amber<" in text
    assert "1 milestone, 1 deliverable overdue" in text
    assert "3 / 6" in text  # TRL now / target
    assert f'href="{CSV}"' in text


def test_an_empty_portfolio_says_so(client, mfa_staff_user):
    assert "No public project yet." in client.get(LIST).content.decode()
    client.force_login(mfa_staff_user)
    assert "Create the first one" in client.get(LIST).content.decode()


# --- filters, sorting and paging ------------------------------------------------------------------

def test_staff_filter_by_every_field(client, world, mfa_staff_user):
    other = WorkstreamFactory(code="DF", slug="digital-factory")
    for organisation in (world.lead, world.outsider):
        WorkstreamMembershipFactory(workstream=other, organisation=organisation)
    red = rated(make_project(world, status=S.ACTIVE, title="Red reactor"), Rag.RED)
    green = rated(make_project(world, status=S.ACTIVE, title="Green granulation",
                               trl_start=5, trl_target=7), Rag.GREEN)
    late = make_project(world, status=S.APPROVED, starts_on=in_days(-400), ends_on=in_days(-30))
    milestone_create(actor=SYSTEM, project=late, title="Late", due_on=in_days(-60))
    elsewhere = make_project(world, workstream=other, participants=[world.outsider],
                             title="Digital twin")
    client.force_login(mfa_staff_user)

    def codes(**params):
        return sorted(codes_in(client.get(LIST, params)))

    assert codes(q="reactor") == [red.code]
    assert codes(workstream="digital-factory") == [elsewhere.code]
    assert codes(status="approved") == [late.code]
    assert codes(rag="green") == [green.code]
    assert codes(rag="none") == sorted([late.code, elsewhere.code])
    assert codes(organisation=world.outsider.slug) == [elsewhere.code]
    assert codes(trl_min=4) == [green.code]
    assert codes(trl_max=4) == sorted([red.code, late.code, elsewhere.code])
    assert codes(active_from=in_days(0).isoformat()) == sorted(
        [red.code, green.code, elsewhere.code])
    assert codes(active_to=in_days(-100).isoformat()) == [late.code]
    assert codes(overdue="on") == [late.code]


def test_a_bad_filter_value_is_reported_beside_its_field_and_the_rest_still_apply(
        client, world, mfa_staff_user):
    kept = make_project(world, status=S.ACTIVE, title="Kept")
    make_project(world, title="Other")
    client.force_login(mfa_staff_user)
    response = client.get(LIST, {"status": "active", "trl_min": "12", "rag": "purple",
                                 "active_from": "31/02/2026", "workstream": "no-such",
                                 "sort": "budget"})
    assert codes_in(response) == [kept.code]
    form = response.context["form"]
    assert set(form.errors) == {"trl_min", "rag", "active_from", "workstream", "sort"}
    response = client.get(LIST, {"trl_min": 6, "trl_max": 2,
                                 "active_from": "2026-05-01", "active_to": "2026-01-01"})
    assert response.status_code == 200
    assert "Choose a level of at least 6" in response.content.decode()
    assert "Choose a day on or after the first one." in response.content.decode()


def test_others_cannot_filter_or_sort_by_what_they_are_not_shown(client, world):
    public = rated(make_project(world, status=S.ACTIVE, visibility=Visibility.PUBLIC),
                   Rag.RED)
    response = client.get(LIST, {"rag": "green", "overdue": "on", "trl_min": 9,
                                 "organisation": world.partner.slug})
    assert codes_in(response) == [public.code]  # those filters are not offered: no effect
    response = client.get(LIST, {"sort": "rag"})
    assert "sort" in response.context["form"].errors


def test_column_headings_sort_the_portfolio_and_keep_the_filters(client, world,
                                                                 mfa_staff_user):
    for title in ("Beta", "Alpha", "Gamma"):
        make_project(world, status=S.ACTIVE, title=title)
    client.force_login(mfa_staff_user)
    titles = lambda response: [p.title for p in response.context["page"].object_list]  # noqa: E731
    response = client.get(LIST, {"status": "active", "sort": "title"})
    assert titles(response) == ["Alpha", "Beta", "Gamma"]
    text = response.content.decode()
    assert 'aria-sort="ascending"' in text
    assert "?status=active&amp;sort=-title" in text  # the heading now sorts the other way
    assert titles(client.get(LIST, {"status": "active", "sort": "-title"})) == [
        "Gamma", "Beta", "Alpha"]


def test_the_portfolio_pages_by_25_and_page_links_keep_the_filters(client, world,
                                                                    mfa_staff_user):
    bulk_projects(world, 30, status=S.ACTIVE)
    client.force_login(mfa_staff_user)
    response = client.get(LIST, {"status": "active"})
    assert len(response.context["page"].object_list) == 25
    assert "status=active&amp;page=2" in response.content.decode()
    assert len(client.get(LIST, {"status": "active", "page": 2}).context["page"]) == 5


# --- the cost of a page ---------------------------------------------------------------------------

def bulk_projects(world, count, *, start=0, status=S.ACTIVE, visibility=Visibility.PUBLIC):
    """Project rows written directly: these are reading tests, and 2,000 projects through the
    services would take minutes."""
    projects = Project.objects.bulk_create([
        Project(code=f"PIPS-CM-2026-{start + n:05d}", title=f"Project {start + n}",
                summary="Bulk.", workstream=world.workstream, lead_organisation=world.lead,
                principal_investigator=world.investigator, starts_on=in_days(-10),
                ends_on=in_days(300), trl_start=2, trl_target=5, trl_current=3,
                visibility=visibility, status=status,
                latest_rag=(Rag.GREEN, Rag.AMBER, Rag.RED, "")[n % 4])
        for n in range(count)])
    ProjectParticipant.objects.bulk_create(
        [ProjectParticipant(project=project, organisation=organisation)
         for project in projects for organisation in (world.lead, world.partner)])
    return projects


@pytest.mark.parametrize("reader", ["visitor", "bystander", "participant", "staff"])
def test_the_list_costs_the_same_for_n_or_3n_projects(client, world, mfa_staff_user, reader):
    people = {"bystander": world.bystander_member, "participant": world.partner_member,
              "staff": mfa_staff_user}
    if reader in people:
        client.force_login(people[reader])
    make_project(world, status=S.ACTIVE, visibility=Visibility.PUBLIC)
    bulk_projects(world, 4, start=100)
    few = cold_queries_of_get(client, LIST)
    bulk_projects(world, 10, start=200)
    other_organisation = OrganisationFactory()
    WorkstreamMembershipFactory(workstream=world.workstream, organisation=other_organisation)
    make_project(world, status=S.ACTIVE, participants=[other_organisation])
    assert cold_queries_of_get(client, LIST) == few
    assert cold_queries_of_get(client, f"{LIST}?sort=-ends_on&page=2") == few


def test_two_thousand_projects_cost_the_first_page_what_twenty_do(client, world,
                                                                   mfa_staff_user):
    client.force_login(mfa_staff_user)
    bulk_projects(world, 20)
    twenty = cold_queries_of_get(client, LIST)
    bulk_projects(world, 1980, start=20)
    assert cold_queries_of_get(client, LIST) == twenty
    assert client.get(LIST).context["page"].paginator.count == 2000


# --- the export -----------------------------------------------------------------------------------

def test_only_staff_export_the_portfolio(client, world):
    assert client.get(CSV).status_code == 302
    client.force_login(world.partner_member)
    assert client.get(CSV).status_code == 403


def test_the_export_streams_the_filtered_rows_with_formulas_neutralised(client, world,
                                                                         mfa_staff_user):
    risky = rated(make_project(world, status=S.ACTIVE, title="=HYPERLINK(\"http://x\")"),
                  Rag.AMBER)
    milestone_create(actor=SYSTEM, project=risky, title="Late", due_on=in_days(-3))
    make_project(world, title="Draft, not asked for")
    client.force_login(mfa_staff_user)
    response = client.get(CSV, {"status": "active"})
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"].startswith("text/csv")
    header, *rows = csv_rows(response)
    assert header[:3] == ["code", "title", "workstream"]
    assert header[-2:] == ["overdue milestones", "overdue deliverables"]
    [row] = rows
    values = dict(zip(header, row, strict=True))
    assert values["code"] == risky.code
    assert values["title"] == "'=HYPERLINK(\"http://x\")"
    assert values["participants"] == "Lead Institute; Partner Pharma"
    assert values["latest RAG"] == "Amber"
    assert values["latest update month"] == f"{in_days(0):%Y-%m}"
    assert values["TRL start"] == "3" and values["TRL target"] == "6"
    assert values["overdue milestones"] == "1" and values["overdue deliverables"] == "0"


def test_the_list_links_the_export_with_the_same_filters(client, world, mfa_staff_user):
    client.force_login(mfa_staff_user)
    text = client.get(LIST, {"status": "active", "rag": "red", "page": 1}).content.decode()
    assert f"{CSV}?status=active&amp;rag=red" in text


def test_everyone_else_sorts_the_cards_by_what_they_show(client, world):
    for title in ("Beta", "Alpha"):
        make_project(world, status=S.ACTIVE, visibility=Visibility.PUBLIC, title=title)
    response = client.get(LIST, {"sort": "-title"})
    assert [p.title for p in response.context["page"].object_list] == ["Beta", "Alpha"]
    text = response.content.decode()
    assert '<option value="-title" selected>Title, Z to A</option>' in text
    assert 'value="-rag"' not in text


def test_cards_show_the_rating_and_overdue_work_only_where_the_reader_sees_the_plan(
        client, world):
    project = rated(make_project(world, status=S.ACTIVE, visibility=Visibility.PUBLIC),
                    Rag.RED)
    milestone_create(actor=SYSTEM, project=project, title="Late", due_on=in_days(-2))
    for reader in (None, world.outsider_member):  # the public summary only
        if reader:
            client.force_login(reader)
        text = client.get(LIST).content.decode()
        assert project.code in text and "rag-red" not in text and "Overdue" not in text
    client.force_login(world.bystander_member)  # a workstream member sees the plan
    text = client.get(LIST).content.decode()
    assert "rag-red" in text and "Overdue: 1 milestone" in text


def test_only_staff_are_offered_states_nobody_else_ever_sees(client, mfa_staff_user):
    """Drafts, proposals and cancelled projects are shown to their team and the programme
    only: the list's status filter offers them to staff alone."""
    offered = {value for value, _ in client.get("/projects/").context["form"]
               .fields["status"].choices}
    assert offered == {"", "approved", "active", "on_hold", "completed"}
    client.force_login(mfa_staff_user)
    offered = {value for value, _ in client.get("/projects/").context["form"]
               .fields["status"].choices}
    assert {"draft", "proposed", "cancelled"} <= offered
