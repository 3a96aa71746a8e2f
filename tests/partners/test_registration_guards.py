"""Registering an organisation takes real names and bounded text, one waiting registration per
person, and never confirms to a stranger that a hidden organisation exists (by its name's address
or its UEN) — through the service, the page and the API alike."""

import re

import pytest
from rest_framework.test import APIClient

from cluster_portal.core.exceptions import ApplicationError, Conflict
from partners.models import Organisation
from partners.services import organisation_approve, organisation_register
from partners.validators import DESCRIPTION_MAX_LENGTH, organisation_name_key
from tests.factories import OrganisationFactory, UserFactory
from tests.support.races import conflicts, fresh, race, unexpected

pytestmark = pytest.mark.django_db

REGISTRATION = {"name": "Helix Bioprocess Pte Ltd", "uen": "202612345K", "kind": "biotech",
                "website": "https://helix-bio.example.sg", "country": "SG",
                "description": "Continuous downstream processing."}


def register(person=None, **changes) -> Organisation:
    return organisation_register(actor=person or UserFactory(), **{**REGISTRATION, **changes})


@pytest.mark.parametrize("name, message", [
    ("0", "name as registered"),
    ("   ", "name as registered"),
    ("X", "name as registered"),
    ("12345", "letters"),
    ("--- ...", "letters"),
    ("Helix\r\nBcc: everyone@example.org", "one line"),
    ("Helix\tBiologics", "one line"),
    ("Helix\u2028Biologics", "one line"),
])
def test_a_name_without_letters_too_short_or_on_several_lines_is_refused(name, message):
    with pytest.raises(ApplicationError) as refused:
        register(name=name)
    assert message in refused.value.fields["name"][0]
    assert not Organisation.objects.exists()


@pytest.mark.parametrize("field, value", [
    ("uen", "2026\n12345K"), ("website", "https://example.org/\r\nx"), ("country", "S\x00"),
])
def test_control_characters_are_refused_in_every_single_line_field(field, value):
    with pytest.raises(ApplicationError) as refused:
        register(**{field: value})
    assert field in refused.value.fields
    assert not Organisation.objects.exists()


def test_a_name_is_stored_tidied_and_a_description_is_bounded():
    organisation = register(name="  Helix   Bioprocess  Pte Ltd ")
    assert organisation.name == "Helix Bioprocess Pte Ltd"
    with pytest.raises(ApplicationError) as refused:
        register(UserFactory(), uen="202699999K", description="a" * (DESCRIPTION_MAX_LENGTH + 1))
    assert f"{DESCRIPTION_MAX_LENGTH:,} characters" in refused.value.fields["description"][0]


def test_the_profile_refuses_a_name_on_two_lines_too():
    from partners.services import organisation_update_profile
    from tests.factories import OrganisationMembershipFactory

    membership = OrganisationMembershipFactory(role="admin")
    with pytest.raises(ApplicationError) as refused:
        organisation_update_profile(actor=membership.person, organisation=membership.organisation,
                                    name="Acme\nPharma")
    assert "name" in refused.value.fields


def test_one_registration_waits_at_a_time_per_person():
    person = UserFactory()
    first = register(person)
    with pytest.raises(Conflict) as refused:
        register(person, name="Orchid Cell Therapies", uen="202600002B")
    assert refused.value.code == "registration_waiting"
    assert first.name in refused.value.message
    assert Organisation.objects.count() == 1
    # Once it is decided, the person may register another.
    organisation_approve(actor=_programme_admin(), organisation=first)
    register(person, name="Orchid Cell Therapies", uen="202600002B")


def _programme_admin():
    from tests.conftest import activate_totp

    person = UserFactory(role="programme_admin")
    activate_totp(person)
    return person


@pytest.mark.django_db(transaction=True)
def test_two_registrations_sent_at_once_by_one_person_make_one():
    person = UserFactory()
    outcomes = race(
        lambda: register(fresh(type(person), person.pk), name="Helix One", uen="202600001A"),
        lambda: register(fresh(type(person), person.pk), name="Helix Two", uen="202600002B"),
    )
    assert unexpected(outcomes) == []
    assert [conflict.code for conflict in conflicts(outcomes)] == ["registration_waiting"]
    assert Organisation.objects.filter(created_by=person).count() == 1


def test_the_page_and_the_api_refuse_a_second_waiting_registration(client):
    person = UserFactory()
    register(person)
    client.force_login(person)
    page = client.post("/partners/register/", {**REGISTRATION, "name": "Orchid Cell",
                                                "uen": "202600002B"})
    assert page.status_code in (400, 409)
    assert "waiting for the programme office" in page.content.decode()
    api = APIClient()
    api.force_login(person)
    response = api.post("/api/v1/organisations/", {**REGISTRATION, "name": "Orchid Cell",
                                                   "uen": "202600002B"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "registration_waiting"


def test_the_uen_of_a_listed_organisation_is_refused_plainly():
    OrganisationFactory(uen="202612345K", is_listed=True)
    with pytest.raises(ApplicationError) as refused:
        register(uen="2026 12345k")
    assert refused.value.code == "duplicate_uen"


@pytest.mark.parametrize("hidden", [
    {"is_listed": False}, {"status": "pending"}, {"status": "declined"},
])
def test_the_uen_of_a_hidden_organisation_is_not_confirmed_and_the_office_is_warned(
        client, hidden):
    hidden_one = OrganisationFactory(uen="202612345K", name="Quiet Holdings", **hidden)
    organisation = register(uen="202612345K")  # accepted, like any new registration
    assert organisation.status == "pending"
    client.force_login(_programme_admin())
    page = client.get("/partners/approvals/").content.decode()
    assert "Another organisation has the same UEN 202612345K" in page
    if hidden_one.status == "approved":
        # Only one organisation per UEN is approved: the office sees why it can't approve.
        with pytest.raises(Conflict) as refused:
            organisation_approve(actor=_programme_admin(), organisation=organisation)
        assert refused.value.code == "duplicate_uen"
        assert "Quiet Holdings" in refused.value.message
    else:
        assert organisation_approve(actor=_programme_admin(),
                                    organisation=organisation).status == "approved"


def test_a_registrations_address_does_not_tell_whether_a_hidden_namesake_exists():
    OrganisationFactory(name="Quiet Holdings", slug="quiet-holdings", is_listed=False)
    taken = register(name="Quiet Holdings")
    free = register(name="Loud Holdings", uen="202600003C")
    # Both end in a random suffix: the address says nothing of the hidden one.
    assert re.fullmatch(r"quiet-holdings-[0-9a-f]{6}", taken.slug)
    assert re.fullmatch(r"loud-holdings-[0-9a-f]{6}", free.slug)


@pytest.mark.parametrize("name, other", [
    ("Helix Biologics Pte. Ltd.", "HELIX BIOLOGICS"),
    ("Helix & Co Biologics", "helix and biologics"),
    ("Hélix Biologics", "Helix Biologics Limited"),
])
def test_look_alike_names_share_a_key(name, other):
    assert organisation_name_key(name) == organisation_name_key(other)


def test_different_names_have_different_keys():
    assert organisation_name_key("Helix Biologics") != organisation_name_key("Helix Biotech")


def test_the_approvals_queue_warns_of_a_look_alike_name(client):
    OrganisationFactory(name="Helix Biologics Pte. Ltd.")
    register(name="HELIX BIOLOGICS", uen="202600004D", confirm_not_duplicate=True)
    client.force_login(_programme_admin())
    page = client.get("/partners/approvals/").content.decode()
    assert "or one much like it, is already registered" in page


def test_a_person_s_name_is_one_line_at_sign_up_in_the_api_and_in_an_invitation(client):
    response = client.post("/accounts/signup/", {
        "email": "new@example.org", "full_name": "Tan\r\nBcc: x@example.org",
        "password1": "a-long-new-password-42", "password2": "a-long-new-password-42"})
    assert response.status_code == 200  # the form again, with the error under the name
    assert "one line of text" in response.content.decode()

    person = UserFactory()
    api = APIClient()
    api.force_login(person)
    response = api.patch("/api/v1/me/", {"full_name": "Tan\nMei Ling"}, format="json")
    assert response.status_code == 400
    assert "full_name" in response.json()["fields"]

    from partners.services import invitation_create
    from tests.factories import OrganisationMembershipFactory

    admin = OrganisationMembershipFactory(role="admin", organisation__tier="core").person
    with pytest.raises(ApplicationError) as refused:
        invitation_create(actor=admin, organisation=admin.organisation_memberships.get()
                          .organisation, email="wei@example.org", full_name="Wei\nLing")
    assert "full_name" in refused.value.fields


@pytest.mark.parametrize("field", ["tier_starts_on", "tier_ends_on"])
def test_a_term_date_out_of_any_plausible_range_is_refused_not_a_500(field):
    import datetime

    from partners.services import organisation_set_tier

    organisation = OrganisationFactory()
    dates = {"starts_on": datetime.date(2026, 1, 1), "ends_on": datetime.date(2027, 1, 1)}
    dates[field.removeprefix("tier_")] = datetime.date(9999, 12, 31)
    with pytest.raises(ApplicationError) as refused:
        organisation_set_tier(actor=_programme_admin(), organisation=organisation, tier="core",
                              **dates)
    assert "between 1900 and 2199" in refused.value.fields[field][0]


def test_the_api_answers_a_far_future_term_with_a_400(client):
    organisation = OrganisationFactory(status="pending", tier="")
    api = APIClient()
    api.force_login(_programme_admin())
    response = api.post(f"/api/v1/organisations/{organisation.slug}/approve/",
                        {"tier": "core", "tier_starts_on": "2026-01-01",
                         "tier_ends_on": "9999-12-31"}, format="json")
    assert response.status_code == 400
    assert "tier_ends_on" in response.json()["fields"]
    assert fresh(Organisation, organisation.pk).status == "pending"  # nothing half-done
