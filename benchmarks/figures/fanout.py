"""Figure 6: the notification fan-out. Programme staff share a document in a workstream and
10,000 people are told at once, each by e-mail at once: one call of the notification service
writes the notices and the outbox, a real Celery worker (two processes) takes the send tasks from
Redis and hands every e-mail to an SMTP server that records what it receives.

Goals: none duplicated, none missing (by Message-ID, which the outbox fixes once per e-mail);
the throughput, from the service call until the last e-mail is sent, is reported.

The worker and the service call share a Redis database of the figure's own as broker, so the
worker takes no other figure's tasks (report jobs) and no other worker takes these. The notices
and the outbox rows are deleted afterwards, so the dataset stays as seeded.
"""

from __future__ import annotations

import contextlib
import datetime
import email
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter

from benchmarks.harness import PYTHON, ROOT, Figure, bench_environment, free_port
from cluster_portal.accounts.models import User
from cluster_portal.notifications.models import (
    Delivery,
    Notification,
    NotificationPreference,
    OutgoingEmail,
    SuppressedAddress,
)
from cluster_portal.notifications.notification_kinds import EMAIL_FAILED

SECTION = "Notification fan-out"
RECIPIENTS = 10_000
BROKER_URL = os.environ.get("BENCH_FANOUT_BROKER_URL", "redis://127.0.0.1:6379/9")
WORKER_PROCESSES = 2
# Far beyond what 10,000 e-mails take on a slow machine: past it, what is not sent is missing.
SEND_TIMEOUT_SECONDS = 900

Status = OutgoingEmail.Status


# --- the SMTP server -------------------------------------------------------------------------

class RecordingHandler:
    """aiosmtpd's handler: keeps each message's Message-ID, recipients and subject."""

    def __init__(self):
        self.received: list[tuple[str, tuple[str, ...], str]] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd calls it by this name
        message = email.message_from_bytes(envelope.content)
        with self._lock:
            self.received.append((message.get("Message-ID", ""), tuple(envelope.rcpt_tos),
                                  message.get("Subject", "")))
        return "250 Message accepted"


@contextlib.contextmanager
def smtp_sink():
    from aiosmtpd.controller import Controller

    handler = RecordingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # a line per SMTP command else
    controller.start()
    try:
        yield controller.port, handler
    finally:
        controller.stop()


# --- the worker ------------------------------------------------------------------------------

def _worker_answers() -> bool:
    from celery import Celery

    probe = Celery(broker=BROKER_URL)
    try:
        return bool(probe.control.ping(timeout=1))
    finally:
        probe.close()


@contextlib.contextmanager
def celery_worker(database_url: str, smtp_port: int):
    """A worker as production runs one, on the figure's broker, sending to the SMTP sink."""
    env = bench_environment(database_url, CELERY_BROKER_URL=BROKER_URL,
                            CELERY_RESULT_BACKEND=BROKER_URL, LOG_LEVEL="WARNING",
                            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                            EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(smtp_port))
    worker = subprocess.Popen(
        [PYTHON, "-m", "celery", "-A", "cluster_portal", "worker", "-c", str(WORKER_PROCESSES),
         "--without-gossip", "--without-mingle", "-Q", "celery", "-n", "fanout@%h",
         "--loglevel", "WARNING"], cwd=ROOT, env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not _worker_answers():
            if worker.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("The Celery worker of the fan-out did not start.")
        yield
    finally:
        os.killpg(worker.pid, signal.SIGTERM)  # a warm shutdown: running tasks finish
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)


# --- telling everyone ------------------------------------------------------------------------

def _recipients(actor: User) -> list[int]:
    """Active people whose mail is not held back and who did not turn this kind's e-mail off,
    so every notice makes exactly one e-mail."""
    from workstreams.notification_kinds import WORKSTREAM_DOCUMENT_SHARED

    not_at_once = NotificationPreference.objects.filter(
        kind=WORKSTREAM_DOCUMENT_SHARED.key).exclude(delivery=Delivery.IMMEDIATELY)
    return list(User.objects.filter(is_active=True).exclude(pk=actor.pk)
                .exclude(email__in=SuppressedAddress.objects.values("address"))
                .exclude(pk__in=not_at_once.values("person"))
                .order_by("pk").values_list("pk", flat=True)[:RECIPIENTS])


def notify_from_stdin() -> None:
    """Run in a process of its own whose broker is the figure's (`_notify_everyone`): one call
    of the notification service for every recipient, as sharing a document makes it."""
    from cluster_portal.notifications.services import notify
    from workstreams.models import Workstream
    from workstreams.notification_kinds import WORKSTREAM_DOCUMENT_SHARED

    asked = json.load(sys.stdin)
    actor = User.objects.get(pk=asked["actor"])
    recipients = list(User.objects.filter(pk__in=asked["recipients"]).order_by("pk"))
    workstream = Workstream.objects.order_by("pk").first()
    title = "Benchmark fan-out briefing"
    started = time.time()
    notices = notify(
        recipients=recipients, kind=WORKSTREAM_DOCUMENT_SHARED, actor=actor,
        message=f"“{title}” was shared in the members' area of {workstream.name}.",
        url=workstream.get_absolute_url(),
        context={"workstream": workstream.name, "title": title})
    # notify commits before it returns, and the send tasks go to the broker on commit.
    handed_over = time.time()
    print(json.dumps({"started": started, "handed_over": handed_over,
                      "notifications": [n.pk for n in notices],
                      "emails": [n.email_id for n in notices if n.email_id]}))


def _notify_everyone(database_url: str, actor: User, recipients: list[int]) -> dict:
    env = bench_environment(database_url, CELERY_BROKER_URL=BROKER_URL,
                            CELERY_RESULT_BACKEND=BROKER_URL, LOG_LEVEL="WARNING")
    code = ("import django; django.setup(); "
            "from benchmarks.figures.fanout import notify_from_stdin; notify_from_stdin()")
    finished = subprocess.run([PYTHON, "-c", code], cwd=ROOT, env=env, check=True, text=True,
                              input=json.dumps({"actor": actor.pk, "recipients": recipients}),
                              capture_output=True)
    line = next(line for line in reversed(finished.stdout.splitlines()) if line.startswith("{"))
    return json.loads(line)


def _wait_until_sent(email_ids: list[int]) -> dict[str, int]:
    """Poll the outbox until no e-mail of the fan-out waits or is being sent (or time is up)."""
    outbox = OutgoingEmail.objects.filter(pk__in=email_ids)
    deadline = time.monotonic() + SEND_TIMEOUT_SECONDS
    while (outbox.filter(status__in=[Status.QUEUED, Status.SENDING]).exists()
           and time.monotonic() < deadline):
        time.sleep(0.5)
    return dict(Counter(outbox.values_list("status", flat=True)))


def _remove(told: dict) -> None:
    """The fan-out's notices and e-mails, and a programme admin's notice of one that failed."""
    email_ids = told["emails"]
    failed = list(OutgoingEmail.objects.filter(pk__in=email_ids, status=Status.FAILED)
                  .values_list("pk", flat=True))
    Notification.objects.filter(pk__in=told["notifications"]).delete()
    OutgoingEmail.objects.filter(pk__in=email_ids).delete()
    if failed:  # rare, and the only case that needs the admin's addresses of the e-mails
        from django.urls import reverse

        Notification.objects.filter(
            kind=EMAIL_FAILED.key,
            created_at__gte=datetime.datetime.fromtimestamp(told["started"], tz=datetime.UTC),
            url__in=[reverse("admin:notifications_outgoingemail_change", args=[pk])
                     for pk in failed]).delete()


# --- the figure ------------------------------------------------------------------------------

def measure(run) -> None:
    actor = run.people.staff
    recipients = _recipients(actor)
    with smtp_sink() as (port, sink), celery_worker(run.database_url, port):
        told = _notify_everyone(run.database_url, actor, recipients)
        try:
            statuses = _wait_until_sent(told["emails"])
            sent = OutgoingEmail.objects.filter(pk__in=told["emails"])
            last_sent = sent.order_by("-sent_at").values_list("sent_at", flat=True).first()
            expected = set(sent.values_list("message_id", flat=True))
        finally:
            _remove(told)

    copies = Counter(message_id for message_id, _, _ in sink.received)
    by_recipient = Counter((to, subject) for _, to, subject in sink.received)
    # A copy resent after a crash keeps its Message-ID; one written twice would not, but would
    # reach the same person with the same subject: either way it counts.
    duplicates = max(sum(n - 1 for n in copies.values()),
                     sum(n - 1 for n in by_recipient.values()))
    missing = len(expected - set(copies))
    notices = len(told["notifications"])
    seconds = (last_sent.timestamp() if last_sent else time.time()) - told["started"]
    detail = {"notifications": notices, "emails_queued": len(told["emails"]),
              "emails_received": len(sink.received), "outbox_statuses": statuses,
              "worker_processes": WORKER_PROCESSES,
              "service_call_seconds": round(told["handed_over"] - told["started"], 2),
              "until_last_sent_seconds": round(seconds, 2)}

    run.results.add(Figure(
        section=SECTION, name="notifications e-mailed a second, end to end",
        value=notices / seconds, unit="notif/s", detail=detail))
    run.results.add(Figure(
        section=SECTION, name="e-mails received twice", value=duplicates, unit="e-mails",
        goal="0", met=duplicates == 0, detail=detail))
    run.results.add(Figure(
        section=SECTION, name="e-mails missing", value=missing, unit="e-mails",
        goal="0", met=missing == 0 and notices == len(told["emails"]) == RECIPIENTS,
        detail=detail))
