"""Workstream meetings as iCalendar (RFC 5545): one meeting as an .ics file, and each person's
feed of the meetings of their organisations' workstreams, which a calendar app polls. Apps above
this one add their own events to the same feed through FEED_SOURCES (their course sessions, say)
without this app importing them.

A calendar app cannot sign in, so a feed's address carries a token: the person's id and the
feed's key, signed with the portal's secret key (django.core.signing). It is checked in constant
time, and only the key stored for that person now opens it: renewing the link stores a new key,
turning it off deletes the row, and either way every earlier address answers 404.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from cluster_portal.core.links import portal_url

from .models import MeetingCalendarFeed, WorkstreamMeeting

if TYPE_CHECKING:
    from icalendar import Event

# icalendar is imported where a calendar is written: imported with the app (its permissions
# import this module), it cost every process, web and worker, 7 MB that most never use.

FEED_SALT = "workstreams.meeting-calendar-feed"
CONTENT_TYPE = "text/calendar; charset=utf-8"


def programme_time_zone() -> zoneinfo.ZoneInfo:
    """The programme meets in the portal's time zone (Singapore); calendars convert from it."""
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


# --- What other apps add to a person's feed -----------------------------------------------------

@dataclass(frozen=True)
class FeedSource:
    key: str
    # The person's events: called with the person, `stamp` (DTSTAMP of this copy) and `zone`;
    # a fixed number of queries, whatever the number of events.
    events: Callable[..., Iterable[Event]]
    # Whether the person has anything of this source's to subscribe to: one query at most. A
    # person offered no source and in no organisation is offered no link.
    offered_to: Callable[[object], bool]


class FeedSources:
    """The sources registered by the apps above, by key (registering one again replaces it)."""

    def __init__(self):
        self._by_key: dict[str, FeedSource] = {}

    def register(self, *sources: FeedSource) -> None:
        for source in sources:
            self._by_key[source.key] = source

    def unregister(self, key: str) -> None:
        self._by_key.pop(key, None)

    def offered_to(self, person) -> bool:
        return any(source.offered_to(person) for source in self._by_key.values())

    def events_of(self, person, *, stamp, zone) -> list[Event]:
        return [event for _key, source in sorted(self._by_key.items())
                for event in source.events(person, stamp=stamp, zone=zone)]


FEED_SOURCES = FeedSources()
register_feed_source = FEED_SOURCES.register


# --- The feed's token ---------------------------------------------------------------------------

def feed_token(feed: MeetingCalendarFeed) -> str:
    return signing.Signer(salt=FEED_SALT).sign(f"{feed.person_id}.{feed.key}")


def feed_url(feed: MeetingCalendarFeed) -> str:
    return portal_url(reverse("workstreams:calendar_feed", kwargs={"token": feed_token(feed)}))


def feed_for_token(token: str) -> MeetingCalendarFeed | None:
    """The feed the token opens, or None: a bad signature, a renewed or deleted feed, or a
    deactivated account. One query at most."""
    try:
        value = signing.Signer(salt=FEED_SALT).unsign(token)  # compares in constant time
    except signing.BadSignature:
        return None
    person_id, _, key = value.partition(".")
    if not person_id.isdigit() or not key:
        return None
    feed = MeetingCalendarFeed.objects.select_related("person").filter(
        person_id=int(person_id), person__is_active=True).first()
    if feed is None or not constant_time_compare(feed.key, key):
        return None
    return feed


# --- iCalendar ----------------------------------------------------------------------------------

def uid_domain() -> str:
    return urlsplit(settings.PORTAL_BASE_URL).hostname or "localhost"


def meeting_uid(meeting: WorkstreamMeeting) -> str:
    """Stable for the meeting's life, whatever changes in it, so a calendar updates the event
    it has instead of adding another."""
    return f"workstream-meeting-{meeting.pk}@{uid_domain()}"


def _event(meeting: WorkstreamMeeting, *, stamp, zone) -> Event:
    members_area = portal_url(reverse("workstreams:members",
                                      kwargs={"slug": meeting.workstream.slug}))
    from icalendar import Event

    event = Event()
    event.add("uid", meeting_uid(meeting))
    event.add("dtstamp", stamp)
    event.add("last-modified", meeting.updated_at.astimezone(datetime.UTC))
    event.add("sequence", meeting.sequence)
    # Local times with their TZID (and the VTIMEZONE added below), so a calendar in another
    # zone shows the right hour and keeps it right across its own daylight-saving changes.
    event.add("dtstart", meeting.starts_at.astimezone(zone))
    event.add("dtend", meeting.ends_at_or_default.astimezone(zone))
    event.add("summary", f"{meeting.workstream.name}: {meeting.title}")
    if meeting.location:
        event.add("location", meeting.location)
    description = [meeting.agenda.strip()] if meeting.agenda.strip() else []
    description.append(f"Agenda, minutes and papers: {members_area}")
    event.add("description", "\n\n".join(description))
    event.add("url", members_area)
    event.add("status", "CONFIRMED")
    return event


def meetings_calendar(meetings, *, name: str, person=None) -> bytes:
    """The meetings as one VCALENDAR, and with `person`, the events every registered source has
    for them (their personal feed). With METHOD:PUBLISH, DTSTAMP is when this copy was made
    (RFC 5545 3.8.7.2); LAST-MODIFIED and SEQUENCE tell a calendar whether an event changed."""
    zone = programme_time_zone()
    stamp = timezone.now().astimezone(datetime.UTC).replace(microsecond=0)
    from icalendar import Calendar

    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.PORTAL_NAME}//Workstream meetings//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", str(zone))
    for meeting in meetings:
        calendar.add_component(_event(meeting, stamp=stamp, zone=zone))
    if person is not None:
        for event in FEED_SOURCES.events_of(person, stamp=stamp, zone=zone):
            calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
