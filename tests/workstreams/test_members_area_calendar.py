"""Meetings in calendars: one meeting as an .ics file, and each person's feed of the meetings of
their organisations' workstreams, opened by a signed token a calendar app can poll. Every
calendar is read back with icalendar, as a calendar app would read it."""

import datetime
import zoneinfo

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from cluster_portal.audit.models import AuditEvent
from cluster_portal.core.actors import SYSTEM
from cluster_portal.core.exceptions import Conflict, NotAllowed
from partners.models import Organisation
from tests.factories import (
    OrganisationFactory,
    OrganisationMembershipFactory,
    UserFactory,
    WorkstreamFactory,
    WorkstreamMembershipFactory,
)
from tests.support.queries import queries_of_get
from workstreams.calendars import FEED_SALT, feed_for_token, feed_token, meeting_uid
from workstreams.models import MeetingCalendarFeed, WorkstreamMeeting
from workstreams.services import (
    meeting_calendar_feed_renew,
    meeting_calendar_feed_revoke,
    workstream_create,
    workstream_membership_end,
)

pytestmark = pytest.mark.django_db

SINGAPORE = zoneinfo.ZoneInfo("Asia/Singapore")


def url(name, *args, **kwargs):
    return reverse(f"workstreams:{name}", args=args, kwargs=kwargs or None)


def meeting_in(workstream, *, title="Steering committee", days=7, **fields):
    starts_at = timezone.now().replace(microsecond=0) + datetime.timedelta(days=days)
    return WorkstreamMeeting.objects.create(workstream=workstream, title=title,
                                            starts_at=starts_at, **fields)


def events_of(content: bytes) -> dict:
    """The calendar's events by UID, read back as a calendar app reads the file."""
    calendar = Calendar.from_ical(content)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def feed_path(feed) -> str:
    return url("calendar_feed", token=feed_token(feed))


@pytest.fixture
def membership(db):
    return WorkstreamMembershipFactory(workstream=WorkstreamFactory(name="Continuous "
                                                                         "Manufacturing"))


@pytest.fixture
def member(membership):
    return OrganisationMembershipFactory(organisation=membership.organisation).person


@pytest.fixture
def admin_client_with_mfa(mfa_admin_user):
    admin_client = Client()
    admin_client.force_login(mfa_admin_user)
    return admin_client


# --- one meeting, as an .ics file ---------------------------------------------------------------

def test_a_meeting_downloads_as_an_ics_file_in_the_programmes_time_zone(client, membership,
                                                                       member):
    workstream = membership.workstream
    starts_at = datetime.datetime(2027, 3, 2, 14, 30, tzinfo=SINGAPORE)
    meeting = WorkstreamMeeting.objects.create(
        workstream=workstream, title="Steering committee", starts_at=starts_at,
        location="Biopolis, Level 5", agenda="Progress; plans; any other business.")
    client.force_login(member)

    response = client.get(url("meeting_calendar", workstream.slug, meeting.pk))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "private" in response["Cache-Control"]
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["METHOD"]) == "PUBLISH" and str(calendar["VERSION"]) == "2.0"
    assert [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")] == ["Asia/Singapore"]
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == meeting_uid(meeting)
    # Local time with its TZID, which is the same instant as the meeting's.
    assert event["DTSTART"].params["TZID"] == "Asia/Singapore"
    assert event.decoded("DTSTART") == starts_at
    assert event.decoded("DTSTART").utcoffset() == datetime.timedelta(hours=8)
    assert event.decoded("DTEND") == starts_at + datetime.timedelta(hours=1)  # no end given
    assert str(event["SUMMARY"]) == "Continuous Manufacturing: Steering committee"
    assert str(event["LOCATION"]) == "Biopolis, Level 5"
    assert "Progress; plans; any other business." in str(event["DESCRIPTION"])
    assert url("members", workstream.slug) in str(event["DESCRIPTION"])
    assert event.decoded("SEQUENCE") == 0
    stamp = event.decoded("DTSTAMP")
    assert stamp.utcoffset() == datetime.timedelta(0)  # UTC, as RFC 5545 requires
    assert abs(stamp - timezone.now()) < datetime.timedelta(minutes=1)
    assert b"DTSTAMP:" in response.content and b"Z\r\n" in response.content


def test_the_uid_stays_and_the_sequence_grows_when_the_meeting_moves(admin_client_with_mfa,
                                                                      membership, member,
                                                                      client):
    workstream = membership.workstream
    meeting = meeting_in(workstream, location="Online")
    client.force_login(member)
    ics = url("meeting_calendar", workstream.slug, meeting.pk)
    [(uid, before)] = events_of(client.get(ics).content).items()

    # The programme office moves it an hour later, in the admin.
    later = timezone.localtime(meeting.starts_at + datetime.timedelta(hours=1))
    response = admin_client_with_mfa.post(
        reverse("admin:workstreams_workstreammeeting_change", args=[meeting.pk]),
        {"workstream": workstream.pk, "title": meeting.title,
         "starts_at_0": later.strftime("%Y-%m-%d"), "starts_at_1": later.strftime("%H:%M:%S"),
         "ends_at_0": "", "ends_at_1": "", "location": "Online", "agenda": "",
         "files-TOTAL_FORMS": "0", "files-INITIAL_FORMS": "0"})
    assert response.status_code == 302, response.content.decode()[:2000]

    [(same_uid, after)] = events_of(client.get(ics).content).items()
    assert same_uid == uid
    assert after.decoded("SEQUENCE") == before.decoded("SEQUENCE") + 1 == 1
    assert after.decoded("DTSTART") == later
    assert after.decoded("LAST-MODIFIED") >= before.decoded("LAST-MODIFIED")


def test_a_meeting_of_another_workstream_is_not_found_and_outsiders_are_refused(client,
                                                                                 membership,
                                                                                 member):
    workstream = membership.workstream
    elsewhere = meeting_in(WorkstreamFactory())
    client.force_login(member)
    assert client.get(url("meeting_calendar", workstream.slug, elsewhere.pk)).status_code == 404

    mine = meeting_in(workstream)
    client.force_login(OrganisationMembershipFactory().person)  # of another organisation
    assert client.get(url("meeting_calendar", workstream.slug, mine.pk)).status_code == 403


# --- the person's feed --------------------------------------------------------------------------

def test_a_member_gets_a_link_from_the_members_area_and_a_calendar_app_reads_it(client,
                                                                                membership,
                                                                                member):
    workstream = membership.workstream
    also_in = WorkstreamMembershipFactory(organisation=membership.organisation).workstream
    not_in = WorkstreamFactory()
    ours = meeting_in(workstream, title="Ours")
    also_ours = meeting_in(also_in, title="Also ours", days=20)
    meeting_in(not_in, title="Not ours")
    meeting_in(workstream, title="Long ago", days=-400)
    recent_past = meeting_in(workstream, title="Last month", days=-30)
    members_area = url("members", workstream.slug)
    client.force_login(member)

    assert "Get a calendar link" in client.get(members_area).content.decode()
    response = client.post(url("calendar_feed_renew"), {"next": members_area + "#calendar"})
    assert response.status_code == 302 and response["Location"] == members_area + "#calendar"
    feed = MeetingCalendarFeed.objects.get(person=member)
    page = client.get(members_area).content.decode()
    assert feed_token(feed) in page and "Turn the link off" in page
    assert AuditEvent.objects.filter(action="meeting_calendar_feed.create", actor=member).exists()

    client.logout()  # a calendar app has no session
    response = client.get(feed_path(feed))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "private" in response["Cache-Control"]
    assert set(events_of(response.content)) == {
        meeting_uid(ours), meeting_uid(also_ours), meeting_uid(recent_past)}


def test_the_feed_never_carries_another_persons_meetings(client, membership, member):
    other_membership = WorkstreamMembershipFactory()
    other_person = OrganisationMembershipFactory(
        organisation=other_membership.organisation).person
    mine = meeting_in(membership.workstream, title="Mine")
    theirs = meeting_in(other_membership.workstream, title="Theirs")
    my_feed = meeting_calendar_feed_renew(actor=member)
    their_feed = meeting_calendar_feed_renew(actor=other_person)

    assert set(events_of(client.get(feed_path(my_feed)).content)) == {meeting_uid(mine)}
    assert set(events_of(client.get(feed_path(their_feed)).content)) == {meeting_uid(theirs)}
    # Signed in as one person, another person's address still shows only that person's feed:
    # the token, not the session, says whose meetings they are.
    client.force_login(member)
    assert set(events_of(client.get(feed_path(their_feed)).content)) == {meeting_uid(theirs)}


def test_a_bad_token_or_one_made_for_another_key_is_not_found(client, member, membership):
    feed = meeting_calendar_feed_renew(actor=member)
    token = feed_token(feed)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    signer = signing.Signer(salt=FEED_SALT)
    other_person = OrganisationMembershipFactory(organisation=membership.organisation).person
    other_feed = meeting_calendar_feed_renew(actor=other_person)
    for bad in (tampered, "not-a-token", signer.sign(f"{member.pk}.wrong-key"),
                # Someone else's key under my id, and my key under theirs: both signed, both
                # refused, since only the key stored for that person opens their feed.
                signer.sign(f"{member.pk}.{other_feed.key}"),
                signer.sign(f"{other_person.pk}.{feed.key}"),
                signing.Signer(salt="another-purpose").sign(f"{member.pk}.{feed.key}")):
        assert client.get(url("calendar_feed", token=bad)).status_code == 404, bad
    assert client.get(url("calendar_feed", token=token)).status_code == 200


def test_renewing_or_turning_off_the_link_ends_the_old_address(client, member, membership):
    meeting_in(membership.workstream)
    first = feed_path(meeting_calendar_feed_renew(actor=member))
    assert client.get(first).status_code == 200

    second = feed_path(meeting_calendar_feed_renew(actor=member))
    assert second != first
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200

    client.force_login(member)
    members_area = url("members", membership.workstream.slug)
    response = client.post(url("calendar_feed_revoke"), {"next": members_area})
    assert response.status_code == 302 and response["Location"] == members_area
    assert client.get(second).status_code == 404
    assert not MeetingCalendarFeed.objects.filter(person=member).exists()
    assert list(AuditEvent.objects.filter(actor=member).values_list("action", flat=True)
                .order_by("pk")) == ["meeting_calendar_feed.create",
                                     "meeting_calendar_feed.renew",
                                     "meeting_calendar_feed.revoke"]
    with pytest.raises(Conflict):
        meeting_calendar_feed_revoke(actor=member)


def test_a_deactivated_account_or_an_organisation_that_left_sees_nothing_more(
        client, member, membership, mfa_staff_user):
    meeting = meeting_in(membership.workstream)
    feed = meeting_calendar_feed_renew(actor=member)
    assert set(events_of(client.get(feed_path(feed)).content)) == {meeting_uid(meeting)}

    workstream_membership_end(actor=mfa_staff_user, membership=membership, reason="Left.")
    assert events_of(client.get(feed_path(feed)).content) == {}

    member.is_active = False
    member.save(update_fields=["is_active"])
    assert client.get(feed_path(feed)).status_code == 404
    assert feed_for_token(feed_token(feed)) is None


def test_a_pending_organisations_people_see_no_meetings(client, membership):
    pending = OrganisationFactory(status=Organisation.Status.PENDING)
    WorkstreamMembershipFactory(organisation=pending, workstream=membership.workstream)
    person = OrganisationMembershipFactory(organisation=pending).person
    meeting_in(membership.workstream)
    feed = meeting_calendar_feed_renew(actor=person)
    assert events_of(client.get(feed_path(feed)).content) == {}


def test_only_people_of_organisations_get_a_link(client, mfa_staff_user):
    for person in (UserFactory(), mfa_staff_user):
        with pytest.raises(NotAllowed):
            meeting_calendar_feed_renew(actor=person)
    client.force_login(UserFactory())
    assert client.post(url("calendar_feed_renew")).status_code == 403
    client.logout()
    assert client.post(url("calendar_feed_renew")).status_code == 302  # to sign in
    assert not MeetingCalendarFeed.objects.exists()


def test_the_link_goes_back_only_to_this_site(client, member):
    client.force_login(member)
    response = client.post(url("calendar_feed_renew"), {"next": "https://evil.example/"})
    assert response["Location"] == url("list")


def test_calendar_is_a_reserved_slug(db):
    programme_workstream = WorkstreamFactory()
    workstream = workstream_create(actor=SYSTEM, programme=programme_workstream.programme,
                                   name="Calendar", code="CAL", summary="Dates.")
    assert workstream.slug != "calendar"


# --- query budgets ------------------------------------------------------------------------------

def test_feed_query_count_does_not_grow_with_meetings_or_workstreams(client, member, membership):
    feed = meeting_calendar_feed_renew(actor=member)
    path = feed_path(feed)

    def add_rows(count):
        for _ in range(count):
            workstream = WorkstreamMembershipFactory(
                organisation=membership.organisation).workstream
            meeting_in(workstream)
            meeting_in(membership.workstream, days=3)

    add_rows(3)
    few = queries_of_get(client, path)
    add_rows(6)
    many = queries_of_get(client, path)
    assert many == few
    assert len(events_of(client.get(path).content)) == 3 * 2 + 6 * 2
