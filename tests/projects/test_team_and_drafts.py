"""A team keeps its rights only through a participating organisation, and a draft deliverable
stays with those who work on it until it is handed over."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cluster_portal.core.actors import SYSTEM
from cluster_portal.core.exceptions import ApplicationError
from projects.models import Project
from projects.permissions import may_download_deliverable
from projects.services import (
    deliverable_create,
    deliverable_save_draft,
    project_participants_set,
    project_team_set,
)
from tests.projects.factories import in_days, make_project, project_world

pytestmark = pytest.mark.django_db


def test_an_organisation_whose_person_is_on_the_team_is_not_taken_off_the_project():
    world = project_world()
    project = make_project(world, status=Project.Status.ACTIVE)
    project_team_set(actor=SYSTEM, project=project,
                     team={world.partner_member: "Research engineer"})
    with pytest.raises(ApplicationError) as refused:
        project_participants_set(actor=SYSTEM, project=project, organisations=[world.lead])
    assert "without acting for a participating organisation" in \
        refused.value.fields["participants"][0]
    assert set(project.participants.all()) == {world.lead, world.partner}  # nothing changed
    # Off the team first, and the organisation may go.
    project_team_set(actor=SYSTEM, project=project, team={})
    project_participants_set(actor=SYSTEM, project=project, organisations=[world.lead])
    assert set(project.participants.all()) == {world.lead}


def test_a_draft_file_is_for_those_who_work_on_it_until_it_is_submitted(mfa_staff_user):
    world = project_world()
    project = make_project(world, status=Project.Status.ACTIVE)
    deliverable = deliverable_create(actor=SYSTEM, project=project, title="Control strategy",
                                     kind="report", due_on=in_days(30))
    deliverable = deliverable_save_draft(
        actor=world.lead_member, deliverable=deliverable,
        file=SimpleUploadedFile("draft.pdf", b"%PDF-1.4 draft", content_type="application/pdf"))
    assert deliverable.status == "draft"
    # The lead organisation's people, the principal investigator and staff: yes. Another
    # participant sees the project in full, but not a draft not handed over.
    for person in (world.lead_member, world.investigator, mfa_staff_user):
        assert may_download_deliverable(person, deliverable)
    assert not may_download_deliverable(world.partner_member, deliverable)
