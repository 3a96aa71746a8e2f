"""The portfolio's export for programme staff: exactly what the list shows them with the same
filters and sort, streamed with formula cells neutralised, at a cost that does not grow with the
portfolio; a portfolio longer than settings.LIST_EXPORT_MAX_ROWS becomes a report job, which
writes the same rows."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from cluster_portal.core.actors import SYSTEM
from cluster_portal.reports.models import ReportJob
from projects.models import Project, Rag, Visibility
from projects.services import status_update_post
from tests.projects.factories import in_days, make_project, project_world
from tests.projects.test_portfolio import bulk_projects
from tests.support.list_exports import export_queries, job_asked_by, job_rows, streamed_rows

pytestmark = pytest.mark.django_db

S = Project.Status
LIST = reverse("projects:list")
CSV = reverse("projects:portfolio_csv")


@pytest.fixture
def world():
    return project_world()


def listed_codes(client, data) -> list[str]:
    response = client.get(LIST, {**data, "page": 1})
    assert response.status_code == 200
    return [project.code for project in response.context["page"].paginator.object_list]


def test_the_export_lists_what_the_list_shows_staff_with_the_same_filters_and_sort(
        client, world, mfa_staff_user):
    confidential = make_project(world, status=S.ACTIVE, title="Project-only work",
                                visibility=Visibility.PARTICIPANTS)
    red = make_project(world, status=S.ACTIVE, title="Red one")
    status_update_post(actor=SYSTEM, project=red, period=in_days(0), overall=Rag.RED,
                       schedule=Rag.RED, budget=Rag.RED, narrative="Late.")
    make_project(world, title="A draft")
    client.force_login(mfa_staff_user)
    for data in ({}, {"status": "active", "sort": "-title"}, {"rag": "red"},
                 {"q": "draft"}, {"status": "not-a-status"}):
        _header, *rows = streamed_rows(client.get(CSV, data))
        assert [row[0] for row in rows] == listed_codes(client, data), data
    _header, *rows = streamed_rows(client.get(CSV, {"status": "active", "sort": "title"}))
    assert [row[1] for row in rows] == ["Project-only work", "Red one"]
    assert confidential.code in [row[0] for row in rows]  # staff see every project


def test_only_programme_staff_export(client, world):
    make_project(world, status=S.ACTIVE, visibility=Visibility.PUBLIC)
    assert client.get(CSV).status_code == 302
    for person in (world.partner_member, world.investigator):
        client.force_login(person)
        assert client.get(CSV).status_code == 403
    assert not ReportJob.objects.exists()


def test_formula_cells_are_neutralised(client, world, mfa_staff_user):
    make_project(world, status=S.ACTIVE, title="=HYPERLINK(\"http://evil.example\",\"x\")")
    client.force_login(mfa_staff_user)
    header, [row] = (lambda rows: (rows[0], rows[1:]))(streamed_rows(client.get(CSV)))
    assert dict(zip(header, row, strict=True))["title"] == \
        "'=HYPERLINK(\"http://evil.example\",\"x\")"


def test_the_export_costs_the_same_for_n_or_3n_projects(client, world, mfa_staff_user):
    client.force_login(mfa_staff_user)
    bulk_projects(world, 5)
    cache.clear()  # the staff filter's organisations are kept between visits
    few = export_queries(client, CSV, {"status": "active"})
    bulk_projects(world, 10, start=100)
    cache.clear()
    assert export_queries(client, CSV, {"status": "active"}) == few


def test_a_portfolio_above_the_limit_becomes_a_job_writing_the_same_rows(
        client, world, mfa_staff_user, settings):
    bulk_projects(world, 4)
    make_project(world, title="=Drafted", status=S.DRAFT)
    make_project(world, title="Not active yet", status=S.APPROVED)
    client.force_login(mfa_staff_user)
    data = {"status": "active", "sort": "-code", "page": "2"}
    streamed = streamed_rows(client.get(CSV, data))
    assert len(streamed) == 5
    settings.LIST_EXPORT_MAX_ROWS = 3
    job = job_asked_by(client, CSV, data)
    assert (job.kind, job.format, job.requester) == ("portfolio_list", "csv", mfa_staff_user)
    assert job.parameters == {"filters": {"status": "active", "sort": "-code"}}
    assert job_rows(job) == streamed


def test_the_job_reads_the_portfolio_as_its_requester_sees_it(client, world, mfa_staff_user,
                                                               settings):
    make_project(world, status=S.ACTIVE, title="=Hidden from none of staff",
                 visibility=Visibility.PARTICIPANTS)
    bulk_projects(world, 3)
    client.force_login(mfa_staff_user)
    settings.LIST_EXPORT_MAX_ROWS = 3
    rows = job_rows(job_asked_by(client, CSV))
    assert "'=Hidden from none of staff" in [row[1] for row in rows]
    assert len(rows) == 5
