"""The partners pages through the client: registration and approval, the directory, invitations,
people, logos, and the query budget of the lists."""

import datetime
import io
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from partners.models import Invitation, Organisation, OrganisationMembership, PersonRequest
from partners.services import invitation_create, person_request_create
from tests.factories import (
    AgreementFactory,
    JoinRequestFactory,
    OrganisationFactory,
    OrganisationMembershipFactory,
    UserFactory,
    WorkstreamFactory,
    WorkstreamMembershipFactory,
)

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
ADMIN = OrganisationMembership.Role.ADMIN


def page_messages(response) -> list[str]:
    return [str(message) for message in response.wsgi_request._messages]


def png_bytes(size=(40, 20)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "teal").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def acme(db):
    """An approved, listed organisation with one partner admin and one member."""
    organisation = OrganisationFactory(name="Acme Pharma")
    admin = OrganisationMembershipFactory(organisation=organisation, role=ADMIN).person
    member = OrganisationMembershipFactory(organisation=organisation).person
    return {"organisation": organisation, "admin": admin, "member": member}


# --- Registration, approval, directory -------------------------------------------------------


REGISTRATION = {
    "name": "Kinetic Bioprocess", "uen": "201912345K", "kind": "biotech",
    "website": "https://kinetic.example.com", "country": "SG",
    "description": "Continuous downstream processing.", "is_listed": "on",
}


def test_registration_waits_for_approval_then_is_listed(client, user, mfa_admin_user):
    client.force_login(user)
    response = client.post("/partners/register/", REGISTRATION)
    organisation = Organisation.objects.get(uen="201912345K")
    assert response.status_code == 302
    assert response["Location"] == f"/partners/{organisation.slug}/"
    assert "A programme admin will review it" in page_messages(response)[0]

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Waiting for approval." in page.content.decode()
    assert organisation.country == "SG"
    assert organisation.memberships.get().person == user  # the registrant is its first admin

    visitor = client.__class__()
    assert "Kinetic" not in visitor.get("/partners/?q=kinetic").content.decode()
    assert visitor.get(f"/partners/{organisation.slug}/").status_code == 404

    client.force_login(mfa_admin_user)
    queue = client.get("/partners/approvals/")
    assert "Kinetic Bioprocess" in queue.content.decode()
    decided = client.post(f"/partners/{organisation.slug}/approve/",
                          {"tier": "member", "tier_starts_on": "", "tier_ends_on": ""}, **HTMX)
    assert decided.status_code == 200
    row = decided.content.decode()
    assert row.lstrip().startswith("<li") and f'id="approval-{organisation.pk}"' in row
    assert ("Kinetic Bioprocess is approved with the member tier. It is now in the partner "
            "directory.") in row
    organisation.refresh_from_db()
    assert organisation.status == Organisation.Status.APPROVED
    assert organisation.tier == Organisation.Tier.MEMBER

    listed = visitor.get("/partners/?q=kinetic")
    assert [o.name for o in listed.context["page"].object_list] == ["Kinetic Bioprocess"]
    assert visitor.get(f"/partners/{organisation.slug}/").status_code == 200

    # Deciding it again: the service's conflict, shown as is, and nothing changes.
    again = client.post(f"/partners/{organisation.slug}/decline/", {"reason": "Late."})
    assert again.status_code == 302
    assert page_messages(again) == ["Kinetic Bioprocess was already approved."]
    organisation.refresh_from_db()
    assert organisation.status == Organisation.Status.APPROVED


def test_declining_needs_a_reason_shown_in_the_row(client, mfa_admin_user):
    pending = OrganisationFactory(name="Vague Ventures", status=Organisation.Status.PENDING)
    client.force_login(mfa_admin_user)
    # htmx swaps 400 and 409 answers too (base.html), so the row shows what was wrong.
    response = client.post(f"/partners/{pending.slug}/decline/", {"reason": " "}, **HTMX)
    assert response.status_code == 400
    assert "Give the registrant a reason." in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == Organisation.Status.PENDING

    response = client.post(f"/partners/{pending.slug}/approve/",
                           {"tier": "", "tier_starts_on": "2026-01-01"}, **HTMX)
    assert response.status_code == 400
    assert "Choose a tier for the term" in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == Organisation.Status.PENDING

    response = client.post(f"/partners/{pending.slug}/decline/", {"reason": "No UEN match."})
    assert response.status_code == 302 and response["Location"] == "/partners/approvals/"
    pending.refresh_from_db()
    assert pending.status == Organisation.Status.DECLINED
    assert pending.decision_reason == "No UEN match."

    late = client.post(f"/partners/{pending.slug}/approve/", {"tier": ""}, **HTMX)
    assert late.status_code == 409
    assert "Vague Ventures was already declined." in late.content.decode()
    pending.refresh_from_db()
    assert pending.status == Organisation.Status.DECLINED


def test_duplicate_uen_is_a_form_error(client, user, acme):
    client.force_login(user)
    response = client.post("/partners/register/", {**REGISTRATION,
                                                   "uen": acme["organisation"].uen.lower()})
    assert response.status_code == 400
    assert "already registered" in " ".join(response.context["form"].errors["uen"])
    assert 'id="id_uen_error"' in response.content.decode()
    assert Organisation.objects.count() == 1


def test_unlisted_and_pending_organisations_stay_out_of_search_and_detail(
    client, acme, mfa_staff_user
):
    hidden = [
        OrganisationFactory(name="Acme Hidden", is_listed=False),
        OrganisationFactory(name="Acme Waiting", status=Organisation.Status.PENDING),
    ]
    for person in (None, acme["member"]):  # a visitor, and a partner of another organisation
        if person:
            client.force_login(person)
        found = client.get("/partners/?q=acme")
        assert [o.name for o in found.context["page"].object_list] == ["Acme Pharma"]
        assert found.context["page"].paginator.count == 1
        for organisation in hidden:
            assert client.get(f"/partners/{organisation.slug}/").status_code == 404

    client.force_login(mfa_staff_user)
    found = client.get("/partners/?q=acme")
    assert {o.name for o in found.context["page"].object_list} == {
        "Acme Pharma", "Acme Hidden", "Acme Waiting"}
    assert "Not listed" in found.content.decode()
    for organisation in hidden:
        assert client.get(f"/partners/{organisation.slug}/").status_code == 200


def test_directory_filters_keep_their_values_in_page_links(client):
    workstream = WorkstreamFactory(name="Digital Factory", slug="digital-factory")
    for n in range(26):
        organisation = OrganisationFactory(name=f"Biotech {n:02}", kind="biotech")
        WorkstreamMembershipFactory(organisation=organisation, workstream=workstream)
    OrganisationFactory(name="Biotech outside the workstream", kind="biotech")
    OrganisationFactory(name="An SME in the workstream", kind="sme")

    response = client.get("/partners/", {"kind": "biotech", "workstream": "digital-factory"})
    page = response.context["page"]
    assert page.paginator.count == 26 and len(page.object_list) == 24
    assert "?kind=biotech&amp;workstream=digital-factory&amp;page=2" in response.content.decode()
    second = client.get("/partners/", {"kind": "biotech", "workstream": "digital-factory",
                                       "page": 2})
    assert [o.name for o in second.context["page"].object_list] == ["Biotech 24", "Biotech 25"]

    nothing = client.get("/partners/", {"q": "zzz"})
    assert "No organisation matches this search." in nothing.content.decode()


def test_empty_directory_says_how_organisations_get_there(client):
    assert "No organisation is listed yet." in client.get("/partners/").content.decode()


# --- Invitations -----------------------------------------------------------------------------


def invite_through_the_page(client, organisation, email, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/partners/{organisation.slug}/invitations/",
                               {"email": email, "full_name": "Nur Aisyah", "role": "member"},
                               **HTMX)
    return response


def test_invitation_is_mailed_and_accepted_by_the_invited_account(
    client, acme, django_capture_on_commit_callbacks
):
    organisation = acme["organisation"]
    client.force_login(acme["admin"])
    response = invite_through_the_page(client, organisation, "aisyah@example.org",
                                       django_capture_on_commit_callbacks)
    assert response.status_code == 200
    region = response.content.decode()
    # The page never claims the mail went before the outbox sent it.
    assert "The invitation to aisyah@example.org is on its way" in region
    assert "expires in 14 days" in region
    listed = region.split("Open invitations")[1]
    assert "aisyah@example.org" in listed and "Waiting to be sent" in listed

    assert len(mail.outbox) == 1
    people_page = client.get(f"/partners/{organisation.slug}/people/").content.decode()
    assert "Sent" in people_page.split("Open invitations")[1]
    link = re.search(r"https?://\S+/partners/invitations/(\S+)/", mail.outbox[0].body)
    path = f"/partners/invitations/{link.group(1)}/"

    invited = UserFactory(email="aisyah@example.org")
    anonymous = client.__class__().get(path)
    assert anonymous.status_code == 200
    assert f"/accounts/login/?next={path}" in anonymous.content.decode()
    assert f"/accounts/signup/?next={path}" in anonymous.content.decode()

    client.force_login(invited)
    page = client.get(path)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Acme Pharma" in html and "Partner member" in html and "Accept and join" in html

    accepted = client.post(path)
    assert accepted.status_code == 302 and accepted["Location"] == f"/partners/{organisation.slug}/"
    assert OrganisationMembership.objects.filter(organisation=organisation, person=invited,
                                                 role="member").exists()

    # The link works once.
    reused = client.post(path)
    assert reused.status_code == 409
    assert "This invitation has already been used." in reused.content.decode()
    assert client.get(path).status_code == 409
    assert organisation.memberships.count() == 3


def test_expired_and_wrong_account_links_change_nothing(client, acme):
    organisation = acme["organisation"]
    expired, expired_token = invitation_create(actor=acme["admin"], organisation=organisation,
                                               email="late@example.org")
    Invitation.objects.filter(pk=expired.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1))
    _open, token = invitation_create(actor=acme["admin"], organisation=organisation,
                                     email="right@example.org")
    late = UserFactory(email="late@example.org")
    wrong = UserFactory(email="wrong@example.org")

    client.force_login(late)
    response = client.post(f"/partners/invitations/{expired_token}/")
    assert response.status_code == 409
    assert "This invitation has expired." in response.content.decode()
    assert "Accept and join" not in response.content.decode()

    client.force_login(wrong)
    response = client.post(f"/partners/invitations/{token}/")
    assert response.status_code == 403
    assert "This invitation is for right@example.org." in response.content.decode()

    assert organisation.memberships.count() == 2
    assert not Invitation.objects.filter(accepted_at__isnull=False).exists()

    unknown = client.get("/partners/invitations/made-up/")
    assert unknown.status_code == 404
    assert "This invitation link is not valid." in unknown.content.decode()


def test_an_invitation_is_accepted_from_my_organisations(client, acme):
    invitation, _token = invitation_create(actor=acme["admin"], organisation=acme["organisation"],
                                           email="listed@example.org", role=ADMIN)
    invited = UserFactory(email="listed@example.org")
    client.force_login(invited)
    page = client.get("/partners/mine/").content.decode()
    assert "Accept the invitation of Acme Pharma" in page
    assert "You don't act for any organisation yet." in page

    response = client.post("/partners/mine/", {"invitation": invitation.pk})
    assert response.status_code == 302
    assert page_messages(response) == ["You now act for Acme Pharma as partner admin."]
    assert OrganisationMembership.objects.get(person=invited).role == ADMIN

    # An open invitation for another address cannot be accepted by its number.
    other, _token = invitation_create(actor=acme["admin"], organisation=acme["organisation"],
                                      email="someone-else@example.org")
    client = client.__class__()
    client.force_login(UserFactory())
    refused = client.post("/partners/mine/", {"invitation": other.pk})
    assert page_messages(refused) == ["This invitation is no longer open to you."]
    other.refresh_from_db()
    assert other.accepted_at is None


def test_invitation_form_errors_and_revoke(client, acme):
    organisation = acme["organisation"]
    client.force_login(acme["admin"])
    response = client.post(f"/partners/{organisation.slug}/invitations/",
                           {"email": acme["member"].email, "role": "member"}, **HTMX)
    assert response.status_code == 409
    assert "This person is already a member." in response.content.decode()

    plain = client.post(f"/partners/{organisation.slug}/invitations/",
                        {"email": "not-an-address", "role": "member"})
    assert plain.status_code == 400
    assert "Enter a valid email address." in plain.content.decode()
    assert not Invitation.objects.exists()

    invitation, _token = invitation_create(actor=acme["admin"], organisation=organisation,
                                           email="soon@example.org")
    revoked = client.post(f"/partners/{organisation.slug}/invitations/{invitation.pk}/revoke/",
                          **HTMX)
    assert "The invitation of soon@example.org is revoked" in revoked.content.decode()
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    again = client.post(f"/partners/{organisation.slug}/invitations/{invitation.pk}/revoke/",
                        **HTMX)
    assert again.status_code == 409
    assert "This invitation is already revoked." in again.content.decode()


def test_csv_import_reports_every_row(client, acme):
    organisation = acme["organisation"]
    client.force_login(acme["admin"])
    upload = SimpleUploadedFile(
        "colleagues.csv",
        b"name,email,role\nTan Mei Ling,meiling@example.org,member\nNobody,not-an-email,member\n",
        content_type="text/csv",
    )
    posted = client.post(f"/partners/{organisation.slug}/invitations/import/",
                         {"file": upload})
    assert posted.status_code == 302  # to the report's own address: reloading sends nothing
    response = client.get(posted["Location"])
    assert response.status_code == 200
    report = response.context["report"]
    assert [(row["line"], row["email"], row["outcome"]) for row in report.rows] == [
        (2, "meiling@example.org", "invited"), (3, "not-an-email", "refused")]
    html = response.content.decode()
    assert "1 invited, 1 refused" in html
    assert "is not a valid e-mail address" in html
    assert list(Invitation.objects.values_list("email", flat=True)) == ["meiling@example.org"]

    headerless = SimpleUploadedFile("x.csv", b"just,some\nwords,here\n", content_type="text/csv")
    refused = client.post(f"/partners/{organisation.slug}/invitations/import/",
                          {"file": headerless})
    assert refused.status_code == 400
    assert "Missing a header line with name, email and role." in refused.content.decode()


# --- People ----------------------------------------------------------------------------------


def test_the_last_admin_can_be_neither_demoted_nor_removed(client, acme, mfa_admin_user):
    organisation, admin = acme["organisation"], acme["admin"]
    own = OrganisationMembership.objects.get(person=admin)
    client.force_login(admin)

    demoted = client.post(f"/partners/{organisation.slug}/people/{own.pk}/role/",
                          {"role": "member"}, **HTMX)
    assert demoted.status_code == 409  # swapped by htmx (base.html): the row shows why
    row = demoted.content.decode()
    assert row.lstrip().startswith("<tr") and "is the last admin of Acme Pharma" in row

    left = client.post(f"/partners/{organisation.slug}/people/{own.pk}/remove/")
    assert "is the last admin of Acme Pharma" in page_messages(left)[0]

    client.force_login(mfa_admin_user)
    removed = client.post(f"/partners/{organisation.slug}/people/{own.pk}/remove/")
    assert removed["Location"] == f"/partners/{organisation.slug}/people/"
    assert "is the last admin of Acme Pharma" in page_messages(removed)[0]

    own.refresh_from_db()
    assert own.role == ADMIN


def test_an_admin_changes_a_role_and_removes_a_colleague(client, acme):
    organisation, member = acme["organisation"], acme["member"]
    membership = OrganisationMembership.objects.get(person=member)
    client.force_login(acme["admin"])

    promoted = client.post(f"/partners/{organisation.slug}/people/{membership.pk}/role/",
                           {"role": "admin"}, **HTMX)
    assert f"{member} is now partner admin." in promoted.content.decode()
    membership.refresh_from_db()
    assert membership.role == ADMIN

    removed = client.post(f"/partners/{organisation.slug}/people/{membership.pk}/remove/")
    assert page_messages(removed) == [f"{member} no longer acts for Acme Pharma."]
    assert not OrganisationMembership.objects.filter(pk=membership.pk).exists()


def test_a_member_sees_colleagues_and_may_leave_but_not_manage(client, acme):
    organisation = acme["organisation"]
    client.force_login(acme["member"])
    page = client.get(f"/partners/{organisation.slug}/people/")
    html = page.content.decode()
    assert acme["admin"].email in html
    assert "Send the invitation" not in html and "Save role" not in html
    admin_membership = OrganisationMembership.objects.get(person=acme["admin"])
    assert client.post(f"/partners/{organisation.slug}/people/{admin_membership.pk}/remove/"
                       ).status_code == 403

    own = OrganisationMembership.objects.get(person=acme["member"])
    left = client.post(f"/partners/{organisation.slug}/people/{own.pk}/remove/")
    assert left["Location"] == "/partners/mine/"
    assert not OrganisationMembership.objects.filter(pk=own.pk).exists()


def test_asking_to_join_then_an_admin_approves(client, acme):
    organisation = acme["organisation"]
    applicant = UserFactory()
    client.force_login(applicant)
    assert "Ask to join this organisation" in client.get(
        f"/partners/{organisation.slug}/").content.decode()
    client.post(f"/partners/{organisation.slug}/ask-to-join/", {"message": "I run QC."})
    person_request = PersonRequest.objects.get(person=applicant)
    assert "Withdraw my request to join" in client.get(
        f"/partners/{organisation.slug}/").content.decode()
    twice = client.post(f"/partners/{organisation.slug}/ask-to-join/", {"message": ""})
    assert "You have already asked to join Acme Pharma" in page_messages(twice)[0]

    client.force_login(acme["admin"])
    people = client.get(f"/partners/{organisation.slug}/people/").content.decode()
    assert "I run QC." in people
    client.post(f"/partners/{organisation.slug}/requests/{person_request.pk}/approve/",
                {"role": "member"})
    assert OrganisationMembership.objects.filter(organisation=organisation,
                                                 person=applicant).exists()


def test_a_person_withdraws_their_request(client, acme):
    applicant = UserFactory()
    person_request = person_request_create(actor=applicant, organisation=acme["organisation"])
    client.force_login(UserFactory())  # not theirs: as if it did not exist
    assert client.post(f"/partners/requests/{person_request.pk}/withdraw/").status_code == 404
    client.force_login(applicant)
    withdraw = f"/partners/requests/{person_request.pk}/withdraw/"
    mine = client.get("/partners/mine/").content.decode()
    assert f'href="{withdraw}" data-confirm' in mine  # asks first (tests/core/test_confirmation.py)
    assert "the request to join Acme Pharma" in mine
    client.post(withdraw)
    person_request.refresh_from_db()
    assert person_request.status == PersonRequest.Status.WITHDRAWN


# --- Profile and logo ------------------------------------------------------------------------


def profile_data(organisation, **changes):
    return {"name": organisation.name, "kind": organisation.kind, "website": "",
            "country": organisation.country, "description": "", "is_listed": "on", **changes}


@pytest.mark.parametrize(("upload", "message"), [
    (SimpleUploadedFile("huge.png", b"\x89PNG" + b"0" * (1024 * 1024 + 10),
                        content_type="image/png"), "the limit is 1 MB"),
    (SimpleUploadedFile("logo.png", b"this is text, not a picture",
                        content_type="image/png"), "The logo must be an image file"),
])
def test_a_bad_logo_is_a_field_error_and_changes_nothing(client, acme, upload, message):
    organisation = acme["organisation"]
    client.force_login(acme["admin"])
    response = client.post(f"/partners/{organisation.slug}/edit/",
                           profile_data(organisation, name="Renamed", logo=upload))
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors["logo"])
    assert 'id="id_logo_error"' in response.content.decode()
    organisation.refresh_from_db()
    assert organisation.name == "Acme Pharma" and not organisation.logo


def test_a_partner_admin_edits_the_profile_and_logo(client, acme):
    organisation = acme["organisation"]
    client.force_login(acme["admin"])
    form = client.get(f"/partners/{organisation.slug}/edit/").content.decode()
    assert 'enctype="multipart/form-data"' in form
    logo = SimpleUploadedFile("logo.png", png_bytes(), content_type="image/png")
    response = client.post(f"/partners/{organisation.slug}/edit/", profile_data(
        organisation, description="Small molecules at scale.", logo=logo))
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.description == "Small molecules at scale." and organisation.logo
    assert f"/partners/{organisation.slug}/logo/" in client.get("/partners/").content.decode()

    client.post(f"/partners/{organisation.slug}/edit/",
                profile_data(organisation, remove_logo="on"))
    organisation.refresh_from_db()
    assert not organisation.logo


# --- Workstreams and agreements --------------------------------------------------------------


def test_workstreams_page_explains_what_stands_in_the_way(client, acme):
    organisation = acme["organisation"]
    WorkstreamFactory(name="Biocatalysis", kind="workstream")
    WorkstreamFactory(name="Analytics Platform", kind="platform")
    client.force_login(acme["admin"])
    html = client.get(f"/partners/{organisation.slug}/workstreams/").content.decode()
    assert "Not signed" in html and "Needs a signed consortium agreement" in html
    assert "Not covered by the member tier" in html  # platforms are not in the member tier

    AgreementFactory(organisation=organisation)
    html = client.get(f"/partners/{organisation.slug}/workstreams/").content.decode()
    assert "Signed and in force" in html
    assert "Ask to join Biocatalysis" in html

    client.force_login(acme["member"])
    html = client.get(f"/partners/{organisation.slug}/workstreams/").content.decode()
    assert "Ask to join Biocatalysis" not in html  # members see, admins ask


def test_agreements_page_has_an_empty_state(client, acme):
    client.force_login(acme["admin"])
    page = client.get(f"/partners/{acme['organisation'].slug}/agreements/").content.decode()
    assert "The programme office records the consortium agreement" in page


# --- Query budgets ---------------------------------------------------------------------------


def _directory_rows(count: int, workstream) -> None:
    for _ in range(count):
        organisation = OrganisationFactory(logo="partners/logos/x.png")
        WorkstreamMembershipFactory(organisation=organisation, workstream=workstream)


def test_directory_query_count_does_not_grow_with_organisations(client, acme):
    workstream = WorkstreamFactory()
    client.force_login(acme["member"])
    _directory_rows(3, workstream)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/partners/").status_code == 200
    _directory_rows(6, workstream)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/partners/")
    assert response.context["page"].paginator.count == 10
    assert len(many) == len(few)


def _people_rows(organisation, admin, count: int) -> None:
    for n in range(count):
        OrganisationMembershipFactory(organisation=organisation)
        person_request_create(actor=UserFactory(), organisation=organisation)
        invitation_create(actor=admin, organisation=organisation,
                          email=f"invitee{organisation.memberships.count()}-{n}@example.org")


def test_people_query_count_does_not_grow_with_people(client, acme):
    organisation, admin = acme["organisation"], acme["admin"]
    Organisation.objects.filter(pk=organisation.pk).update(tier=Organisation.Tier.CORE)
    client.force_login(admin)
    _people_rows(organisation, admin, 2)
    with CaptureQueriesContext(connection) as few:
        assert client.get(f"/partners/{organisation.slug}/people/").status_code == 200
    _people_rows(organisation, admin, 4)
    with CaptureQueriesContext(connection) as many:
        response = client.get(f"/partners/{organisation.slug}/people/")
    assert response.context["page"].paginator.count == 8
    assert len(many) == len(few)


def test_people_page_is_paginated_by_fifty(client, acme):
    organisation = acme["organisation"]
    Organisation.objects.filter(pk=organisation.pk).update(tier=Organisation.Tier.CORE)
    OrganisationMembershipFactory.create_batch(50, organisation=organisation)
    client.force_login(acme["member"])
    first = client.get(f"/partners/{organisation.slug}/people/")
    assert len(first.context["page"].object_list) == 50
    assert first.context["page"].object_list[0].role == ADMIN  # admins first
    second = client.get(f"/partners/{organisation.slug}/people/", {"page": 2})
    assert len(second.context["page"].object_list) == 2


def _count_queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_approval_queue_query_count_does_not_grow(client, mfa_admin_user):
    def register(count):
        for _ in range(count):
            registrant = UserFactory()
            OrganisationFactory(status=Organisation.Status.PENDING, created_by=registrant)

    client.force_login(mfa_admin_user)
    register(2)
    few = _count_queries(client, "/partners/approvals/")
    register(4)
    assert _count_queries(client, "/partners/approvals/") == few


def test_workstreams_agreements_and_mine_query_counts_do_not_grow(client, acme):
    organisation, admin = acme["organisation"], acme["admin"]

    def add(count):
        for _ in range(count):
            workstream = WorkstreamFactory()
            JoinRequestFactory(organisation=organisation, workstream=workstream,
                               requested_by=admin)
            WorkstreamMembershipFactory(organisation=organisation, workstream=WorkstreamFactory())
            AgreementFactory(organisation=organisation, kind="nda")
            OrganisationMembershipFactory(person=admin)
            inviting = OrganisationMembershipFactory(role=ADMIN)
            invitation_create(actor=inviting.person, organisation=inviting.organisation,
                              email=admin.email)
            person_request_create(actor=admin, organisation=OrganisationFactory())

    client.force_login(admin)
    paths = [f"/partners/{organisation.slug}/workstreams/",
             f"/partners/{organisation.slug}/agreements/", "/partners/mine/"]
    add(1)
    few = [_count_queries(client, path) for path in paths]
    add(2)
    assert [_count_queries(client, path) for path in paths] == few
