"""The access level a list annotates on each row (selectors.with_access_level) is the level the
project's own page grants (permissions.project_access), for every kind of reader, visibility and
state; and the lists of a project's parts follow it."""

import pytest

from cluster_portal.core.actors import SYSTEM
from projects.models import Project, Visibility
from projects.permissions import project_access
from projects.selectors import (
    PortfolioFilters,
    deliverable_list_visible,
    milestone_list_visible,
    person_by_email,
    project_portfolio,
    status_update_list_visible,
    with_access_level,
)
from projects.services import (
    deliverable_create,
    milestone_create,
    project_team_set,
    status_update_post,
)
from tests.factories import UserFactory
from tests.projects.factories import in_days, make_project, person_of_organisation, project_world

pytestmark = pytest.mark.django_db

STATES = (Project.Status.DRAFT, Project.Status.PROPOSED, Project.Status.ACTIVE,
          Project.Status.CANCELLED)


@pytest.fixture
def world(mfa_staff_user):
    world = project_world()
    world.staff = mfa_staff_user
    world.team_member = person_of_organisation(world.partner)
    world.trainee = UserFactory()
    projects = []
    for visibility in Visibility.values:
        for status in STATES:
            project = make_project(world, status=status, visibility=visibility)
            if status != Project.Status.CANCELLED:  # a cancelled project's team is kept
                project_team_set(actor=SYSTEM, project=project,
                                 team={world.team_member: "Research engineer"})
            projects.append(project)
    world.projects = projects
    return world


READERS = ("visitor", "trainee", "outsider_member", "bystander_member", "partner_member",
           "lead_member", "investigator", "team_member", "staff")


def _reader(world, name):
    if name == "visitor":
        from django.contrib.auth.models import AnonymousUser
        return AnonymousUser()
    return getattr(world, name)


@pytest.mark.parametrize("reader", READERS)
def test_the_annotated_level_is_the_page_level(world, reader):
    person = _reader(world, reader)
    annotated = dict(with_access_level(Project.objects.all(), user=person)
                     .values_list("pk", "access_level"))
    for project in world.projects:
        project.refresh_from_db()
        assert annotated[project.pk] == int(project_access(person, project)), (
            reader, project.visibility, project.status)


def test_parts_of_a_project_follow_its_level(world):
    shown = next(p for p in world.projects
                 if p.status == Project.Status.ACTIVE and p.visibility == Visibility.MEMBERS)
    milestone = milestone_create(actor=SYSTEM, project=shown, title="Rig", due_on=in_days(5))
    deliverable = deliverable_create(actor=SYSTEM, project=shown, title="Report",
                                     kind="report", due_on=in_days(9))
    update = status_update_post(actor=SYSTEM, project=shown, period=in_days(0),
                                overall="green", schedule="green", budget="amber",
                                narrative="On track.")
    # A member of the workstream sees the plan, not the status updates.
    assert milestone in milestone_list_visible(user=world.bystander_member)
    assert deliverable in deliverable_list_visible(user=world.bystander_member)
    assert update not in status_update_list_visible(user=world.bystander_member)
    # Someone outside the workstream sees none of a members-only project.
    assert milestone not in milestone_list_visible(user=world.outsider_member)
    assert deliverable not in deliverable_list_visible(user=world.outsider_member)
    # Participants and staff see it all.
    for person in (world.partner_member, world.staff):
        assert update in status_update_list_visible(user=person)


def test_summary_readers_cannot_filter_by_what_summaries_hide(world):
    """A filter by participant, rating or TRL would tell a visitor what the summary hides."""
    everything = set(project_portfolio(user=world.outsider_member))
    by_partner = set(project_portfolio(
        user=world.outsider_member, filters=PortfolioFilters(organisation=world.outsider.slug)))
    assert by_partner == everything
    assert set(project_portfolio(user=world.staff, filters=PortfolioFilters(
        organisation=world.outsider.slug))) == set()


def test_only_staff_look_people_up_by_address(world):
    assert person_by_email(user=world.staff, email=world.investigator.email.upper()) == \
        world.investigator
    assert person_by_email(user=world.lead_member, email=world.investigator.email) is None
