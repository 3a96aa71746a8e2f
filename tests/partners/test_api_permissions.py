"""Who gets what from the partners API: one table per endpoint and action, one row per role,
with the exact status code and, for lists, exactly the rows returned.

The world: Xylo (approved, listed) with an admin, a member and a colleague; Other Hidden
(approved, not listed) whose member is "a member of another organisation"; Pending Co (a
registration waiting for approval); Public Co (approved, listed, nobody of ours in it).
"""


import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from partners.models import Invitation, Organisation, OrganisationMembership, PersonRequest
from tests.support.api import assert_error
from tests.support.worlds import ROLES, assert_answer, build_world, labels, table

pytestmark = pytest.mark.django_db





@pytest.fixture
def world():
    return build_world()








# --- Organisations ----------------------------------------------------------------------------

EVERYONE_PUBLIC = {"xylo", "public-co"}
EVERY_ORGANISATION = {"xylo", "public-co", "other-hidden", "pending-co"}


@pytest.mark.parametrize(("role", "expected"), table({
    "visitor": EVERYONE_PUBLIC,
    "trainee": EVERYONE_PUBLIC,
    "other_member": EVERYONE_PUBLIC | {"other-hidden"},
    "member": EVERYONE_PUBLIC,
    "partner_admin": EVERYONE_PUBLIC,
    "staff": EVERY_ORGANISATION,
    "admin": EVERY_ORGANISATION,
}))
def test_organisation_list(world, role, expected):
    rows = assert_answer(world.client(role).get("/api/v1/organisations/?page_size=100"),
                         expected)
    assert {row["slug"] for row in rows} == expected
    # Searching and filtering start from the same visible rows.
    searched = world.client(role).get("/api/v1/organisations/?search=hidden").json()
    assert searched["count"] == (1 if "other-hidden" in expected else 0)
    by_kind = world.client(role).get("/api/v1/organisations/?kind=sme").json()
    assert {row["slug"] for row in by_kind["results"]} == expected


@pytest.mark.parametrize(("role", "expected"), table({
    "visitor": "public", "trainee": "public", "other_member": "public", "member": "full",
    "partner_admin": "full", "staff": "full", "admin": "full",
}))
def test_organisation_retrieve_shows_membership_terms_to_its_people_and_staff(
        world, role, expected):
    response = world.client(role).get("/api/v1/organisations/xylo/")
    assert response.status_code == 200
    assert ("tier_status" in response.json()) == (expected == "full")
    assert ("membership_status" in response.json()) == (expected == "full")
    assert ("status" in response.json()) == (expected == "full")


@pytest.mark.parametrize(("role", "expected"), table({
    "visitor": 404, "trainee": 404, "other_member": 200, "member": 404, "partner_admin": 404,
    "staff": 200, "admin": 200,
}))
def test_unlisted_organisation_retrieve(world, role, expected):
    assert_answer(world.client(role).get("/api/v1/organisations/other-hidden/"), expected)


@pytest.mark.parametrize(("role", "expected"), table({
    "visitor": 404, "trainee": 404, "other_member": 404, "member": 404, "partner_admin": 404,
    "staff": 200, "admin": 200,
}))
def test_pending_organisation_retrieve(world, role, expected):
    assert_answer(world.client(role).get("/api/v1/organisations/pending-co/"), expected)


@pytest.mark.parametrize(("role", "expected"), table({
    "visitor": 401, "trainee": 201, "other_member": 201, "member": 201, "partner_admin": 201,
    "staff": 201, "admin": 201,
}))
def test_organisation_register(world, role, expected):
    response = world.client(role).post(
        "/api/v1/organisations/", {"name": "New Co", "uen": "202600777N", "kind": "sme"},
        format="json",
    )
    assert_answer(response, expected)
    assert Organisation.objects.filter(uen="202600777N").exists() == (expected == 201)


@pytest.mark.parametrize(("role", "expected"), table({
    "visitor": 401, "trainee": 403, "other_member": 403, "member": 403, "partner_admin": 200,
    "staff": 403, "admin": 200,
}))
def test_organisation_profile_edit(world, role, expected):
    response = world.client(role).patch("/api/v1/organisations/xylo/",
                                        {"description": "Edited."}, format="json")
    assert_answer(response, expected)
    world.xylo.refresh_from_db()
    assert (world.xylo.description == "Edited.") == (expected == 200)


@pytest.mark.parametrize(("role", "expected"), table({
    "visitor": 401, "trainee": 404, "other_member": 403, "member": 404, "partner_admin": 404,
    "staff": 403, "admin": 200,
}))
def test_unlisted_organisation_profile_edit(world, role, expected):
    response = world.client(role).patch("/api/v1/organisations/other-hidden/",
                                        {"description": "Edited."}, format="json")
    assert_answer(response, expected)
    world.hidden.refresh_from_db()
    assert (world.hidden.description == "Edited.") == (expected == 200)


@pytest.mark.parametrize("action", ["approve", "decline"])
@pytest.mark.parametrize(("role", "expected"), table({
    "visitor": 401, "trainee": 403, "other_member": 403, "member": 403, "partner_admin": 403,
    "staff": 403, "admin": 200,
}))
def test_organisation_decisions(world, role, expected, action):
    response = world.client(role).post(f"/api/v1/organisations/pending-co/{action}/",
                                       {"reason": "Out of scope."}, format="json")
    assert_answer(response, expected)
    world.pending.refresh_from_db()
    assert (world.pending.status != "pending") == (expected == 200)


@pytest.mark.parametrize(("role", "expected"), table({
    "visitor": 401, "trainee": 403, "other_member": 403, "member": 403, "partner_admin": 403,
    "staff": 403, "admin": 200,
}))
def test_organisation_set_tier(world, role, expected):
    response = world.client(role).post("/api/v1/organisations/xylo/set-tier/",
                                       {"tier": "core", "tier_starts_on": "2026-01-01"},
                                       format="json")
    assert_answer(response, expected)
    world.xylo.refresh_from_db()
    assert (world.xylo.tier == "core") == (expected == 200)


# --- Organisation memberships -----------------------------------------------------------------

XYLO_PEOPLE = {"xylo:partner_admin", "xylo:member", "xylo:colleague"}
EVERY_MEMBERSHIP = XYLO_PEOPLE | {"hidden:admin", "hidden:other_member", "pending:registrant"}


@pytest.mark.parametrize(("role", "expected"), table({
    "visitor": 401, "trainee": set(), "other_member": {"hidden:admin", "hidden:other_member"},
    "member": XYLO_PEOPLE, "partner_admin": XYLO_PEOPLE, "staff": EVERY_MEMBERSHIP,
    "admin": EVERY_MEMBERSHIP,
}))
def test_membership_list(world, role, expected):
    rows = assert_answer(world.client(role).get("/api/v1/organisation-memberships/"), expected)
    if rows is not None:
        assert labels(rows, world.memberships) == expected


@pytest.mark.parametrize(("role", "expected"), table({
    "visitor": 401, "trainee": 404, "other_member": 404, "member": 200, "partner_admin": 200,
    "staff": 200, "admin": 200,
}))
def test_membership_retrieve(world, role, expected):
    colleague = world.memberships["xylo:colleague"]
    assert_answer(world.client(role).get(f"/api/v1/organisation-memberships/{colleague.pk}/"),
                  expected)


@pytest.mark.parametrize(("role", "expected"), table({
    "visitor": 401, "trainee": 404, "other_member": 404, "member": 403, "partner_admin": 200,
    "staff": 403, "admin": 200,
}))
def test_membership_role_change(world, role, expected):
    colleague = world.memberships["xylo:colleague"]
    response = world.client(role).patch(f"/api/v1/organisation-memberships/{colleague.pk}/",
                                        {"role": "admin"}, format="json")
    assert_answer(response, expected)
    colleague.refresh_from_db()
    assert (colleague.role == "admin") == (expected == 200)


@pytest.mark.parametrize(("role", "expected"), table({
    "visitor": 401, "trainee": 404, "other_member": 404, "member": 403, "partner_admin": 204,
    "staff": 403, "admin": 204,
}))
def test_membership_removal(world, role, expected):
    colleague = world.memberships["xylo:colleague"]
    response = world.client(role).delete(f"/api/v1/organisation-memberships/{colleague.pk}/")
    assert_answer(response, expected)
    assert OrganisationMembership.objects.filter(pk=colleague.pk).exists() == (expected != 204)


# --- Invitations ------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "expected"), table({
    "visitor": 401, "trainee": set(), "other_member": set(), "member": set(),
    "partner_admin": {"xylo"}, "staff": {"xylo", "hidden"}, "admin": {"xylo", "hidden"},
}))
def test_invitation_list(world, role, expected):
    rows = assert_answer(world.client(role).get("/api/v1/invitations/"), expected)
    if rows is not None:
        assert labels(rows, world.invitations) == expected
        assert not any("token" in key for row in rows for key in row)


@pytest.mark.parametrize(("role", "expected"), table({
    "visitor": 401, "trainee": 404, "other_member": 404, "member": 404, "partner_admin": 200,
    "staff": 200, "admin": 200,
}))
def test_invitation_retrieve(world, role, expected):
    invitation = world.invitations["xylo"]
    assert_answer(world.client(role).get(f"/api/v1/invitations/{invitation.pk}/"), expected)


@pytest.mark.parametrize(("role", "expected"), table({
    "visitor": 401, "trainee": 403, "other_member": 403, "member": 403, "partner_admin": 201,
    "staff": 403, "admin": 201,
}))
def test_invitation_create(world, role, expected):
    response = world.client(role).post(
        "/api/v1/invitations/", {"organisation": "xylo", "email": "someone@example.org"},
        format="json",
    )
    assert_answer(response, expected)
    assert Invitation.objects.filter(email="someone@example.org").exists() == (expected == 201)


@pytest.mark.parametrize(("role", "expected"), table({
    "visitor": 401, "trainee": 400, "other_member": 403, "member": 400, "partner_admin": 400,
    "staff": 403, "admin": 201,
}))
def test_invitation_create_for_an_unlisted_organisation(world, role, expected):
    # Callers who may not see it are told no such organisation exists.
    response = world.client(role).post(
        "/api/v1/invitations/",
        {"organisation": "other-hidden", "email": "someone@example.org"}, format="json",
    )
    assert_answer(response, expected)
    if expected == 400:
        assert "organisation" in response.json()["fields"]


@pytest.mark.parametrize(("role", "expected"), table({
    "visitor": 401, "trainee": 404, "other_member": 404, "member": 404, "partner_admin": 200,
    "staff": 403, "admin": 200,
}))
def test_invitation_revoke(world, role, expected):
    invitation = world.invitations["xylo"]
    response = world.client(role).post(f"/api/v1/invitations/{invitation.pk}/revoke/")
    assert_answer(response, expected)
    invitation.refresh_from_db()
    assert (invitation.revoked_at is not None) == (expected == 200)


@pytest.mark.parametrize(("role", "expected"), table({
    "visitor": 401, "trainee": 403, "other_member": 403, "member": 403, "partner_admin": 200,
    "staff": 403, "admin": 200,
}))
def test_invitation_import(world, role, expected):
    response = world.client(role).post(
        "/api/v1/invitations/import/",
        {"organisation": "xylo", "file": SimpleUploadedFile(
            "people.csv", b"name,email,role\nAng,ang@example.org,member\n")},
        format="multipart",
    )
    assert_answer(response, expected)
    assert Invitation.objects.filter(email="ang@example.org").exists() == (expected == 200)


# --- Requests to join an organisation ---------------------------------------------------------


@pytest.mark.parametrize(("role", "expected"), table({
    "visitor": 401, "trainee": {"trainee->public"}, "other_member": set(), "member": set(),
    "partner_admin": {"requester->xylo"}, "staff": {"requester->xylo", "trainee->public"},
    "admin": {"requester->xylo", "trainee->public"},
}))
def test_person_request_list(world, role, expected):
    rows = assert_answer(world.client(role).get("/api/v1/person-requests/"), expected)
    if rows is not None:
        assert labels(rows, world.person_requests) == expected


@pytest.mark.parametrize(("role", "expected"), table({
    "visitor": 401, "trainee": 404, "other_member": 404, "member": 404, "partner_admin": 200,
    "staff": 200, "admin": 200,
}))
def test_person_request_retrieve(world, role, expected):
    person_request = world.person_requests["requester->xylo"]
    assert_answer(world.client(role).get(f"/api/v1/person-requests/{person_request.pk}/"),
                  expected)


@pytest.mark.parametrize(("role", "expected"), table({
    "visitor": 401, "trainee": 201, "other_member": 201, "member": 409, "partner_admin": 409,
    "staff": 201, "admin": 403,
}))
def test_person_request_create(world, role, expected):
    response = world.client(role).post("/api/v1/person-requests/", {"organisation": "xylo"},
                                       format="json")
    assert_answer(response, expected)
    assert PersonRequest.objects.filter(organisation=world.xylo).count() == (
        2 if expected == 201 else 1)


@pytest.mark.parametrize("action", ["approve", "decline"])
@pytest.mark.parametrize(("role", "expected"), table({
    "visitor": 401, "trainee": 404, "other_member": 404, "member": 404, "partner_admin": 200,
    "staff": 403, "admin": 200,
}))
def test_person_request_decisions(world, role, expected, action):
    person_request = world.person_requests["requester->xylo"]
    response = world.client(role).post(
        f"/api/v1/person-requests/{person_request.pk}/{action}/", {}, format="json")
    assert_answer(response, expected)
    person_request.refresh_from_db()
    assert (person_request.status != "pending") == (expected == 200)


@pytest.mark.parametrize(("role", "expected"), table({
    "visitor": 401, "trainee": 200, "other_member": 404, "member": 404, "partner_admin": 404,
    "staff": 403, "admin": 403,
}))
def test_person_request_withdraw(world, role, expected):
    person_request = world.person_requests["trainee->public"]
    response = world.client(role).post(f"/api/v1/person-requests/{person_request.pk}/withdraw/")
    assert_answer(response, expected)
    person_request.refresh_from_db()
    assert (person_request.status == "withdrawn") == (expected == 200)


# --- Agreements -------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "expected"), table({
    "visitor": 401, "trainee": set(), "other_member": set(), "member": set(),
    "partner_admin": {"xylo"}, "staff": {"xylo", "hidden"}, "admin": {"xylo", "hidden"},
}))
def test_agreement_list(world, role, expected):
    rows = assert_answer(world.client(role).get("/api/v1/agreements/"), expected)
    if rows is not None:
        assert labels(rows, world.agreements) == expected


@pytest.mark.parametrize(("role", "expected"), table({
    "visitor": 401, "trainee": 404, "other_member": 404, "member": 404, "partner_admin": 200,
    "staff": 200, "admin": 200,
}))
def test_agreement_retrieve(world, role, expected):
    agreement = world.agreements["xylo"]
    assert_answer(world.client(role).get(f"/api/v1/agreements/{agreement.pk}/"), expected)


@pytest.mark.parametrize("role", ROLES[1:])
def test_agreements_are_read_only(world, role):
    agreement = world.agreements["xylo"]
    client = world.client(role)
    assert_error(client.post("/api/v1/agreements/", {}, format="json"), 405)
    assert_error(client.delete(f"/api/v1/agreements/{agreement.pk}/"), 405)
