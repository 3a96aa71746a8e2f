"""What is shared in a workstream's members' area: documents, and a meeting's agenda, minutes and
papers. Programme staff and the workstream's lead share them (checked, audited, in private
storage); members download them through an access-checked view; the people of the member
organisations hear of a new document as each of them chose, after the change commits, in a
fixed number of queries however many they are."""

import datetime

import pytest
from django.core import mail
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cluster_portal.audit.models import AuditEvent
from cluster_portal.core.actors import SYSTEM
from cluster_portal.core.exceptions import ApplicationError, NotAllowed
from cluster_portal.core.validators import MAX_DOCUMENT_BYTES
from cluster_portal.notifications.models import (
    Delivery,
    Notification,
    NotificationPreference,
    OutgoingEmail,
)
from partners.models import Organisation, OrganisationMembership
from tests.factories import (
    OrganisationFactory,
    OrganisationMembershipFactory,
    UserFactory,
    WorkstreamFactory,
    WorkstreamMembershipFactory,
)
from tests.support.queries import queries_of, queries_of_get
from workstreams import notification_kinds
from workstreams.models import WorkstreamDocument, WorkstreamMeeting, WorkstreamMeetingFile
from workstreams.services import (
    workstream_document_share,
    workstream_meeting_file_attach,
    workstream_meeting_file_remove,
)

pytestmark = pytest.mark.django_db

SHARED = notification_kinds.WORKSTREAM_DOCUMENT_SHARED.key


def url(name, *args):
    return reverse(f"workstreams:{name}", args=args)


def pdf(name="minutes.pdf", body=b"%PDF-1.7 the minutes"):
    return SimpleUploadedFile(name, body, content_type="application/pdf")


@pytest.fixture
def membership(db):
    return WorkstreamMembershipFactory(
        workstream=WorkstreamFactory(name="Continuous Manufacturing"))


@pytest.fixture
def workstream(membership):
    return membership.workstream


@pytest.fixture
def member(membership):
    return OrganisationMembershipFactory(organisation=membership.organisation).person


@pytest.fixture
def meeting(workstream):
    return WorkstreamMeeting.objects.create(workstream=workstream, title="Steering committee",
                                            starts_at=timezone.now())


# --- a meeting's agenda and minutes -------------------------------------------------------------

def test_staff_attach_minutes_that_members_download_from_private_storage(
        client, mfa_staff_user, workstream, meeting, member):
    client.force_login(mfa_staff_user)
    members_area = url("members", workstream.slug)
    assert url("meeting_file_upload", workstream.slug, meeting.pk) in client.get(
        members_area).content.decode()

    response = client.post(url("meeting_file_upload", workstream.slug, meeting.pk),
                           {"kind": "minutes", "file": pdf()})

    assert response.status_code == 302
    assert response["Location"] == f"{members_area}#meeting-{meeting.pk}"
    meeting_file = WorkstreamMeetingFile.objects.get(meeting=meeting)
    assert meeting_file.kind == "minutes" and meeting_file.uploaded_by == mfa_staff_user
    assert meeting_file.file.storage is storages["private"]
    assert meeting_file.file.name.startswith("workstreams/meetings/")
    event = AuditEvent.objects.get(action="workstream_meeting_file.attach")
    assert event.actor == mfa_staff_user and event.changes["kind"] == "minutes"

    client.force_login(member)
    page = client.get(members_area).content.decode()
    download = url("meeting_file", workstream.slug, meeting_file.pk)
    assert download in page and "Minutes: minutes.pdf" in page
    assert url("meeting_file_upload", workstream.slug, meeting.pk) not in page  # staff only
    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "private" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == b"%PDF-1.7 the minutes"


def test_outsiders_are_refused_and_other_workstreams_files_are_not_found(
        client, mfa_staff_user, workstream, meeting, member):
    mine = workstream_meeting_file_attach(actor=mfa_staff_user, meeting=meeting, kind="agenda",
                                          file=pdf("agenda.pdf"))
    other_meeting = WorkstreamMeeting.objects.create(
        workstream=WorkstreamFactory(), title="Elsewhere", starts_at=timezone.now())
    theirs = workstream_meeting_file_attach(actor=mfa_staff_user, meeting=other_meeting,
                                            kind="agenda", file=pdf("theirs.pdf"))
    download = url("meeting_file", workstream.slug, mine.pk)

    assert client.get(download).status_code == 302  # visitors sign in first
    client.force_login(OrganisationMembershipFactory().person)
    assert client.get(download).status_code == 403
    client.force_login(member)
    assert client.get(url("meeting_file", workstream.slug, theirs.pk)).status_code == 404
    # Members may not attach or remove.
    assert client.post(url("meeting_file_upload", workstream.slug, meeting.pk),
                       {"kind": "agenda", "file": pdf()}).status_code == 403
    assert client.post(url("meeting_file_remove", workstream.slug, mine.pk)).status_code == 403
    assert WorkstreamMeetingFile.objects.count() == 2


def test_the_workstreams_lead_manages_its_files_and_no_other(workstream, meeting):
    lead = OrganisationMembershipFactory().person  # a lead who is not programme staff
    workstream.lead = lead
    workstream.save(update_fields=["lead"])
    attached = workstream_meeting_file_attach(actor=lead, meeting=meeting, kind="paper",
                                              file=pdf("paper.pdf"))
    assert attached.uploaded_by == lead

    other = WorkstreamMeeting.objects.create(workstream=WorkstreamFactory(), title="Other",
                                             starts_at=timezone.now())
    with pytest.raises(NotAllowed):
        workstream_meeting_file_attach(actor=lead, meeting=other, kind="paper", file=pdf())
    with pytest.raises(NotAllowed):
        workstream_document_share(actor=lead, workstream=other.workstream, title="No",
                                  file=pdf())


def test_staff_without_a_second_factor_may_not_share(staff_user, workstream, meeting):
    with pytest.raises(NotAllowed):
        workstream_meeting_file_attach(actor=staff_user, meeting=meeting, kind="agenda",
                                       file=pdf())


def test_removing_a_file_deletes_it_once_the_change_commits(
        mfa_staff_user, meeting, django_capture_on_commit_callbacks):
    meeting_file = workstream_meeting_file_attach(actor=mfa_staff_user, meeting=meeting,
                                                  kind="agenda", file=pdf("agenda.pdf"))
    name = meeting_file.file.name
    storage = storages["private"]
    with django_capture_on_commit_callbacks(execute=True):
        workstream_meeting_file_remove(actor=mfa_staff_user, meeting_file=meeting_file)
        assert storage.exists(name)  # not before the removal is committed
    assert not storage.exists(name)
    assert not WorkstreamMeetingFile.objects.exists()
    assert AuditEvent.objects.filter(action="workstream_meeting_file.remove",
                                     actor=mfa_staff_user).exists()


@pytest.mark.parametrize("upload, message", [
    (SimpleUploadedFile("page.html", b"<script>alert(1)</script>"), "Share a PDF, Word"),
    (SimpleUploadedFile("fake.pdf", b"<html><script>alert(1)</script>"),
     "The file is not the .pdf its name says."),
    (SimpleUploadedFile("fake.docx", b"%PDF-1.4"), "The file is not the .docx its name says."),
    (SimpleUploadedFile("binary.txt", b"text\x00with a NUL"),
     "The file is not the .txt its name says."),
    (SimpleUploadedFile("latin1.csv", "café".encode("latin-1")),
     "The file is not the .csv its name says."),
    (SimpleUploadedFile("empty.pdf", b""), "Choose a file; this one is empty."),
    (SimpleUploadedFile("noextension", b"%PDF-1.4"), "Share a PDF, Word"),
])
def test_files_are_checked_against_their_names(mfa_staff_user, meeting, upload, message):
    with pytest.raises(ApplicationError) as refused:
        workstream_meeting_file_attach(actor=mfa_staff_user, meeting=meeting, kind="agenda",
                                       file=upload)
    assert refused.value.fields["file"][0].startswith(message)
    assert not WorkstreamMeetingFile.objects.exists()


def test_office_documents_and_text_are_accepted(mfa_staff_user, meeting):
    for upload in (SimpleUploadedFile("minutes.docx", b"PK\x03\x04rest of the zip"),
                   SimpleUploadedFile("budget.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest"),
                   SimpleUploadedFile("notes.txt", "Café at 10:00, then the line.".encode()),
                   SimpleUploadedFile("Scan.PDF", b"%PDF-1.4 upper-case extension")):
        workstream_meeting_file_attach(actor=mfa_staff_user, meeting=meeting, kind="paper",
                                       file=upload)
    assert meeting.files.count() == 4


def test_a_file_over_the_limit_is_refused_with_its_size(client, mfa_staff_user, workstream,
                                                        meeting):
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * MAX_DOCUMENT_BYTES)
    client.force_login(mfa_staff_user)
    response = client.post(url("meeting_file_upload", workstream.slug, meeting.pk),
                           {"kind": "minutes", "file": big}, follow=True)
    assert "The file is 20.0 MB; the limit is 20 MB." in response.content.decode()
    assert not WorkstreamMeetingFile.objects.exists()


def test_a_kind_that_is_not_offered_is_refused(mfa_staff_user, meeting):
    with pytest.raises(ApplicationError) as refused:
        workstream_meeting_file_attach(actor=mfa_staff_user, meeting=meeting, kind="slides",
                                       file=pdf())
    assert "kind" in refused.value.fields


# --- sharing a document, and who hears of it ----------------------------------------------------

def people_of(organisation, count=1, **fields):
    return [OrganisationMembershipFactory(organisation=organisation, **fields).person
            for _ in range(count)]


def test_a_shared_document_is_told_to_the_member_organisations_people_as_each_chose(
        mfa_staff_user, workstream, membership, django_capture_on_commit_callbacks):
    immediately, digest, in_app = people_of(membership.organisation, 3)
    admin_elsewhere = OrganisationMembershipFactory(
        organisation=WorkstreamMembershipFactory(workstream=workstream).organisation,
        role=OrganisationMembership.Role.ADMIN).person
    for person, delivery in ((digest, Delivery.DIGEST), (in_app, Delivery.IN_APP)):
        NotificationPreference.objects.create(person=person, kind=SHARED, delivery=delivery)
    # Nobody else hears of it: other workstreams' members, an organisation that left or is
    # not yet approved, a deactivated account, and the person who shared it.
    people_of(WorkstreamMembershipFactory().organisation)
    people_of(WorkstreamMembershipFactory(workstream=workstream,
                                          until=timezone.localdate()).organisation)
    people_of(WorkstreamMembershipFactory(
        workstream=workstream,
        organisation=OrganisationFactory(status=Organisation.Status.PENDING)).organisation)
    inactive = people_of(membership.organisation)[0]
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    OrganisationMembershipFactory(organisation=membership.organisation, person=mfa_staff_user)

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        document = workstream_document_share(
            actor=mfa_staff_user, workstream=workstream, title="Roadmap 2027",
            file=pdf("roadmap.pdf"))
        assert mail.outbox == []  # nothing leaves before the change is committed

    notices = {notice.recipient: notice for notice in Notification.objects.filter(kind=SHARED)}
    assert set(notices) == {immediately, digest, in_app, admin_elsewhere}
    assert {person: notice.delivery for person, notice in notices.items()} == {
        immediately: Delivery.IMMEDIATELY, digest: Delivery.DIGEST, in_app: Delivery.IN_APP,
        admin_elsewhere: Delivery.IMMEDIATELY}
    assert notices[immediately].url == url("members", workstream.slug)
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [immediately.email, admin_elsewhere.email])
    message = next(m for m in mail.outbox if m.to == [immediately.email])
    assert "Roadmap 2027" in message.subject and "Continuous Manufacturing" in message.subject
    assert "shared “Roadmap 2027” in the members' area of Continuous Manufacturing" in message.body
    assert OutgoingEmail.objects.filter(kind=SHARED, status="sent").count() == 2
    event = AuditEvent.objects.get(action="workstream_document.share")
    assert event.actor == mfa_staff_user and event.target_id == document.pk
    assert document.uploaded_by == mfa_staff_user


def test_nothing_is_told_when_the_share_rolls_back(mfa_staff_user, workstream, membership,
                                                   django_capture_on_commit_callbacks):
    people_of(membership.organisation, 2)
    with (django_capture_on_commit_callbacks(execute=True) as hand_offs,
          pytest.raises(RuntimeError), transaction.atomic()):
        workstream_document_share(actor=mfa_staff_user, workstream=workstream,
                                  title="Roadmap", file=pdf())
        raise RuntimeError("something after the share failed")
    assert hand_offs == [] and mail.outbox == []
    assert not Notification.objects.filter(kind=SHARED).exists()
    assert not WorkstreamDocument.objects.exists()


def test_sharing_costs_the_same_queries_for_three_people_or_thirty(mfa_staff_user):
    def share_with(count: int) -> int:
        membership = WorkstreamMembershipFactory()
        people_of(membership.organisation, count)
        return queries_of(lambda: workstream_document_share(
            actor=mfa_staff_user, workstream=membership.workstream, title="Roadmap",
            file=pdf()))
    share_with(2)  # warms per-process caches (content types)
    few = share_with(3)
    many = share_with(30)
    assert many == few
    assert Notification.objects.filter(kind=SHARED).count() == 2 + 3 + 30


def test_only_the_portal_itself_may_share_in_someone_elses_name(mfa_staff_user, workstream):
    lead = UserFactory()
    from_demo = workstream_document_share(actor=SYSTEM, workstream=workstream, title="Charter",
                                          file=pdf(), on_behalf_of=lead)
    assert from_demo.uploaded_by == lead
    # A person is always the uploader of what they share, whoever they name.
    own = workstream_document_share(actor=mfa_staff_user, workstream=workstream, title="Mine",
                                    file=pdf(), on_behalf_of=lead)
    assert own.uploaded_by == mfa_staff_user


def test_staff_share_a_document_from_the_members_area(client, mfa_staff_user, workstream,
                                                      member):
    client.force_login(mfa_staff_user)
    members_area = url("members", workstream.slug)
    response = client.post(url("document_share", workstream.slug),
                           {"title": "  Roadmap   2027 ", "file": pdf("roadmap.pdf")})
    assert response.status_code == 302
    assert response["Location"] == f"{members_area}#documents-title"
    document = WorkstreamDocument.objects.get()
    assert document.title == "Roadmap 2027" and document.file.storage is storages["private"]
    assert Notification.objects.filter(kind=SHARED, recipient=member).exists()

    refused = client.post(url("document_share", workstream.slug),
                          {"title": "Script", "file": SimpleUploadedFile("x.html", b"<p>")},
                          follow=True)
    assert "Share a PDF, Word, Excel" in refused.content.decode()
    assert WorkstreamDocument.objects.count() == 1

    client.force_login(member)
    assert client.post(url("document_share", workstream.slug),
                       {"title": "Mine", "file": pdf()}).status_code == 403


def test_the_admin_shares_a_new_document_through_the_service(client, mfa_admin_user,
                                                             workstream, member):
    client.force_login(mfa_admin_user)
    response = client.post(reverse("admin:workstreams_workstreamdocument_add"),
                           {"workstream": workstream.pk, "title": "Charter",
                            "file": pdf("charter.pdf")})
    assert response.status_code == 302
    document = WorkstreamDocument.objects.get()
    assert document.uploaded_by == mfa_admin_user
    assert AuditEvent.objects.filter(action="workstream_document.share").exists()
    assert Notification.objects.filter(kind=SHARED, recipient=member).exists()


# --- query budgets ------------------------------------------------------------------------------

def assert_constant_queries(client, path, add_rows, n=3):
    add_rows(n)
    client.get(path)  # warms per-process caches (content types, sessions)
    few = queries_of_get(client, path)
    add_rows(2 * n)
    many = queries_of_get(client, path)
    assert many == few


def test_members_area_with_files_and_a_calendar_link_costs_the_same_queries(
        client, workstream, member):
    from workstreams.services import meeting_calendar_feed_renew

    meeting_calendar_feed_renew(actor=member)
    staff = UserFactory(role="programme_staff")

    def add_rows(count):
        for number in range(count):
            meeting = WorkstreamMeeting.objects.create(
                workstream=workstream, title=f"Meeting {number}",
                starts_at=timezone.now() + datetime.timedelta(days=number))
            for kind in ("agenda", "minutes"):
                WorkstreamMeetingFile.objects.create(
                    meeting=meeting, kind=kind, uploaded_by=staff,
                    file=SimpleUploadedFile(f"{kind}.pdf", b"%PDF-1.4"))
    client.force_login(member)
    assert_constant_queries(client, url("members", workstream.slug), add_rows)


def test_members_area_for_staff_who_manage_files_costs_the_same_queries(client, mfa_staff_user,
                                                                        workstream):
    def add_rows(count):
        for number in range(count):
            meeting = WorkstreamMeeting.objects.create(
                workstream=workstream, title=f"Meeting {number}", starts_at=timezone.now())
            workstream_meeting_file_attach(actor=mfa_staff_user, meeting=meeting,
                                           kind="agenda", file=pdf())
            workstream_document_share(actor=mfa_staff_user, workstream=workstream,
                                      title=f"Document {number}", file=pdf())
    client.force_login(mfa_staff_user)
    assert_constant_queries(client, url("members", workstream.slug), add_rows)
