"""Refusals say their real reason: the members' area names the organisation that is not a
member (the permission layer gives the reason, the 403 page shows it), a refusal by a service
reads as the service wrote it, and asking to join names every obstacle, not the first."""

import pytest
from django.test import Client
from django.urls import reverse

from cluster_portal.core.exceptions import NotAllowed
from tests.factories import (
    OrganisationFactory,
    OrganisationMembershipFactory,
    UserFactory,
    WorkstreamFactory,
    WorkstreamMembershipFactory,
)
from workstreams.permissions import members_area_refusal
from workstreams.services import join_request_create, join_request_obstacles

pytestmark = pytest.mark.django_db

ROLE_WORDS = "doesn't have the role"


def _signed_in(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def _members_area(workstream) -> str:
    return reverse("workstreams:members", args=[workstream.slug])


def _page_text(response) -> str:
    return response.content.decode().replace("&#x27;", "'")


# --- The members' area -------------------------------------------------------------------------


def test_a_partner_whose_organisation_is_not_a_member_is_told_so_not_about_roles():
    workstream = WorkstreamFactory(name="Biocatalysis")
    WorkstreamMembershipFactory(workstream=workstream)  # somebody else is a member
    person = OrganisationMembershipFactory(organisation__name="Acme Pharma").person
    response = _signed_in(person).get(_members_area(workstream))
    assert response.status_code == 403
    text = _page_text(response)
    assert "Acme Pharma is not a member of Biocatalysis" in text
    assert "A partner admin of Acme Pharma can ask to join it" in text
    assert ROLE_WORDS not in text


def test_the_same_reason_for_its_documents():
    workstream = WorkstreamFactory(name="Biocatalysis")
    person = OrganisationMembershipFactory(organisation__name="Acme Pharma").person
    response = _signed_in(person).get(
        reverse("workstreams:document", args=[workstream.slug, 1]))
    assert response.status_code == 403
    assert "Acme Pharma is not a member of Biocatalysis" in _page_text(response)


def test_someone_who_acts_for_no_organisation_is_told_that():
    workstream = WorkstreamFactory(name="Biocatalysis")
    text = _page_text(_signed_in(UserFactory()).get(_members_area(workstream)))
    assert "you don't act for an organisation on the portal" in text
    assert ROLE_WORDS not in text


def test_an_organisation_still_waiting_for_approval_is_named_as_such():
    workstream = WorkstreamFactory(name="Biocatalysis")
    person = OrganisationMembershipFactory(organisation__name="Newco",
                                           organisation__status="pending").person
    text = _page_text(_signed_in(person).get(_members_area(workstream)))
    assert "Newco is still waiting for the programme office's approval" in text


def test_several_organisations_none_a_member_are_all_named():
    workstream = WorkstreamFactory(name="Biocatalysis")
    person = OrganisationMembershipFactory(organisation__name="Acme Pharma").person
    OrganisationMembershipFactory(organisation__name="Zeta Bio", person=person)
    assert members_area_refusal(person, workstream).startswith(
        "Acme Pharma and Zeta Bio are not members of Biocatalysis")


def test_a_planned_workstream_says_it_has_no_members_yet():
    workstream = WorkstreamFactory(name="Analytics", status="planned", kind="platform")
    person = OrganisationMembershipFactory().person
    assert "Analytics is planned and has no members yet" in members_area_refusal(person,
                                                                                 workstream)


def test_no_reason_for_who_may_enter_and_members_get_in():
    membership = WorkstreamMembershipFactory()
    person = OrganisationMembershipFactory(organisation=membership.organisation).person
    assert members_area_refusal(person, membership.workstream) == ""
    assert _signed_in(person).get(_members_area(membership.workstream)).status_code == 200


def test_a_refusal_for_want_of_a_role_keeps_the_general_words(client):
    client.force_login(UserFactory())
    response = client.get(reverse("workstreams:queue"))
    assert response.status_code == 403
    assert ROLE_WORDS in _page_text(response)


def test_a_services_refusal_on_a_page_reads_as_the_service_wrote_it():
    organisation = OrganisationFactory(ready_to_join=True)
    admin = OrganisationMembershipFactory(organisation=organisation, role="admin").person
    join_request = join_request_create(
        actor=admin, organisation=organisation, workstream=WorkstreamFactory(),
        motivation="Enzymes.", code_of_conduct_acknowledged=True)
    member = OrganisationMembershipFactory(organisation=organisation).person
    response = _signed_in(member).post(
        reverse("workstreams:join_request_withdraw", args=[join_request.pk]))
    assert response.status_code == 403
    assert "Only the organisation's admins withdraw its requests." in _page_text(response)


# --- Asking to join: every obstacle -------------------------------------------------------------


@pytest.fixture
def no_tier_no_agreement():
    """Approved, but neither a tier nor a consortium agreement: two obstacles at once."""
    organisation = OrganisationFactory(name="Acme Pharma", tier="", tier_status="none",
                                       tier_starts_on=None, tier_ends_on=None)
    admin = OrganisationMembershipFactory(organisation=organisation, role="admin").person
    return organisation, admin


def test_the_join_page_names_every_obstacle(no_tier_no_agreement):
    _organisation, admin = no_tier_no_agreement
    workstream = WorkstreamFactory(name="Biocatalysis")
    response = _signed_in(admin).get(reverse("workstreams:join", args=[workstream.slug]))
    assert response.status_code == 200
    text = _page_text(response)
    assert "Acme Pharma can't join Biocatalysis: it has no programme membership tier yet." in text
    assert "Acme Pharma needs a signed consortium agreement" in text
    assert "Send the request" not in text  # nothing could succeed: no form to fill in vain


def test_the_service_refuses_with_every_obstacle_too(no_tier_no_agreement):
    organisation, admin = no_tier_no_agreement
    workstream = WorkstreamFactory(name="Biocatalysis")
    assert [obstacle.code for obstacle in join_request_obstacles(
        organisation=organisation, workstreams=[workstream])[workstream.pk]] == [
        "not_entitled", "no_consortium_agreement"]
    with pytest.raises(NotAllowed) as refused:
        join_request_create(actor=admin, organisation=organisation, workstream=workstream,
                            motivation="Enzymes.", code_of_conduct_acknowledged=True)
    assert refused.value.code == "not_entitled"
    assert "no programme membership tier yet" in refused.value.message
    assert "signed consortium agreement" in refused.value.message


def test_the_organisations_workstreams_tab_names_every_obstacle(no_tier_no_agreement):
    organisation, admin = no_tier_no_agreement
    WorkstreamFactory(name="Biocatalysis")
    text = _page_text(_signed_in(admin).get(
        reverse("organisation_workstreams", args=[organisation.slug])))
    assert "Not covered by a membership tier yet. Needs a signed consortium agreement too." in text


def test_one_obstacle_is_named_alone():
    organisation = OrganisationFactory(name="Acme Pharma")  # a tier, no agreement
    admin = OrganisationMembershipFactory(organisation=organisation, role="admin").person
    workstream = WorkstreamFactory(name="Biocatalysis")
    text = _page_text(_signed_in(admin).get(reverse("workstreams:join", args=[workstream.slug])))
    assert "Acme Pharma needs a signed consortium agreement" in text
    assert "can't join Biocatalysis" not in text
