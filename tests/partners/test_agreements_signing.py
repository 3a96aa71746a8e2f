"""Agreements a partner acts on: the programme office attaches the agreement to sign, the
organisation's admin downloads it and uploads the signed copy (a PDF, private, served only to
those who may see the organisation's agreements), and a programme admin confirms it, which
signs it through the transition kit, audited and told."""

import datetime
import html

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cluster_portal.audit.models import AuditEvent
from cluster_portal.core.actors import SYSTEM
from cluster_portal.core.exceptions import ApplicationError, Conflict, NotAllowed
from cluster_portal.notifications.models import Notification
from partners.models import Agreement, OrganisationMembership
from partners.selectors import organisation_has_signed_consortium_agreement
from partners.services import (
    agreement_confirm,
    agreement_record,
    agreement_upload_signed_copy,
)
from partners.validators import MAX_AGREEMENT_BYTES
from tests.factories import OrganisationFactory, OrganisationMembershipFactory
from tests.support.api import assert_error, client_for
from tests.support.queries import queries_of_get
from tests.support.races import staff_with_mfa

pytestmark = pytest.mark.django_db

ADMIN = OrganisationMembership.Role.ADMIN
PDF = b"%PDF-1.7\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
SIGNED_PDF = b"%PDF-1.7\n% signed by both parties\n%%EOF\n"


def pdf(name="agreement.pdf", content=PDF, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def office(db):
    return staff_with_mfa("programme_admin")


@pytest.fixture
def world(office):
    """Helix with an admin and a member, its consortium agreement sent for signature with the
    PDF to sign; another organisation with its own admin."""
    helix = OrganisationFactory(name="Helix Biologics", slug="helix")
    admin = OrganisationMembershipFactory(organisation=helix, role=ADMIN).person
    member = OrganisationMembershipFactory(organisation=helix).person
    other = OrganisationFactory(name="Other Bio", slug="other")
    other_admin = OrganisationMembershipFactory(organisation=other, role=ADMIN).person
    agreement = agreement_record(actor=office, organisation=helix, kind="consortium",
                                 status="sent", reference="CA-7", document=pdf())
    return {"helix": helix, "admin": admin, "member": member, "other": other,
            "other_admin": other_admin, "agreement": agreement, "office": office}


def url(name, agreement, **kwargs):
    return reverse(f"partners:{name}", kwargs={"slug": agreement.organisation.slug,
                                               "pk": agreement.pk, **kwargs})


def fresh(agreement) -> Agreement:
    return Agreement.objects.get(pk=agreement.pk)


# --- The programme office attaches the agreement to sign ------------------------------------------


def test_sending_an_agreement_with_its_pdf_tells_the_organisations_admins(
        office, django_capture_on_commit_callbacks):
    helix = OrganisationFactory(name="Helix Biologics")
    admin = OrganisationMembershipFactory(organisation=helix, role=ADMIN).person
    member = OrganisationMembershipFactory(organisation=helix).person
    draft = agreement_record(actor=office, organisation=helix, kind="consortium", status="draft",
                             document=pdf(name="whatever.html"))
    assert not Notification.objects.filter(kind="agreement_sent").exists()  # a draft: not yet
    assert draft.document.name.endswith(".pdf") and "whatever" not in draft.document.name

    with django_capture_on_commit_callbacks(execute=True):
        agreement_record(actor=office, organisation=helix, kind="consortium", status="sent",
                         agreement=draft)
    [message] = mail.outbox
    assert message.to == [admin.email]
    assert message.subject.endswith("The consortium agreement of Helix Biologics is ready to sign")
    assert "upload the signed copy there as a PDF" in message.body
    assert not Notification.objects.filter(recipient=member).exists()
    # Saved again unchanged, it tells nobody twice.
    agreement_record(actor=office, organisation=helix, kind="consortium", status="sent",
                     reference="CA-7", agreement=fresh(draft))
    assert Notification.objects.filter(kind="agreement_sent").count() == 1


def test_the_agreement_to_sign_must_be_a_pdf(office):
    helix = OrganisationFactory()
    with pytest.raises(ApplicationError) as refused:
        agreement_record(actor=office, organisation=helix, kind="nda", status="sent",
                         document=pdf(name="nda.pdf", content=b"<html>not a pdf</html>"))
    assert "PDF" in refused.value.fields["document"][0]
    assert not Agreement.objects.exists()


def test_the_admin_attaches_the_pdf_and_says_beside_the_field_when_it_is_not_one(client, office):
    helix = OrganisationFactory()
    client.force_login(office)
    add = reverse("admin:partners_agreement_add")
    response = client.post(add, {"organisation": helix.pk, "kind": "nda", "status": "sent",
                                 "document": pdf(content=b"MZ\x90\x00 an executable")})
    assert response.status_code == 200
    assert "Upload the agreement as a PDF file" in response.content.decode()
    response = client.post(add, {"organisation": helix.pk, "kind": "nda", "status": "sent",
                                 "document": pdf()})
    assert response.status_code == 302
    assert Agreement.objects.get().document.read() == PDF


# --- Downloading ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who, expected", [
    # Helix is listed, so another organisation's admin sees it but not its agreements.
    ("admin", 200), ("office", 200), ("staff", 200), ("member", 403), ("other_admin", 403),
])
def test_the_agreement_to_sign_is_served_to_those_who_see_the_organisations_agreements(
        client, world, who, expected):
    person = staff_with_mfa() if who == "staff" else world[who]
    client.force_login(person)
    response = client.get(url("agreement_document", world["agreement"]))
    assert response.status_code == expected
    if expected == 200:
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
        assert b"".join(response.streaming_content) == PDF
        assert "private" in response["Cache-Control"]


def test_an_agreement_is_found_only_under_its_own_organisation(client, world):
    theirs = agreement_record(actor=SYSTEM, organisation=world["other"], kind="nda",
                              status="sent", document=pdf())
    client.force_login(world["admin"])
    wrong = reverse("partners:agreement_document", kwargs={"slug": "helix", "pk": theirs.pk})
    assert client.get(wrong).status_code == 404
    assert client.get(url("agreement_signed_copy", world["agreement"])).status_code == 404
    assert client.get(url("agreement_document", world["agreement"])).status_code == 200


def test_a_visitor_is_sent_to_sign_in(client, world):
    response = client.get(url("agreement_document", world["agreement"]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- Uploading the signed copy -------------------------------------------------------------------


def test_the_partner_admin_uploads_the_signed_copy_and_the_programme_admins_are_told(world):
    agreement = agreement_upload_signed_copy(actor=world["admin"], agreement=world["agreement"],
                                             upload=pdf(name="scan.PDF", content=SIGNED_PDF))
    agreement = fresh(agreement)
    assert agreement.status == Agreement.Status.SENT  # signed once the office confirms it
    assert agreement.awaits_confirmation
    assert agreement.signed_copy.read() == SIGNED_PDF
    assert agreement.signed_copy.name.startswith("partners/agreements/signed/helix-consortium")
    assert agreement.signed_copy_uploaded_by == world["admin"]
    assert agreement.signed_copy_uploaded_at is not None
    event = AuditEvent.objects.get(action="agreement.upload_signed_copy")
    assert event.actor == world["admin"] and event.scope_id == world["helix"].pk
    notice = Notification.objects.get(recipient=world["office"], kind="agreement_signed_copy")
    assert "Helix Biologics uploaded its signed consortium agreement" in notice.message
    assert notice.url == reverse("partners:agreements", kwargs={"slug": "helix"})


def test_a_later_upload_replaces_the_copy_until_it_is_confirmed(world):
    agreement_upload_signed_copy(actor=world["admin"], agreement=world["agreement"],
                                 upload=pdf(content=PDF))
    agreement_upload_signed_copy(actor=world["admin"], agreement=world["agreement"],
                                 upload=pdf(content=SIGNED_PDF))
    assert fresh(world["agreement"]).signed_copy.read() == SIGNED_PDF
    assert AuditEvent.objects.filter(action="agreement.upload_signed_copy").order_by(
        "pk").last().changes == {"replaced": True}


@pytest.mark.parametrize("content, message", [
    (b"<html><script>alert(1)</script></html>", "Upload the agreement as a PDF file"),
    (b"", "this one is empty"),
    (b"%PDF-" + b"0" * MAX_AGREEMENT_BYTES, "the limit is 10 MB"),
])
def test_only_a_pdf_of_at_most_10_mb_is_taken(world, content, message):
    with pytest.raises(ApplicationError) as refused:
        agreement_upload_signed_copy(actor=world["admin"], agreement=world["agreement"],
                                     upload=pdf(name="signed.pdf", content=content))
    assert message in refused.value.fields["file"][0]
    assert not fresh(world["agreement"]).signed_copy


@pytest.mark.parametrize("who", ["member", "other_admin", "office"])
def test_only_the_organisations_admins_upload_its_signed_copy(world, who):
    with pytest.raises(NotAllowed):
        agreement_upload_signed_copy(actor=world[who], agreement=world["agreement"],
                                     upload=pdf())
    assert not fresh(world["agreement"]).signed_copy


def test_an_agreement_not_sent_for_signature_takes_no_signed_copy(world, office):
    nda = agreement_record(actor=office, organisation=world["helix"], kind="nda",
                           status="draft")
    with pytest.raises(Conflict) as refused:
        agreement_upload_signed_copy(actor=world["admin"], agreement=nda, upload=pdf())
    assert refused.value.code == "not_sent"
    assert "is draft" in refused.value.message


def test_the_agreements_page_offers_download_and_upload_and_takes_the_copy(client, world):
    client.force_login(world["admin"])
    page = client.get(reverse("partners:agreements", kwargs={"slug": "helix"}))
    text = html.unescape(page.content.decode())
    assert "Download the consortium agreement to sign (PDF)" in text
    assert "Upload the signed copy of the consortium agreement" in text
    assert "Confirm the consortium agreement is signed" not in text

    response = client.post(url("agreement_upload", world["agreement"]),
                           {"file": pdf(content=SIGNED_PDF)}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("partners:agreements",
                                                     kwargs={"slug": "helix"})
    text = html.unescape(response.content.decode())
    assert "The signed consortium agreement is uploaded" in text
    assert "The signed copy is in: the programme office checks it" in text
    assert "Replace the signed copy" in text
    assert client.get(url("agreement_signed_copy", world["agreement"])).status_code == 200

    response = client.post(url("agreement_upload", world["agreement"]),
                           {"file": pdf(content=b"GIF89a")}, follow=True)
    assert "Upload the agreement as a PDF file" in html.unescape(response.content.decode())
    assert fresh(world["agreement"]).signed_copy.read() == SIGNED_PDF


def test_staff_who_post_an_upload_are_refused(client, world):
    client.force_login(world["office"])
    response = client.post(url("agreement_upload", world["agreement"]), {"file": pdf()})
    assert response.status_code == 403
    assert not fresh(world["agreement"]).signed_copy


# --- Confirming ----------------------------------------------------------------------------------


def uploaded(world) -> Agreement:
    return agreement_upload_signed_copy(actor=world["admin"], agreement=world["agreement"],
                                        upload=pdf(content=SIGNED_PDF))


def test_a_programme_admin_confirms_the_signed_copy_which_signs_it(
        world, django_capture_on_commit_callbacks):
    agreement = uploaded(world)
    assert not organisation_has_signed_consortium_agreement(organisation=world["helix"])
    signed_on = datetime.date(2026, 3, 2)
    with django_capture_on_commit_callbacks(execute=True):
        agreement_confirm(actor=world["office"], agreement=agreement, signed_on=signed_on,
                          expires_on=datetime.date(2029, 3, 1), reason="Countersigned today.")
    agreement = fresh(agreement)
    assert agreement.status == Agreement.Status.SIGNED
    assert (agreement.signed_on, agreement.decided_by) == (signed_on, world["office"])
    assert agreement.decided_at is not None
    assert agreement.decision_reason == "Countersigned today."
    assert organisation_has_signed_consortium_agreement(organisation=world["helix"],
                                                        on=datetime.date(2026, 6, 1))
    event = AuditEvent.objects.get(action="agreement.confirm")
    assert event.actor == world["office"] and event.changes["signed_on"] == "2026-03-02"
    [message] = [m for m in mail.outbox if m.to == [world["admin"].email]]
    assert message.subject.endswith("The consortium agreement of Helix Biologics is signed")
    assert "It runs until 01 March 2029" in message.body
    assert "Countersigned today." in message.body

    with pytest.raises(Conflict) as again:
        agreement_confirm(actor=world["office"], agreement=agreement, signed_on=signed_on)
    assert again.value.code == "already_decided"
    assert "was already signed" in again.value.message


def test_nothing_to_confirm_before_the_signed_copy_is_in(world):
    with pytest.raises(Conflict) as refused:
        agreement_confirm(actor=world["office"], agreement=world["agreement"],
                          signed_on=datetime.date(2026, 3, 2))
    assert refused.value.code == "no_signed_copy"
    assert fresh(world["agreement"]).status == Agreement.Status.SENT


def test_confirming_needs_a_programme_admin_and_plausible_dates(world):
    agreement = uploaded(world)
    for actor in (world["admin"], staff_with_mfa("programme_staff")):
        with pytest.raises(NotAllowed):
            agreement_confirm(actor=actor, agreement=agreement,
                              signed_on=datetime.date(2026, 3, 2))
    with pytest.raises(ApplicationError) as refused:
        agreement_confirm(actor=world["office"], agreement=agreement,
                          signed_on=datetime.date(2026, 3, 2),
                          expires_on=datetime.date(2026, 3, 1))
    assert "expires_on" in refused.value.fields
    with pytest.raises(ApplicationError) as refused:
        agreement_confirm(actor=world["office"], agreement=agreement,
                          signed_on=datetime.date(2999, 1, 1))
    assert "signed_on" in refused.value.fields
    assert fresh(agreement).status == Agreement.Status.SENT


def test_the_agreements_page_confirms_for_programme_admins(client, world):
    uploaded(world)
    client.force_login(world["office"])
    page = html.unescape(client.get(reverse("partners:agreements",
                                            kwargs={"slug": "helix"})).content.decode())
    assert "Confirm the consortium agreement is signed" in page
    assert "Download the signed consortium agreement" in page
    response = client.post(url("agreement_confirm", world["agreement"]),
                           {"signed_on": "2026-03-02", "expires_on": "", "reason": ""},
                           follow=True)
    assert "is signed; its admins are told" in html.unescape(response.content.decode())
    assert fresh(world["agreement"]).status == Agreement.Status.SIGNED

    client.force_login(world["admin"])
    response = client.post(url("agreement_confirm", world["agreement"]),
                           {"signed_on": "2026-03-02"})
    assert response.status_code == 403


# --- The API -------------------------------------------------------------------------------------


def test_the_api_uploads_and_confirms(world):
    partner = client_for(world["admin"])
    base = f"/api/v1/agreements/{world['agreement'].pk}/"
    body = partner.get(base).json()
    assert body["document"].endswith(url("agreement_document", world["agreement"]))
    assert body["signed_copy"] is None and body["awaits_confirmation"] is False
    assert body["next_states"] == ["signed"]

    assert_error(partner.post(f"{base}signed-copy/", {"upload": pdf(content=b"no")},
                              format="multipart"), 400)
    response = partner.post(f"{base}signed-copy/", {"upload": pdf(content=SIGNED_PDF)},
                            format="multipart")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["awaits_confirmation"] is True
    assert body["signed_copy"].endswith(url("agreement_signed_copy", world["agreement"]))

    assert_error(partner.post(f"{base}confirm/", {"signed_on": "2026-03-02"}, format="json"),
                 403)
    office = client_for(world["office"])
    response = office.post(f"{base}confirm/", {"signed_on": "2026-03-02"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "signed" and response.json()["next_states"] == []
    assert_error(office.post(f"{base}confirm/", {"signed_on": "2026-03-02"}, format="json"),
                 409, "already_decided")
    assert_error(partner.post(f"{base}signed-copy/", {"upload": pdf()}, format="multipart"),
                 409, "not_sent")


def test_another_organisations_agreement_is_not_found_through_the_api(world):
    outsider = client_for(world["other_admin"])
    base = f"/api/v1/agreements/{world['agreement'].pk}/"
    assert_error(outsider.post(f"{base}signed-copy/", {"upload": pdf()}, format="multipart"), 404)
    assert not fresh(world["agreement"]).signed_copy


# --- Cost ----------------------------------------------------------------------------------------


def test_the_agreements_page_costs_the_same_queries_for_more_agreements(client, world):
    def add(count):
        for _ in range(count):
            agreement = agreement_record(actor=SYSTEM, organisation=world["helix"], kind="nda",
                                         status="sent", document=pdf())
            agreement_upload_signed_copy(actor=world["admin"], agreement=agreement,
                                         upload=pdf())

    path = reverse("partners:agreements", kwargs={"slug": "helix"})
    for person in (world["admin"], world["office"]):
        client.force_login(person)
        add(1)
        few = queries_of_get(client, path)
        add(3)
        assert queries_of_get(client, path) == few
