"""The partners API through the client: organisations, people, invitations, requests to join,
agreements, and the caller's notifications. Bad input gets the common error format and changes
nothing; every list costs the same number of queries whatever its length."""

import datetime
import io

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from cluster_portal.core.exceptions import Conflict
from cluster_portal.notifications.models import Notification
from cluster_portal.notifications.services import notify
from partners.models import Invitation, Organisation, OrganisationMembership
from partners.services import (
    invitation_create,
    organisation_membership_remove,
    person_request_create,
)
from tests.factories import (
    AgreementFactory,
    OrganisationFactory,
    OrganisationMembershipFactory,
    UserFactory,
    WorkstreamFactory,
    WorkstreamMembershipFactory,
)
from tests.support.api import assert_error, client_for
from tests.support.races import race
from workstreams.services import workstream_membership_end

pytestmark = pytest.mark.django_db




def admin_of(organisation, **kwargs):
    return OrganisationMembershipFactory(organisation=organisation, role="admin", **kwargs).person


def member_of(organisation, **kwargs):
    return OrganisationMembershipFactory(organisation=organisation, role="member",
                                         **kwargs).person


def png_upload(name="logo.png", size=(40, 40)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (20, 120, 90)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")




REGISTRATION = {
    "name": "Helix Bioprocess Pte Ltd",
    "uen": "202612345K",
    "kind": "biotech",
    "website": "https://helix-bio.example.sg",
    "description": "Continuous downstream processing.",
}


# --- Organisations ----------------------------------------------------------------------------


def test_registering_an_organisation_makes_the_caller_its_admin_and_hides_it(user):
    response = client_for(user).post("/api/v1/organisations/", REGISTRATION, format="json")

    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "Helix Bioprocess Pte Ltd"
    assert body["status"] == "pending"
    assert body["uen"] == "202612345K"
    organisation = Organisation.objects.get(slug=body["slug"])
    assert organisation.memberships.get().person == user
    assert organisation.memberships.get().role == "admin"
    # Waiting for approval: invisible to anyone else, in the list and by its address.
    stranger = client_for(UserFactory())
    assert stranger.get(f"/api/v1/organisations/{body['slug']}/").status_code == 404
    assert body["slug"] not in [o["slug"] for o in
                                stranger.get("/api/v1/organisations/").json()["results"]]


def test_a_duplicate_uen_is_a_400_on_the_uen_field_and_registers_nothing(user):
    OrganisationFactory(uen="202612345K")

    response = client_for(user).post(
        "/api/v1/organisations/", {**REGISTRATION, "uen": " 202612345k "}, format="json"
    )

    body = assert_error(response, 400, "duplicate_uen")
    assert "already registered" in body["fields"]["uen"][0]
    assert Organisation.objects.filter(uen="202612345K").count() == 1
    assert not OrganisationMembership.objects.filter(person=user).exists()


def test_registration_fields_are_checked_one_by_one(user):
    response = client_for(user).post(
        "/api/v1/organisations/", {"name": "", "kind": "pharmacy", "website": "not a url"},
        format="json",
    )

    body = assert_error(response, 400, "invalid")
    assert set(body["fields"]) == {"name", "uen", "kind", "website"}
    assert not Organisation.objects.exists()


def test_malformed_json_is_a_400_and_registers_nothing(user):
    response = client_for(user).post(
        "/api/v1/organisations/", data='{"name": "Helix", ', content_type="application/json"
    )

    assert_error(response, 400, "parse_error")
    assert not Organisation.objects.exists()


def test_anonymous_callers_cannot_register():
    response = client_for().post("/api/v1/organisations/", REGISTRATION, format="json")

    assert_error(response, 401, "not_authenticated")
    assert not Organisation.objects.exists()


def test_a_programme_admin_approves_with_a_tier_and_a_second_approval_is_409(mfa_admin_user):
    organisation = OrganisationFactory(status="pending", tier="", tier_status="none",
                                       tier_starts_on=None, tier_ends_on=None)
    registrant = admin_of(organisation)
    client = client_for(mfa_admin_user)
    url = f"/api/v1/organisations/{organisation.slug}/approve/"

    response = client.post(url, {"tier": "core", "tier_starts_on": "2026-01-01"}, format="json")

    assert response.status_code == 200
    assert response.json()["status"] == "approved"
    assert response.json()["tier"] == "core"
    assert response.json()["tier_starts_on"] == "2026-01-01"
    assert Notification.objects.filter(recipient=registrant, kind="organisation_approved").exists()
    again = client.post(url, {}, format="json")
    body = assert_error(again, 409, "already_decided")
    assert "already approved" in body["message"]


def test_declining_a_registration_needs_a_reason(mfa_admin_user):
    organisation = OrganisationFactory(status="pending")
    client = client_for(mfa_admin_user)
    url = f"/api/v1/organisations/{organisation.slug}/decline/"

    body = assert_error(client.post(url, {"reason": "  "}, format="json"), 400)
    assert "reason" in body["fields"]
    organisation.refresh_from_db()
    assert organisation.status == "pending"

    response = client.post(url, {"reason": "Not a biomanufacturing business."}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "declined"


def test_an_admin_without_mfa_cannot_approve(admin_user):
    organisation = OrganisationFactory(status="pending")

    response = client_for(admin_user).post(
        f"/api/v1/organisations/{organisation.slug}/approve/", {}, format="json"
    )

    body = assert_error(response, 403, "mfa_required")
    assert "two-factor authentication" in body["message"]
    organisation.refresh_from_db()
    assert organisation.status == "pending"


def test_a_programme_admin_sets_the_tier_term(mfa_admin_user):
    organisation = OrganisationFactory()

    response = client_for(mfa_admin_user).post(
        f"/api/v1/organisations/{organisation.slug}/set-tier/",
        {"tier": "associate", "tier_starts_on": "2026-01-01", "tier_ends_on": "2025-12-31"},
        format="json",
    )

    body = assert_error(response, 400)
    assert "tier_ends_on" in body["fields"]
    response = client_for(mfa_admin_user).post(
        f"/api/v1/organisations/{organisation.slug}/set-tier/",
        {"tier": "associate", "tier_starts_on": "2026-01-01", "tier_ends_on": "2026-12-31"},
        format="json",
    )
    assert response.status_code == 200
    assert (response.json()["tier"], response.json()["tier_ends_on"]) == (
        "associate", "2026-12-31")


def test_the_public_profile_hides_membership_terms_that_members_see():
    organisation = OrganisationFactory()
    url = f"/api/v1/organisations/{organisation.slug}/"

    public = client_for().get(url).json()
    own = client_for(member_of(organisation)).get(url).json()

    assert set(public) == {"slug", "name", "kind", "tier", "website", "country", "description",
                           "logo", "workstreams"}
    assert set(own) == set(public) | {"uen", "is_listed", "status", "tier_status",
                                      "membership_status", "tier_starts_on", "tier_ends_on",
                                      "created_at"}
    assert own["tier_status"] == "current"
    assert own["membership_status"] == "current"  # its earlier name, deprecated


def test_a_partner_admin_edits_the_profile_with_json():
    organisation = OrganisationFactory(name="Helix", website="")
    admin = admin_of(organisation)

    response = client_for(admin).patch(
        f"/api/v1/organisations/{organisation.slug}/",
        {"description": "Pilot-scale continuous chromatography.", "country": "MY"},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["description"] == "Pilot-scale continuous chromatography."
    assert response.json()["country"] == "MY"
    assert response.json()["name"] == "Helix"  # untouched: PATCH changes only what is sent
    organisation.refresh_from_db()
    assert organisation.country == "MY"


def test_put_is_not_offered(user):
    organisation = OrganisationFactory()
    response = client_for(admin_of(organisation)).put(
        f"/api/v1/organisations/{organisation.slug}/", REGISTRATION, format="json"
    )
    assert_error(response, 405)


def test_a_partner_admin_uploads_a_logo_with_multipart():
    organisation = OrganisationFactory(is_listed=True)
    admin = admin_of(organisation)

    response = client_for(admin).patch(
        f"/api/v1/organisations/{organisation.slug}/", {"logo": png_upload()},
        format="multipart",
    )

    assert response.status_code == 200
    assert response.json()["logo"] == f"http://testserver/partners/{organisation.slug}/logo/"
    # A multipart PATCH that leaves out the listing flag leaves it as it was.
    assert response.json()["is_listed"] is True
    organisation.refresh_from_db()
    assert organisation.logo.name.startswith("partners/logos/")


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("logo.png", b"\x89PNG\r\n\x1a\n" + b"0" * (1024 * 1024),
                            content_type="image/png"), "the limit is 1 MB"),
        (SimpleUploadedFile("logo.png", b"<svg onload=alert(1)>", content_type="image/png"),
         "must be an image file"),
    ],
    ids=["oversized", "not-an-image"],
)
def test_a_bad_logo_is_a_400_on_the_logo_field_and_changes_nothing(upload, message):
    organisation = OrganisationFactory(name="Helix")
    admin = admin_of(organisation)

    response = client_for(admin).patch(
        f"/api/v1/organisations/{organisation.slug}/", {"name": "Renamed", "logo": upload},
        format="multipart",
    )

    body = assert_error(response, 400)
    assert message in body["fields"]["logo"][0]
    organisation.refresh_from_db()
    assert organisation.name == "Helix"
    assert not organisation.logo


def test_malformed_json_on_patch_is_a_400_and_changes_nothing():
    organisation = OrganisationFactory(name="Helix")
    response = client_for(admin_of(organisation)).patch(
        f"/api/v1/organisations/{organisation.slug}/", data="{name: Renamed}",
        content_type="application/json",
    )
    assert_error(response, 400, "parse_error")
    organisation.refresh_from_db()
    assert organisation.name == "Helix"


def test_the_directory_filters_searches_and_orders(mfa_staff_user):
    digital = WorkstreamFactory(slug="digital-factory")
    alpha = OrganisationFactory(name="Alpha Biologics", kind="biotech", tier="core",
                                description="Cell culture media.")
    beta = OrganisationFactory(name="Beta Continuous", kind="sme", tier="member",
                               description="Flow chemistry skids.")
    OrganisationFactory(name="Gamma Hidden", kind="biotech", is_listed=False)
    WorkstreamMembershipFactory(organisation=beta, workstream=digital)
    # An ended membership does not count.
    workstream_membership_end(
        actor=mfa_staff_user,
        membership=WorkstreamMembershipFactory(organisation=alpha, workstream=digital),
    )
    client = client_for()

    def slugs(query):
        response = client.get(f"/api/v1/organisations/{query}")
        assert response.status_code == 200
        return [o["slug"] for o in response.json()["results"]]

    assert slugs("?kind=biotech") == [alpha.slug]
    assert slugs("?tier=member") == [beta.slug]
    assert slugs("?workstream=digital-factory") == [beta.slug]
    assert slugs("?search=flow") == [beta.slug]
    assert slugs("?search=hidden") == []
    assert slugs("?ordering=-name") == [beta.slug, alpha.slug]
    assert client.get("/api/v1/organisations/").json()["results"][1]["workstreams"] == [
        {"slug": "digital-factory", "name": digital.name, "role": "core",
         "since": beta.workstream_memberships.get().since.isoformat()},
    ]
    body = assert_error(client.get("/api/v1/organisations/?kind=pharmacy"), 400)
    assert "kind" in body["fields"]


def _organisation_rows(n: int):
    workstream = WorkstreamFactory()
    for _ in range(n):
        organisation = OrganisationFactory()
        WorkstreamMembershipFactory(organisation=organisation, workstream=workstream)


def _count_queries(client, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(queries), response.json()["count"]


@pytest.mark.parametrize("viewer", ["visitor", "member", "staff"])
def test_the_organisation_list_costs_the_same_queries_for_more_rows(viewer, mfa_staff_user):
    own = OrganisationFactory()
    person = {"visitor": None, "member": member_of(own), "staff": mfa_staff_user}[viewer]
    client = client_for(person)
    _organisation_rows(3)
    few, count_few = _count_queries(client, "/api/v1/organisations/")
    _organisation_rows(6)
    many, count_many = _count_queries(client, "/api/v1/organisations/")

    assert count_many == count_few + 6
    assert many == few


# --- Organisation memberships -----------------------------------------------------------------


def test_a_partner_admin_changes_a_role_and_removes_a_colleague():
    organisation = OrganisationFactory()
    admin = admin_of(organisation)
    colleague = OrganisationMembershipFactory(organisation=organisation, role="member")
    client = client_for(admin)

    response = client.patch(f"/api/v1/organisation-memberships/{colleague.pk}/",
                            {"role": "admin"}, format="json")
    assert response.status_code == 200
    assert response.json()["role"] == "admin"
    assert response.json()["person"]["email"] == colleague.person.email

    response = client.delete(f"/api/v1/organisation-memberships/{colleague.pk}/")
    assert response.status_code == 204
    assert not OrganisationMembership.objects.filter(pk=colleague.pk).exists()
    assert Notification.objects.filter(recipient=colleague.person, kind="removed").exists()


def test_the_last_admin_can_neither_be_demoted_nor_removed():
    organisation = OrganisationFactory()
    admin = OrganisationMembershipFactory(organisation=organisation, role="admin")
    client = client_for(admin.person)
    url = f"/api/v1/organisation-memberships/{admin.pk}/"

    assert_error(client.patch(url, {"role": "member"}, format="json"), 409, "last_admin")
    assert_error(client.delete(url), 409, "last_admin")
    admin.refresh_from_db()
    assert admin.role == "admin"


def test_an_unknown_role_is_a_400_on_the_role_field():
    organisation = OrganisationFactory()
    colleague = OrganisationMembershipFactory(organisation=organisation)
    response = client_for(admin_of(organisation)).patch(
        f"/api/v1/organisation-memberships/{colleague.pk}/", {"role": "owner"}, format="json"
    )
    body = assert_error(response, 400, "invalid")
    assert list(body["fields"]) == ["role"]


def test_memberships_filter_by_organisation_and_role(mfa_staff_user):
    first, second = OrganisationFactory(), OrganisationFactory()
    first_admin = OrganisationMembershipFactory(organisation=first, role="admin")
    OrganisationMembershipFactory(organisation=first, role="member")
    OrganisationMembershipFactory(organisation=second, role="admin")
    client = client_for(mfa_staff_user)

    response = client.get(f"/api/v1/organisation-memberships/?organisation={first.slug}"
                          "&role=admin")

    assert [m["id"] for m in response.json()["results"]] == [first_admin.pk]


@pytest.mark.django_db(transaction=True)
def test_two_admins_leaving_at_once_leave_exactly_one_admin():
    organisation = OrganisationFactory()
    first = OrganisationMembershipFactory(organisation=organisation, role="admin")
    second = OrganisationMembershipFactory(organisation=organisation, role="admin")
    outcomes = race(
        lambda: organisation_membership_remove(actor=first.person, membership=first),
        lambda: organisation_membership_remove(actor=second.person, membership=second),
    )

    assert sorted(type(o).__name__ for o in outcomes) == ["Conflict", "NoneType"]
    assert next(o for o in outcomes if isinstance(o, Conflict)).code == "last_admin"
    assert organisation.memberships.filter(role="admin").count() == 1




def _membership_rows(organisation, n: int):
    for _ in range(n):
        OrganisationMembershipFactory(organisation=organisation)


def test_the_membership_list_costs_the_same_queries_for_more_rows(mfa_staff_user):
    organisation = OrganisationFactory()
    admin = admin_of(organisation)
    for person in (admin, mfa_staff_user):
        client = client_for(person)
        _membership_rows(organisation, 3)
        few, count_few = _count_queries(client, "/api/v1/organisation-memberships/")
        _membership_rows(organisation, 6)
        many, count_many = _count_queries(client, "/api/v1/organisation-memberships/")
        assert count_many == count_few + 6
        assert many == few


# --- Invitations ------------------------------------------------------------------------------


def test_a_partner_admin_invites_by_email_and_the_token_never_appears(
        django_capture_on_commit_callbacks):
    organisation = OrganisationFactory()
    admin = admin_of(organisation)

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin).post(
            "/api/v1/invitations/",
            {"organisation": organisation.slug, "email": "Tan.Mei@Helix.example",
             "name": "Tan Mei", "role": "member"},
            format="json",
        )

    assert response.status_code == 201
    body = response.json()
    assert body["email"] == "Tan.Mei@helix.example"
    assert body["status"] == "pending"
    assert body["invited_by"]["id"] == admin.pk
    assert "token" not in body and "token_digest" not in body
    assert len(mail.outbox) == 1
    link = next(word for word in mail.outbox[0].body.split() if "/partners/invitations/" in word)
    token = link.rstrip("/.").rsplit("/", 1)[-1]
    assert token and token not in response.content.decode()


def test_an_invitation_to_an_organisation_the_caller_cannot_see_is_a_400():
    hidden = OrganisationFactory(is_listed=False)
    admin_of(hidden)
    response = client_for(UserFactory()).post(
        "/api/v1/invitations/", {"organisation": hidden.slug, "email": "a@example.org"},
        format="json",
    )
    body = assert_error(response, 400)
    assert body["fields"]["organisation"] == [f"There is no organisation “{hidden.slug}”."]
    assert not Invitation.objects.exists()


def test_accepting_an_invitation_attaches_the_account_once():
    organisation = OrganisationFactory()
    admin = admin_of(organisation)
    invitee = UserFactory(email="tan.mei@helix.example")
    _invitation, token = invitation_create(actor=admin, organisation=organisation,
                                           email="tan.mei@helix.example", role="admin")
    client = client_for(invitee)

    response = client.post("/api/v1/invitations/accept/", {"token": token}, format="json")

    assert response.status_code == 201
    assert response.json()["organisation"]["slug"] == organisation.slug
    assert response.json()["role"] == "admin"
    assert organisation.memberships.filter(person=invitee, role="admin").exists()
    again = client.post("/api/v1/invitations/accept/", {"token": token}, format="json")
    assert_error(again, 409, "invitation_used")
    assert organisation.memberships.filter(person=invitee).count() == 1


def test_an_expired_invitation_is_a_409_and_attaches_nothing():
    organisation = OrganisationFactory()
    invitee = UserFactory(email="late@example.org")
    invitation, token = invitation_create(actor=admin_of(organisation),
                                          organisation=organisation, email="late@example.org")
    # Fifteen days later: the link (valid for fourteen) has expired.
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - datetime.timedelta(days=1))

    response = client_for(invitee).post("/api/v1/invitations/accept/", {"token": token},
                                        format="json")

    body = assert_error(response, 409, "invitation_expired")
    assert "expired" in body["message"]
    assert not organisation.memberships.filter(person=invitee).exists()


def test_a_revoked_invitation_is_a_409_and_an_unknown_token_a_404():
    organisation = OrganisationFactory()
    admin = admin_of(organisation)
    invitee = UserFactory(email="revoked@example.org")
    invitation, token = invitation_create(actor=admin, organisation=organisation,
                                          email="revoked@example.org")
    revoke = client_for(admin).post(f"/api/v1/invitations/{invitation.pk}/revoke/")
    assert revoke.status_code == 200
    assert revoke.json()["status"] == "revoked"
    assert_error(client_for(admin).post(f"/api/v1/invitations/{invitation.pk}/revoke/"), 409)
    client = client_for(invitee)

    assert_error(client.post("/api/v1/invitations/accept/", {"token": token}, format="json"),
                 409, "invitation_revoked")
    assert_error(client.post("/api/v1/invitations/accept/", {"token": "forged"}, format="json"),
                 404, "not_found")
    assert_error(client.post("/api/v1/invitations/accept/", {}, format="json"), 400)
    assert not organisation.memberships.filter(person=invitee).exists()


def test_an_invitation_accepted_from_another_account_is_a_403():
    organisation = OrganisationFactory()
    _invitation, token = invitation_create(actor=admin_of(organisation),
                                           organisation=organisation, email="right@example.org")
    wrong = UserFactory(email="wrong@example.org")

    response = client_for(wrong).post("/api/v1/invitations/accept/", {"token": token},
                                      format="json")

    assert_error(response, 403, "wrong_account")
    assert not organisation.memberships.filter(person=wrong).exists()


def test_accepting_needs_a_signed_in_person():
    assert_error(client_for().post("/api/v1/invitations/accept/", {"token": "x"},
                                   format="json"), 401)


def test_a_csv_import_reports_each_row():
    organisation = OrganisationFactory(tier="core")
    admin = admin_of(organisation)
    OrganisationMembershipFactory(organisation=organisation, person__email="here@example.org")
    csv_file = SimpleUploadedFile(
        "people.csv",
        b"name,email,role\nTan Mei,tan@example.org,member\nLim,here@example.org,member\n"
        b"Ong,not-an-address,admin\nTan Again,tan@example.org,admin\n",
        content_type="text/csv",
    )

    response = client_for(admin).post(
        "/api/v1/invitations/import/", {"organisation": organisation.slug, "file": csv_file},
        format="multipart",
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["invited"], body["refused"]) == (1, 3)
    assert [(row["line"], row["outcome"]) for row in body["rows"]] == [
        (2, "invited"), (3, "refused"), (4, "refused"), (5, "refused")]
    assert body["rows"][1]["message"] == "This person is already a member."
    assert list(Invitation.objects.values_list("email", flat=True)) == ["tan@example.org"]


def test_a_csv_import_without_a_header_is_a_400_on_the_file_field():
    organisation = OrganisationFactory()
    response = client_for(admin_of(organisation)).post(
        "/api/v1/invitations/import/",
        {"organisation": organisation.slug,
         "file": SimpleUploadedFile("people.csv", b"a@example.org\n", content_type="text/csv")},
        format="multipart",
    )
    body = assert_error(response, 400)
    assert "file" in body["fields"]
    assert not Invitation.objects.exists()


def test_invitations_filter_by_status():
    organisation = OrganisationFactory(tier="core")
    admin = admin_of(organisation)
    pending, _ = invitation_create(actor=admin, organisation=organisation, email="p@example.org")
    expired, _ = invitation_create(actor=admin, organisation=organisation, email="e@example.org")
    Invitation.objects.filter(pk=expired.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1))
    client = client_for(admin)

    def ids(status):
        results = client.get(f"/api/v1/invitations/?status={status}").json()["results"]
        assert all(row["status"] == status for row in results)
        return [row["id"] for row in results]

    assert ids("pending") == [pending.pk]
    assert ids("expired") == [expired.pk]
    assert ids("accepted") == []


def test_the_invitation_list_costs_the_same_queries_for_more_rows(mfa_staff_user):
    organisation = OrganisationFactory(tier="core")
    admin = admin_of(organisation)

    def invite(n, start):
        for i in range(start, start + n):
            invitation_create(actor=admin, organisation=organisation, email=f"i{i}@example.org")

    for person in (admin, mfa_staff_user):
        client = client_for(person)
        Invitation.objects.all().delete()
        invite(3, 0)
        few, count_few = _count_queries(client, "/api/v1/invitations/")
        invite(6, 3)
        many, count_many = _count_queries(client, "/api/v1/invitations/")
        assert (count_few, count_many) == (3, 9)
        assert many == few


# --- Requests to join an organisation ---------------------------------------------------------


def test_a_person_asks_to_join_and_an_admin_approves():
    organisation = OrganisationFactory()
    admin = admin_of(organisation)
    person = UserFactory()

    response = client_for(person).post(
        "/api/v1/person-requests/", {"organisation": organisation.slug, "message": "I run QC."},
        format="json",
    )
    assert response.status_code == 201
    request_id = response.json()["id"]
    assert response.json()["status"] == "pending"

    again = client_for(person).post("/api/v1/person-requests/",
                                    {"organisation": organisation.slug}, format="json")
    assert_error(again, 409)

    response = client_for(admin).post(f"/api/v1/person-requests/{request_id}/approve/",
                                      {"role": "member"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "approved"
    assert organisation.memberships.filter(person=person, role="member").exists()
    withdraw = client_for(person).post(f"/api/v1/person-requests/{request_id}/withdraw/")
    assert_error(withdraw, 409)


def test_a_person_withdraws_and_an_admin_declines():
    organisation = OrganisationFactory()
    admin = admin_of(organisation)
    first, second = UserFactory(), UserFactory()
    mine = person_request_create(actor=first, organisation=organisation)
    theirs = person_request_create(actor=second, organisation=organisation)

    response = client_for(first).post(f"/api/v1/person-requests/{mine.pk}/withdraw/")
    assert response.json()["status"] == "withdrawn"
    response = client_for(admin).post(f"/api/v1/person-requests/{theirs.pk}/decline/",
                                      {"reason": "We don't know you."}, format="json")
    assert response.json()["status"] == "declined"
    assert response.json()["decision_reason"] == "We don't know you."


def test_the_person_request_list_costs_the_same_queries_for_more_rows():
    organisation = OrganisationFactory()
    client = client_for(admin_of(organisation))

    def ask(n):
        for _ in range(n):
            person_request_create(actor=UserFactory(), organisation=organisation)

    ask(3)
    few, count_few = _count_queries(client, "/api/v1/person-requests/")
    ask(6)
    many, count_many = _count_queries(client, "/api/v1/person-requests/")
    assert (count_few, count_many) == (3, 9)
    assert many == few


# --- Agreements -------------------------------------------------------------------------------


def test_agreements_filter_by_organisation(mfa_staff_user):
    first, second = OrganisationFactory(), OrganisationFactory()
    nda = AgreementFactory(organisation=first, kind="nda")
    AgreementFactory(organisation=second)

    response = client_for(mfa_staff_user).get(
        f"/api/v1/agreements/?organisation={first.slug}")

    assert [a["id"] for a in response.json()["results"]] == [nda.pk]
    assert response.json()["results"][0]["kind"] == "nda"


def test_the_agreement_list_costs_the_same_queries_for_more_rows(mfa_staff_user):
    organisation = OrganisationFactory()
    admin = admin_of(organisation)
    for person in (admin, mfa_staff_user):
        client = client_for(person)
        AgreementFactory.create_batch(3, organisation=organisation)
        few, count_few = _count_queries(client, "/api/v1/agreements/")
        AgreementFactory.create_batch(6, organisation=organisation)
        many, count_many = _count_queries(client, "/api/v1/agreements/")
        assert count_many == count_few + 6
        assert many == few


# --- Notifications ----------------------------------------------------------------------------


def test_a_person_lists_and_marks_their_own_notifications():
    organisation = OrganisationFactory()
    admin = admin_of(organisation)
    colleague = OrganisationMembershipFactory(organisation=organisation)
    client_for(admin).patch(f"/api/v1/organisation-memberships/{colleague.pk}/",
                            {"role": "admin"}, format="json")
    client = client_for(colleague.person)

    notifications = client.get("/api/v1/notifications/?unread=true").json()["results"]
    assert [n["kind"] for n in notifications] == ["role_changed"]
    assert notifications[0]["actor"] == admin.full_name
    # Nobody reads or marks anyone else's.
    assert_error(client_for(admin).get(f"/api/v1/notifications/{notifications[0]['id']}/"), 404)
    assert_error(client_for(admin).post(
        f"/api/v1/notifications/{notifications[0]['id']}/mark-read/"), 404)

    response = client.post(f"/api/v1/notifications/{notifications[0]['id']}/mark-read/")
    assert response.json()["is_read"] is True
    assert client.get("/api/v1/notifications/?unread=true").json()["count"] == 0
    assert client.post("/api/v1/notifications/mark-all-read/").json() == {"marked": 0}
    assert_error(client_for().get("/api/v1/notifications/"), 401)


def test_the_notification_list_costs_the_same_queries_for_more_rows():
    person, actor = UserFactory(), UserFactory()
    client = client_for(person)

    def notify_n(n):
        for _ in range(n):
            notify(recipients=[person], actor=actor, kind="role_changed", message="New role.")

    notify_n(3)
    few, count_few = _count_queries(client, "/api/v1/notifications/")
    notify_n(6)
    many, count_many = _count_queries(client, "/api/v1/notifications/")
    assert (count_few, count_many) == (3, 9)
    assert many == few
