"""The admin pages for organisations and their people: constant-cost lists for a programme
admin with MFA, and changes that go through the services (audit and notifications included)."""

import datetime
import io

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from cluster_portal.audit.models import AuditEvent
from cluster_portal.notifications.models import Notification
from partners.admin import ORGANISATION_DECLINE_REASON
from partners.models import (
    Agreement,
    Invitation,
    Organisation,
    OrganisationMembership,
    PersonRequest,
)
from partners.services import invitation_create, organisation_register, person_request_create
from tests.factories import (
    AgreementFactory,
    OrganisationFactory,
    OrganisationMembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ADMIN, MEMBER = OrganisationMembership.Role.ADMIN, OrganisationMembership.Role.MEMBER


@pytest.fixture
def office(client, mfa_admin_user):
    """The programme office's browser, signed in to the admin site."""
    client.force_login(mfa_admin_user)
    return client


def url(model: str, view: str = "changelist", *args) -> str:
    return reverse(f"admin:partners_{model}_{view}", args=args)


def page_messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def run_action(client, model: str, action: str, objects):
    return client.post(url(model), {"action": action,
                                    "_selected_action": [obj.pk for obj in objects]}, follow=True)


# --- Lists: every model, constant queries ------------------------------------------------------


def add_organisations(n):
    OrganisationFactory.create_batch(n)


def add_memberships(n):
    OrganisationMembershipFactory.create_batch(n)


def add_person_requests(n):
    for _ in range(n):
        person_request_create(actor=UserFactory(), organisation=OrganisationFactory())


def add_invitations(n):
    for _ in range(n):
        organisation = OrganisationFactory()
        admin = OrganisationMembershipFactory(organisation=organisation, role=ADMIN).person
        invitation_create(actor=admin, organisation=organisation,
                          email=f"{organisation.slug}@example.org")


def add_agreements(n):
    for _ in range(n):
        AgreementFactory(updated_by=UserFactory())


@pytest.mark.parametrize("model, add", [
    ("organisation", add_organisations),
    ("organisationmembership", add_memberships),
    ("personrequest", add_person_requests),
    ("invitation", add_invitations),
    ("agreement", add_agreements),
])
def test_every_list_answers_with_the_same_number_of_queries_for_more_rows(office, model, add):
    add(2)
    office.get(url(model))  # the first request warms per-process caches (content types)
    with CaptureQueriesContext(connection) as few:
        response = office.get(url(model))
    assert response.status_code == 200
    assert response.context["cl"].result_count >= 2
    add(4)
    with CaptureQueriesContext(connection) as many:
        response = office.get(url(model))
    assert response.context["cl"].result_count >= 6
    assert len(many) == len(few), [query["sql"] for query in many.captured_queries]


def person_request_to(organisation):
    person_request_create(actor=UserFactory(), organisation=organisation)


def invitation_from(organisation):
    admin = OrganisationMembershipFactory(organisation=organisation, role=ADMIN).person
    invitation_create(actor=admin, organisation=organisation, email="someone@example.org")


@pytest.mark.parametrize("model, make, filters", [
    ("organisation", lambda organisation: None, {"status__exact": "approved"}),
    ("organisationmembership", lambda organisation: OrganisationMembershipFactory(
        organisation=organisation, role=ADMIN), {"role__exact": "admin"}),
    ("personrequest", person_request_to, {"status__exact": "pending"}),
    ("invitation", invitation_from, {"status": "pending"}),
    ("agreement", lambda organisation: AgreementFactory(organisation=organisation),
     {"kind__exact": "consortium"}),
])
def test_lists_are_searched_by_organisation_and_filtered(office, model, make, filters):
    for name in ("Helix Biologics", "Aurora Therapeutics"):
        make(OrganisationFactory(name=name))
    response = office.get(url(model), {"q": "helix", **filters})
    assert response.status_code == 200
    rows = list(response.context["cl"].result_list)
    assert len(rows) == 1
    assert "Helix" in str(rows[0])


def test_the_admin_site_is_for_programme_admins_with_mfa(client, admin_user, mfa_staff_user):
    client.force_login(admin_user)  # no authenticator yet: sent to set one up
    response = client.get(url("organisation"))
    assert response.status_code == 302
    assert "/accounts/2fa/" in response["Location"]
    client.force_login(mfa_staff_user)  # staff, not admin: the admin login page
    response = client.get(url("organisation"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


# --- Organisations -----------------------------------------------------------------------------


def test_approving_from_the_list_goes_through_the_service(office, mfa_admin_user):
    registrant = UserFactory()
    organisation = organisation_register(actor=registrant, name="Tessellate Data",
                                         uen="202400008H", kind="start_up")
    response = run_action(office, "organisation", "approve_selected", [organisation])

    organisation.refresh_from_db()
    assert organisation.status == Organisation.Status.APPROVED
    assert organisation.decided_by == mfa_admin_user
    event = AuditEvent.objects.get(action="organisation.approve", target_id=organisation.pk)
    assert event.actor == mfa_admin_user
    assert Notification.objects.filter(recipient=registrant,
                                       kind="organisation_approved").exists()
    assert any("Approved 1 organisation" in text for text in page_messages(response))


def test_each_refused_approval_is_reported_against_its_organisation(office):
    pending = OrganisationFactory(status=Organisation.Status.PENDING, name="Waiting Ltd")
    decided = OrganisationFactory(status=Organisation.Status.DECLINED, name="Declined Ltd")
    response = run_action(office, "organisation", "approve_selected", [pending, decided])
    texts = page_messages(response)
    assert any(text.startswith("Declined Ltd: Declined Ltd was already declined") for text in texts)
    assert any("Approved 1 organisation" in text for text in texts)
    assert Organisation.objects.get(pk=pending.pk).status == Organisation.Status.APPROVED
    assert Organisation.objects.get(pk=decided.pk).status == Organisation.Status.DECLINED


def test_declining_from_the_list_gives_the_standard_reason(office):
    registrant = UserFactory()
    organisation = organisation_register(actor=registrant, name="Tessellate Data",
                                         uen="202400008H", kind="start_up")
    run_action(office, "organisation", "decline_selected", [organisation])
    organisation.refresh_from_db()
    assert organisation.status == Organisation.Status.DECLINED
    assert organisation.decision_reason == ORGANISATION_DECLINE_REASON
    assert ORGANISATION_DECLINE_REASON in Notification.objects.get(
        recipient=registrant, kind="organisation_declined").message


def organisation_form(organisation, **changes) -> dict:
    count = organisation.memberships.count()
    data = {
        "name": organisation.name, "kind": organisation.kind, "country": organisation.country,
        "website": organisation.website, "description": organisation.description,
        "is_listed": "on" if organisation.is_listed else "", "tier": organisation.tier,
        "tier_starts_on": organisation.tier_starts_on or "",
        "tier_ends_on": organisation.tier_ends_on or "",
        "memberships-TOTAL_FORMS": count, "memberships-INITIAL_FORMS": count,
        "memberships-MIN_NUM_FORMS": 0, "memberships-MAX_NUM_FORMS": 1000,
    }
    return {key: value for key, value in (data | changes).items() if value is not None}


def test_a_new_term_in_the_change_form_goes_through_organisation_set_tier(office, mfa_admin_user):
    organisation = OrganisationFactory(tier="associate", name="Helix Biologics")
    OrganisationMembershipFactory(organisation=organisation, role=ADMIN)
    today = timezone.localdate()
    response = office.post(url("organisation", "change", organisation.pk), organisation_form(
        organisation, tier="core", tier_starts_on=today, name="Helix Bio",
        tier_ends_on=today + datetime.timedelta(days=365)))
    assert response.status_code == 302

    organisation.refresh_from_db()
    assert (organisation.tier, organisation.tier_starts_on) == ("core", today)
    assert organisation.tier_status == Organisation.TierStatus.NEW
    assert organisation.name == "Helix Bio"
    actions = set(AuditEvent.objects.filter(actor=mfa_admin_user)
                  .values_list("action", flat=True))
    # The services' own events, and the admin's record that the change was made there.
    assert actions == {"organisation.set_tier", "organisation.update_profile", "admin.change"}
    assert AuditEvent.objects.get(action="organisation.update_profile").changes["name"] == [
        "Helix Biologics", "Helix Bio"]


def test_a_logo_uploaded_in_the_admin_goes_through_the_profile_service(office):
    organisation = OrganisationFactory()
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), "teal").save(buffer, format="PNG")
    logo = SimpleUploadedFile("logo.png", buffer.getvalue(), content_type="image/png")
    response = office.post(url("organisation", "change", organisation.pk),
                           organisation_form(organisation, logo=logo))
    assert response.status_code == 302
    assert Organisation.objects.get(pk=organisation.pk).logo.name.startswith("partners/logos/")
    assert AuditEvent.objects.get(action="organisation.update_profile").changes == {
        "logo": "replaced"}


def test_a_file_that_is_not_an_image_is_refused_as_a_logo(office):
    organisation = OrganisationFactory()
    response = office.post(url("organisation", "change", organisation.pk), organisation_form(
        organisation, logo=SimpleUploadedFile("logo.png", b"not an image")))
    assert response.status_code == 200
    assert "Upload a valid image" in response.content.decode()
    assert not Organisation.objects.get(pk=organisation.pk).logo


def test_an_unchanged_term_is_not_set_again(office):
    organisation = OrganisationFactory()
    office.post(url("organisation", "change", organisation.pk),
                organisation_form(organisation, description="New words."))
    assert Organisation.objects.get(pk=organisation.pk).description == "New words."
    assert not AuditEvent.objects.filter(action="organisation.set_tier").exists()


@pytest.mark.parametrize("changes, field_error", [
    ({"tier_starts_on": ""}, "Enter the date the tier"),
    ({"tier": ""}, "A tier can&#x27;t be removed"),
    ({"tier_ends_on": "2020-01-01", "tier_starts_on": "2021-01-01"}, "End the term after"),
])
def test_a_bad_term_is_a_form_error_and_changes_nothing(office, changes, field_error):
    organisation = OrganisationFactory(tier="member")
    before = (organisation.tier, organisation.tier_starts_on, organisation.tier_ends_on)
    response = office.post(url("organisation", "change", organisation.pk),
                           organisation_form(organisation, **changes))
    assert response.status_code == 200
    assert field_error in response.content.decode()
    organisation.refresh_from_db()
    assert (organisation.tier, organisation.tier_starts_on, organisation.tier_ends_on) == before
    assert not AuditEvent.objects.exclude(action="user.grant_role").exists()  # fixtures grant roles


def test_adding_an_organisation_goes_through_the_service(office, mfa_admin_user):
    response = office.post(url("organisation", "add"), {
        "name": "Straits Process Engineering", "uen": "2005 00005e", "kind": "sme",
        "country": "sg", "website": "", "description": "", "is_listed": "on",
        "tier": "member", "tier_starts_on": timezone.localdate(), "tier_ends_on": "",
        "memberships-TOTAL_FORMS": 0, "memberships-INITIAL_FORMS": 0,
    })
    assert response.status_code == 302
    organisation = Organisation.objects.get()
    assert organisation.uen == "200500005E"
    assert organisation.slug == "straits-process-engineering"
    assert organisation.country == "SG"
    assert organisation.status == Organisation.Status.PENDING
    assert organisation.created_by == mfa_admin_user
    assert organisation.tier_status == Organisation.TierStatus.NONE  # until approved
    assert AuditEvent.objects.get(action="organisation.set_tier").actor == mfa_admin_user

    run_action(office, "organisation", "approve_selected", [organisation])
    organisation.refresh_from_db()
    assert organisation.status == Organisation.Status.APPROVED
    assert organisation.tier_status == Organisation.TierStatus.NEW


def test_adding_a_uen_already_registered_is_a_form_error(office):
    OrganisationFactory(uen="200500005E")
    response = office.post(url("organisation", "add"), {
        "name": "Copy", "uen": "2005 00005e", "kind": "sme", "country": "SG",
        "memberships-TOTAL_FORMS": 0, "memberships-INITIAL_FORMS": 0,
    })
    assert response.status_code == 200
    assert "UEN already exists" in response.content.decode()
    assert Organisation.objects.count() == 1


def test_organisations_are_never_deleted_from_the_admin(office):
    organisation = OrganisationFactory()
    assert office.get(url("organisation", "delete", organisation.pk)).status_code == 403
    response = office.get(url("organisation"))
    assert "delete_selected" not in dict(response.context["action_form"].fields["action"].choices)


# --- People ------------------------------------------------------------------------------------


def test_changing_the_last_admins_role_is_refused_with_the_reason(office):
    last = OrganisationMembershipFactory(role=ADMIN)
    response = office.post(url("organisationmembership", "change", last.pk), {"role": MEMBER},
                           follow=True)
    assert any("is the last admin" in text for text in page_messages(response))
    assert OrganisationMembership.objects.get(pk=last.pk).role == ADMIN
    assert not AuditEvent.objects.exclude(action="user.grant_role").exists()  # fixtures grant roles


def test_a_role_change_in_the_admin_is_audited_and_the_person_told(office, mfa_admin_user):
    organisation = OrganisationFactory()
    OrganisationMembershipFactory(organisation=organisation, role=ADMIN)
    member = OrganisationMembershipFactory(organisation=organisation, role=MEMBER)
    response = office.post(url("organisationmembership", "change", member.pk), {"role": ADMIN})
    assert response.status_code == 302
    assert OrganisationMembership.objects.get(pk=member.pk).role == ADMIN
    assert AuditEvent.objects.get(action="organisation_membership.change_role").actor == (
        mfa_admin_user)
    assert Notification.objects.filter(recipient=member.person,
                                       kind="role_changed").exists()


def test_adding_a_person_in_the_admin_goes_through_the_service(office, mfa_admin_user):
    organisation, person = OrganisationFactory(), UserFactory()
    response = office.post(url("organisationmembership", "add"), {
        "organisation": organisation.pk, "person": person.pk, "role": ADMIN})
    assert response.status_code == 302
    membership = OrganisationMembership.objects.get()
    assert (membership.organisation, membership.person, membership.role) == (
        organisation, person, ADMIN)
    assert AuditEvent.objects.get(action="organisation_membership.add").actor == mfa_admin_user


def test_removing_people_keeps_an_admin_and_reports_the_refusal(office):
    organisation = OrganisationFactory()
    admin = OrganisationMembershipFactory(organisation=organisation, role=ADMIN)
    member = OrganisationMembershipFactory(organisation=organisation, role=MEMBER)
    response = run_action(office, "organisationmembership", "remove_selected", [admin, member])
    texts = page_messages(response)
    assert any("is the last admin" in text for text in texts)
    assert any("Removed 1 person" in text for text in texts)
    assert list(organisation.memberships.all()) == [admin]


def test_person_requests_are_decided_with_the_actions(office):
    organisation = OrganisationFactory()
    OrganisationMembershipFactory(organisation=organisation, role=ADMIN)
    asking, declined = UserFactory(), UserFactory()
    approve = person_request_create(actor=asking, organisation=organisation)
    decline = person_request_create(actor=declined, organisation=organisation)
    run_action(office, "personrequest", "approve_selected", [approve])
    run_action(office, "personrequest", "decline_selected", [decline])
    assert organisation.memberships.filter(person=asking, role=MEMBER).exists()
    assert PersonRequest.objects.get(pk=decline.pk).status == PersonRequest.Status.DECLINED
    assert not organisation.memberships.filter(person=declined).exists()
    page = office.get(url("personrequest", "change", approve.pk))
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()


# --- Invitations and agreements ----------------------------------------------------------------


def test_invitations_are_not_made_in_the_admin_but_can_be_revoked(office, mfa_admin_user):
    organisation = OrganisationFactory()
    admin = OrganisationMembershipFactory(organisation=organisation, role=ADMIN).person
    invitation, _ = invitation_create(actor=admin, organisation=organisation,
                                      email="wei.ling@example.org")
    assert office.get(url("invitation", "add")).status_code == 403
    page = office.get(url("invitation", "change", invitation.pk))
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert office.post(url("invitation", "change", invitation.pk), {}).status_code == 403

    run_action(office, "invitation", "revoke_selected", [invitation])
    assert Invitation.objects.get(pk=invitation.pk).revoked_at is not None
    assert AuditEvent.objects.get(action="invitation.revoke").actor == mfa_admin_user
    response = office.get(url("invitation"), {"status": "revoked"})
    assert list(response.context["cl"].result_list) == [invitation]


def test_an_agreement_added_in_the_admin_goes_through_agreement_save(office, mfa_admin_user):
    organisation = OrganisationFactory()
    response = office.post(url("agreement", "add"), {
        "organisation": organisation.pk, "kind": "consortium", "status": "signed",
        "signed_on": "2026-01-15", "reference": " CA-7 ", "notes": ""})
    assert response.status_code == 302
    agreement = Agreement.objects.get()
    assert agreement.reference == "CA-7" and agreement.updated_by == mfa_admin_user
    assert AuditEvent.objects.get(action="agreement.save").actor == mfa_admin_user

    response = office.post(url("agreement", "change", agreement.pk), {
        "kind": "consortium", "status": "terminated", "signed_on": "2026-01-15",
        "reference": "CA-7", "notes": "Ended by mutual consent."})
    assert response.status_code == 302
    assert Agreement.objects.get().status == Agreement.Status.TERMINATED
    last = AuditEvent.objects.filter(action="agreement.save").order_by("pk").last()
    assert last.changes["before"]["status"] == "signed"


def test_a_signed_agreement_without_its_date_is_a_form_error(office):
    response = office.post(url("agreement", "add"), {
        "organisation": OrganisationFactory().pk, "kind": "consortium", "status": "signed",
        "signed_on": ""})
    assert response.status_code == 200
    assert "Enter the date it was signed." in response.content.decode()
    assert not Agreement.objects.exists()


@pytest.mark.parametrize("model, make", [
    ("organisation", OrganisationFactory),
    ("organisationmembership", OrganisationMembershipFactory),
    ("personrequest", lambda: person_request_create(actor=UserFactory(),
                                                    organisation=OrganisationFactory())),
    ("invitation", lambda: invitation_from(OrganisationFactory()) or Invitation.objects.get()),
    ("agreement", AgreementFactory),
])
def test_every_change_page_and_add_page_opens(office, model, make):
    obj = make()
    assert office.get(url(model, "change", obj.pk)).status_code == 200
    can_add = model not in {"personrequest", "invitation"}
    assert office.get(url(model, "add")).status_code == (200 if can_add else 403)
