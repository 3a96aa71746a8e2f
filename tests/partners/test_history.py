"""An organisation's history, for programme staff: everything that happened to it and to what
belongs to it (people, invitations, requests to join workstreams), in words and Singapore time."""

import datetime

import pytest
from django.utils import timezone

from cluster_portal.audit.models import AuditEvent
from cluster_portal.audit.services import audit_record
from partners.services import invitation_accept, invitation_create, organisation_set_tier
from tests.factories import (
    OrganisationFactory,
    OrganisationMembershipFactory,
    UserFactory,
    WorkstreamFactory,
)
from workstreams.services import join_request_approve, join_request_create

pytestmark = pytest.mark.django_db


def test_the_history_has_invitations_acceptances_and_join_request_decisions_in_words(
        client, mfa_admin_user):
    organisation = OrganisationFactory(ready_to_join=True, name="Helix Biologics", tier="core")
    admin = OrganisationMembershipFactory(organisation=organisation, role="admin").person
    _, token = invitation_create(actor=admin, organisation=organisation, email="wei@example.org")
    invitation_accept(actor=UserFactory(email="wei@example.org"), token=token)
    request = join_request_create(actor=admin, organisation=organisation,
                                  workstream=WorkstreamFactory(status="active",
                                                               name="Biocatalysis"),
                                  motivation="Enzymes.", code_of_conduct_acknowledged=True)
    join_request_approve(actor=mfa_admin_user, join_request=request)
    organisation_set_tier(actor=mfa_admin_user, organisation=organisation, tier="member",
                          starts_on=datetime.date(2026, 1, 1))

    client.force_login(mfa_admin_user)
    page = client.get(f"/partners/{organisation.slug}/").content.decode()
    history = page.split(">History<")[1]
    for words in ("sent an invitation", "accepted an invitation",
                  "asked to join a workstream", "approved a request to join a workstream",
                  "started a workstream membership",
                  "set the programme membership tier and term"):
        assert words in history, words
    assert "organisation.set_tier" not in history and "join_request.approve" not in history


def test_times_in_the_recorded_changes_are_singapore_time():
    organisation = OrganisationFactory()
    moment = datetime.datetime(2026, 3, 1, 1, 30, tzinfo=datetime.UTC)
    event = audit_record(actor=None, action="organisation.approve", target=organisation,
                         changes={"at": moment})
    stored = AuditEvent.objects.get(pk=event.pk).changes["at"]
    assert stored.startswith("2026-03-01T09:30:00") and stored.endswith("+08:00")
    assert timezone.get_current_timezone_name() == "Asia/Singapore"
