"""The person's own page (/me/), where signing in leads: the organisations they act for with
their role and term, what waits on them, and for programme staff the queues they work, each
panel contributed by its app through the registry, at the same query cost for everyone."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from cluster_portal.core import my_portal
from partners.services import invitation_create, person_request_create
from tests.conftest import activate_totp
from tests.factories import (
    PASSWORD,
    JoinRequestFactory,
    OrganisationFactory,
    OrganisationMembershipFactory,
    UserFactory,
    WorkstreamFactory,
    WorkstreamMembershipFactory,
)
from tests.support.queries import queries_of_get

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def panel(response, key: str) -> dict | None:
    for shown in response.context["panels"]:
        if shown["key"] == key:
            return shown["context"]
    return None


@pytest.fixture
def meridian():
    """An approved organisation with an admin and a member, in a workstream, asking to join
    another, with two people asking to join it."""
    organisation = OrganisationFactory(name="Meridian Pharma Asia", tier="core",
                                       tier_ends_on=TODAY() + datetime.timedelta(days=30))
    admin = OrganisationMembershipFactory(organisation=organisation, role="admin").person
    member = OrganisationMembershipFactory(organisation=organisation).person
    WorkstreamMembershipFactory(organisation=organisation,
                                workstream=WorkstreamFactory(name="Continuous Manufacturing",
                                                             slug="cm"))
    JoinRequestFactory(organisation=organisation,
                       workstream=WorkstreamFactory(name="Digital Factory", slug="df"))
    for _ in range(2):
        person_request_create(actor=UserFactory(), organisation=organisation)
    return {"organisation": organisation, "admin": admin, "member": member}


# --- Where signing in leads -----------------------------------------------------------------


def test_signing_in_leads_to_the_persons_own_page_unless_they_were_going_elsewhere(client):
    person = UserFactory()
    credentials = {"login": person.email, "password": PASSWORD}
    response = client.post(reverse("account_login"), credentials)
    assert response.status_code == 302 and response["Location"] == "/me/"
    client.logout()
    response = client.post(f"{reverse('account_login')}?next=/partners/", credentials)
    assert response["Location"] == "/partners/"


def test_the_page_asks_a_visitor_to_sign_in(client):
    response = client.get("/me/")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next=/me/"


def test_the_navigation_leads_there_for_signed_in_people_only(client):
    assert 'href="/me/"' not in client.get("/").content.decode()
    client.force_login(UserFactory())
    page = client.get("/me/").content.decode()
    assert '<a class="nav-link active" aria-current="page" href="/me/">My portal</a>' in page
    assert 'href="/accounts/profile/"' in page


# --- What each person sees ------------------------------------------------------------------


def test_a_partner_admin_sees_role_term_people_asking_and_their_workstreams(client, meridian):
    client.force_login(meridian["admin"])
    response = client.get("/me/")
    partners = panel(response, "partners")
    [membership] = partners["memberships"]
    assert membership.organisation == meridian["organisation"]
    assert membership.requests_to_decide == 2
    page = response.content.decode()
    assert "Partner admin" in page
    assert f'href="/partners/{meridian["organisation"].slug}/people/">2 people ask to join' in page
    ends = meridian["organisation"].tier_ends_on
    assert re.search(rf"Core tier ·\s+Current until {ends:%-d %b %Y}", page)

    workstreams = panel(response, "workstreams")
    assert [m.workstream.slug for m in workstreams["memberships"]] == ["cm"]
    assert [r.workstream.slug for r in workstreams["join_requests"]] == ["df"]
    assert workstreams["queue_waiting"] is None
    assert 'href="/workstreams/cm/members/"' in page
    assert "Meridian Pharma Asia → Digital Factory" in page


def test_a_member_is_not_asked_to_decide_who_joins(client, meridian):
    client.force_login(meridian["member"])
    response = client.get("/me/")
    [membership] = panel(response, "partners")["memberships"]
    assert membership.requests_to_decide == 0
    assert "ask to join" not in response.content.decode()
    assert "Partner member" in response.content.decode()


def test_a_term_in_its_grace_period_says_by_when_to_renew(client):
    ended = TODAY() - datetime.timedelta(days=10)
    organisation = OrganisationFactory(
        tier="member", tier_starts_on=ended - datetime.timedelta(days=365), tier_ends_on=ended,
        tier_status="grace")
    person = OrganisationMembershipFactory(organisation=organisation, role="admin").person
    client.force_login(person)
    page = client.get("/me/").content.decode()
    renew_by = ended + datetime.timedelta(days=30)
    assert f"renew by {renew_by:%-d %b %Y}" in page
    assert "In grace period" in page


def test_someone_without_an_organisation_sees_their_requests_and_invitations(client, meridian):
    person = UserFactory()
    other = OrganisationFactory(name="Helix Bioprocess")
    person_request_create(actor=person, organisation=other)
    invitation, _token = invitation_create(actor=meridian["admin"],
                                           organisation=meridian["organisation"],
                                           email=person.email)
    client.force_login(person)
    response = client.get("/me/")
    partners = panel(response, "partners")
    assert partners["memberships"] == []
    assert [r.organisation for r in partners["pending_requests"]] == [other]
    assert partners["invitations"] == [invitation]
    assert panel(response, "workstreams") is None
    page = response.content.decode()
    # Accepting posts where the invitations page accepts it.
    assert f'<input type="hidden" name="invitation" value="{invitation.pk}">' in page
    assert 'action="/partners/mine/"' in page
    assert "Helix Bioprocess" in page and "waiting for its admins" in page


def test_a_newcomer_is_shown_where_to_start(client):
    client.force_login(UserFactory())
    page = client.get("/me/").content.decode()
    assert "You don't act for any organisation yet." in page
    assert 'href="/partners/register/"' in page


def test_programme_staff_see_the_queues_they_work_with_links(client, meridian, mfa_staff_user,
                                                             mfa_admin_user):
    OrganisationFactory(status="pending")
    client.force_login(mfa_staff_user)
    response = client.get("/me/")
    assert panel(response, "workstreams")["queue_waiting"] == 1
    assert panel(response, "partners") is None  # staff approve nothing, act for nothing
    assert ('<a class="fw-semibold" href="/workstreams/queue/">1 request to join a workstream '
            "waits for review</a>") in response.content.decode()

    client.force_login(mfa_admin_user)
    response = client.get("/me/")
    assert panel(response, "partners")["approvals_waiting"] == 1
    assert ('<a class="fw-semibold" href="/partners/approvals/">1 registration waits for '
            "approval</a>") in response.content.decode()


def test_staff_without_a_second_factor_are_told_to_set_it_up_and_shown_no_queue(client):
    person = UserFactory(role="programme_admin")
    client.force_login(person)
    response = client.get("/me/")
    assert response.status_code == 200
    assert response.context["panels"] == []
    page = response.content.decode()
    assert 'href="/accounts/2fa/totp/activate/"' in page
    assert "Nothing waits for you." in page
    activate_totp(person)
    assert client.get("/me/").context["needs_second_factor"] is False


def test_a_panel_with_nothing_to_show_is_left_out(client):
    my_portal.register(my_portal.Panel(key="zz-test", template="core/home.html",
                                       read=lambda user: None))
    try:
        client.force_login(UserFactory())
        keys = [shown["key"] for shown in client.get("/me/").context["panels"]]
        assert keys == ["partners"]
    finally:
        my_portal.unregister("zz-test")


# --- The query budget -----------------------------------------------------------------------


def test_the_page_costs_the_same_queries_however_much_waits(client, meridian, mfa_admin_user):
    admin = meridian["admin"]

    def more():
        organisation = OrganisationFactory()
        OrganisationMembershipFactory(organisation=organisation, person=admin, role="admin")
        person_request_create(actor=UserFactory(), organisation=organisation)
        WorkstreamMembershipFactory(organisation=organisation, workstream=WorkstreamFactory())
        JoinRequestFactory(organisation=organisation)
        person_request_create(actor=admin, organisation=OrganisationFactory())
        inviter = OrganisationMembershipFactory(role="admin")
        invitation_create(actor=inviter.person, organisation=inviter.organisation,
                          email=admin.email)
        OrganisationFactory(status="pending")

    client.force_login(admin)
    more()
    few = queries_of_get(client, "/me/")
    for _ in range(4):
        more()
    assert queries_of_get(client, "/me/") == few
    assert len(panel(client.get("/me/"), "partners")["memberships"]) == 6

    client.force_login(mfa_admin_user)
    few = queries_of_get(client, "/me/")
    more()
    assert queries_of_get(client, "/me/") == few
