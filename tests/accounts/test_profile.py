"""A person's profile: name, job title and phone through one audited service, from the page and
from /api/v1/me/; the organisations they act for; the ways to their other settings; and the
download of everything the portal holds about them, which names no one else."""

import json

import pytest
from django.core.exceptions import ValidationError

from cluster_portal.accounts.services import api_token_create, user_update_profile
from cluster_portal.accounts.validators import phone_number
from cluster_portal.audit.models import AuditEvent
from cluster_portal.core.exceptions import ApplicationError, NotAllowed
from cluster_portal.notifications.models import Notification
from cluster_portal.notifications.services import notify
from partners import notification_kinds
from partners.services import (
    invitation_accept,
    invitation_create,
    person_request_create,
    person_request_decline,
)
from tests.factories import (
    JoinRequestFactory,
    OrganisationFactory,
    OrganisationMembershipFactory,
    UserFactory,
)
from tests.support.api import assert_error, client_for

pytestmark = pytest.mark.django_db


def page_messages(response) -> list[str]:
    return [str(message) for message in response.wsgi_request._messages]


# --- The phone rule ------------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "kept"), [
    ("+65 6123 4567", "+65 6123 4567"),
    ("  +65   6123  4567 ", "+65 6123 4567"),
    ("+1 (415) 555-0100", "+1 (415) 555-0100"),
    ("+49.30.1234567", "+49.30.1234567"),
    ("", ""),
])
def test_a_phone_number_is_kept_as_typed_with_its_spaces_tidied(typed, kept):
    assert phone_number(typed) == kept


@pytest.mark.parametrize(("typed", "says"), [
    ("6123 4567", "with its country code, starting with +"),
    ("+65 6123 4567 ext 12", "Use only digits"),
    ("+0065 6123 4567", "does not start with 0"),
    ("+65 612", "8 to 15 digits"),
    ("+65 6123 4567 8901 2345", "8 to 15 digits"),
    ("+65\n6123 4567", "one line of text"),
])
def test_a_phone_number_that_cannot_be_dialled_abroad_is_refused_in_words(typed, says):
    with pytest.raises(ValidationError) as refused:
        phone_number(typed)
    assert says in refused.value.messages[0]


# --- The service -------------------------------------------------------------------------------


def test_a_person_changes_their_profile_and_the_trail_says_what_changed():
    person = UserFactory(full_name="Daniel Koh")
    user_update_profile(actor=person, user=person, full_name=" Daniel  Koh Wei ",
                        job_title="Process engineer", phone="+65 6123  4567")
    person.refresh_from_db()
    assert (person.full_name, person.job_title, person.phone) == (
        "Daniel Koh Wei", "Process engineer", "+65 6123 4567")
    event = AuditEvent.objects.get(action="user.update_profile")
    assert event.actor == person and event.target == person
    assert event.changes == {"full_name": ["Daniel Koh", "Daniel Koh Wei"],
                             "job_title": ["", "Process engineer"],
                             "phone": ["", "+65 6123 4567"]}

    # Saving what is already there records nothing.
    user_update_profile(actor=person, user=person, job_title="Process engineer")
    assert AuditEvent.objects.filter(action="user.update_profile").count() == 1


def test_nobody_changes_someone_elses_profile_nor_a_field_that_is_not_the_profiles():
    person, other = UserFactory(full_name="Daniel Koh"), UserFactory()
    with pytest.raises(NotAllowed):
        user_update_profile(actor=other, user=person, full_name="Someone Else")
    with pytest.raises(ApplicationError) as refused:
        user_update_profile(actor=person, user=person, email="new@example.org")
    assert "email" in refused.value.message
    person.refresh_from_db()
    assert person.full_name == "Daniel Koh"
    assert not AuditEvent.objects.filter(action="user.update_profile").exists()


def test_a_refused_profile_changes_nothing_and_says_why_field_by_field():
    person = UserFactory(full_name="Daniel Koh")
    with pytest.raises(ApplicationError) as refused:
        user_update_profile(actor=person, user=person, full_name="", phone="12345")
    assert set(refused.value.fields) == {"full_name", "phone"}
    with pytest.raises(ApplicationError) as refused:
        user_update_profile(actor=person, user=person, phone="12345")
    assert refused.value.message.startswith("Write the number with its country code")
    person.refresh_from_db()
    assert (person.full_name, person.phone) == ("Daniel Koh", "")


# --- The page ----------------------------------------------------------------------------------


def test_the_profile_page_shows_the_person_their_organisations_and_their_settings(client):
    person = UserFactory(full_name="Priya Nair", job_title="Head of CMC")
    OrganisationMembershipFactory(person=person, organisation=OrganisationFactory(
        name="Meridian Pharma Asia"), role="admin")
    OrganisationMembershipFactory(person=person, organisation=OrganisationFactory(
        name="Helix Bioprocess", is_listed=False))
    OrganisationMembershipFactory(organisation=OrganisationFactory(name="Not Hers"))
    client.force_login(person)

    response = client.get("/accounts/profile/")
    assert response.status_code == 200
    page = response.content.decode()
    assert response.context["form"].initial == {"full_name": "Priya Nair",
                                                 "job_title": "Head of CMC", "phone": ""}
    assert [(a.name, a.role) for a in response.context["affiliations"]] == [
        ("Helix Bioprocess", "Partner member"), ("Meridian Pharma Asia", "Partner admin")]
    assert "Not Hers" not in page
    assert 'type="tel"' in page and 'autocomplete="tel"' in page
    for address in ("/accounts/notifications/", "/accounts/api-tokens/", "/accounts/email/",
                    "/accounts/password/change/", "/accounts/2fa/", "/accounts/profile/data/",
                    "/partners/mine/"):
        assert f'href="{address}"' in page, address


def test_saving_the_profile_page_redirects_and_a_refusal_keeps_what_was_typed(client):
    person = UserFactory(full_name="Priya Nair")
    client.force_login(person)
    response = client.post("/accounts/profile/", {
        "full_name": "Priya Nair", "job_title": "Head of CMC", "phone": "+65 6123 4567"})
    assert response.status_code == 302 and response["Location"] == "/accounts/profile/"
    assert page_messages(response) == ["Your profile is saved."]
    person.refresh_from_db()
    assert (person.job_title, person.phone) == ("Head of CMC", "+65 6123 4567")

    refused = client.post("/accounts/profile/", {
        "full_name": "Priya Nair", "job_title": "Director", "phone": "6123 4567"})
    assert refused.status_code == 400
    assert "starting with +" in refused.content.decode()
    assert 'value="Director"' in refused.content.decode()
    person.refresh_from_db()
    assert (person.job_title, person.phone) == ("Head of CMC", "+65 6123 4567")


# --- The download ------------------------------------------------------------------------------


def test_the_download_holds_the_persons_data_and_nobody_elses(client):
    person = UserFactory(full_name="Priya Nair", email="priya@example.org",
                         phone="+65 6123 4567")
    meridian = OrganisationFactory(name="Meridian Pharma Asia")
    OrganisationMembershipFactory(person=person, organisation=meridian, role="admin")
    helix = OrganisationFactory(name="Helix Bioprocess")
    helix_admin = UserFactory(full_name="Hidden Helix Admin", email="helix.admin@example.org")
    OrganisationMembershipFactory(person=helix_admin, organisation=helix, role="admin")
    declined = person_request_create(actor=person, organisation=helix, message="Let me in.")
    person_request_decline(actor=helix_admin, person_request=declined, reason="Not our team.")
    kinetic = OrganisationFactory(name="Kinetic Bio")
    kinetic_admin = UserFactory(full_name="Kinetic Inviter", email="kinetic.admin@example.org")
    OrganisationMembershipFactory(person=kinetic_admin, organisation=kinetic, role="admin")
    invitation, _token = invitation_create(actor=kinetic_admin, organisation=kinetic,
                                           email=person.email)
    invitation_accept(actor=person, invitation=invitation)
    JoinRequestFactory(organisation=meridian, requested_by=person,
                       motivation="Our pilot line.")
    JoinRequestFactory(organisation=meridian, motivation="Someone else's request.")
    notify(recipients=[person], kind=notification_kinds.ROLE_CHANGED, message="For Priya.")
    notify(recipients=[helix_admin], kind=notification_kinds.ROLE_CHANGED,
           message="For the Helix admin.")
    _token, key = api_token_create(actor=person, name="Reporting script")
    client.force_login(person)

    response = client.get("/accounts/profile/data/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="my-portal-data-')
    assert "no-cache" in response["Cache-Control"]
    data = json.loads(response.content)

    assert data["profile"]["email"] == "priya@example.org"
    assert data["profile"]["phone"] == "+65 6123 4567"
    assert data["email_addresses"] == [
        {"email": "priya@example.org", "verified": True, "primary": True}]
    assert [(m["organisation"], m["role"]) for m in data["organisation_memberships"]] == [
        ("Kinetic Bio", "member"), ("Meridian Pharma Asia", "admin")]
    [asked] = data["requests_to_join_organisations"]
    assert (asked["organisation"], asked["status"], asked["decision_reason"]) == (
        "Helix Bioprocess", "declined", "Not our team.")
    [invited] = data["invitations"]
    assert invited["organisation"] == "Kinetic Bio" and invited["accepted_at"]
    assert [r["motivation"] for r in data["workstream_join_requests"]] == ["Our pilot line."]
    person_notices = [n["message"] for n in data["notifications"]]
    assert "For Priya." in person_notices and "For the Helix admin." not in person_notices
    assert len(person_notices) == Notification.objects.filter(recipient=person).count()
    assert [t["name"] for t in data["api_tokens"]] == ["Reporting script"]

    # Beyond the words of the notices the person was sent, nothing of anyone else: not who
    # decided, not who invited, not another's request; and no key of a token.
    del data["notifications"]
    text = json.dumps(data, ensure_ascii=False)
    for others in ("Hidden Helix Admin", "helix.admin@example.org", "Kinetic Inviter",
                   "kinetic.admin@example.org", "Someone else's request", key, "digest"):
        assert others not in text, others


# --- The API -----------------------------------------------------------------------------------


def test_me_in_the_api_shows_and_changes_the_profile_through_the_service():
    person = UserFactory(full_name="Priya Nair")
    client = client_for(person)
    assert client.get("/api/v1/me/").json()["phone"] == ""

    response = client.patch("/api/v1/me/", {"job_title": "Head of CMC",
                                            "phone": "+65 6123 4567"}, format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["job_title"], response.json()["phone"]) == (
        "Head of CMC", "+65 6123 4567")
    assert AuditEvent.objects.get(action="user.update_profile").changes == {
        "job_title": ["", "Head of CMC"], "phone": ["", "+65 6123 4567"]}

    cleared = client.patch("/api/v1/me/", {"phone": ""}, format="json")
    assert cleared.json()["phone"] == "" and cleared.json()["job_title"] == "Head of CMC"


@pytest.mark.parametrize("phone", ["6123 4567", " +65 6123 4567", "+65 612", "+65 6123 4567x",
                                   "+65 6123\n4567", 6561234567])
def test_the_api_refuses_a_phone_its_schema_refuses_and_changes_nothing(phone):
    person = UserFactory(full_name="Priya Nair")
    response = client_for(person).patch("/api/v1/me/", {"phone": phone}, format="json")
    body = assert_error(response, 400)
    assert "phone" in body["fields"]
    person.refresh_from_db()
    assert person.phone == ""
