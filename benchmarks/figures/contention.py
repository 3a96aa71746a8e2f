"""Figure 5: enrolment under contention. 500 trainees ask for a seat on a new 50-seat run at the
same moment, over HTTP through gunicorn, as the enrol button's API call.

Goals: exactly 50 confirmed (the run's counter says 50 too), the other 450 waitlisted at
positions 1..450 without a gap or a repeat, no 5xx; throughput and p95 latency are reported.
The run, its enrolments and everything they caused (sessions, notices, outbox mail, audit
events, the send tasks in the broker) are taken away afterwards, so the dataset stays as seeded.
"""

from __future__ import annotations

import datetime
import http.client
import json
import secrets
import threading
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from benchmarks.harness import Figure
from cluster_portal.accounts.models import User
from cluster_portal.audit.models import AuditEvent
from cluster_portal.notifications.models import Notification, OutgoingEmail
from cluster_portal.notifications.services.outbox import SEND_TASK
from talent import notification_kinds as talent_kinds
from talent.models import ACTIVE_ENROLMENT_STATES, Course, CourseRun, Enrolment
from talent.services import course_run_create

SECTION = "Enrolment under contention"
SEATS, REQUESTS = 50, 500
TIMEOUT_SECONDS = 120


# --- the run and the people ------------------------------------------------------------------

def _course() -> Course:
    """A published course without prerequisites, so every trainee may enrol on it."""
    return (Course.objects.filter(is_published=True, prerequisites__isnull=True)
            .order_by("pk").first())


def _open_run(*, staff, course: Course) -> CourseRun:
    now = timezone.now()
    starts_on = timezone.localdate() + datetime.timedelta(days=90)
    return course_run_create(
        actor=staff, course=course, starts_on=starts_on, ends_on=starts_on,
        capacity=SEATS, venue="Benchmark hall",
        enrolment_opens_at=now - datetime.timedelta(hours=1),
        enrolment_closes_at=now + datetime.timedelta(days=30))


def _trainees(course: Course) -> list[User]:
    """People with no programme role and no place on any run of the course (an overlapping run
    would be refused, which is not what this figure measures)."""
    on_course = Enrolment.objects.filter(run__course=course, status__in=ACTIVE_ENROLMENT_STATES)
    return list(User.objects.filter(is_active=True, groups__isnull=True, is_superuser=False)
                .exclude(pk__in=on_course.values("person"))
                .order_by("pk")[:REQUESTS])


def _sessions(people: list[User]) -> dict[int, str]:
    """A signed-in session for each person, as signing in stores it, written in one go (signing
    in through the client would also move everyone's last_login, which is the dataset's)."""
    backend = settings.AUTHENTICATION_BACKENDS[0]
    expires = timezone.now() + datetime.timedelta(hours=1)
    keys, rows = {}, []
    for person in people:
        key = secrets.token_hex(16)
        data = SessionStore().encode({SESSION_KEY: str(person.pk), BACKEND_SESSION_KEY: backend,
                                      HASH_SESSION_KEY: person.get_session_auth_hash()})
        rows.append(Session(session_key=key, session_data=data, expire_date=expires))
        keys[person.pk] = key
    Session.objects.bulk_create(rows)
    return keys


# --- the requests ----------------------------------------------------------------------------

def _fire(base_url: str, run_pk: int, session_keys: list[str]) -> tuple[list, float]:
    """Every request at once: each thread waits at the barrier, then connects and posts.
    Returns (status, seconds) per request (status 0: no answer) and the wall time."""
    address = urlsplit(base_url)
    path = f"/api/v1/course-runs/{run_pk}/enrol/"
    barrier = threading.Barrier(len(session_keys) + 1)
    answers: list = [None] * len(session_keys)

    def enrol(index: int, session_key: str) -> None:
        # Any well-formed token will do for CSRF, as long as cookie and header agree.
        csrf = secrets.token_hex(16)
        headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={session_key}; "
                             f"{settings.CSRF_COOKIE_NAME}={csrf}",
                   "X-CSRFToken": csrf, "Content-Type": "application/json",
                   "Accept": "application/json"}
        connection = http.client.HTTPConnection(address.hostname, address.port,
                                                timeout=TIMEOUT_SECONDS)
        barrier.wait()
        started = time.monotonic()
        try:
            connection.request("POST", path, body=b"{}", headers=headers)
            response = connection.getresponse()
            response.read()
            answers[index] = (response.status, time.monotonic() - started)
        except OSError:
            answers[index] = (0, time.monotonic() - started)
        finally:
            connection.close()

    threads = [threading.Thread(target=enrol, args=(i, key), daemon=True)
               for i, key in enumerate(session_keys)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.monotonic()
    for thread in threads:
        thread.join()
    return answers, time.monotonic() - started


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


# --- what the database says ------------------------------------------------------------------

def _held_by_the_database(run: CourseRun) -> dict:
    run.refresh_from_db()
    enrolments = Enrolment.objects.filter(run=run)
    positions = sorted(enrolments.filter(status=Enrolment.Status.WAITLISTED)
                       .values_list("waitlist_position", flat=True))
    return {
        "confirmed": enrolments.filter(status=Enrolment.Status.CONFIRMED).count(),
        "waitlisted": len(positions),
        "seats_taken": run.seats_taken,
        "line_unbroken": positions == list(range(1, len(positions) + 1)),
    }


# --- taking it all away ----------------------------------------------------------------------

def _take_back_send_tasks(email_ids: set[int]) -> int:
    """The enrolments' e-mails were handed to the broker for a worker that this figure does not
    run; their rows are deleted, so the messages are taken out of the queue too rather than left
    to pile up in the benchmark's Redis at every run."""
    import redis

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    removed = 0
    for raw in client.lrange("celery", 0, -1):
        try:
            message = json.loads(raw)
            headers = message.get("headers", {})
            pk = int(str(headers.get("argsrepr", "")).strip("(),[] "))
        except (ValueError, TypeError, AttributeError):
            continue
        if headers.get("task") == SEND_TASK and pk in email_ids:
            removed += client.lrem("celery", 1, raw)
    return removed


@transaction.atomic
def _remove(run: CourseRun, people: list[User], session_keys: list[str],
            since: datetime.datetime) -> set[int]:
    enrolment_ids = list(Enrolment.objects.filter(run=run).values_list("pk", flat=True))
    notices = Notification.objects.filter(
        recipient__in=people, created_at__gte=since,
        kind__in=[talent_kinds.ENROLMENT_CONFIRMED.key, talent_kinds.ENROLMENT_WAITLISTED.key])
    email_ids = set(notices.exclude(email=None).values_list("email_id", flat=True))
    notices.delete()
    OutgoingEmail.objects.filter(pk__in=email_ids).delete()
    AuditEvent.objects.filter(
        Q(target_type=ContentType.objects.get_for_model(Enrolment), target_id__in=enrolment_ids)
        | Q(target_type=ContentType.objects.get_for_model(CourseRun), target_id=run.pk)).delete()
    Enrolment.objects.filter(pk__in=enrolment_ids).delete()
    run.delete()
    Session.objects.filter(session_key__in=session_keys).delete()
    return email_ids


# --- the figure ------------------------------------------------------------------------------

def measure(run) -> None:
    since = timezone.now()
    course = _course()
    course_run = _open_run(staff=run.people.staff, course=course)
    people = _trainees(course)
    keys = _sessions(people)
    session_keys = [keys[person.pk] for person in people]
    try:
        answers, seconds = _fire(run.base_url, course_run.pk, session_keys)
        held = _held_by_the_database(course_run)
    finally:
        email_ids = _remove(course_run, people, session_keys, since)
        taken_back = _take_back_send_tasks(email_ids)
    statuses = [status for status, _ in answers]
    latencies = [taken for _, taken in answers]
    server_errors = sum(1 for status in statuses if status >= 500)
    unanswered = statuses.count(0)
    created = statuses.count(201)
    exact = held["confirmed"] == SEATS == held["seats_taken"]
    line_ok = held["line_unbroken"] and held["waitlisted"] == len(people) - SEATS
    counts: dict[str, int] = {}
    for status in statuses:
        counts[str(status)] = counts.get(str(status), 0) + 1
    detail = {"requests": len(people), "seats": SEATS, "gunicorn_workers": run.workers,
              "answers": counts, "wall_seconds": round(seconds, 3),
              "course": course.code, "emails": len(email_ids),
              "send_tasks_taken_back": taken_back, **held}

    run.results.add(Figure(
        section=SECTION, name="confirmed of 500 at a 50-seat run", value=held["confirmed"],
        unit="seats", goal="exactly 50, and the run's counter 50", met=exact, detail=detail))
    run.results.add(Figure(
        section=SECTION, name="waitlisted, at positions 1..n without gaps",
        value=held["waitlisted"], unit="people", goal="450, positions 1..450", met=line_ok,
        detail=detail))
    run.results.add(Figure(
        section=SECTION, name="5xx answers or no answer", value=server_errors + unanswered,
        unit="requests", goal="0", met=server_errors + unanswered == 0, detail=detail))
    run.results.add(Figure(
        section=SECTION, name="requests answered 201", value=created, unit="requests",
        goal="all 500", met=created == len(people), detail=detail))
    run.results.add(Figure(
        section=SECTION, name="throughput", value=len(people) / seconds, unit="req/s",
        detail=detail))
    run.results.add(Figure(
        section=SECTION, name="p95 latency (all 500 sent at once)",
        value=_percentile(latencies, 0.95) * 1000, unit="ms", detail=detail))
