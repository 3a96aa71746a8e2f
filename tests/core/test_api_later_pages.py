"""A page after the first of a hot API list (rows read as values) is read as the rows whose ids
the list's own page names (core.api.rows.PagedValues): page by page, the list is the same rows
in the same order as read whole, each once."""

import pytest

from projects.models import Project
from talent.models import Enrolment
from tests.factories import (
    OrganisationFactory,
    UserFactory,
    WorkstreamFactory,
    WorkstreamMembershipFactory,
)
from tests.projects.factories import make_project, project_world
from tests.support.api import client_for
from tests.talent.factories import CourseFactory, CourseRunFactory

pytestmark = pytest.mark.django_db


def _paged(client, path: str, page_size: int) -> list[dict]:
    rows, page = [], 1
    while True:
        response = client.get(f"{path}?page_size={page_size}&page={page}")
        assert response.status_code == 200, response.content
        body = response.json()
        rows += body["results"]
        if body["next"] is None:
            return rows
        page += 1


def _whole(client, path: str) -> list[dict]:
    return client.get(f"{path}?page_size=100").json()["results"]


def test_the_directory_page_by_page_is_the_directory(api_client):
    workstream = WorkstreamFactory()
    for number in range(11):
        organisation = OrganisationFactory(name=f"Partner {number:02d}")
        if number % 3:
            WorkstreamMembershipFactory(organisation=organisation, workstream=workstream)
    whole = _whole(api_client, "/api/v1/organisations/")
    assert len(whole) == 11
    assert _paged(api_client, "/api/v1/organisations/", 3) == whole
    assert _paged(api_client, "/api/v1/organisations/", 4) == whole


def test_the_catalogue_and_the_enrolments_page_by_page(mfa_admin_user):
    courses = [CourseFactory(code=f"CM-{number:03d}") for number in range(7)]
    for course in courses:
        CourseRunFactory(course=course)
    client = client_for(mfa_admin_user)
    whole = _whole(client, "/api/v1/courses/")
    assert [course["code"] for course in whole] == [course.code for course in courses]
    assert _paged(client, "/api/v1/courses/", 2) == whole


def test_the_enrolments_and_the_portfolio_page_by_page(mfa_admin_user):
    run = CourseRunFactory(capacity=50)
    for _ in range(9):
        Enrolment.objects.create(person=UserFactory(), run=run, status=Enrolment.Status.CONFIRMED)
    world = project_world()
    for number in range(5):
        make_project(world, status=Project.Status.ACTIVE, title=f"Project {number}")
    client = client_for(mfa_admin_user)
    for path, size in (("/api/v1/enrolments/", 2), ("/api/v1/projects/", 2)):
        whole = _whole(client, path)
        assert len(whole) in (9, 5)
        assert _paged(client, path, size) == whole, path
