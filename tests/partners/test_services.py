"""Organisations and their people through the services: registration and approval, profile and
logo, tier and agreements, requests to join, role changes and removals."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from cluster_portal.audit.models import AuditEvent
from cluster_portal.core.actors import SYSTEM
from cluster_portal.core.exceptions import ApplicationError, Conflict, NotAllowed, NotFound
from cluster_portal.notifications.models import Notification
from partners.entitlements import NO_TIER, TIER_ENTITLEMENTS, entitlements_of
from partners.models import Agreement, Organisation, OrganisationMembership, PersonRequest
from partners.selectors import organisation_list_visible
from partners.services import (
    agreement_record,
    organisation_approve,
    organisation_decline,
    organisation_membership_add,
    organisation_membership_change_role,
    organisation_membership_remove,
    organisation_register,
    organisation_set_tier,
    organisation_update_profile,
    person_request_approve,
    person_request_create,
    person_request_decline,
    person_request_withdraw,
)
from tests.factories import OrganisationFactory, OrganisationMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

ADMIN, MEMBER = OrganisationMembership.Role.ADMIN, OrganisationMembership.Role.MEMBER


def audit_actions(target) -> list[str]:
    return list(
        AuditEvent.objects.filter(target_id=target.pk, target_repr=str(target))
        .order_by("pk").values_list("action", flat=True)
    )


def notified(person, kind: str) -> bool:
    return Notification.objects.filter(recipient=person, kind=kind).exists()


def register(actor, **overrides) -> Organisation:
    fields = {"name": "Tessellate Data", "uen": "202400008H", "kind": Organisation.Kind.START_UP}
    return organisation_register(actor=actor, **(fields | overrides))


def partner_admin_of(organisation, **kwargs):
    return OrganisationMembershipFactory(organisation=organisation, role=ADMIN, **kwargs).person


def image_upload(name="logo.png", image_format="PNG", size=(64, 64)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, "teal").save(buffer, format=image_format)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


# --- Registration and decision -----------------------------------------------------------------


def test_registering_makes_a_pending_organisation_its_registrant_administers(mfa_admin_user):
    registrant = UserFactory()
    organisation = register(registrant, uen=" 2024 00008h ")

    assert organisation.status == Organisation.Status.PENDING
    assert organisation.uen == "202400008H"
    assert organisation.created_by == registrant
    assert organisation.memberships.get().person == registrant
    assert organisation.memberships.get().role == ADMIN
    assert audit_actions(organisation) == ["organisation.register"]
    # The programme admins hear of it; the registrant only gets the portal's acknowledgement.
    assert notified(mfa_admin_user, "organisation_registered")
    assert list(Notification.objects.filter(recipient=registrant).values_list(
        "kind", flat=True)) == ["registration_received"]
    # Until approved it is invisible to everyone but its registrant and staff.
    assert organisation not in organisation_list_visible(user=UserFactory())
    assert organisation in organisation_list_visible(user=registrant)


@pytest.mark.parametrize("uen", ["201700001A", "2017 00001a", " 201700001a "])
def test_a_uen_already_registered_is_refused_whatever_its_spacing_or_case(uen):
    OrganisationFactory(uen="201700001A")
    with pytest.raises(ApplicationError) as refused:
        register(UserFactory(), uen=uen)
    assert refused.value.code == "duplicate_uen"
    assert "uen" in refused.value.fields
    assert Organisation.objects.count() == 1


def test_registration_with_a_bad_field_changes_nothing():
    with pytest.raises(ApplicationError) as refused:
        register(UserFactory(), kind="bakery")
    assert "kind" in refused.value.fields
    assert not Organisation.objects.exists()
    assert not OrganisationMembership.objects.exists()


def test_a_programme_admin_approves_with_a_tier_and_the_organisation_is_told(mfa_admin_user):
    registrant = UserFactory()
    organisation = register(registrant)
    organisation_approve(actor=mfa_admin_user, organisation=organisation, tier="member",
                         tier_starts_on=timezone.localdate())

    organisation.refresh_from_db()
    assert organisation.status == Organisation.Status.APPROVED
    assert organisation.decided_by == mfa_admin_user
    assert organisation.decided_at is not None
    assert organisation.tier == "member"
    assert organisation.tier_status == Organisation.TierStatus.NEW
    assert audit_actions(organisation)[-2:] == ["organisation.set_tier", "organisation.approve"]
    assert notified(registrant, "organisation_approved")
    assert not Notification.objects.filter(recipient=mfa_admin_user,
                                           kind="organisation_approved").exists()


def test_a_decline_needs_a_reason_and_tells_the_registrant(mfa_admin_user):
    registrant = UserFactory()
    organisation = register(registrant)
    with pytest.raises(ApplicationError) as refused:
        organisation_decline(actor=mfa_admin_user, organisation=organisation, reason="  ")
    assert "reason" in refused.value.fields
    organisation.refresh_from_db()
    assert organisation.status == Organisation.Status.PENDING

    organisation_decline(actor=mfa_admin_user, organisation=organisation,
                         reason="We could not verify the UEN.")
    organisation.refresh_from_db()
    assert organisation.status == Organisation.Status.DECLINED
    assert organisation.decision_reason == "We could not verify the UEN."
    assert "organisation.decline" in audit_actions(organisation)
    notice = Notification.objects.get(recipient=registrant,
                                      kind="organisation_declined")
    assert "We could not verify the UEN." in notice.message


def test_a_term_recorded_before_approval_counts_from_the_approval(mfa_admin_user):
    organisation = register(UserFactory())
    organisation_set_tier(actor=mfa_admin_user, organisation=organisation, tier="member",
                          starts_on=timezone.localdate() - datetime.timedelta(days=200))
    assert organisation.tier_status == Organisation.TierStatus.NONE  # pending
    organisation_approve(actor=mfa_admin_user, organisation=organisation)
    organisation.refresh_from_db()
    assert organisation.tier_status == Organisation.TierStatus.CURRENT
    assert entitlements_of(organisation) == TIER_ENTITLEMENTS["member"]


@pytest.mark.parametrize("first, second", [
    ("approve", "approve"), ("approve", "decline"), ("decline", "approve"),
    ("decline", "decline"),
])
def test_a_decided_registration_cannot_be_decided_again(mfa_admin_user, first, second):
    organisation = register(UserFactory())
    decide = {
        "approve": lambda: organisation_approve(actor=mfa_admin_user, organisation=organisation),
        "decline": lambda: organisation_decline(actor=mfa_admin_user, organisation=organisation,
                                                reason="Not a biomanufacturing company."),
    }
    decide[first]()
    status = Organisation.objects.get(pk=organisation.pk).status
    with pytest.raises(Conflict):
        decide[second]()
    assert Organisation.objects.get(pk=organisation.pk).status == status


@pytest.mark.parametrize("who", ["registrant", "staff_with_mfa", "admin_without_mfa"])
def test_only_programme_admins_with_mfa_decide_registrations(who, mfa_staff_user, admin_user):
    registrant = UserFactory()
    organisation = register(registrant)
    actor = {"registrant": registrant, "staff_with_mfa": mfa_staff_user,
             "admin_without_mfa": admin_user}[who]
    with pytest.raises(NotAllowed):
        organisation_approve(actor=actor, organisation=organisation)
    with pytest.raises(NotAllowed):
        organisation_decline(actor=actor, organisation=organisation, reason="No.")
    organisation.refresh_from_db()
    assert organisation.status == Organisation.Status.PENDING
    assert audit_actions(organisation) == ["organisation.register"]


# --- Profile and logo --------------------------------------------------------------------------


def test_a_partner_admin_edits_the_profile_and_the_change_is_audited():
    organisation = OrganisationFactory(name="Helix Biologics", website="")
    admin = partner_admin_of(organisation)
    organisation_update_profile(actor=admin, organisation=organisation, name=" Helix Bio ",
                                website="https://helix.example.org", logo=image_upload())
    organisation.refresh_from_db()
    assert organisation.name == "Helix Bio"
    assert organisation.website == "https://helix.example.org"
    assert organisation.logo.name.startswith("partners/logos/")
    event = AuditEvent.objects.get(action="organisation.update_profile")
    assert event.actor == admin
    assert event.changes["name"] == ["Helix Biologics", "Helix Bio"]
    assert event.changes["logo"] == "replaced"


def test_a_partner_member_or_another_organisation_cannot_edit_the_profile():
    organisation = OrganisationFactory(name="Helix Biologics")
    member = OrganisationMembershipFactory(organisation=organisation, role=MEMBER).person
    outsider = partner_admin_of(OrganisationFactory())
    for actor in (member, outsider):
        with pytest.raises(NotAllowed):
            organisation_update_profile(actor=actor, organisation=organisation, name="Taken")
    assert Organisation.objects.get(pk=organisation.pk).name == "Helix Biologics"


def test_only_profile_fields_can_be_changed_through_the_profile():
    organisation = OrganisationFactory(tier="associate")
    admin = partner_admin_of(organisation)
    with pytest.raises(ApplicationError):
        organisation_update_profile(actor=admin, organisation=organisation, tier="core")
    assert Organisation.objects.get(pk=organisation.pk).tier == "associate"


@pytest.mark.parametrize("upload, code_words", [
    (SimpleUploadedFile("big.png", b"\x89PNG" + b"0" * (1024 * 1024 + 1)), "limit is 1 MB"),
    (SimpleUploadedFile("notes.png", b"this is not an image at all"), "must be an image"),
    (image_upload("logo.bmp", "BMP"), "PNG, JPEG, GIF or WebP"),
    (image_upload("huge.png", size=(4100, 10)), "at most 4000 px"),
])
def test_a_bad_logo_is_refused_and_changes_nothing(upload, code_words):
    organisation = OrganisationFactory(name="Helix Biologics", description="Before.")
    admin = partner_admin_of(organisation)
    with pytest.raises(ApplicationError) as refused:
        organisation_update_profile(actor=admin, organisation=organisation, logo=upload,
                                    description="After.")
    assert code_words in refused.value.fields["logo"][0]
    organisation = Organisation.objects.get(pk=organisation.pk)
    assert organisation.description == "Before."
    assert not organisation.logo
    assert not AuditEvent.objects.filter(action="organisation.update_profile").exists()


# --- Tier and agreements -----------------------------------------------------------------------


def test_setting_a_tier_starts_a_term_and_its_entitlements(mfa_admin_user):
    organisation = OrganisationFactory(tier="", tier_starts_on=None, tier_ends_on=None,
                                       tier_status="none")
    assert entitlements_of(organisation) == NO_TIER
    today = timezone.localdate()
    organisation_set_tier(actor=mfa_admin_user, organisation=organisation, tier="associate",
                          starts_on=today - datetime.timedelta(days=200),
                          ends_on=today + datetime.timedelta(days=100))
    organisation.refresh_from_db()
    assert organisation.tier_status == Organisation.TierStatus.CURRENT
    assert entitlements_of(organisation) == TIER_ENTITLEMENTS["associate"]
    event = AuditEvent.objects.get(action="organisation.set_tier")
    assert event.actor == mfa_admin_user
    assert event.changes["after"][0] == "associate"


def test_a_lapsed_tier_keeps_its_people_but_grants_nothing_new():
    today = timezone.localdate()
    organisation = OrganisationFactory(
        tier="core", tier_starts_on=today - datetime.timedelta(days=800),
        tier_ends_on=today - datetime.timedelta(days=100), tier_status="expired")
    entitlements = entitlements_of(organisation)
    assert entitlements.workstream_kinds == frozenset()
    assert not entitlements.may_lead_projects
    assert entitlements.max_representatives == TIER_ENTITLEMENTS["core"].max_representatives


@pytest.mark.parametrize("tier, starts, ends, field", [
    ("gold", 0, 10, "tier"),
    ("core", 0, -1, "tier_ends_on"),
])
def test_a_bad_tier_or_term_is_refused(mfa_admin_user, tier, starts, ends, field):
    organisation = OrganisationFactory(tier="member")
    today = timezone.localdate()
    with pytest.raises(ApplicationError) as refused:
        organisation_set_tier(actor=mfa_admin_user, organisation=organisation, tier=tier,
                              starts_on=today + datetime.timedelta(days=starts),
                              ends_on=today + datetime.timedelta(days=ends))
    assert field in refused.value.fields
    assert Organisation.objects.get(pk=organisation.pk).tier == "member"


def test_only_programme_admins_set_tiers_but_the_portal_itself_may(mfa_staff_user):
    organisation = OrganisationFactory(tier="member")
    with pytest.raises(NotAllowed):
        organisation_set_tier(actor=mfa_staff_user, organisation=organisation, tier="core",
                              starts_on=timezone.localdate())
    organisation_set_tier(actor=SYSTEM, organisation=organisation, tier="core",
                          starts_on=timezone.localdate())
    assert Organisation.objects.get(pk=organisation.pk).tier == "core"
    assert AuditEvent.objects.get(action="organisation.set_tier").actor is None


def test_agreements_are_recorded_and_updated_by_programme_admins(mfa_admin_user):
    organisation = OrganisationFactory()
    signed_on = timezone.localdate() - datetime.timedelta(days=10)
    agreement = agreement_record(actor=mfa_admin_user, organisation=organisation,
                               kind=Agreement.Kind.CONSORTIUM, status=Agreement.Status.SENT,
                               reference=" CA-1 ")
    assert agreement.reference == "CA-1"
    agreement = agreement_record(actor=mfa_admin_user, organisation=organisation,
                               kind=Agreement.Kind.CONSORTIUM, status=Agreement.Status.SIGNED,
                               signed_on=signed_on, agreement=agreement)
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.SIGNED
    assert agreement.updated_by == mfa_admin_user
    update = AuditEvent.objects.filter(action="agreement.save").order_by("pk").last()
    assert update.changes["before"]["status"] == "sent"
    assert Agreement.objects.count() == 1


@pytest.mark.parametrize("status, signed, expires, field", [
    (Agreement.Status.SIGNED, None, None, "signed_on"),
    (Agreement.Status.SIGNED, 0, -1, "expires_on"),
])
def test_an_inconsistent_agreement_is_refused(mfa_admin_user, status, signed, expires, field):
    today = timezone.localdate()
    with pytest.raises(ApplicationError) as refused:
        agreement_record(
            actor=mfa_admin_user, organisation=OrganisationFactory(), kind="consortium",
            status=status,
            signed_on=None if signed is None else today + datetime.timedelta(days=signed),
            expires_on=None if expires is None else today + datetime.timedelta(days=expires),
        )
    assert field in refused.value.fields
    assert not Agreement.objects.exists()


def test_a_partner_admin_cannot_record_agreements():
    organisation = OrganisationFactory()
    with pytest.raises(NotAllowed):
        agreement_record(actor=partner_admin_of(organisation), organisation=organisation,
                       kind="consortium", status="signed", signed_on=timezone.localdate())
    assert not Agreement.objects.exists()


# --- Requests to join an organisation ----------------------------------------------------------


def test_a_person_asks_to_join_and_the_organisations_admins_are_told():
    organisation = OrganisationFactory()
    admin, asker = partner_admin_of(organisation), UserFactory()
    request = person_request_create(actor=asker, organisation=organisation, message=" Hello ")
    assert request.status == PersonRequest.Status.PENDING
    assert request.message == "Hello"
    assert notified(admin, "person_requested")
    assert audit_actions(request) == ["person_request.create"]

    with pytest.raises(Conflict):
        person_request_create(actor=asker, organisation=organisation)
    assert PersonRequest.objects.count() == 1


def test_nobody_asks_to_join_an_unlisted_or_pending_organisation_or_their_own():
    unlisted = OrganisationFactory(is_listed=False)
    pending = OrganisationFactory(status=Organisation.Status.PENDING)
    for organisation in (unlisted, pending):
        with pytest.raises(NotFound):
            person_request_create(actor=UserFactory(), organisation=organisation)
    own = OrganisationFactory()
    with pytest.raises(Conflict):
        person_request_create(actor=partner_admin_of(own), organisation=own)
    assert not PersonRequest.objects.exists()


def test_an_approved_request_makes_the_person_a_member_with_the_role():
    organisation = OrganisationFactory()
    admin, asker = partner_admin_of(organisation), UserFactory()
    request = person_request_create(actor=asker, organisation=organisation)
    membership = person_request_approve(actor=admin, person_request=request, role=MEMBER)
    assert membership.person == asker and membership.role == MEMBER
    request.refresh_from_db()
    assert request.status == PersonRequest.Status.APPROVED
    assert request.decided_by == admin
    assert notified(asker, "person_request_decided")
    assert not Notification.objects.filter(recipient=admin,
                                           kind="person_request_decided").exists()
    with pytest.raises(Conflict):
        person_request_decline(actor=admin, person_request=request)


def test_a_request_is_refused_when_the_tier_has_no_room():
    organisation = OrganisationFactory(tier="associate")  # five people at most
    admin = partner_admin_of(organisation)
    OrganisationMembershipFactory.create_batch(4, organisation=organisation)
    request = person_request_create(actor=UserFactory(), organisation=organisation)
    with pytest.raises(Conflict) as refused:
        person_request_approve(actor=admin, person_request=request)
    assert refused.value.code == "representative_limit"
    assert organisation.memberships.count() == 5
    assert PersonRequest.objects.get(pk=request.pk).status == PersonRequest.Status.PENDING


def test_a_request_is_declined_or_withdrawn_only_by_those_entitled():
    organisation = OrganisationFactory()
    admin, asker, member = partner_admin_of(organisation), UserFactory(), UserFactory()
    OrganisationMembershipFactory(organisation=organisation, person=member, role=MEMBER)
    request = person_request_create(actor=asker, organisation=organisation)
    with pytest.raises(NotAllowed):
        person_request_decline(actor=member, person_request=request)
    with pytest.raises(NotAllowed):
        person_request_withdraw(actor=admin, person_request=request)

    person_request_decline(actor=admin, person_request=request, reason="We don't know you.")
    request.refresh_from_db()
    assert request.status == PersonRequest.Status.DECLINED
    assert "We don't know you." in Notification.objects.get(recipient=asker).message
    with pytest.raises(Conflict):
        person_request_withdraw(actor=asker, person_request=request)

    second = person_request_create(actor=asker, organisation=organisation)
    person_request_withdraw(actor=asker, person_request=second)
    assert PersonRequest.objects.get(pk=second.pk).status == PersonRequest.Status.WITHDRAWN
    assert audit_actions(second) == ["person_request.create", "person_request.withdraw"]


# --- Roles and removal: never without an admin -------------------------------------------------


def test_the_last_admin_can_be_neither_demoted_nor_removed():
    organisation = OrganisationFactory()
    last = OrganisationMembershipFactory(organisation=organisation, role=ADMIN)
    for attempt in (
        lambda: organisation_membership_change_role(actor=last.person, membership=last,
                                                    role=MEMBER),
        lambda: organisation_membership_remove(actor=last.person, membership=last),
    ):
        with pytest.raises(Conflict) as refused:
            attempt()
        assert refused.value.code == "last_admin"
    assert OrganisationMembership.objects.get(pk=last.pk).role == ADMIN


def test_with_a_second_admin_one_may_step_down_and_the_colleague_is_told():
    organisation = OrganisationFactory()
    first = OrganisationMembershipFactory(organisation=organisation, role=ADMIN)
    second = OrganisationMembershipFactory(organisation=organisation, role=ADMIN)
    organisation_membership_change_role(actor=first.person, membership=second, role=MEMBER)
    assert OrganisationMembership.objects.get(pk=second.pk).role == MEMBER
    assert notified(second.person, "role_changed")
    event = AuditEvent.objects.get(action="organisation_membership.change_role")
    assert event.changes == {"role": ["admin", "member"]} and event.actor == first.person
    # Now `first` is the last admin again.
    with pytest.raises(Conflict):
        organisation_membership_change_role(actor=first.person, membership=first, role=MEMBER)


def test_only_admins_change_roles_or_remove_others_but_anyone_may_leave():
    organisation = OrganisationFactory()
    admin = OrganisationMembershipFactory(organisation=organisation, role=ADMIN)
    member = OrganisationMembershipFactory(organisation=organisation, role=MEMBER)
    colleague = OrganisationMembershipFactory(organisation=organisation, role=MEMBER)
    with pytest.raises(NotAllowed):
        organisation_membership_change_role(actor=member.person, membership=member, role=ADMIN)
    with pytest.raises(NotAllowed):
        organisation_membership_remove(actor=member.person, membership=colleague)
    assert organisation.memberships.count() == 3

    organisation_membership_remove(actor=admin.person, membership=colleague)
    assert notified(colleague.person, "removed")
    organisation_membership_remove(actor=member.person, membership=member)  # leaves
    assert not Notification.objects.filter(recipient=member.person).exists()
    assert list(organisation.memberships.values_list("role", flat=True)) == [ADMIN]
    assert AuditEvent.objects.filter(action="organisation_membership.remove").count() == 2
    with pytest.raises(NotFound):
        organisation_membership_remove(actor=admin.person, membership=member)


def test_adding_a_person_twice_is_refused():
    organisation = OrganisationFactory()
    person = UserFactory()
    organisation_membership_add(actor=SYSTEM, organisation=organisation, person=person, role=ADMIN)
    with pytest.raises(Conflict):
        organisation_membership_add(actor=SYSTEM, organisation=organisation, person=person)
    assert organisation.memberships.count() == 1
