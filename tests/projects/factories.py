"""Projects built through their services, and the small world most project tests start from:
a workstream with two member organisations (lead and partner) and one that is not a member."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from cluster_portal.core.actors import SYSTEM
from partners.models import OrganisationMembership
from projects.models import Project
from projects.services import project_create, project_transition
from tests.factories import (
    OrganisationFactory,
    OrganisationMembershipFactory,
    UserFactory,
    WorkstreamFactory,
    WorkstreamMembershipFactory,
)


def in_days(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def person_of_organisation(organisation, *, role=OrganisationMembership.Role.MEMBER, **kwargs):
    return OrganisationMembershipFactory(organisation=organisation, role=role, **kwargs).person


@dataclass
class ProjectWorld:
    workstream: object
    lead: object           # the lead organisation, a workstream member
    partner: object        # a second participating organisation, a workstream member
    bystander: object      # a workstream member that does not take part
    outsider: object       # an approved organisation outside the workstream
    investigator: object   # the principal investigator, of the lead organisation
    lead_member: object    # another person of the lead organisation
    partner_member: object
    bystander_member: object
    outsider_member: object


def project_world(*, programme_short_name: str = "PIPS", code: str = "CM") -> ProjectWorld:
    workstream = WorkstreamFactory(programme__short_name=programme_short_name, code=code,
                                   name=f"Workstream {code}")
    lead, partner, bystander, outsider = (OrganisationFactory(name=name) for name in (
        "Lead Institute", "Partner Pharma", "Bystander Biotech", "Outsider Co"))
    for organisation in (lead, partner, bystander):
        WorkstreamMembershipFactory(workstream=workstream, organisation=organisation)
    return ProjectWorld(
        workstream=workstream, lead=lead, partner=partner, bystander=bystander,
        outsider=outsider, investigator=person_of_organisation(lead),
        lead_member=person_of_organisation(lead), partner_member=person_of_organisation(partner),
        bystander_member=person_of_organisation(bystander),
        outsider_member=person_of_organisation(outsider),
    )


def make_project(world: ProjectWorld, *, status: str = Project.Status.DRAFT, actor=SYSTEM,
                 **overrides) -> Project:
    """A project of the world's workstream led by `lead` with `partner` taking part, moved
    through the lifecycle (by the portal itself) to `status`."""
    values = {
        "workstream": world.workstream, "title": "Continuous crystallisation of an API",
        "summary": "A pilot of continuous crystallisation.", "lead_organisation": world.lead,
        "participants": [world.partner], "principal_investigator": world.investigator,
        "starts_on": in_days(-90), "ends_on": in_days(640), "trl_start": 3, "trl_target": 6,
    }
    values.update(overrides)
    project = project_create(actor=actor, **values)
    for step in PATH_TO[status]:
        project = project_transition(actor=SYSTEM, project=project, to=step,
                                     reason="Set up for a test.")
    return project


S = Project.Status
PATH_TO = {
    S.DRAFT: (),
    S.PROPOSED: (S.PROPOSED,),
    S.APPROVED: (S.PROPOSED, S.APPROVED),
    S.ACTIVE: (S.PROPOSED, S.APPROVED, S.ACTIVE),
    S.ON_HOLD: (S.PROPOSED, S.APPROVED, S.ACTIVE, S.ON_HOLD),
    S.COMPLETED: (S.PROPOSED, S.APPROVED, S.ACTIVE, S.COMPLETED),
    S.CANCELLED: (S.CANCELLED,),
}

__all__ = ["UserFactory", "in_days", "make_project", "person_of_organisation", "project_world"]
