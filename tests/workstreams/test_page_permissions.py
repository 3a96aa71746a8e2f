"""Who gets what from each workstreams page (GET): the exact status for every role.

Roles: a visitor; a trainee (signed in, no organisation); a member of another organisation; a
partner member and a partner admin of the workstream's member organisation; programme staff and
a programme admin, both with MFA as staff pages require.
"""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from partners.models import OrganisationMembership
from tests.conftest import activate_totp
from tests.factories import (
    OrganisationFactory,
    OrganisationMembershipFactory,
    UserFactory,
    WorkstreamFactory,
    WorkstreamMembershipFactory,
)
from workstreams.models import WorkstreamDocument

pytestmark = pytest.mark.django_db

ROLES = ["visitor", "trainee", "other_member", "member", "partner_admin", "staff", "admin"]


@pytest.fixture
def world(db):
    workstream = WorkstreamFactory(slug="continuous-manufacturing")
    member_organisation = OrganisationFactory(ready_to_join=True)
    WorkstreamMembershipFactory(workstream=workstream, organisation=member_organisation)
    document = WorkstreamDocument.objects.create(
        workstream=workstream, title="Roadmap", file=ContentFile(b"roadmap", name="roadmap.pdf"))
    staff = UserFactory(role="programme_staff")
    admin = UserFactory(role="programme_admin")
    activate_totp(staff)
    activate_totp(admin)
    people = {
        "visitor": None,
        "trainee": UserFactory(),
        "other_member": OrganisationMembershipFactory(
            organisation=OrganisationFactory(ready_to_join=True)).person,
        "member": OrganisationMembershipFactory(organisation=member_organisation).person,
        "partner_admin": OrganisationMembershipFactory(
            organisation=member_organisation, role=OrganisationMembership.Role.ADMIN).person,
        "staff": staff,
        "admin": admin,
    }
    pages = {
        "list": reverse("workstreams:list"),
        "detail": reverse("workstreams:detail", args=[workstream.slug]),
        "detail_unknown": reverse("workstreams:detail", args=["no-such-workstream"]),
        "join": reverse("workstreams:join", args=[workstream.slug]),
        "queue": reverse("workstreams:queue"),
        "members": reverse("workstreams:members", args=[workstream.slug]),
        "members_unknown": reverse("workstreams:members", args=["no-such-workstream"]),
        "document": reverse("workstreams:document", args=[workstream.slug, document.pk]),
        "document_unknown": reverse("workstreams:document", args=[workstream.slug, 999999]),
    }
    return people, pages


@pytest.mark.parametrize(("page", "role", "expected"), [
    ("list", "visitor", 200),
    ("list", "trainee", 200),
    ("list", "other_member", 200),
    ("list", "member", 200),
    ("list", "partner_admin", 200),
    ("list", "staff", 200),
    ("list", "admin", 200),

    ("detail", "visitor", 200),
    ("detail", "trainee", 200),
    ("detail", "other_member", 200),
    ("detail", "member", 200),
    ("detail", "partner_admin", 200),
    ("detail", "staff", 200),
    ("detail", "admin", 200),

    ("detail_unknown", "visitor", 404),
    ("detail_unknown", "trainee", 404),
    ("detail_unknown", "other_member", 404),
    ("detail_unknown", "member", 404),
    ("detail_unknown", "partner_admin", 404),
    ("detail_unknown", "staff", 404),
    ("detail_unknown", "admin", 404),

    # Only partner admins of approved organisations ask to join; a plain member of another
    # organisation may not either.
    ("join", "visitor", 302),
    ("join", "trainee", 403),
    ("join", "other_member", 403),
    ("join", "member", 403),
    ("join", "partner_admin", 200),
    ("join", "staff", 403),
    ("join", "admin", 403),

    ("queue", "visitor", 302),
    ("queue", "trainee", 403),
    ("queue", "other_member", 403),
    ("queue", "member", 403),
    ("queue", "partner_admin", 403),
    ("queue", "staff", 200),
    ("queue", "admin", 200),

    ("members", "visitor", 302),
    ("members", "trainee", 403),
    ("members", "other_member", 403),
    ("members", "member", 200),
    ("members", "partner_admin", 200),
    ("members", "staff", 200),
    ("members", "admin", 200),

    ("members_unknown", "visitor", 404),
    ("members_unknown", "trainee", 404),
    ("members_unknown", "other_member", 404),
    ("members_unknown", "member", 404),
    ("members_unknown", "partner_admin", 404),
    ("members_unknown", "staff", 404),
    ("members_unknown", "admin", 404),

    ("document", "visitor", 302),
    ("document", "trainee", 403),
    ("document", "other_member", 403),
    ("document", "member", 200),
    ("document", "partner_admin", 200),
    ("document", "staff", 200),
    ("document", "admin", 200),

    # Outsiders are refused before the document is looked up, so they learn nothing of it.
    ("document_unknown", "visitor", 302),
    ("document_unknown", "trainee", 403),
    ("document_unknown", "other_member", 403),
    ("document_unknown", "member", 404),
    ("document_unknown", "partner_admin", 404),
    ("document_unknown", "staff", 404),
    ("document_unknown", "admin", 404),
])
def test_page_answers_each_role(client, world, page, role, expected):
    people, pages = world
    if people[role] is not None:
        client.force_login(people[role])
    response = client.get(pages[page])
    assert response.status_code == expected
    if expected == 302:
        assert response.url.startswith(reverse("account_login"))


def test_the_table_covers_every_role_for_every_page():
    marks = test_page_answers_each_role.pytestmark
    cases = next(mark.args[1] for mark in marks if mark.name == "parametrize")
    pages = {page for page, _, _ in cases}
    for page in pages:
        assert sorted(role for p, role, _ in cases if p == page) == sorted(ROLES), page


@pytest.mark.parametrize("page", ["queue", "members", "document"])
def test_staff_without_mfa_are_sent_to_set_it_up(client, world, page):
    _, pages = world
    client.force_login(UserFactory(role="programme_staff"))
    response = client.get(pages[page])
    assert response.status_code == 302
    assert response.url.startswith(reverse("mfa_activate_totp"))


def test_approving_answers_only_post(client, world):
    people, _ = world
    client.force_login(people["staff"])
    assert client.get(reverse("workstreams:join_request_approve", args=[1])).status_code == 405


@pytest.mark.parametrize("name", ["join_request_decline", "join_request_withdraw"])
def test_declining_and_withdrawing_answer_get_with_their_confirmation_only_for_a_real_request(
        client, world, name):
    # Their GET is the page that asks first (tests/core/test_confirmation.py); a request that
    # does not exist has none.
    people, _ = world
    client.force_login(people["staff"])
    assert client.get(reverse(f"workstreams:{name}", args=[2_000_000_000])).status_code == 404


@pytest.mark.parametrize(("role", "expected"), [
    ("visitor", 302),
    ("trainee", 403),
    ("other_member", 403),
    ("member", 403),
    ("partner_admin", 403),
])
def test_only_staff_decide_and_end_memberships(client, world, role, expected):
    from tests.factories import JoinRequestFactory
    from workstreams.models import JoinRequest, WorkstreamMembership

    people, _ = world
    join_request = JoinRequestFactory()
    membership = WorkstreamMembership.objects.get()
    if people[role] is not None:
        client.force_login(people[role])
    actions = [
        (reverse("workstreams:join_request_approve", args=[join_request.pk]), {"role": "core"}),
        (reverse("workstreams:join_request_decline", args=[join_request.pk]), {"reason": "No."}),
        (reverse("workstreams:membership_end",
                 args=[membership.workstream.slug, membership.pk]), {"reason": "Ends."}),
        (reverse("workstreams:activate", args=[membership.workstream.slug]), {}),
    ]
    for path, body in actions:
        assert client.post(path, body).status_code == expected, path
    join_request.refresh_from_db()
    membership.refresh_from_db()
    assert join_request.status == JoinRequest.Status.PENDING
    assert membership.is_active
