"""The organisation list builds its rows from values (partners.api.rows), not with a serializer
per organisation: for every kind of caller, it answers exactly what the serializers answer for
the same organisations, the full profile where the caller may see the membership terms and the
public one elsewhere, field for field and in the serializers' order."""

import datetime
import json

import pytest
from django.contrib.auth.models import AnonymousUser
from rest_framework.renderers import JSONRenderer

from partners.api.serializers import OrganisationPublicSerializer, OrganisationSerializer
from partners.models import Organisation
from partners.permissions import may_see_membership_terms
from partners.selectors import organisation_directory
from tests.factories import (
    OrganisationFactory,
    OrganisationMembershipFactory,
    WorkstreamFactory,
    WorkstreamMembershipFactory,
)
from tests.support.api import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_organisation():
    """Unlisted, with a logo, no tier and two current workstreams (one membership ended):
    only its own people and programme staff see it at all."""
    organisation = OrganisationFactory(
        name="Zephyr Biologics", is_listed=False, tier="", tier_starts_on=None,
        tier_ends_on=None, tier_status=Organisation.TierStatus.NONE,
        logo="partners/logos/zephyr.png", website="", description="")
    later = WorkstreamFactory(name="Plant Operations", display_order=5)
    earlier = WorkstreamFactory(name="Biocatalysis", display_order=1)
    WorkstreamMembershipFactory(organisation=organisation, workstream=later, role="observer")
    WorkstreamMembershipFactory(organisation=organisation, workstream=earlier)
    WorkstreamMembershipFactory(
        organisation=organisation, workstream=WorkstreamFactory(name="Ended"),
        since=datetime.date(2024, 1, 1), until=datetime.date(2025, 1, 1))
    return organisation


@pytest.fixture
def directory(own_organisation):
    """Listed organisations in every shape a row takes, and one still waiting for approval."""
    listed = OrganisationFactory(name="Aster Pharma", website="https://aster.example.sg",
                                 description="Small molecules.\nContinuous.", country="IE")
    WorkstreamMembershipFactory(organisation=listed, role="associate",
                                since=datetime.date(2025, 3, 1))
    OrganisationFactory(name="Borealis Labs", kind=Organisation.Kind.RESEARCH_INSTITUTE,
                        tier=Organisation.Tier.CORE, logo="partners/logos/borealis.webp")
    OrganisationFactory(name="Cobalt Process", status=Organisation.Status.PENDING,
                        is_listed=True, tier="", tier_starts_on=None, tier_ends_on=None,
                        tier_status=Organisation.TierStatus.NONE)
    return own_organisation


def _as_json(data):
    return json.loads(JSONRenderer().render(data))


def _listed(client) -> tuple[list[dict], object]:
    response = client.get("/api/v1/organisations/?page_size=100")
    assert response.status_code == 200, response.content
    return response.json()["results"], response.wsgi_request


def _serialized(user, request) -> list[dict]:
    """What the serializers present for the caller's directory, each organisation in the
    profile the caller may see."""
    context = {"request": request}
    return [_as_json((OrganisationSerializer if may_see_membership_terms(user, organisation)
                      else OrganisationPublicSerializer)(organisation, context=context).data)
            for organisation in organisation_directory(user=user)]


def _assert_same(rows: list[dict], expected: list[dict]) -> None:
    assert rows == expected
    # In the serializers' field order too, as clients reading the JSON see it.
    assert [list(row) for row in rows] == [list(row) for row in expected]


def test_a_visitor_gets_the_public_profiles_the_serializer_gives(directory):
    rows, request = _listed(client_for())

    _assert_same(rows, _serialized(AnonymousUser(), request))
    assert [row["name"] for row in rows] == ["Aster Pharma", "Borealis Labs"]
    assert all("uen" not in row for row in rows)
    assert rows[0]["logo"] is None
    assert rows[1]["logo"] == request.build_absolute_uri(f"/partners/{rows[1]['slug']}/logo/")


def test_a_partner_admin_gets_the_full_profile_of_their_own_only(directory):
    admin = OrganisationMembershipFactory(organisation=directory, role="admin").person

    rows, request = _listed(client_for(admin))

    _assert_same(rows, _serialized(admin, request))
    profiles = {row["name"]: row for row in rows}
    assert set(profiles) == {"Aster Pharma", "Borealis Labs", "Zephyr Biologics"}
    own = profiles["Zephyr Biologics"]
    assert own["status"] == "approved" and own["membership_status"] == "none"
    assert [workstream["name"] for workstream in own["workstreams"]] == [
        "Biocatalysis", "Plant Operations"]
    assert "uen" not in profiles["Aster Pharma"]


def test_programme_staff_get_every_full_profile_the_serializer_gives(directory,
                                                                     mfa_staff_user):
    rows, request = _listed(client_for(mfa_staff_user))

    _assert_same(rows, _serialized(mfa_staff_user, request))
    assert [row["name"] for row in rows] == [
        "Aster Pharma", "Borealis Labs", "Cobalt Process", "Zephyr Biologics"]
    assert all("created_at" in row for row in rows)


def test_filters_and_ordering_narrow_the_rows_as_before(directory, mfa_staff_user):
    client = client_for(mfa_staff_user)

    response = client.get("/api/v1/organisations/?status=pending&ordering=-created_at")
    assert [row["name"] for row in response.json()["results"]] == ["Cobalt Process"]
    response = client.get("/api/v1/organisations/?ordering=-name&page_size=2&page=2")
    body = response.json()
    assert body["count"] == 4
    assert [row["name"] for row in body["results"]] == ["Borealis Labs", "Aster Pharma"]
