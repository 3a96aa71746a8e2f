"""The workstream pages through the client: joining end to end, the staff queue, the members'
area, what each person sees of member organisations, and query budgets of every list page."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from partners.models import Organisation, OrganisationMembership
from tests.factories import (
    JoinRequestFactory,
    OrganisationFactory,
    OrganisationMembershipFactory,
    UserFactory,
    WorkstreamFactory,
    WorkstreamMembershipFactory,
)
from tests.support.queries import queries_of_get
from workstreams.forms import CODE_OF_CONDUCT_REQUIRED
from workstreams.models import (
    JoinRequest,
    Workstream,
    WorkstreamDocument,
    WorkstreamMeeting,
    WorkstreamMembership,
)
from workstreams.services import join_request_decline

pytestmark = pytest.mark.django_db

MOTIVATION = "We run a continuous crystallisation pilot line and want to share its data."


def partner_admin_of(organisation):
    return OrganisationMembershipFactory(
        organisation=organisation, role=OrganisationMembership.Role.ADMIN
    ).person


def partner_member_of(organisation):
    return OrganisationMembershipFactory(organisation=organisation).person


def url(name, *args):
    return reverse(f"workstreams:{name}", args=args)


# --- the join workflow ------------------------------------------------------------------------

def test_whole_join_workflow_through_the_pages(client, mfa_staff_user):
    workstream = WorkstreamFactory(name="Continuous Manufacturing")
    organisation = OrganisationFactory(ready_to_join=True, name="Acme Pharma")
    admin = partner_admin_of(organisation)

    client.force_login(admin)
    detail = client.get(workstream.get_absolute_url()).content.decode()
    assert url("join", workstream.slug) in detail  # the "Ask to join" button
    assert url("members", workstream.slug) not in detail  # not a member yet

    page = client.get(url("join", workstream.slug))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Competition-law code of conduct" in html and "prices" in html
    # The only organisation the person administers is already chosen.
    assert f'<option value="{organisation.pk}" selected>' in html

    missing_acknowledgement = client.post(
        url("join", workstream.slug), {"organisation": organisation.pk, "motivation": MOTIVATION}
    )
    assert missing_acknowledgement.status_code == 400
    form = missing_acknowledgement.context["form"]
    assert form.errors["code_of_conduct"] == [CODE_OF_CONDUCT_REQUIRED]
    html = missing_acknowledgement.content.decode()
    assert CODE_OF_CONDUCT_REQUIRED.replace("'", "&#x27;") in html
    assert MOTIVATION in html  # what was typed is kept
    assert not JoinRequest.objects.exists()

    sent = client.post(url("join", workstream.slug), {
        "organisation": organisation.pk, "motivation": MOTIVATION, "code_of_conduct": "on",
    })
    assert sent.status_code == 302
    assert sent.url == reverse("organisation_workstreams", kwargs={"slug": organisation.slug})
    join_request = JoinRequest.objects.get()
    assert join_request.status == JoinRequest.Status.PENDING
    assert join_request.requested_by == admin
    assert join_request.code_of_conduct_acknowledged_at is not None
    detail = client.get(workstream.get_absolute_url()).content.decode()
    assert "Acme Pharma: request pending" in detail
    assert url("join", workstream.slug) not in detail

    client.force_login(mfa_staff_user)
    queue = client.get(url("queue")).content.decode()
    assert "Acme Pharma" in queue and MOTIVATION in queue
    assert "Signed and in force" in queue  # the consortium agreement
    assert "Member (current)" in queue  # the tier

    approved = client.post(url("join_request_approve", join_request.pk),
                           {"role": "associate"}, HTTP_HX_REQUEST="true")
    assert approved.status_code == 200
    fragment = approved.content.decode()
    assert "<html" not in fragment and f'id="join-request-{join_request.pk}"' in fragment
    assert "approved as associate member" in fragment
    membership = WorkstreamMembership.objects.get(organisation=organisation, workstream=workstream)
    assert membership.role == WorkstreamMembership.Role.ASSOCIATE and membership.is_active
    assert "Acme Pharma" not in client.get(url("queue")).content.decode().split(
        "Recently decided")[0]  # no longer pending

    client.force_login(admin)
    told = client.get(reverse("notifications:list")).content.decode()
    assert "Acme Pharma joined Continuous Manufacturing as associate member." in told
    members_area = client.get(url("members", workstream.slug))
    assert members_area.status_code == 200
    assert "Acme Pharma" in members_area.content.decode()
    assert "End membership" not in members_area.content.decode()  # staff only

    client.force_login(mfa_staff_user)
    staff_view = client.get(url("members", workstream.slug)).content.decode()
    assert url("membership_end", workstream.slug, membership.pk) in staff_view
    ended = client.post(url("membership_end", workstream.slug, membership.pk),
                        {"reason": "Left the programme."})
    assert ended.status_code == 302
    membership.refresh_from_db()
    assert membership.until is not None and membership.end_reason == "Left the programme."

    client.force_login(admin)
    assert client.get(url("members", workstream.slug)).status_code == 403


def test_non_htmx_approval_redirects_back_to_the_queue_with_a_message(client, mfa_staff_user):
    join_request = JoinRequestFactory()
    client.force_login(mfa_staff_user)
    queue_url = f"{url('queue')}?workstream={join_request.workstream.slug}"
    response = client.post(url("join_request_approve", join_request.pk),
                           {"role": "core", "next": queue_url}, follow=True)
    assert response.redirect_chain == [(queue_url, 302)]
    assert "approved as core member" in response.content.decode()
    assert WorkstreamMembership.objects.filter(join_request=join_request).exists()


def test_declining_needs_a_reason_and_tells_the_row(client, mfa_staff_user):
    join_request = JoinRequestFactory()
    client.force_login(mfa_staff_user)
    without_reason = client.post(url("join_request_decline", join_request.pk), {"reason": " "},
                                 HTTP_HX_REQUEST="true")
    assert without_reason.status_code == 400
    assert "Say why the request is declined." in without_reason.content.decode()
    join_request.refresh_from_db()
    assert join_request.is_pending

    declined = client.post(url("join_request_decline", join_request.pk),
                           {"reason": "Outside the workstream's scope."}, HTTP_HX_REQUEST="true")
    assert declined.status_code == 200
    assert "Declined" in declined.content.decode()
    join_request.refresh_from_db()
    assert join_request.status == JoinRequest.Status.DECLINED
    assert join_request.decision_reason == "Outside the workstream's scope."
    recently = client.get(url("queue")).content.decode().split("Recently decided")[1]
    assert join_request.organisation.name in recently and "Outside the workstream" in recently


def test_approving_an_already_decided_request_shows_the_conflict_and_creates_nothing(
    client, mfa_staff_user
):
    join_request = JoinRequestFactory()
    join_request_decline(actor=mfa_staff_user, join_request=join_request, reason="Not now.")
    client.force_login(mfa_staff_user)

    response = client.post(url("join_request_approve", join_request.pk), {"role": "core"},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 409
    assert "This request was already declined." in response.content.decode()
    assert "<html" not in response.content.decode()

    without_htmx = client.post(url("join_request_approve", join_request.pk), {"role": "core"},
                               follow=True)
    assert "This request was already declined." in without_htmx.content.decode()
    assert not WorkstreamMembership.objects.exists()
    join_request.refresh_from_db()
    assert join_request.status == JoinRequest.Status.DECLINED


def test_partner_admin_withdraws_a_pending_request(client):
    join_request = JoinRequestFactory()
    admin = partner_admin_of(join_request.organisation)
    colleague = partner_member_of(join_request.organisation)

    client.force_login(colleague)
    assert client.post(url("join_request_withdraw", join_request.pk)).status_code == 403

    client.force_login(admin)
    response = client.post(url("join_request_withdraw", join_request.pk))
    assert response.status_code == 302
    assert response.url == reverse("organisation_workstreams",
                                   kwargs={"slug": join_request.organisation.slug})
    join_request.refresh_from_db()
    assert join_request.status == JoinRequest.Status.WITHDRAWN


def join_attempt(client, workstream, organisation):
    client.force_login(partner_admin_of(organisation))
    return client.post(url("join", workstream.slug), {
        "organisation": organisation.pk, "motivation": MOTIVATION, "code_of_conduct": "on",
    })


def test_joining_when_already_a_member_gets_a_clear_message(client):
    membership = WorkstreamMembershipFactory(
        organisation=OrganisationFactory(ready_to_join=True, name="Beta Bio"))
    response = join_attempt(client, membership.workstream, membership.organisation)
    assert response.status_code == 409
    assert (f"Beta Bio is already a member of {membership.workstream.name}."
            in response.content.decode())
    assert not JoinRequest.objects.exists()


def test_joining_a_kind_the_tier_does_not_cover_gets_a_clear_message(client):
    workstream = WorkstreamFactory(kind=Workstream.Kind.WORKSTREAM)
    organisation = OrganisationFactory(ready_to_join=True, tier=Organisation.Tier.ASSOCIATE)
    response = join_attempt(client, workstream, organisation)
    assert response.status_code == 403
    assert "its associate tier does not cover workstreams" in response.content.decode()
    assert not JoinRequest.objects.exists()


def test_joining_without_a_consortium_agreement_gets_a_clear_message(client):
    organisation = OrganisationFactory()  # approved, current tier, nothing signed
    response = join_attempt(client, WorkstreamFactory(), organisation)
    assert response.status_code == 403
    assert "needs a signed consortium agreement" in response.content.decode()
    assert not JoinRequest.objects.exists()


def test_a_planned_platform_cannot_be_joined(client):
    platform = WorkstreamFactory(kind=Workstream.Kind.SHARED_PLATFORM,
                                 status=Workstream.Status.PLANNED, name="Analytics")
    organisation = OrganisationFactory(ready_to_join=True, tier=Organisation.Tier.CORE)
    response = join_attempt(client, platform, organisation)
    assert response.status_code == 409
    assert "Analytics is planned, not yet open to members." in response.content.decode()
    assert not JoinRequest.objects.exists()
    detail = client.get(platform.get_absolute_url()).content.decode()
    assert url("join", platform.slug) not in detail  # no "Ask to join" while planned


def test_only_partner_admins_of_approved_organisations_reach_the_join_page(client):
    workstream = WorkstreamFactory()
    pending = OrganisationFactory(status=Organisation.Status.PENDING)
    client.force_login(partner_admin_of(pending))
    response = client.get(url("join", workstream.slug))
    assert response.status_code == 403
    assert "Only a partner admin can ask to join" in response.content.decode()


def test_programme_admin_activates_a_planned_platform(client, mfa_admin_user, mfa_staff_user):
    platform = WorkstreamFactory(kind=Workstream.Kind.SHARED_PLATFORM,
                                 status=Workstream.Status.PLANNED)
    activate = url("activate", platform.slug)
    client.force_login(mfa_staff_user)
    assert activate not in client.get(platform.get_absolute_url()).content.decode()
    assert client.post(url("activate", platform.slug)).status_code == 403

    client.force_login(mfa_admin_user)
    assert activate in client.get(platform.get_absolute_url()).content.decode()
    response = client.post(url("activate", platform.slug), follow=True)
    assert "is active: partners can ask to join it now" in response.content.decode()
    platform.refresh_from_db()
    assert platform.is_active


# --- documents --------------------------------------------------------------------------------

def test_documents_download_only_for_the_members_area(client, mfa_staff_user):
    membership = WorkstreamMembershipFactory()
    workstream = membership.workstream
    document = WorkstreamDocument.objects.create(
        workstream=workstream, title="Minutes of the kick-off",
        file=ContentFile(b"%PDF-1.4 minutes", name="minutes.pdf"),
    )
    download = url("document", workstream.slug, document.pk)

    assert client.get(download).status_code == 302  # visitors sign in first

    client.force_login(partner_member_of(OrganisationFactory()))
    assert client.get(download).status_code == 403

    client.force_login(partner_member_of(membership.organisation))
    members_area = client.get(url("members", workstream.slug)).content.decode()
    assert download in members_area and "Minutes of the kick-off" in members_area
    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "minutes" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == b"%PDF-1.4 minutes"
    assert "private" in response["Cache-Control"]

    # A document of another workstream is not reachable through this one's area.
    elsewhere = WorkstreamDocument.objects.create(
        workstream=WorkstreamFactory(), title="Other", file=ContentFile(b"x", name="other.pdf"))
    assert client.get(url("document", workstream.slug, elsewhere.pk)).status_code == 404

    client.force_login(mfa_staff_user)
    assert client.get(download).status_code == 200


# --- what each person sees of the member organisations ----------------------------------------

@pytest.fixture
def workstream_with_an_unlisted_member(db):
    workstream = WorkstreamFactory(name="Particle Engineering")
    WorkstreamMembershipFactory(workstream=workstream,
                                organisation=OrganisationFactory(name="Listed Labs"))
    hidden = WorkstreamMembershipFactory(
        workstream=workstream, organisation=OrganisationFactory(name="Stealth Bio",
                                                                is_listed=False))
    return workstream, hidden.organisation


def test_unlisted_member_is_neither_shown_nor_counted_for_visitors_and_other_partners(
    client, workstream_with_an_unlisted_member
):
    workstream, _ = workstream_with_an_unlisted_member
    other_partner = partner_member_of(OrganisationFactory())
    for person in (None, other_partner):
        if person:
            client.force_login(person)
        listing = client.get(url("list"))
        assert [w.member_count for w in listing.context["active_workstreams"]] == [1]
        assert "1 member organisation<" in listing.content.decode()
        detail = client.get(workstream.get_absolute_url()).content.decode()
        assert "Listed Labs" in detail
        assert "Stealth Bio" not in detail and "Stealth Bio" not in listing.content.decode()


def test_staff_and_the_member_itself_see_the_unlisted_member(
    client, mfa_staff_user, workstream_with_an_unlisted_member
):
    workstream, hidden = workstream_with_an_unlisted_member
    for person in (mfa_staff_user, partner_member_of(hidden)):
        client.force_login(person)
        listing = client.get(url("list"))
        assert [w.member_count for w in listing.context["active_workstreams"]] == [2]
        assert "Stealth Bio" in client.get(workstream.get_absolute_url()).content.decode()
        assert "Stealth Bio" in client.get(url("members", workstream.slug)).content.decode()


def test_sub_workstreams_and_themes_are_shown_under_their_parent(client):
    parent = WorkstreamFactory(name="Digital Factory")
    WorkstreamFactory(name="Soft Sensors", parent=parent, programme=parent.programme)
    WorkstreamFactory(name="Sustainability", parent=parent, programme=parent.programme,
                      kind=Workstream.Kind.THEME)
    listing = client.get(url("list"))
    assert [w.name for w in listing.context["active_workstreams"]] == ["Digital Factory"]
    assert [c.name for c in listing.context["active_workstreams"][0].sub_workstreams] == [
        "Soft Sensors", "Sustainability"]
    detail = client.get(parent.get_absolute_url()).content.decode()
    assert "Sub-workstreams" in detail and "Soft Sensors" in detail
    assert "Cross-cutting themes" in detail and "Sustainability" in detail


# --- query budgets ----------------------------------------------------------------------------



def assert_constant_queries(client, path, add_rows, n=4):
    add_rows(n)
    client.get(path)  # warms per-process caches (content types, sessions)
    few = queries_of_get(client, path)
    add_rows(2 * n)
    many = queries_of_get(client, path)
    assert many == few


def test_workstream_list_query_count_does_not_grow(client, mfa_staff_user):
    def add_rows(count):
        for _ in range(count):
            parent = WorkstreamFactory()
            WorkstreamFactory(parent=parent, programme=parent.programme)
            WorkstreamMembershipFactory(workstream=parent)
    client.force_login(mfa_staff_user)
    assert_constant_queries(client, url("list"), add_rows)


def test_workstream_detail_query_count_does_not_grow(client):
    workstream = WorkstreamFactory()
    viewer = partner_admin_of(OrganisationFactory(ready_to_join=True))

    def add_rows(count):
        WorkstreamMembershipFactory.create_batch(count, workstream=workstream)
        WorkstreamFactory.create_batch(count, parent=workstream, programme=workstream.programme)
    client.force_login(viewer)
    assert_constant_queries(client, workstream.get_absolute_url(), add_rows)


def test_an_organisations_workstreams_tab_query_count_does_not_grow(client):
    organisation = OrganisationFactory(ready_to_join=True)
    client.force_login(partner_admin_of(organisation))

    def add_rows(count):
        # Open ones, ones it is in and ones it asked to join: each row asks what stands between.
        WorkstreamFactory.create_batch(count)
        WorkstreamMembershipFactory.create_batch(count, organisation=organisation)
        JoinRequestFactory.create_batch(count, organisation=organisation)
    assert_constant_queries(
        client, reverse("organisation_workstreams", kwargs={"slug": organisation.slug}),
        add_rows)


def test_the_tab_says_what_the_service_would_refuse_for_each_workstream(client):
    organisation = OrganisationFactory(ready_to_join=True)
    open_one, joined, asked = WorkstreamFactory.create_batch(3)
    WorkstreamMembershipFactory(organisation=organisation, workstream=joined)
    JoinRequestFactory(organisation=organisation, workstream=asked)
    client.force_login(partner_admin_of(organisation))
    page = client.get(reverse("organisation_workstreams", kwargs={"slug": organisation.slug}))
    rows = {row["workstream"]: row["state"] for row in page.context["open_workstreams"]}
    assert (rows[open_one], rows[joined], rows[asked]) == ("open", "member", "requested")


def test_queue_query_count_does_not_grow(client, mfa_staff_user):
    client.force_login(mfa_staff_user)
    assert_constant_queries(client, url("queue"),
                            lambda count: JoinRequestFactory.create_batch(count))


def test_queue_recently_decided_query_count_does_not_grow(client, mfa_staff_user):
    def add_rows(count):
        for join_request in JoinRequestFactory.create_batch(count):
            join_request_decline(actor=mfa_staff_user, join_request=join_request, reason="No.")
    client.force_login(mfa_staff_user)
    assert_constant_queries(client, url("queue"), add_rows)


def test_members_area_query_count_does_not_grow(client):
    membership = WorkstreamMembershipFactory()
    workstream = membership.workstream

    def add_rows(count):
        WorkstreamMembershipFactory.create_batch(count, workstream=workstream)
        for number in range(count):
            WorkstreamMeeting.objects.create(workstream=workstream, title=f"Meeting {number}",
                                             starts_at=timezone.now())
            WorkstreamDocument.objects.create(
                workstream=workstream, title=f"Document {number}", uploaded_by=UserFactory(),
                file=ContentFile(b"x", name="document.pdf"))
    client.force_login(partner_member_of(membership.organisation))
    assert_constant_queries(client, url("members", workstream.slug), add_rows)


def test_members_area_staff_view_query_count_does_not_grow(client, mfa_staff_user):
    workstream = WorkstreamFactory()
    client.force_login(mfa_staff_user)
    assert_constant_queries(
        client, url("members", workstream.slug),
        lambda count: WorkstreamMembershipFactory.create_batch(count, workstream=workstream))


def test_the_organisations_workstreams_tab_is_under_partners_in_the_navigation(client):
    organisation = OrganisationFactory(ready_to_join=True)
    client.force_login(partner_admin_of(organisation))
    page = client.get(reverse("organisation_workstreams", kwargs={"slug": organisation.slug}))
    assert ('<a class="nav-link active" aria-current="page" href="/partners/">Partners</a>'
            in page.content.decode())
