"""What the portal accepts as a programme office would: a UEN in a registrar's format, a country
of ISO 3166, a website on http or https, texts of a stated length (an organisation's
description, a join request's motivation), and a warning, never a refusal, for a name much like
one the registrant can already see. Each rule through the service, the page and the API."""

import re

import pytest

from cluster_portal.audit.models import AuditEvent
from cluster_portal.core.exceptions import ApplicationError
from partners.models import Organisation
from partners.services import organisation_register, organisation_update_profile
from partners.validators import (
    DESCRIPTION_MAX_LENGTH,
    FOREIGN_UEN_PATTERN,
    SG_UEN_PATTERN,
    uen_error,
)
from tests.factories import (
    OrganisationFactory,
    OrganisationMembershipFactory,
    UserFactory,
    WorkstreamFactory,
)
from tests.support.api import assert_error, client_for
from workstreams.models import JoinRequest
from workstreams.services import MOTIVATION_MAX_LENGTH, join_request_create

pytestmark = pytest.mark.django_db

REGISTRATION = {"name": "Kinetic Bioprocess", "uen": "201912345K", "kind": "biotech",
                "country": "SG"}
PAGE = {**REGISTRATION, "website": "https://kinetic.example.com",
        "description": "Continuous downstream processing."}


def register(person=None, **changes) -> Organisation:
    return organisation_register(actor=person or UserFactory(), **{**REGISTRATION, **changes})


def refusal_of(person=None, **changes) -> ApplicationError:
    with pytest.raises(ApplicationError) as refused:
        register(person, **changes)
    assert not Organisation.objects.filter(name=changes.get("name", "Kinetic Bioprocess"))\
        .exists()
    return refused.value


def api_register(person, **changes):
    return client_for(person).post("/api/v1/organisations/", {**REGISTRATION, **changes},
                                   format="json")


# --- UEN ---------------------------------------------------------------------------------------

SINGAPORE_UENS = ["53312345A", "202612345K", "T09LL0001B", "S98AB1234C", "R01CD0001Z",
                  "t09ll0001b", "2026 12345 k", "189912345X"]
NOT_SINGAPORE_UENS = ["BADUEN!!", "5331234A", "533123456A", "202612345", "302612345K",
                      "X09LL0001B", "T09L10001B", "T09LL001B", "53312345A1", "", "2026\u00a012345K"]


@pytest.mark.parametrize("uen", SINGAPORE_UENS)
def test_a_singapore_uen_in_any_of_acras_forms_is_accepted(uen):
    assert uen_error(uen, "SG") is None


@pytest.mark.parametrize("uen", NOT_SINGAPORE_UENS)
def test_anything_else_is_no_singapore_uen(uen):
    assert "as ACRA issued it" in uen_error(uen, "SG")


@pytest.mark.parametrize("uen, country, error", [
    ("HRB 12345", "DE", None), ("12/345-6.7", "FR", None), ("53312345A", "MY", None),
    ("BADUEN!!", "DE", "letters, digits"), ("X", "DE", "2 to 20"), ("-123", "DE", "letters"),
    ("A" * 21, "US", "2 to 20"),
])
def test_elsewhere_a_registration_number_is_letters_digits_and_dashes_slashes_stops(
        uen, country, error):
    message = uen_error(uen, country)
    assert message is None if error is None else error in message


def test_the_uen_is_stored_without_spaces_in_capitals():
    assert register(uen=" t09ll 0001b ").uen == "T09LL0001B"
    assert register(uen="hrb 12345", country="DE").uen == "HRB12345"


def test_the_service_refuses_a_malformed_uen_on_its_field():
    refused = refusal_of(uen="BADUEN!!")
    assert "as ACRA issued it" in refused.fields["uen"][0]


def test_the_schemas_patterns_say_what_the_service_accepts():
    """The API's schema states the UEN rule as patterns (for the country and for elsewhere);
    read as regular expressions they accept exactly what uen_error accepts."""
    samples = SINGAPORE_UENS + NOT_SINGAPORE_UENS + ["HRB 12345", "12/345-6.7", "X", "-1",
                                                     "A" * 20, "A" * 21, " AB ", "A B"]
    for uen in samples:
        assert bool(re.search(SG_UEN_PATTERN, uen)) == (uen_error(uen, "SG") is None), uen
        foreign = bool(re.search(FOREIGN_UEN_PATTERN, uen)) and len(uen) <= 20
        assert foreign == (uen_error(uen, "DE") is None), uen


def test_the_api_refuses_a_malformed_uen_and_takes_a_foreign_number_with_its_country():
    person = UserFactory()
    body = assert_error(api_register(person, uen="BADUEN!!"), 400)
    assert "as ACRA issued it" in body["fields"]["uen"][0]
    created = api_register(person, uen="hrb 12345", country="DE")
    assert created.status_code == 201, created.content
    assert created.json()["uen"] == "HRB12345"


def test_the_api_schema_says_which_uen_each_country_takes(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    register_schema = schema["components"]["schemas"]["OrganisationRegisterRequest"]
    patterns = {branch["properties"]["uen"]["pattern"] for branch in register_schema["anyOf"]}
    assert patterns == {SG_UEN_PATTERN, FOREIGN_UEN_PATTERN}
    assert "confirm_not_duplicate" in register_schema["properties"]


def test_the_page_says_the_uen_formats_and_refuses_a_malformed_one(client):
    client.force_login(UserFactory())
    form_page = client.get("/partners/register/").content.decode()
    assert "53312345A" in form_page and "T09LL0001B" in form_page
    response = client.post("/partners/register/", {**PAGE, "uen": "BADUEN!!"})
    assert response.status_code == 400
    assert "as ACRA issued it" in " ".join(response.context["form"].errors["uen"])
    assert not Organisation.objects.exists()


# --- Country -----------------------------------------------------------------------------------


def test_a_country_is_one_of_iso_3166():
    assert "not a country code of ISO 3166" in refusal_of(country="ZZ").fields["country"][0]
    assert register(country="de", uen="HRB 1").country == "DE"


def test_the_page_offers_the_countries_by_name_and_refuses_another(client):
    client.force_login(UserFactory())
    form_page = client.get("/partners/register/").content.decode()
    assert '<option value="SG" selected>Singapore</option>' in form_page
    assert '<option value="DE">Germany</option>' in form_page
    response = client.post("/partners/register/", {**PAGE, "country": "ZZ"})
    assert response.status_code == 400
    assert response.context["form"].errors["country"] == ["Choose the country from the list."]


def test_the_api_takes_only_a_country_code_of_iso_3166_in_capitals():
    person = UserFactory()
    for country in ("ZZ", "sg", "Singapore"):
        body = assert_error(api_register(person, country=country), 400)
        assert "ISO 3166" in body["fields"]["country"][0]
    assert not Organisation.objects.exists()


def test_a_profile_edit_keeps_the_country_rule():
    organisation = OrganisationFactory()
    admin = OrganisationMembershipFactory(organisation=organisation, role="admin").person
    with pytest.raises(ApplicationError) as refused:
        organisation_update_profile(actor=admin, organisation=organisation, country="ZZ")
    assert "country" in refused.value.fields
    response = client_for(admin).patch(f"/api/v1/organisations/{organisation.slug}/",
                                       {"country": "ZZ"}, format="json")
    assert_error(response, 400)
    organisation.refresh_from_db()
    assert organisation.country == "SG"


# --- Website -----------------------------------------------------------------------------------


@pytest.mark.parametrize("website", ["ftp://x.example", "ftps://x.example", "javascript:alert(1)",
                                     "mailto:office@example.org"])
def test_a_website_is_a_web_page_on_http_or_https(client, website):
    assert "https://" in refusal_of(website=website).fields["website"][0]

    client.force_login(UserFactory())
    response = client.post("/partners/register/", {**PAGE, "website": website})
    assert response.status_code == 400
    assert "website" in response.context["form"].errors

    body = assert_error(api_register(UserFactory(), website=website), 400)
    assert "website" in body["fields"]


def test_an_http_or_https_website_is_kept():
    assert register(website="http://kinetic.example.com").website == "http://kinetic.example.com"


# --- Description -------------------------------------------------------------------------------


def test_a_description_is_at_most_2000_characters_everywhere(client):
    assert DESCRIPTION_MAX_LENGTH == 2000
    too_long = "a" * 8857
    assert "2,000 characters; it has 8,857" in refusal_of(description=too_long)\
        .fields["description"][0]

    client.force_login(UserFactory())
    form_page = client.get("/partners/register/").content.decode()
    assert 'maxlength="2000"' in form_page and "at most 2,000 characters" in form_page
    response = client.post("/partners/register/", {**PAGE, "description": too_long})
    assert response.status_code == 400
    assert response.context["form"].errors["description"] == [
        "Keep the description to 2,000 characters; it has 8,857."]

    body = assert_error(api_register(UserFactory(), description=too_long), 400)
    assert "2000 characters" in body["fields"]["description"][0]
    assert register(description="b" * 2000).description == "b" * 2000


# --- A name much like one already registered ---------------------------------------------------


def test_a_look_alike_of_a_listed_organisation_is_a_warning_naming_it():
    OrganisationFactory(name="Meridian Pharma Asia Pte Ltd", uen="201700001A")
    refused = refusal_of(name="meridian pharma asia")
    assert refused.code == "similar_name"
    assert "Meridian Pharma Asia Pte Ltd" in refused.fields["name"][0]
    assert "confirm_not_duplicate" in refused.fields


def test_the_registrant_confirms_and_the_programme_office_reads_it_in_the_history():
    OrganisationFactory(name="Meridian Pharma Asia")
    organisation = register(name="MERIDIAN PHARMA ASIA", confirm_not_duplicate=True)
    event = AuditEvent.objects.get(action="organisation.register", target_id=organisation.pk)
    assert event.changes["confirmed_not_duplicate_of"] == ["Meridian Pharma Asia"]


@pytest.mark.parametrize("hidden", [
    {"is_listed": False},  # approved, not in the directory
    {"status": "pending", "is_listed": True},  # someone else's registration, waiting
    {"status": "declined", "is_listed": True},
])
def test_a_look_alike_the_registrant_cannot_see_is_neither_warned_of_nor_named(hidden):
    OrganisationFactory(name="Meridian Pharma Asia", **hidden)
    organisation = register(name="meridian pharma asia")  # no warning: nothing to confirm
    event = AuditEvent.objects.get(action="organisation.register", target_id=organisation.pk)
    assert "confirmed_not_duplicate_of" not in event.changes


def test_the_registrant_is_warned_of_their_own_organisation_of_that_name():
    person = UserFactory()
    own = OrganisationFactory(name="Meridian Pharma Asia", is_listed=False)
    OrganisationMembershipFactory(organisation=own, person=person, role="admin")
    assert refusal_of(person, name="Meridian Pharma Asia Pte. Ltd.").code == "similar_name"


def test_a_name_without_latin_letters_is_not_taken_for_a_look_alike():
    OrganisationFactory(name="新加坡生物")
    assert register(name="东方生物科技").name == "东方生物科技"


def test_the_page_offers_the_confirmation_only_once_it_has_warned(client):
    OrganisationFactory(name="Meridian Pharma Asia")
    client.force_login(UserFactory())
    assert "confirm_not_duplicate" not in client.get("/partners/register/").content.decode()

    warned = client.post("/partners/register/", {**PAGE, "name": "meridian pharma asia"})
    assert warned.status_code == 400
    html = warned.content.decode()
    assert "Already registered under a very similar name: Meridian Pharma Asia." in html
    assert 'name="confirm_not_duplicate"' in html
    assert "This is a different organisation" in html

    confirmed = client.post("/partners/register/", {**PAGE, "name": "meridian pharma asia",
                                                    "confirm_not_duplicate": "on"})
    assert confirmed.status_code == 302
    assert Organisation.objects.filter(name="meridian pharma asia").exists()


def test_the_api_answers_400_on_the_name_until_the_flag_says_it_is_another():
    OrganisationFactory(name="Meridian Pharma Asia")
    person = UserFactory()
    body = assert_error(api_register(person, name="meridian pharma asia"), 400, "similar_name")
    assert "Meridian Pharma Asia" in body["fields"]["name"][0]
    assert body["fields"]["confirm_not_duplicate"]
    created = api_register(person, name="meridian pharma asia", confirm_not_duplicate=True)
    assert created.status_code == 201, created.content


# --- A join request's motivation (workstreams keeps its column; the rule is the service's) -----


@pytest.fixture
def ready():
    organisation = OrganisationFactory(ready_to_join=True, tier="core")
    admin = OrganisationMembershipFactory(organisation=organisation, role="admin").person
    return organisation, admin, WorkstreamFactory()


def test_a_motivation_is_at_most_2000_characters_in_the_service(ready):
    organisation, admin, workstream = ready
    assert MOTIVATION_MAX_LENGTH == 2000
    with pytest.raises(ApplicationError) as refused:
        join_request_create(actor=admin, organisation=organisation, workstream=workstream,
                            motivation="m" * 6000, code_of_conduct_acknowledged=True)
    assert refused.value.fields["motivation"] == [
        "Keep the motivation to 2,000 characters; it has 6,000."]
    assert not JoinRequest.objects.exists()
    join_request_create(actor=admin, organisation=organisation, workstream=workstream,
                        motivation="m" * 2000, code_of_conduct_acknowledged=True)


def test_a_motivation_is_at_most_2000_characters_on_the_page_and_in_the_api(client, ready):
    organisation, admin, workstream = ready
    client.force_login(admin)
    join_url = f"/workstreams/{workstream.slug}/join/"
    assert 'maxlength="2000"' in client.get(join_url).content.decode()
    response = client.post(join_url, {"organisation": organisation.pk, "motivation": "m" * 6000,
                                      "code_of_conduct": "on"})
    assert response.status_code == 400
    assert response.context["form"].errors["motivation"] == [
        "Keep the motivation to 2,000 characters; it has 6,000."]

    body = assert_error(client_for(admin).post("/api/v1/join-requests/", {
        "organisation": organisation.slug, "workstream": workstream.slug,
        "motivation": "m" * 6000, "code_of_conduct_acknowledged": True}, format="json"), 400)
    assert "2000 characters" in body["fields"]["motivation"][0]
    assert not JoinRequest.objects.exists()
