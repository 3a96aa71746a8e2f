"""Who gets which answer from each partners page: the permission table of issue 3.

Roles: a visitor (not signed in); a trainee (signed in, no organisation); a member of another
organisation; a member and a partner admin of the organisations under test; programme staff and
a programme admin, both with MFA. The organisations: one approved and listed, one approved but
unlisted, one waiting for approval (the member and admin act for all three).
"""

import pytest
from django.urls import reverse

from cluster_portal.accounts.middleware import MFA_REQUIRED_MESSAGE
from partners.models import Organisation, OrganisationMembership
from partners.services import invitation_create
from tests.conftest import activate_totp
from tests.factories import OrganisationFactory, OrganisationMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

ROLES = ["visitor", "trainee", "other_member", "member", "partner_admin", "staff", "admin"]

# page: the path, with {listed}, {unlisted}, {pending} for the organisations' slugs and {token}
# for an open invitation to the listed one.
PAGES = {
    "directory": "/partners/",
    "register": "/partners/register/",
    "mine": "/partners/mine/",
    "approvals": "/partners/approvals/",
    "invitation": "/partners/invitations/{token}/",
    "invitation_unknown": "/partners/invitations/not-a-real-token/",
    "detail": "/partners/{listed}/",
    "edit": "/partners/{listed}/edit/",
    "people": "/partners/{listed}/people/",
    "agreements": "/partners/{listed}/agreements/",
    "workstreams": "/partners/{listed}/workstreams/",
    "detail_unlisted": "/partners/{unlisted}/",
    "edit_unlisted": "/partners/{unlisted}/edit/",
    "people_unlisted": "/partners/{unlisted}/people/",
    "agreements_unlisted": "/partners/{unlisted}/agreements/",
    "workstreams_unlisted": "/partners/{unlisted}/workstreams/",
    "detail_pending": "/partners/{pending}/",
    "edit_pending": "/partners/{pending}/edit/",
    "people_pending": "/partners/{pending}/people/",
    "agreements_pending": "/partners/{pending}/agreements/",
    "workstreams_pending": "/partners/{pending}/workstreams/",
    "detail_unknown": "/partners/no-such-organisation/",
    "people_unknown": "/partners/no-such-organisation/people/",
}

# Expected status per role, in the order of ROLES:
#   visitor, trainee, other_member, member, partner_admin, staff, admin
# Member-only pages send a visitor to sign in (302) before anything is looked up, so they say
# nothing about which organisations exist; a signed-in person who may not see the organisation
# gets 404, one who sees it but may not use the page 403.
TABLE = {
    "directory":            (200, 200, 200, 200, 200, 200, 200),
    "register":             (302, 200, 200, 200, 200, 200, 200),
    "mine":                 (302, 200, 200, 200, 200, 200, 200),
    "approvals":            (302, 403, 403, 403, 403, 403, 200),
    "invitation":           (200, 200, 200, 200, 200, 200, 200),
    "invitation_unknown":   (404, 404, 404, 404, 404, 404, 404),
    "detail":               (200, 200, 200, 200, 200, 200, 200),
    "edit":                 (302, 403, 403, 403, 200, 403, 200),
    "people":               (302, 403, 403, 200, 200, 200, 200),
    "agreements":           (302, 403, 403, 403, 200, 200, 200),
    "workstreams":          (302, 403, 403, 200, 200, 200, 200),
    "detail_unlisted":      (404, 404, 404, 200, 200, 200, 200),
    "edit_unlisted":        (302, 404, 404, 403, 200, 403, 200),
    "people_unlisted":      (302, 404, 404, 200, 200, 200, 200),
    "agreements_unlisted":  (302, 404, 404, 403, 200, 200, 200),
    "workstreams_unlisted": (302, 404, 404, 200, 200, 200, 200),
    "detail_pending":       (404, 404, 404, 200, 200, 200, 200),
    "edit_pending":         (302, 404, 404, 403, 200, 403, 200),
    "people_pending":       (302, 404, 404, 200, 200, 200, 200),
    "agreements_pending":   (302, 404, 404, 403, 200, 200, 200),
    "workstreams_pending":  (302, 404, 404, 200, 200, 200, 200),
    "detail_unknown":       (404, 404, 404, 404, 404, 404, 404),
    "people_unknown":       (302, 404, 404, 404, 404, 404, 404),
}

CASES = [
    pytest.param(page, role, statuses[index], id=f"{page}-{role}")
    for page, statuses in TABLE.items()
    for index, role in enumerate(ROLES)
]


@pytest.fixture
def world(db):
    listed = OrganisationFactory(name="Listed Pharma")
    unlisted = OrganisationFactory(name="Quiet Biotech", is_listed=False)
    pending = OrganisationFactory(
        name="Newcomer Labs", status=Organisation.Status.PENDING, tier="",
        tier_starts_on=None, tier_ends_on=None,
        tier_status=Organisation.TierStatus.NONE,
    )
    other = OrganisationFactory(name="Other Manufacturing")
    people = {
        "trainee": UserFactory(),
        "other_member": OrganisationMembershipFactory(organisation=other).person,
        "member": UserFactory(),
        "partner_admin": UserFactory(),
        "staff": UserFactory(role="programme_staff"),
        "admin": UserFactory(role="programme_admin"),
    }
    activate_totp(people["staff"])
    activate_totp(people["admin"])
    for organisation in (listed, unlisted, pending):
        OrganisationMembershipFactory(organisation=organisation, person=people["member"])
        OrganisationMembershipFactory(organisation=organisation, person=people["partner_admin"],
                                      role=OrganisationMembership.Role.ADMIN)
    _invitation, token = invitation_create(
        actor=people["partner_admin"], organisation=listed, email="newcomer@example.org"
    )
    return {
        "people": people,
        "slugs": {"listed": listed.slug, "unlisted": unlisted.slug, "pending": pending.slug,
                  "token": token},
        "names": {"listed": listed.name, "unlisted": unlisted.name, "pending": pending.name,
                  "other": other.name},
    }


def _as(client, world, role):
    if role != "visitor":
        client.force_login(world["people"][role])
    return client


@pytest.mark.parametrize(("page", "role", "expected"), CASES)
def test_each_role_gets_exactly_the_expected_answer(client, world, page, role, expected):
    path = PAGES[page].format(**world["slugs"])
    response = _as(client, world, role).get(path)
    assert response.status_code == expected, f"{role} GET {path}"
    if expected == 302:
        assert response["Location"].startswith(reverse("account_login"))


# Which organisations the directory lists for each role: an unlisted or unapproved one only
# to its own people and to staff.
DIRECTORY_ROWS = {
    "visitor":       {"listed", "other"},
    "trainee":       {"listed", "other"},
    "other_member":  {"listed", "other"},
    "member":        {"listed", "other", "unlisted", "pending"},
    "partner_admin": {"listed", "other", "unlisted", "pending"},
    "staff":         {"listed", "other", "unlisted", "pending"},
    "admin":         {"listed", "other", "unlisted", "pending"},
}


@pytest.mark.parametrize("role", ROLES)
def test_the_directory_lists_only_the_expected_organisations(client, world, role):
    response = _as(client, world, role).get("/partners/")
    listed = {card.name for card in response.context["page"].object_list}
    expected = {world["names"][key] for key in DIRECTORY_ROWS[role]}
    assert listed == expected
    assert response.context["page"].paginator.count == len(expected)  # counts leak nothing
    html = response.content.decode()
    for key, name in world["names"].items():
        assert (name in html) == (key in DIRECTORY_ROWS[role]), name


@pytest.mark.parametrize("role", ["programme_staff", "programme_admin"])
def test_approvals_without_mfa_refuse_staff_and_send_admins_to_set_it_up(client, role):
    client.force_login(UserFactory(role=role))
    response = client.get("/partners/approvals/", follow=False)
    if role == "programme_staff":
        # Staff are not the programme office: refused whatever their second factor.
        assert response.status_code == 403
    else:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("mfa_activate_totp"))
        messages = [str(m) for m in response.wsgi_request._messages]
        assert MFA_REQUIRED_MESSAGE in messages


@pytest.mark.parametrize("role", ["trainee", "other_member", "member", "staff"])
def test_approve_and_decline_are_refused_to_everyone_but_the_programme_office(
    client, world, role
):
    client.force_login(world["people"][role])
    slug = world["slugs"]["pending"]
    assert client.post(f"/partners/{slug}/approve/").status_code == 403
    assert client.post(f"/partners/{slug}/decline/", {"reason": "No."}).status_code == 403
    assert Organisation.objects.get(slug=slug).status == Organisation.Status.PENDING


def test_post_only_actions_refuse_get(client, world):
    client.force_login(world["people"]["admin"])
    slugs = world["slugs"]
    for path in [f"/partners/{slugs['pending']}/approve/",
                 f"/partners/{slugs['listed']}/invitations/",
                 f"/partners/{slugs['listed']}/ask-to-join/"]:
        assert client.get(path).status_code == 405, path
