"""The projects list builds its rows from values (projects/api/rows.py) rather than through
ProjectSerializer: for every caller and access level, each row must be exactly what the
serializer presents for the same project (same fields, same values, same order)."""

import datetime

import pytest

from cluster_portal.core.actors import SYSTEM
from projects.api.serializers import ProjectSerializer
from projects.models import Project
from projects.selectors import project_portfolio, with_access_level, with_participants
from projects.services import (
    deliverable_create,
    milestone_create,
    project_team_set,
    status_update_post,
)
from tests.projects.factories import (
    in_days,
    make_project,
    person_of_organisation,
    project_world,
)
from tests.support.api import client_for

pytestmark = pytest.mark.django_db

Status = Project.Status


def serializer_rows(user) -> list[dict]:
    """What ProjectSerializer presents for the projects the list shows the person."""
    projects = with_access_level(with_participants(project_portfolio(user=user)), user=user)
    return [dict(row) for row in ProjectSerializer(projects, many=True).data]


def list_rows(user) -> list[dict]:
    response = client_for(user).get("/api/v1/projects/?page_size=100")
    assert response.status_code == 200, response.content
    return response.json()["results"]


@pytest.fixture
def portfolio():
    """Projects each caller sees at a different level: a public active one with overdue work, a
    rating and a team; a members-only one; a participants-only one; a draft."""
    world = project_world()
    public = make_project(world, status=Status.ACTIVE, visibility="public",
                          title="Flow reactor pilot")
    milestone_create(actor=SYSTEM, project=public, title="Late", due_on=in_days(-3))
    milestone_create(actor=SYSTEM, project=public, title="Later", due_on=in_days(30))
    deliverable_create(actor=SYSTEM, project=public, title="Pilot report", kind="report",
                       due_on=in_days(-2))
    status_update_post(actor=SYSTEM, project=public,
                       period=public.starts_on.replace(day=1) + datetime.timedelta(days=32),
                       overall="amber", schedule="green", budget="green", narrative="On way.")
    teammate = person_of_organisation(world.partner)
    project_team_set(actor=SYSTEM, project=public, team={teammate: "Process engineer"})
    make_project(world, status=Status.APPROVED, visibility="members", title="Members only")
    make_project(world, status=Status.ACTIVE, visibility="participants", title="Participants")
    make_project(world, title="Draft idea")
    return world, teammate


def test_rows_are_what_the_serializer_presents_at_every_access_level(portfolio,
                                                                    mfa_staff_user):
    world, teammate = portfolio
    callers = {
        "staff": (mfa_staff_user, {"full"}),
        "principal investigator": (world.investigator, {"full"}),
        "participant": (world.partner_member, {"full"}),
        "team member": (teammate, {"full"}),
        "workstream member": (world.bystander_member, {"member"}),
        "outsider": (world.outsider_member, {"summary"}),
        "visitor": (None, {"summary"}),
    }
    for caller, (user, levels) in callers.items():
        rows = list_rows(user)
        assert rows == serializer_rows(user), caller
        assert [list(row) for row in rows] == [list(row) for row in serializer_rows(user)]
        assert {row["access"] for row in rows} == levels, caller


def test_rows_show_overdue_work_participants_and_rating_to_members_only(portfolio):
    world, _ = portfolio
    member = next(row for row in list_rows(world.bystander_member)
                  if row["title"] == "Flow reactor pilot")
    assert (member["overdue_milestones"], member["overdue_deliverables"]) == (1, 1)
    assert member["latest_rag"] == "amber"
    assert [p["name"] for p in member["participants"]] == ["Lead Institute", "Partner Pharma"]
    assert member["principal_investigator"] == {"id": world.investigator.pk,
                                                "full_name": world.investigator.full_name}
    assert "visibility" not in member

    summary = next(row for row in list_rows(None) if row["title"] == "Flow reactor pilot")
    assert not {"participants", "principal_investigator", "latest_rag",
                "overdue_milestones", "visibility"} & set(summary)
