"""Partners inputs that once reached a 500 or leaked, and the rules that must hold anyway:
uploaded names never decide how a file is served, malformed CSV is refused in words, a term
that has not started entitles to nothing, people who left hear nothing more."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from cluster_portal.core.actors import SYSTEM
from cluster_portal.core.exceptions import ApplicationError
from cluster_portal.notifications.models import Notification
from partners.models import Organisation, PersonRequest
from partners.services import (
    invitation_accept,
    invitation_create,
    invitations_import_csv,
    organisation_membership_remove,
    organisation_set_tier,
    person_request_approve,
)
from partners.services.organisations import tier_status_on
from tests.factories import OrganisationFactory, OrganisationMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def admin_of(organisation):
    return OrganisationMembershipFactory(organisation=organisation, role="admin").person


def gif_with_script(name: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (1, 2, 3)).save(buffer, format="GIF")
    return SimpleUploadedFile(name, buffer.getvalue() + b"<script>alert(1)</script>",
                              content_type="text/html")


def test_an_uploaded_logo_is_stored_under_our_name_with_the_extension_of_its_real_format():
    organisation = OrganisationFactory()
    client = APIClient()
    client.force_login(admin_of(organisation))
    response = client.patch(f"/api/v1/organisations/{organisation.slug}/",
                            {"logo": gif_with_script("evil.html")}, format="multipart")
    assert response.status_code == 200, response.content
    organisation.refresh_from_db()
    assert organisation.logo.name.endswith(f"/{organisation.slug}.gif")
    assert ".html" not in organisation.logo.name


def test_a_csv_with_an_enormous_field_is_refused_in_words(rf):
    organisation = OrganisationFactory()
    admin = admin_of(organisation)
    text = "name,email,role\n" + "x" * 200_000 + ",a@example.org,member\n"
    upload = SimpleUploadedFile("people.csv", text.encode(), content_type="text/csv")
    with pytest.raises(ApplicationError) as refused:
        invitations_import_csv(actor=admin, organisation=organisation, upload=upload)
    assert "file" in refused.value.fields
    assert not organisation.invitations.exists()


def test_a_csv_with_an_enormous_field_is_a_400_through_the_api():
    organisation = OrganisationFactory()
    client = APIClient()
    client.force_login(admin_of(organisation))
    text = "name,email,role\n" + "x" * 200_000 + ",a@example.org,member\n"
    upload = SimpleUploadedFile("people.csv", text.encode(), content_type="text/csv")
    response = client.post("/api/v1/invitations/import/",
                           {"organisation": organisation.slug, "file": upload},
                           format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()["fields"]


def test_a_non_ascii_digit_as_invitation_id_is_refused_without_error(client):
    person = UserFactory()
    client.force_login(person)
    response = client.post("/partners/mine/", {"invitation": "²"})
    assert response.status_code == 302
    assert "no longer open" in client.get(response.url).content.decode()


def test_a_term_that_has_not_started_entitles_to_nothing():
    organisation = OrganisationFactory(tier="core", tier_status="none")
    starts = timezone.localdate() + datetime.timedelta(days=30)
    organisation_set_tier(actor=SYSTEM, organisation=organisation, tier="core", starts_on=starts)
    organisation.refresh_from_db()
    assert organisation.tier_status == Organisation.TierStatus.NONE
    assert tier_status_on(organisation, starts) == Organisation.TierStatus.NEW


def test_an_unknown_role_when_approving_a_person_request_is_refused():
    organisation = OrganisationFactory()
    admin = admin_of(organisation)
    request = PersonRequest.objects.create(organisation=organisation, person=UserFactory())
    with pytest.raises(ApplicationError) as refused:
        person_request_approve(actor=admin, person_request=request, role="owner")
    assert "role" in refused.value.fields
    request.refresh_from_db()
    assert request.status == PersonRequest.Status.PENDING


def test_an_inviter_who_has_left_hears_nothing_of_the_acceptance():
    organisation = OrganisationFactory()
    inviter, other_admin = admin_of(organisation), admin_of(organisation)
    invited = UserFactory(email="new.colleague@example.org")
    _, token = invitation_create(actor=inviter, organisation=organisation,
                                 email=invited.email)
    membership = organisation.memberships.get(person=inviter)
    organisation_membership_remove(actor=inviter, membership=membership)  # the inviter leaves
    invitation_accept(actor=invited, token=token)
    accepted = Notification.objects.filter(kind="invitation_accepted")
    assert set(accepted.values_list("recipient", flat=True)) == {other_admin.pk}


def test_accepting_an_invitation_settles_the_persons_own_request_to_join():
    organisation = OrganisationFactory()
    admin = admin_of(organisation)
    person = UserFactory()
    request = PersonRequest.objects.create(organisation=organisation, person=person)
    _, token = invitation_create(actor=admin, organisation=organisation, email=person.email)
    invitation_accept(actor=person, token=token)
    request.refresh_from_db()
    assert request.status == PersonRequest.Status.APPROVED
    assert request.decided_by == admin


def test_the_invitation_page_tells_a_wrong_account_before_it_offers_to_accept(client):
    organisation = OrganisationFactory()
    _, token = invitation_create(actor=admin_of(organisation), organisation=organisation,
                                 email="invited@example.org")
    client.force_login(UserFactory(email="someone.else@example.org"))
    page = client.get(f"/partners/invitations/{token}/").content.decode()
    assert "This invitation is for invited@example.org" in page
    assert "Accept and join" not in page


def test_a_semicolon_csv_with_an_empty_line_invites_the_real_rows():
    organisation = OrganisationFactory()
    text = "name;email;role\nAnn Tan;ann@example.org;member\n;;\nBo Lim;bo@example.org;admin\n"
    upload = SimpleUploadedFile("people.csv", text.encode(), content_type="text/csv")
    report = invitations_import_csv(actor=admin_of(organisation), organisation=organisation,
                                    upload=upload)
    assert [(row["email"], row["outcome"]) for row in report.rows] == [
        ("ann@example.org", "invited"), ("bo@example.org", "invited")]


def test_a_registration_is_unlisted_unless_the_registrant_chooses(client):
    client.force_login(UserFactory())
    form = client.get("/partners/register/").context["form"]
    assert form["is_listed"].value() in (False, None)


def _logo_png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile("logo.png", buffer.getvalue(), content_type="image/png")


def test_a_logo_is_served_only_to_those_who_may_see_the_organisation(client):
    from django.core.files.storage import default_storage

    from partners.services import organisation_update_profile

    organisation = OrganisationFactory(is_listed=False)
    admin = admin_of(organisation)
    organisation_update_profile(actor=admin, organisation=organisation, logo=_logo_png())
    organisation.refresh_from_db()
    assert not default_storage.exists(organisation.logo.name)  # never under a media URL
    url = f"/partners/{organisation.slug}/logo/"
    assert client.get(url).status_code == 404  # an unlisted organisation's logo is hidden
    client.force_login(admin)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


def test_the_approvals_queue_warns_of_an_organisation_registered_twice(client, mfa_admin_user):
    from partners.services import organisation_register

    OrganisationFactory(name="Meridian Pharma Asia")
    # Warned of the listed look-alike, the registrant says it is another organisation.
    organisation_register(actor=UserFactory(), name="meridian pharma asia", uen="T26XX0001A",
                          kind="pharma_mnc", confirm_not_duplicate=True)
    organisation_register(actor=UserFactory(), name="Orchid Cell Therapies", uen="T26XX0002B",
                          kind="biotech")
    client.force_login(mfa_admin_user)
    page = client.get("/partners/approvals/").content.decode()
    assert page.count("Another organisation of this name, or one much like it, is already "
                      "registered") == 1


def test_staff_see_who_changed_an_organisation_and_members_do_not(client, mfa_admin_user):
    from partners.services import organisation_approve, organisation_register

    registrant = UserFactory()
    organisation = organisation_register(actor=registrant, name="Orchid Cell Therapies",
                                         uen="T26XX0003C", kind="biotech", is_listed=True)
    organisation_approve(actor=mfa_admin_user, organisation=organisation)
    client.force_login(mfa_admin_user)
    page = client.get(f"/partners/{organisation.slug}/").content.decode()
    assert "registered the organisation" in page and "approved the registration" in page
    client.force_login(registrant)
    own_view = client.get(f"/partners/{organisation.slug}/").content.decode()
    assert "approved the registration" not in own_view


def test_a_csv_keeps_excel_quoting_and_drops_nul_characters():
    organisation = OrganisationFactory()
    text = ('name,email,role\n"Lim ""Ben"", Jr",ben@example.org,member\n'
            'Ann\x00 Tan,ann@example.org,member\n')
    upload = SimpleUploadedFile("people.csv", text.encode(), content_type="text/csv")
    report = invitations_import_csv(actor=admin_of(organisation), organisation=organisation,
                                    upload=upload)
    assert [row["outcome"] for row in report.rows] == ["invited", "invited"]
    assert organisation.invitations.get(email="ben@example.org").full_name == 'Lim "Ben", Jr'
    assert organisation.invitations.get(email="ann@example.org").full_name == "Ann Tan"
