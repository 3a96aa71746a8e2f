"""The weekly reminder of overdue project work: the principal investigator of a running project
with overdue milestones or deliverables hears of them once a week, by notice and e-mail naming
them; nobody else, and nobody for a project with nothing overdue or that is not running."""

import datetime

import pytest
from django.conf import settings
from django.core.files.base import ContentFile

from cluster_portal.core.actors import SYSTEM
from cluster_portal.notifications.models import Notification, OutgoingEmail
from projects import notification_kinds as kinds
from projects.models import Project
from projects.services import (
    deliverable_create,
    deliverable_submit,
    milestone_complete,
    milestone_create,
    project_transition,
)
from projects.tasks import remind_overdue_project_work
from tests.projects.factories import in_days, make_project, project_world

pytestmark = pytest.mark.django_db
S = Project.Status
KIND = kinds.PROJECT_WORK_OVERDUE.key


def reminders() -> list[Notification]:
    return list(Notification.objects.filter(kind=KIND).select_related("recipient"))


def with_overdue_work(world, *, status=S.ACTIVE, title="Continuous crystallisation of an API"):
    project = make_project(world, status=S.ACTIVE if status in (S.COMPLETED, S.ON_HOLD)
                           else status, title=title, team={world.partner_member: "Chemist"})
    milestone_create(actor=SYSTEM, project=project, title="Pilot line commissioned",
                     due_on=in_days(-10))
    deliverable_create(actor=SYSTEM, project=project, title="Kinetics dataset", kind="dataset",
                       due_on=in_days(-3))
    return project


def a_week_passes() -> None:
    """The reminder's mark moves back a week, as if the last run were a week ago."""
    for project in Project.objects.exclude(overdue_reminded_on=None):
        Project.objects.filter(pk=project.pk).update(
            overdue_reminded_on=project.overdue_reminded_on - datetime.timedelta(days=7))


def test_the_investigator_hears_once_a_week_of_the_overdue_items():
    world = project_world()
    project = with_overdue_work(world)

    assert remind_overdue_project_work() == 1
    [notice] = reminders()
    assert notice.recipient == world.investigator
    assert notice.message == f"{project.code} has 2 overdue items."
    email = OutgoingEmail.objects.get(kind=KIND)
    assert email.to == world.investigator.email
    assert "Pilot line commissioned" in email.body_text
    assert "Kinetics dataset" in email.body_text
    assert "1 overdue milestone and 1 overdue deliverable" in email.body_text

    assert remind_overdue_project_work() == 0  # the same week: nobody again
    assert len(reminders()) == 1

    a_week_passes()
    assert remind_overdue_project_work() == 1
    assert [n.recipient for n in reminders()] == [world.investigator] * 2
    assert OutgoingEmail.objects.filter(kind=KIND).count() == 2


def test_nobody_hears_of_work_done_or_of_projects_not_running():
    world = project_world()
    done = make_project(world, status=S.ACTIVE, title="All done")
    milestone = milestone_create(actor=SYSTEM, project=done, title="Reached",
                                 due_on=in_days(-10))
    milestone_complete(actor=SYSTEM, milestone=milestone, completed_on=in_days(-11))
    submitted = deliverable_create(actor=SYSTEM, project=done, title="Handed over",
                                   kind="report", due_on=in_days(-2))
    deliverable_submit(actor=SYSTEM, deliverable=submitted, late_justification="Late.",
                       file=ContentFile(b"%PDF-1.4 x", name="x.pdf"))
    milestone_create(actor=SYSTEM, project=done, title="Still ahead", due_on=in_days(20))
    with_overdue_work(world, status=S.DRAFT, title="A draft")
    with_overdue_work(world, status=S.APPROVED, title="Approved, not started")
    completed = with_overdue_work(world, status=S.COMPLETED, title="Completed")
    project_transition(actor=SYSTEM, project=completed, to=S.COMPLETED)

    assert remind_overdue_project_work() == 0
    assert reminders() == []
    assert not OutgoingEmail.objects.filter(kind=KIND).exists()


def test_a_project_on_hold_still_reminds_and_only_its_investigator():
    world = project_world()
    project = with_overdue_work(world, status=S.ON_HOLD)
    project_transition(actor=SYSTEM, project=project, to=S.ON_HOLD, reason="Rig rebuilt.")
    assert remind_overdue_project_work() == 1
    assert [n.recipient for n in reminders()] == [world.investigator]


def test_the_reminder_runs_every_week_from_the_beat():
    entries = [entry for entry in settings.CELERY_BEAT_SCHEDULE.values()
               if entry["task"] == "projects.tasks.remind_overdue_project_work"]
    assert len(entries) == 1
    schedule = entries[0]["schedule"]
    assert schedule.day_of_week == {1}  # Mondays
