"""The world of the permission tables (tests/partners/test_api_permissions.py and
tests/workstreams/test_api_permissions.py; the access table and the API fuzzing build on it):
Xylo (approved, listed) with an admin, a member and a colleague; Other Hidden (approved, not
listed) whose member is "a member of another organisation"; Pending Co (a registration waiting
for approval); Public Co (approved, listed, nobody of ours in it); and the helpers that read a
table's rows."""

from types import SimpleNamespace

import pytest

from partners.services import invitation_create, person_request_create
from tests.conftest import activate_totp
from tests.factories import OrganisationFactory, OrganisationMembershipFactory, UserFactory
from tests.support.api import assert_error, client_for

ROLES = ("visitor", "trainee", "other_member", "member", "partner_admin", "staff", "admin")


def build_world() -> SimpleNamespace:
    xylo = OrganisationFactory(name="Xylo Bio", slug="xylo", ready_to_join=True)
    hidden = OrganisationFactory(name="Other Hidden", slug="other-hidden", is_listed=False,
                                 ready_to_join=True)
    pending = OrganisationFactory(name="Pending Co", slug="pending-co", status="pending")
    public = OrganisationFactory(name="Public Co", slug="public-co")

    staff, admin = UserFactory(role="programme_staff"), UserFactory(role="programme_admin")
    activate_totp(staff)
    activate_totp(admin)
    memberships = {
        "xylo:partner_admin": OrganisationMembershipFactory(organisation=xylo, role="admin"),
        "xylo:member": OrganisationMembershipFactory(organisation=xylo, role="member"),
        "xylo:colleague": OrganisationMembershipFactory(organisation=xylo, role="member"),
        "hidden:admin": OrganisationMembershipFactory(organisation=hidden, role="admin"),
        "hidden:other_member": OrganisationMembershipFactory(organisation=hidden, role="member"),
        "pending:registrant": OrganisationMembershipFactory(organisation=pending, role="admin"),
    }
    people = {
        "visitor": None,
        "trainee": UserFactory(),
        "other_member": memberships["hidden:other_member"].person,
        "member": memberships["xylo:member"].person,
        "partner_admin": memberships["xylo:partner_admin"].person,
        "staff": staff,
        "admin": admin,
        "staff_without_mfa": UserFactory(role="programme_staff"),
    }
    invitations = {
        "xylo": invitation_create(actor=people["partner_admin"], organisation=xylo,
                                  email="new.xylo@example.org")[0],
        "hidden": invitation_create(actor=memberships["hidden:admin"].person,
                                    organisation=hidden, email="new.hidden@example.org")[0],
    }
    person_requests = {
        "requester->xylo": person_request_create(actor=UserFactory(), organisation=xylo),
        "trainee->public": person_request_create(actor=people["trainee"], organisation=public),
    }
    agreements = {"xylo": xylo.agreements.get(), "hidden": hidden.agreements.get()}
    return SimpleNamespace(
        xylo=xylo, hidden=hidden, pending=pending, public=public, people=people,
        memberships=memberships, invitations=invitations, person_requests=person_requests,
        agreements=agreements, client=lambda role: client_for(people[role]),
    )


def table(expected: dict) -> list:
    assert set(expected) == set(ROLES), "every role has its row"
    return [pytest.param(role, answer, id=role) for role, answer in expected.items()]


def assert_answer(response, expected):
    """`expected` is a status code, or (for a 200 list) the set of row labels."""
    if isinstance(expected, int):
        if expected >= 400:
            assert_error(response, expected)
        else:
            assert response.status_code == expected, response.content
        return None
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == len(body["results"])
    return body["results"]


def labels(rows, objects: dict, key="id") -> set[str]:
    by_key = {getattr(obj, "pk" if key == "id" else key): label for label, obj in objects.items()}
    return {by_key[row[key]] for row in rows}
