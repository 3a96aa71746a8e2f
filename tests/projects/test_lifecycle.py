"""A project's lifecycle as a table: every move from every state, by every kind of person, is
allowed exactly when Project.MOVES has it and permissions.MOVE_ROLES names the person's role; a
move the state does not allow is a Conflict naming the moves it does allow, one the person may
not make is NotAllowed naming who may. Each move is recorded: who, when, from where, why."""

import pytest
from django.db import transaction
from django.utils import timezone

from cluster_portal.audit.models import AuditEvent
from cluster_portal.core.exceptions import ApplicationError, Conflict, NotAllowed
from projects.models import Project, ProjectTransition
from projects.permissions import (
    MOVE_ROLES,
    PRINCIPAL_INVESTIGATOR,
    PROGRAMME_ADMIN,
    ROLE_WORDS,
    STAFF,
)
from projects.services import project_moves_for, project_transition
from tests.conftest import activate_totp
from tests.factories import UserFactory
from tests.projects.factories import make_project, project_world

pytestmark = pytest.mark.django_db
S = Project.Status

# Each kind of person, and the roles of MOVE_ROLES they hold (a programme admin is also staff).
PEOPLE = {
    "staff": {STAFF},
    "admin": {STAFF, PROGRAMME_ADMIN},
    "principal_investigator": {PRINCIPAL_INVESTIGATOR},
    "team_member": set(),
    "lead_member": set(),
    "outsider": set(),
}


def person(kind: str, world, project):
    if kind in ("staff", "admin"):
        someone = UserFactory(role="programme_staff" if kind == "staff" else "programme_admin")
        activate_totp(someone)
        return someone
    return {"team_member": world.partner_member, "principal_investigator": world.investigator,
            "lead_member": world.lead_member, "outsider": world.outsider_member}[kind]


def with_team(world, status: str) -> Project:
    """The partner's person is on the team (and so not the principal investigator)."""
    return make_project(world, status=status, team={world.partner_member: "Chemist"})


def staff():
    someone = UserFactory(role="programme_staff")
    activate_totp(someone)
    return someone


def expected(from_status: str, to: str, kind: str) -> str:
    if not PEOPLE[kind]:
        # Someone who moves no project is refused as such before the state is looked at.
        return "not_allowed"
    if to not in Project.MOVES.moves.get(from_status, ()):
        return "conflict"
    return "moved" if MOVE_ROLES[(from_status, to)] & PEOPLE[kind] else "not_allowed"


def test_the_roles_table_covers_exactly_the_moves_of_the_lifecycle():
    moves = {(a, b) for a, targets in Project.MOVES.moves.items() for b in targets}
    assert set(MOVE_ROLES) == moves


@pytest.mark.parametrize("kind", list(PEOPLE))
@pytest.mark.parametrize("from_status", S.values)
def test_every_move_by_every_person(from_status, kind):
    """Every move out of `from_status`, each tried in a savepoint that is then rolled back, so
    one project serves them all."""
    world = project_world()
    project = with_team(world, from_status)
    actor = person(kind, world, project)
    for to in S.values:
        if to == from_status:
            continue
        project.refresh_from_db()
        outcome = expected(from_status, to, kind)
        with transaction.atomic():
            _try_move(project, actor=actor, to=to, outcome=outcome, kind=kind)
            transaction.set_rollback(True)


def _try_move(project, *, actor, to, outcome, kind):
    from_status = project.status
    before = ProjectTransition.objects.filter(project=project).count()
    if outcome == "moved":
        moved = project_transition(actor=actor, project=project, to=to, reason="As agreed.")
        assert moved.status == to
        project.refresh_from_db()
        assert project.status == to
        assert ProjectTransition.objects.filter(project=project).count() == before + 1
        return
    error_type = Conflict if outcome == "conflict" else NotAllowed
    with pytest.raises(error_type) as refused:
        project_transition(actor=actor, project=project, to=to, reason="As agreed.")
    message = refused.value.message
    if outcome == "conflict":
        allowed = Project.MOVES.moves.get(from_status, ())
        if allowed:
            assert "can only be " + ", ".join(S(state).label.lower()
                                              for state in allowed) in message
        else:
            assert f"already {S(from_status).label.lower()}" in message
    elif not PEOPLE[kind]:
        assert "Only programme staff and the project's principal investigator" in message
    else:
        for role in MOVE_ROLES[(from_status, to)]:
            assert ROLE_WORDS[role] in message
    project.refresh_from_db()
    assert project.status == from_status  # nothing changed
    assert ProjectTransition.objects.filter(project=project).count() == before


@pytest.mark.parametrize("kind", list(PEOPLE))
@pytest.mark.parametrize("from_status", S.values)
def test_the_moves_offered_are_the_moves_allowed(from_status, kind):
    world = project_world()
    project = with_team(world, from_status)
    actor = person(kind, world, project)
    offered = project_moves_for(actor=actor, project=project)
    assert set(offered) == {to for to in S.values if to != from_status
                            and expected(from_status, to, kind) == "moved"}


@pytest.mark.parametrize(("from_status", "to"), [
    (S.DRAFT, S.CANCELLED), (S.PROPOSED, S.CANCELLED), (S.PROPOSED, S.DRAFT),
    (S.APPROVED, S.ON_HOLD), (S.ACTIVE, S.ON_HOLD), (S.ACTIVE, S.CANCELLED),
])
def test_cancelling_holding_and_sending_back_need_a_reason(from_status, to):
    world = project_world()
    project = make_project(world, status=from_status)
    admin = UserFactory(role="programme_admin")
    activate_totp(admin)
    for reason in ("", "   "):
        with pytest.raises(ApplicationError) as refused:
            project_transition(actor=admin, project=project, to=to, reason=reason)
        assert "reason" in refused.value.fields
    project.refresh_from_db()
    assert project.status == from_status
    assert not project.transitions.filter(to_status=to).exists()


def test_a_state_that_does_not_exist_is_refused_with_the_states_named():
    world = project_world()
    project = make_project(world)
    with pytest.raises(ApplicationError) as refused:
        project_transition(actor=staff(), project=project, to="finished")
    assert "draft" in refused.value.fields["to"][0]


def test_each_move_records_who_when_from_where_and_why():
    world = project_world()
    project = make_project(world)
    officer = staff()
    started = timezone.now()
    project_transition(actor=world.investigator, project=project, to=S.PROPOSED)
    project_transition(actor=officer, project=project, to=S.DRAFT,
                       reason="  Add the partner's budget first.  ")
    moves = list(project.transitions.order_by("at", "pk"))
    assert [(m.from_status, m.to_status, m.by) for m in moves] == [
        (S.DRAFT, S.PROPOSED, world.investigator), (S.PROPOSED, S.DRAFT, officer)]
    assert moves[1].reason == "Add the partner's budget first."
    assert all(started <= m.at <= timezone.now() for m in moves)
    project.refresh_from_db()
    assert (project.decided_by, project.decision_reason) == (officer,
                                                             "Add the partner's budget first.")
    events = AuditEvent.objects.filter(action="project.transition", target_id=project.pk)
    assert [e.changes["status"] for e in events.order_by("pk")] == [
        [S.DRAFT, S.PROPOSED], [S.PROPOSED, S.DRAFT]]
