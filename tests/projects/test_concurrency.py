"""Projects worked on by several people at the same moment: each call in its own thread and
database connection, released together, so the services' locks and constraints decide, as
between web workers."""

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from cluster_portal.accounts.models import User
from cluster_portal.core.actors import SYSTEM
from partners.models import Organisation
from projects.models import Deliverable, Project, Rag, StatusUpdate
from projects.services import (
    deliverable_approve,
    deliverable_create,
    deliverable_return,
    deliverable_submit,
    project_create,
    status_update_post,
)
from tests.projects.factories import in_days, make_project, project_world
from tests.support.races import conflicts, fresh, race, staff_with_mfa, unexpected
from workstreams.models import Workstream

pytestmark = pytest.mark.django_db(transaction=True)


def test_projects_created_at_once_get_distinct_consecutive_codes():
    world = project_world()
    officer = staff_with_mfa()

    def create(number: int):
        return lambda: project_create(
            actor=fresh(User, officer.pk), workstream=fresh(Workstream, world.workstream.pk),
            title=f"Project {number}", summary="At once.",
            lead_organisation=fresh(Organisation, world.lead.pk),
            principal_investigator=fresh(User, world.investigator.pk),
            starts_on=in_days(0), ends_on=in_days(365), trl_start=2, trl_target=4)

    outcomes = race(*(create(number) for number in range(8)))

    assert unexpected(outcomes) == []
    year = timezone.localdate().year
    codes = sorted(Project.objects.values_list("code", flat=True))
    assert codes == [f"PIPS-CM-{year}-{number:03d}" for number in range(1, 9)]
    assert sorted(outcome.code for outcome in outcomes) == codes


def test_approving_and_returning_one_deliverable_at_once_decides_it_once():
    world = project_world()
    project = make_project(world, status=Project.Status.ACTIVE)
    item = deliverable_create(actor=SYSTEM, project=project, title="Scale-up report",
                              kind="report", due_on=in_days(30))
    deliverable_submit(actor=world.lead_member, deliverable=item,
                       file=ContentFile(b"%PDF-1.4 report", name="report.pdf"))
    first, second = staff_with_mfa(), staff_with_mfa()

    outcomes = race(
        lambda: deliverable_approve(actor=fresh(User, first.pk),
                                    deliverable=fresh(Deliverable, item.pk)),
        lambda: deliverable_return(actor=fresh(User, second.pk),
                                   deliverable=fresh(Deliverable, item.pk),
                                   comments="Add the yields."),
    )

    assert unexpected(outcomes) == []
    [conflict] = conflicts(outcomes)
    [winner] = [outcome for outcome in outcomes if isinstance(outcome, Deliverable)]
    item.refresh_from_db()
    assert item.status == winner.status
    # Approved is final; a returned one goes back to its team, not to approval.
    assert conflict.code == ("already_decided" if winner.status == "approved"
                             else "not_allowed_now")
    assert item.status in (Deliverable.Status.APPROVED, Deliverable.Status.RETURNED)
    assert item.decided_by_id == (first.pk if item.status == "approved" else second.pk)


def test_two_updates_for_the_same_month_at_once_leave_one():
    world = project_world()
    project = make_project(world, status=Project.Status.ACTIVE)
    period = timezone.localdate().replace(day=1)

    def post(overall: str):
        return lambda: status_update_post(
            actor=fresh(User, world.investigator.pk), project=fresh(Project, project.pk),
            period=period, overall=overall, schedule=Rag.GREEN, budget=Rag.GREEN,
            narrative="Runs went to plan.")

    outcomes = race(post(Rag.GREEN), post(Rag.RED))

    assert unexpected(outcomes) == []
    [conflict] = conflicts(outcomes)
    assert conflict.code == "already_reported"
    [update] = StatusUpdate.objects.all()
    project.refresh_from_db()
    assert project.latest_rag == update.overall
