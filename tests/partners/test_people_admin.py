"""What a partner admin needs on the People page: the places the tier allows and how many are
taken, an invitation sent again with a new link (the old one dead, and said so), and the
organisation's people exported as CSV that a spreadsheet cannot run."""

import csv
import datetime
import io

import pytest
from django.utils import timezone

from cluster_portal.audit.models import AuditEvent
from cluster_portal.core.exceptions import Conflict, NotAllowed
from cluster_portal.notifications.models import OutgoingEmail
from partners.models import Invitation, invitation_token_digest
from partners.services import invitation_accept, invitation_create, invitation_resend
from partners.services.invitations import invitation_get_by_token
from tests.factories import OrganisationFactory, OrganisationMembershipFactory, UserFactory
from tests.support.api import assert_error, client_for
from tests.support.queries import queries_of_get

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def organisation():
    return OrganisationFactory(name="Meridian Pharma Asia", tier="core")  # 25 people


@pytest.fixture
def admin(organisation):
    return OrganisationMembershipFactory(organisation=organisation, role="admin",
                                         person__full_name="Tan Mei Ling").person


def invite(admin, organisation, email="ann@example.org", **fields):
    return invitation_create(actor=admin, organisation=organisation, email=email, **fields)


def sent_a_while_ago(invitation, minutes=10):
    Invitation.objects.filter(pk=invitation.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=minutes))


# --- Places on the tier ---------------------------------------------------------------------------


def test_the_people_page_says_how_many_places_are_taken(client, admin, organisation):
    OrganisationMembershipFactory(organisation=organisation)
    for n in range(3):
        invite(admin, organisation, email=f"p{n}@example.org")
    client.force_login(admin)
    html = client.get(f"/partners/{organisation.slug}/people/").content.decode()
    assert ("2 of 25 representatives, 3 invitations pending: 20 places left on Meridian Pharma "
            "Asia's tier.") in html

    # The invitations region, which htmx replaces after each change, says it afresh.
    region = client.post(f"/partners/{organisation.slug}/invitations/",
                         {"email": "p3@example.org", "role": "member"}, **HTMX)
    assert "2 of 25 representatives, 4 invitations pending: 19 places left" in \
        region.content.decode()


def test_members_who_do_not_manage_people_see_no_places_nor_export(client, organisation):
    member = OrganisationMembershipFactory(organisation=organisation).person
    client.force_login(member)
    html = client.get(f"/partners/{organisation.slug}/people/").content.decode()
    assert "representatives" not in html and "people_export" not in html
    assert "/people/export/" not in html


# --- Inviting again, sending again -------------------------------------------------------------


def test_inviting_an_address_again_says_the_earlier_link_no_longer_works(
        client, admin, organisation):
    client.force_login(admin)
    first = client.post(f"/partners/{organisation.slug}/invitations/",
                        {"email": "ann@example.org", "role": "member"}, **HTMX)
    assert "no longer works" not in first.content.decode()
    again = client.post(f"/partners/{organisation.slug}/invitations/",
                        {"email": "Ann@Example.org", "role": "admin"}, **HTMX)
    assert ("The link of the earlier invitation to Ann@example.org no longer works: only the new "
            "e-mail&#x27;s link does.") in again.content.decode()


def test_sending_again_makes_a_new_link_and_kills_the_old_one(admin, organisation):
    old, old_token = invite(admin, organisation, full_name="Ann Tan", role="admin")
    sent_a_while_ago(old)

    sent = invitation_resend(actor=admin, invitation=old)

    new = sent.invitation
    assert sent.replaced == 1 and new.pk != old.pk and sent.token != old_token
    assert (new.email, new.full_name, new.role) == ("ann@example.org", "Ann Tan", "admin")
    assert new.token_digest == invitation_token_digest(sent.token)
    old.refresh_from_db()
    assert old.revoked_at is not None
    assert invitation_get_by_token(token=old_token).status_at(timezone.now()) == "revoked"
    # The old e-mail, not yet gone, is stopped; the new one waits to go.
    assert OutgoingEmail.objects.get(pk=old.email_message_id).status == "cancelled"
    assert OutgoingEmail.objects.get(pk=new.email_message_id).status == "queued"
    event = AuditEvent.objects.get(action="invitation.resend")
    assert event.changes["replaces"] == old.pk and event.target_id == new.pk

    person = UserFactory(email="ann@example.org")
    with pytest.raises(Conflict):
        invitation_accept(actor=person, token=old_token)
    assert invitation_accept(actor=person, token=sent.token).organisation == organisation


def test_sending_again_is_refused_too_soon_after_the_last_and_beyond_five_a_day(
        admin, organisation):
    invitation, _ = invite(admin, organisation)
    with pytest.raises(Conflict) as refused:
        invitation_resend(actor=admin, invitation=invitation)
    assert refused.value.code == "resent_too_soon"
    assert "may still be on its way" in refused.value.message

    for _ in range(4):
        sent_a_while_ago(invitation)
        invitation = invitation_resend(actor=admin, invitation=invitation).invitation
    sent_a_while_ago(invitation)
    with pytest.raises(Conflict) as refused:
        invitation_resend(actor=admin, invitation=invitation)
    assert refused.value.code == "invitation_rate_limited"
    assert Invitation.objects.count() == 5


def test_an_answered_invitation_is_not_sent_again_and_only_admins_send(admin, organisation):
    invitation, token = invite(admin, organisation)
    sent_a_while_ago(invitation)
    member = OrganisationMembershipFactory(organisation=organisation).person
    with pytest.raises(NotAllowed):
        invitation_resend(actor=member, invitation=invitation)
    invitation_accept(actor=UserFactory(email="ann@example.org"), token=token)
    with pytest.raises(Conflict) as refused:
        invitation_resend(actor=admin, invitation=invitation)
    assert refused.value.code == "invitation_closed"


def test_an_expired_invitation_can_be_sent_again(admin, organisation):
    invitation, _ = invite(admin, organisation)
    Invitation.objects.filter(pk=invitation.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=15),
        expires_at=timezone.now() - datetime.timedelta(days=1))
    new = invitation_resend(actor=admin, invitation=invitation).invitation
    assert new.status_at(timezone.now()) == "pending"


def test_the_page_sends_again_and_says_the_old_link_is_dead(client, admin, organisation):
    invitation, _ = invite(admin, organisation)
    client.force_login(admin)
    address = f"/partners/{organisation.slug}/invitations/{invitation.pk}/resend/"
    assert address in client.get(f"/partners/{organisation.slug}/people/").content.decode()

    too_soon = client.post(address, **HTMX)
    assert too_soon.status_code == 409
    assert "may still be on its way" in too_soon.content.decode()

    sent_a_while_ago(invitation)
    region = client.post(address, **HTMX)
    assert region.status_code == 200
    assert "The link of the earlier invitation to ann@example.org no longer works" in \
        region.content.decode()
    assert Invitation.objects.filter(revoked_at__isnull=True).count() == 1

    latest = Invitation.objects.get(revoked_at__isnull=True)
    sent_a_while_ago(latest)
    plain = client.post(f"/partners/{organisation.slug}/invitations/{latest.pk}/resend/")
    assert plain.status_code == 302
    assert plain["Location"] == f"/partners/{organisation.slug}/people/"


def test_the_api_sends_again_and_answers_the_new_invitation(admin, organisation):
    invitation, _ = invite(admin, organisation)
    api = client_for(admin)
    assert_error(api.post(f"/api/v1/invitations/{invitation.pk}/resend/"), 409, "resent_too_soon")
    sent_a_while_ago(invitation)
    response = api.post(f"/api/v1/invitations/{invitation.pk}/resend/")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["id"] != invitation.pk and body["status"] == "pending"
    assert body["email"] == "ann@example.org"
    assert api.get(f"/api/v1/invitations/{invitation.pk}/").json()["status"] == "revoked"


# --- Export ---------------------------------------------------------------------------------------


def export_rows(client, organisation) -> tuple[object, list[list[str]]]:
    response = client.get(f"/partners/{organisation.slug}/people/export/")
    text = b"".join(response.streaming_content).decode("utf-8")  # streamed, row by row
    assert text.startswith("\ufeff")
    return response, list(csv.reader(io.StringIO(text[1:])))


def test_the_export_lists_people_and_open_invitations_for_those_who_manage_them(
        client, admin, organisation):
    OrganisationMembershipFactory(organisation=organisation, person__full_name="Bo Lim",
                                  person__email="bo@example.org")
    invite(admin, organisation, email="cy@example.org", full_name="Cy Ong")
    client.force_login(admin)
    response, rows = export_rows(client, organisation)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="{organisation.slug}-people.csv"')
    assert rows[0] == ["name", "email", "role", "status", "since", "invitation expires"]
    assert [(row[0], row[2], row[3]) for row in rows[1:]] == [
        ("Tan Mei Ling", "admin", "member"), ("Bo Lim", "member", "member"),
        ("Cy Ong", "member", "invited")]
    assert rows[3][5] == f"{timezone.now() + datetime.timedelta(days=14):%Y-%m-%d}"

    member = OrganisationMembershipFactory(organisation=organisation).person
    client.force_login(member)
    assert client.get(f"/partners/{organisation.slug}/people/export/").status_code == 403


@pytest.mark.parametrize("name", ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3",
                                  "@SUM(A1)", "\tTab", "\rReturn"])
def test_the_export_neutralises_what_a_spreadsheet_would_run(client, admin, organisation, name):
    OrganisationMembershipFactory(organisation=organisation, person__full_name=name,
                                  person__email="formula@example.org")
    client.force_login(admin)
    _, rows = export_rows(client, organisation)
    exported = next(row for row in rows if row[1] == "formula@example.org")
    assert exported[0] == f"'{name}"


def test_the_export_costs_the_same_queries_for_more_people(client, admin, organisation):
    client.force_login(admin)
    path = f"/partners/{organisation.slug}/people/export/"
    few = queries_of_get(client, path)
    for n in range(6):
        OrganisationMembershipFactory(organisation=organisation)
        invite(admin, organisation, email=f"p{n}@example.org")
    assert queries_of_get(client, path) == few
