"""The portfolio's organisation filter lists the organisations taking part in projects, kept
between visits and read afresh once a participant changes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cluster_portal.core.actors import SYSTEM
from projects.filters import PortfolioFilterForm
from projects.selectors import participating_organisation_choices
from projects.services.projects import project_participants_set
from workstreams.selectors import workstream_list_public

from .factories import make_project, project_world

pytestmark = pytest.mark.django_db


def _offered(staff_form=True) -> list[str]:
    form = PortfolioFilterForm(None, workstreams=workstream_list_public(), staff=staff_form)
    return [slug for slug, _ in form.fields["organisation"].choices if slug]


def test_the_filter_offers_every_participating_organisation_once_by_name():
    world = project_world()
    make_project(world)
    make_project(world, title="A second pilot")
    assert _offered() == sorted([world.lead.slug, world.partner.slug],
                                key={world.lead.slug: "Lead Institute",
                                     world.partner.slug: "Partner Pharma"}.get)
    assert world.outsider.slug not in _offered()


def test_a_second_visit_reads_no_organisations_and_a_new_participant_shows_at_once():
    world = project_world()
    project = make_project(world)
    participating_organisation_choices()
    with CaptureQueriesContext(connection) as queries:
        participating_organisation_choices()
    assert not any("partners_organisation" in q["sql"] for q in queries.captured_queries)

    project_participants_set(actor=SYSTEM, project=project,
                             organisations=[world.partner, world.bystander])
    assert world.bystander.slug in _offered()
