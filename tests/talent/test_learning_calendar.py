"""Course sessions in calendars: the sessions of a person's seats in their personal calendar
feed (the workstreams feed, with its token), and one run's sessions as an .ics file for the
people with a seat on it. Every calendar is read back with icalendar, as a calendar app would."""

import datetime
import zoneinfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from cluster_portal.core.actors import SYSTEM
from cluster_portal.core.exceptions import NotAllowed
from talent.calendar import session_uid
from talent.models import Enrolment
from talent.services import enrolment_create
from tests.factories import UserFactory
from tests.support.queries import queries_of_get
from tests.talent.factories import CourseFactory, CourseRunFactory, SessionFactory
from workstreams.calendars import feed_token
from workstreams.models import MeetingCalendarFeed
from workstreams.services import meeting_calendar_feed_renew

pytestmark = pytest.mark.django_db

SINGAPORE = zoneinfo.ZoneInfo("Asia/Singapore")


def events_of(content: bytes) -> dict:
    return {str(event["UID"]): event for event in Calendar.from_ical(content).walk("VEVENT")}


def feed_of(person) -> bytes:
    feed = MeetingCalendarFeed.objects.get(person=person)
    response = Client().get(reverse("workstreams:calendar_feed",
                                    kwargs={"token": feed_token(feed)}))
    assert response.status_code == 200
    return response.content


def seat(person, run, status=Enrolment.Status.CONFIRMED) -> Enrolment:
    if status == Enrolment.Status.CONFIRMED:
        return enrolment_create(actor=SYSTEM, run=run, person=person)
    return Enrolment.objects.create(
        person=person, run=run, status=status,
        offer_expires_at=timezone.now() + datetime.timedelta(days=2))


def test_the_feed_lists_the_sessions_of_the_persons_seats_only():
    trainee, other = UserFactory(), UserFactory()
    run = CourseRunFactory(course=CourseFactory(code="CM-101", title="Flow basics"),
                           venue="Biopolis, Singapore")
    day_one = SessionFactory(run=run, title="Day 1")
    offered_run = CourseRunFactory(course=CourseFactory(code="QA-200", title="GMP audits"))
    offered = SessionFactory(run=offered_run, title="Morning")
    not_mine = SessionFactory(run=CourseRunFactory(), title="Someone else's")
    cancelled = SessionFactory(run=CourseRunFactory(), title="Cancelled seat")
    seat(trainee, run)
    seat(trainee, offered_run, Enrolment.Status.OFFERED)
    seat(other, not_mine.run)
    Enrolment.objects.create(person=trainee, run=cancelled.run,
                             status=Enrolment.Status.CANCELLED)
    meeting_calendar_feed_renew(actor=trainee)

    events = events_of(feed_of(trainee))

    assert set(events) == {session_uid(day_one), session_uid(offered)}
    event = events[session_uid(day_one)]
    assert str(event["SUMMARY"]) == "CM-101 Flow basics: Day 1"
    assert str(event["LOCATION"]) == "Biopolis, Singapore"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event.decoded("DTSTART") == day_one.starts_at
    assert event.decoded("DTSTART").tzinfo.key == "Asia/Singapore"
    assert event["DTSTART"].params["TZID"] == "Asia/Singapore"
    assert event.decoded("DTEND") == day_one.ends_at
    assert int(event["SEQUENCE"]) == 0
    assert str(events[session_uid(offered)]["STATUS"]) == "TENTATIVE"
    # The other person's feed has their session and none of the trainee's.
    meeting_calendar_feed_renew(actor=other)
    assert set(events_of(feed_of(other))) == {session_uid(not_mine)}


def test_a_session_keeps_its_uid_when_it_moves():
    trainee = UserFactory()
    session = SessionFactory(title="Day 1")
    seat(trainee, session.run)
    meeting_calendar_feed_renew(actor=trainee)
    before = events_of(feed_of(trainee))
    session.starts_at += datetime.timedelta(hours=1)
    session.ends_at += datetime.timedelta(hours=1)
    session.save()
    after = events_of(feed_of(trainee))
    assert set(before) == set(after) == {session_uid(session)}
    assert after[session_uid(session)].decoded("DTSTART") == session.starts_at


def test_sessions_older_than_a_year_drop_out_of_the_feed():
    trainee = UserFactory()
    old = SessionFactory(title="Long ago")
    seat(trainee, old.run)
    old.starts_at = timezone.now() - datetime.timedelta(days=400)
    old.ends_at = old.starts_at + datetime.timedelta(hours=2)
    old.save()
    meeting_calendar_feed_renew(actor=trainee)
    assert events_of(feed_of(trainee)) == {}


def test_the_feed_costs_the_same_queries_however_many_seats_and_sessions():
    trainee = UserFactory()
    run = CourseRunFactory()
    SessionFactory(run=run)
    seat(trainee, run)
    feed = meeting_calendar_feed_renew(actor=trainee)
    path = reverse("workstreams:calendar_feed", kwargs={"token": feed_token(feed)})
    few = queries_of_get(Client(), path)
    for _ in range(3):
        more = CourseRunFactory()
        for day in range(3):
            SessionFactory(run=more, starts_at=timezone.now() + datetime.timedelta(days=day + 1),
                           ends_at=timezone.now() + datetime.timedelta(days=day + 1, hours=2))
        seat(trainee, more)
    assert len(events_of(Client().get(path).content)) == 10
    assert queries_of_get(Client(), path) == few


def test_a_trainee_of_no_organisation_gets_a_link_on_my_learning(client):
    trainee = UserFactory()
    seat(trainee, SessionFactory().run)
    client.force_login(trainee)
    my_learning = reverse("talent:my_learning")
    assert b"Get a calendar link" in client.get(my_learning).content

    response = client.post(reverse("workstreams:calendar_feed_renew"),
                           {"next": f"{my_learning}#calendar-title"})
    assert response.status_code == 302
    assert response["Location"] == f"{my_learning}#calendar-title"
    feed = MeetingCalendarFeed.objects.get(person=trainee)
    assert feed_token(feed).encode() in client.get(my_learning).content

    response = client.post(reverse("workstreams:calendar_feed_revoke"),
                           {"next": my_learning})
    assert response["Location"] == my_learning
    assert not MeetingCalendarFeed.objects.filter(person=trainee).exists()


def test_someone_with_no_organisation_and_no_course_is_offered_no_link(client):
    person = UserFactory()
    client.force_login(person)
    assert b"calendar link" not in client.get(reverse("talent:my_learning")).content
    with pytest.raises(NotAllowed):
        meeting_calendar_feed_renew(actor=person)


# --- one run's sessions as a file --------------------------------------------------------------

def test_a_run_calendar_downloads_for_the_person_with_a_seat(client):
    trainee = UserFactory()
    run = CourseRunFactory(course=CourseFactory(code="CM-101", title="Flow basics"))
    sessions = [SessionFactory(run=run, title="Day 1"),
                SessionFactory(run=run, title="Day 2",
                               starts_at=timezone.make_aware(datetime.datetime.combine(
                                   run.starts_on + datetime.timedelta(days=1),
                                   datetime.time(9))))]
    seat(trainee, run)
    client.force_login(trainee)
    assert reverse("talent:run_calendar", kwargs={"pk": run.pk}).encode() in client.get(
        run.get_absolute_url()).content

    response = client.get(reverse("talent:run_calendar", kwargs={"pk": run.pk}))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    events = events_of(response.content)
    assert set(events) == {session_uid(session) for session in sessions}
    assert events[session_uid(sessions[1])]["SUMMARY"] == "CM-101 Flow basics: Day 2"


def test_a_run_calendar_is_refused_to_those_without_a_seat(client):
    run = SessionFactory().run
    waitlisted = UserFactory()
    Enrolment.objects.create(person=waitlisted, run=run, status=Enrolment.Status.WAITLISTED,
                             waitlist_position=1)
    path = reverse("talent:run_calendar", kwargs={"pk": run.pk})
    for person in (UserFactory(), waitlisted):
        client.force_login(person)
        assert client.get(path).status_code == 403
    assert Client().get(path).status_code == 302
