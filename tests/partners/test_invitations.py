"""Invitations: sending (one open per address, within the tier's limit), the e-mail, accepting
once with the invited address, and inviting many colleagues from a CSV file."""

import datetime

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cluster_portal.audit.models import AuditEvent
from cluster_portal.core.exceptions import ApplicationError, Conflict, NotAllowed, NotFound
from cluster_portal.notifications.models import Notification, OutgoingEmail
from cluster_portal.notifications.tasks import send_outgoing_email
from partners.models import Invitation, Organisation, OrganisationMembership
from partners.services import (
    invitation_accept,
    invitation_create,
    invitation_revoke,
    invitations_import_csv,
)
from partners.services.invitations import CSV_MAX_ROWS
from tests.factories import OrganisationFactory, OrganisationMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

ADMIN, MEMBER = OrganisationMembership.Role.ADMIN, OrganisationMembership.Role.MEMBER


@pytest.fixture
def organisation():
    return OrganisationFactory(name="Meridian Pharma Asia", tier="core")


@pytest.fixture
def partner_admin(organisation):
    return OrganisationMembershipFactory(organisation=organisation, role=ADMIN).person


def invite(actor, organisation, email="wei.ling@example.org", role=MEMBER):
    return invitation_create(actor=actor, organisation=organisation, email=email, role=role)


def csv_upload(text: str, encoding="utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile("people.csv", text.encode(encoding), content_type="text/csv")


# --- Sending -----------------------------------------------------------------------------------


def test_an_invitation_is_mailed_with_its_link_and_the_token_is_never_stored(
        organisation, partner_admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = invite(partner_admin, organisation, email="Wei.Ling@EXAMPLE.org")

    assert invitation.email == "Wei.Ling@example.org"
    assert invitation.expires_at > timezone.now() + datetime.timedelta(days=13)
    stored = Invitation.objects.filter(pk=invitation.pk).values().get()
    assert token not in {str(value) for value in stored.values()}
    assert stored["token_digest"] != token and len(stored["token_digest"]) == 64
    [message] = mail.outbox
    assert message.to == ["Wei.Ling@example.org"]
    assert "Meridian Pharma Asia" in message.subject
    assert f"/partners/invitations/{token}/" in message.body
    event = AuditEvent.objects.get(action="invitation.create")
    assert event.actor == partner_admin
    assert token not in str(event.changes)


def test_the_mail_waits_for_the_commit(organisation, partner_admin,
                                       django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        invite(partner_admin, organisation)
    assert mail.outbox == []
    assert len(callbacks) == 1


def test_an_existing_account_at_the_address_is_told_in_the_portal(organisation, partner_admin):
    existing = UserFactory(email="wei.ling@example.org")
    invite(partner_admin, organisation, email="WEI.LING@example.org")
    notice = Notification.objects.get(recipient=existing)
    assert notice.kind == "invitation_sent"
    assert not Notification.objects.filter(recipient=partner_admin).exists()


def test_inviting_again_replaces_the_open_invitation(organisation, partner_admin):
    first, first_token = invite(partner_admin, organisation)
    second, _ = invite(partner_admin, organisation, email="WEI.LING@example.org", role=ADMIN)
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert second.revoked_at is None and second.role == ADMIN
    assert Invitation.objects.filter(revoked_at__isnull=True).count() == 1
    with pytest.raises(Conflict):
        invitation_accept(actor=UserFactory(email="wei.ling@example.org"), token=first_token)


def test_a_current_member_is_not_invited(organisation, partner_admin):
    OrganisationMembershipFactory(organisation=organisation,
                                  person=UserFactory(email="daniel@example.org"))
    with pytest.raises(Conflict) as refused:
        invite(partner_admin, organisation, email="Daniel@example.org")
    assert refused.value.code == "already_member"
    assert not Invitation.objects.exists()


def test_open_invitations_count_towards_the_tiers_representative_limit():
    organisation = OrganisationFactory(tier="associate")  # five people at most
    admin = OrganisationMembershipFactory(organisation=organisation, role=ADMIN).person
    OrganisationMembershipFactory.create_batch(2, organisation=organisation)
    invite(admin, organisation, email="one@example.org")
    invite(admin, organisation, email="two@example.org")
    with pytest.raises(Conflict) as refused:
        invite(admin, organisation, email="three@example.org")
    assert refused.value.code == "representative_limit"
    assert "at most 5 people" in refused.value.message
    assert Invitation.objects.count() == 2
    # Re-inviting an address already counted does not need another place.
    invite(admin, organisation, email="two@example.org")


@pytest.mark.parametrize("email, field", [("not-an-address", "email"), ("", "email")])
def test_a_bad_address_is_refused(organisation, partner_admin, email, field):
    with pytest.raises(ApplicationError) as refused:
        invite(partner_admin, organisation, email=email)
    assert field in refused.value.fields
    assert not Invitation.objects.exists()


def test_an_unknown_role_is_refused(organisation, partner_admin):
    with pytest.raises(ApplicationError) as refused:
        invite(partner_admin, organisation, role="owner")
    assert "role" in refused.value.fields


def test_only_admins_of_an_approved_organisation_invite(organisation):
    member = OrganisationMembershipFactory(organisation=organisation, role=MEMBER).person
    pending = OrganisationFactory(status=Organisation.Status.PENDING)
    pending_admin = OrganisationMembershipFactory(organisation=pending, role=ADMIN).person
    with pytest.raises(NotAllowed):
        invite(member, organisation)
    with pytest.raises(NotAllowed):
        invite(pending_admin, pending)
    assert not Invitation.objects.exists()


# --- Accepting ---------------------------------------------------------------------------------


def test_the_invited_person_accepts_with_the_verified_address(organisation, partner_admin):
    invitation, token = invite(partner_admin, organisation, email="wei.ling@example.org",
                               role=ADMIN)
    invited = UserFactory(email="Wei.Ling@example.org")
    membership = invitation_accept(actor=invited, token=token)

    assert membership.organisation == organisation
    assert membership.person == invited and membership.role == ADMIN
    invitation.refresh_from_db()
    assert invitation.accepted_by == invited and invitation.accepted_at is not None
    assert invitation.status_at(timezone.now()) == Invitation.Status.ACCEPTED
    assert Notification.objects.filter(recipient=partner_admin,
                                       kind="invitation_accepted").count() == 1
    assert not Notification.objects.filter(recipient=invited,
                                           kind="invitation_accepted").exists()
    assert AuditEvent.objects.filter(action="invitation.accept", actor=invited).exists()


def test_a_link_works_once(organisation, partner_admin):
    _, token = invite(partner_admin, organisation)
    invited = UserFactory(email="wei.ling@example.org")
    invitation_accept(actor=invited, token=token)
    with pytest.raises(Conflict) as refused:
        invitation_accept(actor=invited, token=token)
    assert refused.value.code == "invitation_used"
    assert organisation.memberships.filter(person=invited).count() == 1


def test_another_account_or_an_unverified_address_cannot_accept(organisation, partner_admin):
    _, token = invite(partner_admin, organisation)
    someone_else = UserFactory(email="someone.else@example.org")
    unverified = UserFactory(email="wei.ling@example.org", verified=False)
    for actor in (someone_else, unverified):
        with pytest.raises(NotAllowed) as refused:
            invitation_accept(actor=actor, token=token)
        assert refused.value.code == "wrong_account"
    assert organisation.memberships.count() == 1
    # Once the address is verified the same link works.
    EmailAddress.objects.filter(user=unverified).update(verified=True)
    invitation_accept(actor=unverified, token=token)
    assert organisation.memberships.filter(person=unverified).exists()


def test_an_expired_link_is_refused(organisation, partner_admin):
    invitation, token = invite(partner_admin, organisation)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1))
    with pytest.raises(Conflict) as refused:
        invitation_accept(actor=UserFactory(email="wei.ling@example.org"), token=token)
    assert refused.value.code == "invitation_expired"
    assert organisation.memberships.count() == 1


def test_a_revoked_link_is_refused_and_revoking_twice_is_a_conflict(organisation, partner_admin):
    invitation, token = invite(partner_admin, organisation)
    invitation_revoke(actor=partner_admin, invitation=invitation)
    with pytest.raises(Conflict) as refused:
        invitation_accept(actor=UserFactory(email="wei.ling@example.org"), token=token)
    assert refused.value.code == "invitation_revoked"
    with pytest.raises(Conflict):
        invitation_revoke(actor=partner_admin, invitation=invitation)
    assert AuditEvent.objects.filter(action="invitation.revoke").count() == 1


def test_only_the_organisations_admins_revoke(organisation, partner_admin):
    invitation, _ = invite(partner_admin, organisation)
    outsider = OrganisationMembershipFactory(role=ADMIN).person
    with pytest.raises(NotAllowed):
        invitation_revoke(actor=outsider, invitation=invitation)
    assert Invitation.objects.get(pk=invitation.pk).revoked_at is None


def test_an_unknown_token_is_not_found():
    with pytest.raises(NotFound):
        invitation_accept(actor=UserFactory(), token="made-up-token")


def test_someone_who_joined_since_the_invitation_cannot_accept_it(organisation, partner_admin):
    _, token = invite(partner_admin, organisation)
    already = UserFactory(email="wei.ling@example.org")
    OrganisationMembershipFactory(organisation=organisation, person=already)  # joined since
    with pytest.raises(Conflict) as refused:
        invitation_accept(actor=already, token=token)
    assert refused.value.code == "already_member"


def test_an_invitation_revoked_before_its_mail_went_is_never_mailed(organisation,
                                                                      partner_admin):
    invitation, _ = invite(partner_admin, organisation)  # its hand-off waits for the commit
    invitation_revoke(actor=partner_admin, invitation=invitation)
    email = OutgoingEmail.objects.get(pk=invitation.email_message_id)
    assert email.status == OutgoingEmail.Status.CANCELLED
    assert email.body_text == email.body_html == ""  # the link is gone with it
    assert send_outgoing_email.apply(args=[email.pk]).get() == "skipped"
    assert mail.outbox == []


def test_reinviting_an_address_stops_the_earlier_mail_if_it_has_not_gone(organisation,
                                                                        partner_admin):
    first, _ = invite(partner_admin, organisation)
    second, _ = invite(partner_admin, organisation)
    assert OutgoingEmail.objects.get(pk=first.email_message_id).status == "cancelled"
    assert OutgoingEmail.objects.get(pk=second.email_message_id).status == "queued"


def test_the_token_waits_in_the_outbox_sealed_and_is_erased_once_sent(
        organisation, partner_admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as hand_offs:
        invitation, token = invite(partner_admin, organisation)
    queued = OutgoingEmail.objects.filter(pk=invitation.email_message_id).values().get()
    assert queued["sealed"] and queued["status"] == "queued"
    assert token not in str(queued)  # neither in the bodies, nor anywhere else in the row
    [hand_off] = hand_offs
    with django_capture_on_commit_callbacks(execute=True):
        hand_off()
    [message] = mail.outbox
    assert token in message.body
    sent = OutgoingEmail.objects.get(pk=invitation.email_message_id)
    assert sent.status == "sent" and sent.body_text == sent.body_html == ""
    assert message.reply_to == [partner_admin.email]  # replies reach the person who invited


# --- Many at once, from a CSV file -------------------------------------------------------------


def test_a_csv_invites_its_good_rows_and_reports_every_row(organisation, partner_admin):
    OrganisationMembershipFactory(organisation=organisation,
                                  person=UserFactory(email="daniel@example.org"))
    upload = csv_upload(
        "\ufeffName,E-mail,Email,Role\n"  # a BOM and an extra column, as spreadsheets write
        "Tan Wei Ling,,wei.ling@example.org,member\n"
        "Rajesh Krishnan,,r.krishnan@example.org,ADMIN\n"
        "No Address,,not-an-address,member\n"
        "Wei Ling Again,,WEI.LING@example.org,member\n"
        "Owner,,owner@example.org,owner\n"
        "Daniel Koh,,daniel@example.org,member\n"
        "Default Role,,default@example.org,\n"
    )
    report = invitations_import_csv(actor=partner_admin, organisation=organisation, upload=upload)
    outcomes = [(row["line"], row["email"], row["outcome"]) for row in report.rows]
    assert outcomes == [
        (2, "wei.ling@example.org", "invited"),
        (3, "r.krishnan@example.org", "invited"),
        (4, "not-an-address", "refused"),
        (5, "WEI.LING@example.org", "refused"),
        (6, "owner@example.org", "refused"),
        (7, "daniel@example.org", "refused"),
        (8, "default@example.org", "invited"),
    ]
    messages = {row["line"]: row["message"] for row in report.rows}
    assert "not a valid e-mail address" in messages[4]
    assert "twice" in messages[5]
    assert "Unknown role" in messages[6]
    assert "already a member" in messages[7]
    invited = dict(Invitation.objects.values_list("email", "role"))
    assert invited == {"wei.ling@example.org": MEMBER, "r.krishnan@example.org": ADMIN,
                       "default@example.org": MEMBER}
    assert Invitation.objects.get(email="wei.ling@example.org").full_name == "Tan Wei Ling"


@pytest.mark.parametrize("upload, words", [
    (csv_upload("full name,address\nA,a@example.org\n"), "name the columns"),
    (csv_upload("name,email,role\nJosé,jose@example.org,member\n", "latin-1"), "not UTF-8"),
    (csv_upload("name,email,role\n"), "no rows"),
    (csv_upload("name,email,role\n" + "A,a{}@example.org,member\n" * (CSV_MAX_ROWS + 1)),
     f"At most {CSV_MAX_ROWS} rows"),
    (csv_upload("name,email\n" + "x" * (512 * 1024)), "larger than 512 KB"),
])
def test_a_bad_csv_is_refused_as_a_whole(organisation, partner_admin, upload, words):
    with pytest.raises(ApplicationError) as refused:
        invitations_import_csv(actor=partner_admin, organisation=organisation, upload=upload)
    assert words in refused.value.message
    assert "file" in refused.value.fields
    assert not Invitation.objects.exists()


def test_rows_beyond_the_tiers_limit_are_refused_one_by_one():
    organisation = OrganisationFactory(tier="associate")
    admin = OrganisationMembershipFactory(organisation=organisation, role=ADMIN).person
    rows = "".join(f"P{n},p{n}@example.org,member\n" for n in range(6))
    report = invitations_import_csv(actor=admin, organisation=organisation,
                                    upload=csv_upload("name,email,role\n" + rows))
    assert [row["outcome"] for row in report.rows] == ["invited"] * 4 + ["refused"] * 2
    assert Invitation.objects.count() == 4


def test_only_the_organisations_admins_import(organisation):
    member = OrganisationMembershipFactory(organisation=organisation, role=MEMBER).person
    with pytest.raises(NotAllowed):
        invitations_import_csv(actor=member, organisation=organisation,
                               upload=csv_upload("name,email,role\nA,a@example.org,member\n"))
    assert not Invitation.objects.exists()


def test_an_invitation_mail_queued_before_the_outbox_existed_still_goes_once(
        organisation, partner_admin, django_capture_on_commit_callbacks):
    """A message of the old task, with the token in it, found in the broker after a deploy."""
    from partners.models import invitation_token_digest
    from partners.tasks import send_invitation_email

    token = "an-old-token-from-the-queue"
    invitation = Invitation.objects.create(
        organisation=organisation, email="old@example.org", role=MEMBER,
        token_digest=invitation_token_digest(token), invited_by=partner_admin,
        expires_at=timezone.now() + datetime.timedelta(days=3))
    with django_capture_on_commit_callbacks(execute=True):
        assert send_invitation_email.apply(args=[invitation.pk, "not-its-token"]).get() is False
        assert send_invitation_email.apply(args=[invitation.pk, token]).get() is True
        assert send_invitation_email.apply(args=[invitation.pk, token]).get() is False  # once
    [message] = mail.outbox
    assert f"/partners/invitations/{token}/" in message.body
    email = OutgoingEmail.objects.get(pk=Invitation.objects.get(pk=invitation.pk)
                                      .email_message_id)
    assert email.sealed and email.status == "sent"
