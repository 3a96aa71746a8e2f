"""The projects admin: programme admins read projects and deliverables, move a project only
through the actions (project_transition, so a wrong move is refused in words and nothing
changes), decide submitted deliverables through their services, and never edit a status."""

import pytest
from django.contrib.messages import get_messages
from django.core.files.base import ContentFile
from django.urls import reverse

from cluster_portal.audit.models import AuditEvent
from cluster_portal.core.actors import SYSTEM
from projects.models import Deliverable, Project, ProjectTransition
from projects.services import deliverable_create, deliverable_submit, milestone_create
from tests.projects.factories import in_days, make_project, project_world
from tests.support.queries import queries_of_get

pytestmark = pytest.mark.django_db
S = Project.Status


@pytest.fixture
def office(client, mfa_admin_user):
    client.force_login(mfa_admin_user)
    return client


@pytest.fixture
def world():
    return project_world()


def url(model: str, view: str = "changelist", *args) -> str:
    return reverse(f"admin:projects_{model}_{view}", args=args)


def page_messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def submitted(world, project) -> Deliverable:
    deliverable = deliverable_create(actor=SYSTEM, project=project, title="Scale-up report",
                                     kind="report", due_on=in_days(30))
    return deliverable_submit(actor=world.lead_member, deliverable=deliverable,
                              file=ContentFile(b"%PDF-1.4 report", name="report.pdf"))


def test_the_project_pages_load_with_the_plan_and_moves_for_reading(office, world):
    project = make_project(world, status=S.ACTIVE)
    milestone_create(actor=SYSTEM, project=project, title="Pilot line commissioned",
                     due_on=in_days(10))
    listing = office.get(url("project"), {"q": project.code})
    assert listing.status_code == 200
    assert project.code in listing.content.decode()
    page = office.get(url("project", "change", project.pk))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Pilot line commissioned" in body and "Lead Institute" in body
    # Shown, never a field to set: no form control carries the status.
    assert 'name="status"' not in body
    assert office.get(url("project", "add")).status_code == 403
    assert office.get(url("project", "delete", project.pk)).status_code == 403
    deliverable_page = office.get(url("deliverable", "change", submitted(world, project).pk))
    assert deliverable_page.status_code == 200
    assert 'name="status"' not in deliverable_page.content.decode()


def test_posting_a_status_to_the_change_page_changes_nothing(office, world):
    project = make_project(world, status=S.PROPOSED)
    response = office.post(url("project", "change", project.pk),
                           {"status": S.ACTIVE, "title": "Another title"})
    assert response.status_code == 403
    project.refresh_from_db()
    assert (project.status, project.title) == (S.PROPOSED, "Continuous crystallisation of an API")


def test_an_action_moves_the_project_through_its_service(office, world):
    project = make_project(world, status=S.PROPOSED)
    response = office.post(url("project"), {"action": "move_to_approved",
                                            "_selected_action": [project.pk]}, follow=True)
    project.refresh_from_db()
    assert project.status == S.APPROVED
    assert "1 project(s) now approved." in page_messages(response)
    move = ProjectTransition.objects.get(project=project, to_status=S.APPROVED)
    assert move.by == response.wsgi_request.user
    assert AuditEvent.objects.filter(action="project.transition", target_id=project.pk).exists()


def test_a_move_the_state_does_not_allow_is_refused_in_words(office, world):
    project = make_project(world, status=S.DRAFT)
    response = office.post(url("project"), {"action": "move_to_completed",
                                            "_selected_action": [project.pk]}, follow=True)
    project.refresh_from_db()
    assert project.status == S.DRAFT
    [message] = page_messages(response)
    assert project.code in message
    assert "from there it can only be proposed, cancelled" in message
    assert not ProjectTransition.objects.filter(project=project, to_status=S.COMPLETED).exists()


def test_cancelling_from_the_admin_gives_the_standard_reason(office, world):
    project = make_project(world, status=S.ACTIVE)
    office.post(url("project"), {"action": "move_to_cancelled",
                                 "_selected_action": [project.pk]}, follow=True)
    project.refresh_from_db()
    assert project.status == S.CANCELLED
    assert "programme office" in project.transitions.get(to_status=S.CANCELLED).reason


def test_deliverables_are_approved_and_returned_through_their_services(office, world):
    project = make_project(world, status=S.ACTIVE)
    first, second = submitted(world, project), submitted(world, project)
    office.post(url("deliverable"), {"action": "approve_selected",
                                     "_selected_action": [first.pk]}, follow=True)
    office.post(url("deliverable"), {"action": "return_selected",
                                     "_selected_action": [second.pk]}, follow=True)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Deliverable.Status.APPROVED
    assert second.status == Deliverable.Status.RETURNED and second.decision_reason
    assert AuditEvent.objects.filter(action="deliverable.return").exists()
    # Deciding one again is refused in words; it stays as it was.
    response = office.post(url("deliverable"), {"action": "return_selected",
                                                "_selected_action": [first.pk]}, follow=True)
    first.refresh_from_db()
    assert first.status == Deliverable.Status.APPROVED
    assert any("already approved" in message for message in page_messages(response))


def test_programme_staff_without_the_admin_role_do_not_reach_the_admin(client, mfa_staff_user,
                                                                        world):
    project = make_project(world, status=S.PROPOSED)
    client.force_login(mfa_staff_user)
    response = client.post(url("project"), {"action": "move_to_approved",
                                            "_selected_action": [project.pk]})
    assert response.status_code in (302, 403)
    project.refresh_from_db()
    assert project.status == S.PROPOSED


@pytest.mark.parametrize("model", ["project", "deliverable"])
def test_the_lists_cost_the_same_for_few_rows_or_many(office, model):
    def add(count):
        for _ in range(count):
            world = project_world(code=f"W{add.made}")
            add.made += 1
            project = make_project(world, status=S.ACTIVE)
            submitted(world, project)

    add.made = 0
    add(2)
    few = queries_of_get(office, url(model))
    add(6)
    assert queries_of_get(office, url(model)) == few
