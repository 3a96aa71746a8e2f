"""Course sessions as iCalendar events: a person's sessions in their personal calendar feed (the
one workstreams keeps, with its token, renewal and revocation: this app only adds its events to
it, registered in apps.py), and one run's sessions as a downloadable .ics file.

Sessions carry no change counter or timestamp, so events have SEQUENCE 0 and no LAST-MODIFIED:
a subscribed calendar replaces an event by its UID on each poll, which is what a published feed
relies on; a downloaded file is a copy of the day.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from cluster_portal.core.links import portal_url
from workstreams.calendars import FeedSource, programme_time_zone, uid_domain
from workstreams.selectors import FEED_HISTORY

from .models import CourseRun, Enrolment, Session

if TYPE_CHECKING:
    from icalendar import Event

# icalendar is imported where a calendar is written (workstreams.calendars says why).

# A seat offered is shown, as tentative, so the person sees what they would be taking on; a
# course completed keeps its sessions in the calendar's recent history.
CALENDAR_STATES = (Enrolment.Status.OFFERED, Enrolment.Status.CONFIRMED,
                   Enrolment.Status.COMPLETED)


def session_uid(session: Session) -> str:
    """Stable for the session's life, so a calendar updates the event instead of adding one."""
    return f"course-session-{session.pk}@{uid_domain()}"


def sessions_of_person(*, person) -> list[Session]:
    """The sessions of the runs the person has a seat on (offered, confirmed or completed), from
    a year back on, each with `seat`, the person's enrolment status on its run. One query,
    whatever the number of enrolments and sessions."""
    if not getattr(person, "pk", None):
        return []
    sessions = (Session.objects
                .filter(run__enrolments__person=person,
                        run__enrolments__status__in=CALENDAR_STATES,
                        starts_at__gte=timezone.now() - FEED_HISTORY)
                .exclude(run__status=CourseRun.Status.CANCELLED)
                .annotate(seat=F("run__enrolments__status"))
                .select_related("run__course")
                .order_by("starts_at", "pk"))
    # A person enrolled twice on one run (a seat completed, then taken again) sees it once.
    unique = {}
    for session in sessions:
        unique.setdefault(session.pk, session)
    return list(unique.values())


def has_enrolled(person) -> bool:
    """Whoever has enrolled on a course is offered the personal calendar link (one query)."""
    return Enrolment.objects.filter(person_id=getattr(person, "pk", None)).exists()


def _event(session: Session, *, seat: str, stamp, zone) -> Event:
    run, course = session.run, session.run.course
    run_page = portal_url(run.get_absolute_url())
    from icalendar import Event

    event = Event()
    event.add("uid", session_uid(session))
    event.add("dtstamp", stamp)
    event.add("sequence", 0)
    event.add("dtstart", session.starts_at.astimezone(zone))
    event.add("dtend", session.ends_at.astimezone(zone))
    event.add("summary", f"{course.code} {course.title}: {session.title or 'session'}")
    if run.venue:
        event.add("location", run.venue)
    if seat == Enrolment.Status.OFFERED:
        event.add("description", f"A seat is offered to you: accept it on {run_page}")
    else:
        event.add("description", f"The run, its sessions and your seat: {run_page}")
    event.add("url", run_page)
    event.add("status", "TENTATIVE" if seat == Enrolment.Status.OFFERED else "CONFIRMED")
    return event


def feed_events(person, *, stamp, zone) -> list[Event]:
    """The person's sessions, for their personal calendar feed."""
    return [_event(session, seat=session.seat, stamp=stamp, zone=zone)
            for session in sessions_of_person(person=person)]


FEED_SOURCE = FeedSource(key="talent.sessions", events=feed_events, offered_to=has_enrolled)


def run_calendar(run: CourseRun, *, seat: str) -> bytes:
    """One run's sessions as a VCALENDAR file, for the person with a seat on it."""
    zone = programme_time_zone()
    stamp = timezone.now().astimezone(datetime.UTC).replace(microsecond=0)
    from icalendar import Calendar

    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.PORTAL_NAME}//Course sessions//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"{run.course.code} {run.course.title}")
    calendar.add("x-wr-timezone", str(zone))
    for session in run.sessions.all():
        calendar.add_component(_event(session, seat=seat, stamp=stamp, zone=zone))
    calendar.add_missing_timezones()
    return calendar.to_ical()
