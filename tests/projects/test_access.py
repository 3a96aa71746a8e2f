"""Who sees how much of a project, as a table: each kind of person against each visibility and
state. The permission (project_access) and the query (project_list_visible) are the same rule,
so for every cell the list holds the project exactly when the person sees something of it. And
one organisation's contributions are never shown to another's people."""

import pytest
from django.contrib.auth.models import AnonymousUser

from cluster_portal.core.actors import SYSTEM
from projects.models import Contribution, Project, Visibility
from projects.permissions import Access, project_access
from projects.selectors import contribution_list_visible, project_list_visible
from projects.services import contribution_record
from tests.conftest import activate_totp
from tests.factories import UserFactory
from tests.projects.factories import make_project, person_of_organisation, project_world

pytestmark = pytest.mark.django_db
S, V = Project.Status, Visibility
N, SU, M, F = Access.NONE, Access.SUMMARY, Access.MEMBER, Access.FULL

VISIBILITIES = (V.PUBLIC, V.MEMBERS, V.PARTICIPANTS)
STATES = (S.DRAFT, S.PROPOSED, S.ACTIVE, S.CANCELLED)
# For each kind of person and state: the access for a public, members and participants project.
# Drafts are their team's and the programme's; proposals and cancelled projects also their
# participants'; a running one is shown to the workstream's members (unless it is for its
# participants only) and its summary to everyone when it is public.
EXPECTED = {
    "visitor": {S.DRAFT: (N, N, N), S.PROPOSED: (N, N, N), S.ACTIVE: (SU, N, N),
                S.CANCELLED: (N, N, N)},
    "trainee": {S.DRAFT: (N, N, N), S.PROPOSED: (N, N, N), S.ACTIVE: (SU, N, N),
                S.CANCELLED: (N, N, N)},
    "outsider": {S.DRAFT: (N, N, N), S.PROPOSED: (N, N, N), S.ACTIVE: (SU, N, N),
                 S.CANCELLED: (N, N, N)},
    "bystander": {S.DRAFT: (N, N, N), S.PROPOSED: (N, N, N), S.ACTIVE: (M, M, N),
                  S.CANCELLED: (N, N, N)},
    "participant": {S.DRAFT: (N, N, N), S.PROPOSED: (F, F, F), S.ACTIVE: (F, F, F),
                    S.CANCELLED: (F, F, F)},
    "lead_member": {S.DRAFT: (N, N, N), S.PROPOSED: (F, F, F), S.ACTIVE: (F, F, F),
                    S.CANCELLED: (F, F, F)},
    "principal_investigator": dict.fromkeys(STATES, (F, F, F)),
    "team_member": dict.fromkeys(STATES, (F, F, F)),
    "staff": dict.fromkeys(STATES, (F, F, F)),
}


def people_of(world, team_member) -> dict:
    staff = UserFactory(role="programme_staff")
    activate_totp(staff)
    return {
        "visitor": AnonymousUser(), "trainee": UserFactory(), "outsider": world.outsider_member,
        "bystander": world.bystander_member, "participant": world.partner_member,
        "lead_member": world.lead_member, "principal_investigator": world.investigator,
        "team_member": team_member, "staff": staff,
    }


@pytest.mark.parametrize("kind", list(EXPECTED))
def test_who_sees_how_much_and_the_list_agrees(kind):
    world = project_world()
    team_member = person_of_organisation(world.partner)
    projects = {(visibility, state): make_project(
        world, status=state, visibility=visibility, title=f"{visibility} {state}",
        team={team_member: "Analyst"}) for visibility in VISIBILITIES for state in STATES}
    person = people_of(world, team_member)[kind]
    listed = set(project_list_visible(user=person).values_list("pk", flat=True))

    for (visibility, state), project in projects.items():
        fresh = Project.objects.get(pk=project.pk)  # nothing prefetched or remembered
        expected = EXPECTED[kind][state][VISIBILITIES.index(visibility)]
        assert project_access(person, fresh) == expected, (kind, visibility, state)
        assert (project.pk in listed) == (expected > Access.NONE), (kind, visibility, state)


def test_other_states_follow_the_same_rule_in_the_list():
    world = project_world()
    projects = [make_project(world, status=state, title=state, visibility=V.PUBLIC)
                for state in (S.APPROVED, S.ON_HOLD, S.COMPLETED)]
    people = people_of(world, person_of_organisation(world.partner))
    for kind, person in people.items():
        listed = set(project_list_visible(user=person).values_list("pk", flat=True))
        for project in projects:
            fresh = Project.objects.get(pk=project.pk)
            assert (fresh.pk in listed) == (project_access(person, fresh) > Access.NONE), kind
            assert project_access(person, fresh) >= Access.SUMMARY  # public and shown


def test_contributions_are_shown_only_to_their_own_organisation_and_staff():
    world = project_world()
    project = make_project(world, status=S.ACTIVE, participants=[world.partner])
    year = project.starts_on.year
    for organisation, amount in ((world.lead, 1000), (world.partner, 7_654_321)):
        contribution_record(actor=SYSTEM, project=project, organisation=organisation,
                            year=year, kind=Contribution.Kind.CASH, committed_sgd=amount)
    people = people_of(world, person_of_organisation(world.partner))
    shown = {kind: set(contribution_list_visible(user=person).values_list(
        "organisation__name", flat=True)) for kind, person in people.items()}
    assert shown["staff"] == {"Lead Institute", "Partner Pharma"}
    assert shown["lead_member"] == shown["principal_investigator"] == {"Lead Institute"}
    assert shown["participant"] == shown["team_member"] == {"Partner Pharma"}
    for kind in ("visitor", "trainee", "outsider", "bystander"):
        assert shown[kind] == set(), kind
