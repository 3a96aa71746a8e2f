"""Writes of reports: asking for one, building it in a task, and tidying up after.

A job is asked for (`report_job_request`: parameters checked, the same request at work
returned instead of a second one), built by a task after commit (`report_job_run`: the kind's
tables written to a private file, progress saved as it goes, the requester told when it is
ready or failed), and later swept: files past their days deleted (`report_jobs_expire`), jobs
whose worker died marked failed (`report_jobs_fail_stalled`), jobs whose task was lost in a
broker outage sent again (`report_jobs_send_again`).
"""

import datetime
import hashlib
import json
import logging
import os
import tempfile
import time

from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from cluster_portal.accounts.roles import ProgrammeRole
from cluster_portal.accounts.selectors import staff_who_may_act
from cluster_portal.audit.services import audit_record
from cluster_portal.core.actors import SYSTEM
from cluster_portal.core.exceptions import ApplicationError, NotAllowed
from cluster_portal.core.queue import enqueue_on_commit
from cluster_portal.core.validators import implausible_dates
from cluster_portal.notifications.services import notify

from . import notification_kinds as kinds
from .kinds import (
    REGISTRY,
    SLUG,
    ReportKind,
    ReportParameters,
    UnknownKind,
    kind_get,
)
from .models import ReportJob
from .permissions import may_request_report
from .writers import write_csv, write_xlsx

logger = logging.getLogger(__name__)

PARAMETER_NAMES = ("programme", "workstream", "date_from", "date_to", "actor", "object_type",
                   "filters")
# A job still queued this long after it was asked for has lost its task: it is sent again.
REPORT_SEND_AGAIN_AFTER_SECONDS = 120
# How often at most a job's progress is saved as its file is written.
PROGRESS_SAVE_EVERY_SECONDS = 1.0
# A list's filters: a few short values, as a query string holds them.
MAX_FILTERS, MAX_FILTER_LENGTH = 20, 200


def _fingerprint(kind: str, format: str, parameters: dict) -> str:
    canonical = json.dumps([kind, format, parameters], sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _date(value, name: str, errors: dict):
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        errors[name] = "Give a date as YYYY-MM-DD."
        return None


def report_parameters_clean(kind: ReportKind, raw: dict | None) -> ReportParameters:
    """The parameters as the kind reads them, or an ApplicationError naming each wrong field."""
    raw = dict(raw or {})
    errors = {}
    unknown = sorted(set(raw) - set(PARAMETER_NAMES))
    allowed_extra = set(kind.extra_parameters)
    for name in ("actor", "object_type"):
        if raw.get(name) and name not in allowed_extra:
            errors[name] = f"The {kind.label.lower()} is not narrowed by this."
    for name in unknown:
        errors[name] = "Not a parameter of reports."
    values = {}
    for name in ("programme", "workstream"):
        value = str(raw.get(name) or "").strip()
        if value and (len(value) > 80 or not SLUG.match(value)):
            errors[name] = "Give the slug from its address, such as continuous-manufacturing."
        values[name] = value
    values["date_from"] = _date(raw.get("date_from"), "date_from", errors)
    values["date_to"] = _date(raw.get("date_to"), "date_to", errors)
    errors.update(implausible_dates(date_from=values["date_from"], date_to=values["date_to"]))
    if values["date_from"] and values["date_to"] and values["date_to"] < values["date_from"]:
        errors["date_to"] = "The period ends on or after the day it starts."
    actor = str(raw.get("actor") or "").strip()
    if actor and (len(actor) > 254 or "@" not in actor):
        errors["actor"] = "Give the e-mail address of the person whose actions to list."
    object_type = str(raw.get("object_type") or "").strip().lower()
    if object_type and not (len(object_type) <= 100 and object_type.count(".") == 1):
        errors["object_type"] = "Give the kind of object as app.model, such as projects.project."
    values.update(actor=actor, object_type=object_type)
    filters = raw.get("filters") or {}
    if filters and "filters" not in allowed_extra:
        errors["filters"] = f"The {kind.label.lower()} is not narrowed by this."
    elif not isinstance(filters, dict) or len(filters) > MAX_FILTERS or not all(
            isinstance(k, str) and isinstance(v, str) and len(k) <= 50
            and len(v) <= MAX_FILTER_LENGTH and "\x00" not in k + v
            for k, v in filters.items()):
        errors["filters"] = "Give the list's filters as names and short texts."
    values["filters"] = dict(filters) if isinstance(filters, dict) else {}
    if not errors:
        parameters = ReportParameters(**values)
        for check in REGISTRY.parameter_checks:
            errors.update(check(parameters))
        if not errors:
            return parameters
    raise ApplicationError("Some of the report's parameters need correcting.", fields=errors)


@transaction.atomic
def report_job_request(*, actor, kind: str, format: str, parameters: dict | None = None
                       ) -> tuple[ReportJob, bool]:
    """Ask for a report, built in a task once this transaction commits. Returns the job and
    whether it is new: the same request (kind, format, parameters) of the same person while one
    is still at work returns that one rather than starting another."""
    try:
        report_kind = kind_get(kind)
    except UnknownKind:
        raise ApplicationError("Choose a kind of report.", fields={
            "kind": f"“{kind}” is not a kind of report."}) from None
    if not may_request_report(actor, report_kind):
        raise NotAllowed(f"The {report_kind.label.lower()} is for the programme office.")
    if format not in report_kind.formats:
        raise ApplicationError("Choose a format.", fields={
            "format": f"The report “{report_kind.label}” comes as "
                      f"{' or '.join(f.upper() for f in report_kind.formats)}."})
    cleaned = report_parameters_clean(report_kind, parameters).as_json()
    fingerprint = _fingerprint(kind, format, cleaned)
    at_work = ReportJob.objects.filter(requester=actor, fingerprint=fingerprint,
                                       status__in=(ReportJob.Status.QUEUED,
                                                   ReportJob.Status.RUNNING)).first()
    if at_work is not None:
        return at_work, False
    try:
        with transaction.atomic():
            job = ReportJob.objects.create(kind=kind, format=format, parameters=cleaned,
                                           fingerprint=fingerprint, requester=actor)
    except IntegrityError:  # the same request, at the same moment, got in first
        # That one; or, when its task has built it already meanwhile, the same one done.
        return ReportJob.objects.filter(requester=actor, fingerprint=fingerprint).order_by(
            "-created_at", "-pk").first(), False
    audit_record(actor=actor, action="report_job.request", target=job,
                 changes={"kind": kind, "format": format, "parameters": cleaned})
    enqueue_on_commit("cluster_portal.reports.tasks.build_report", job.pk)
    return job, True


def _file_name(job: ReportJob, kind: ReportKind) -> str:
    stamp = timezone.localtime(job.created_at).strftime("%Y-%m-%d")
    scope = job.parameters.get("workstream") or job.parameters.get("programme") or ""
    return "-".join(part for part in (slugify(kind.label), scope, stamp) if part) + \
        f".{job.format}"


def _save_progress(job_id: int):
    """Saves how far the job got when that changed, at most once a second: the page asks
    every two seconds, and a fast export need not wait for a write every 2,000 rows."""
    last = {"value": -1, "at": -PROGRESS_SAVE_EVERY_SECONDS}

    def progress(fraction: float) -> None:
        value = max(0, min(99, int(fraction * 100)))
        now = time.monotonic()
        if value != last["value"] and now - last["at"] >= PROGRESS_SAVE_EVERY_SECONDS:
            last["value"], last["at"] = value, now
            ReportJob.objects.filter(pk=job_id).update(progress=value)

    return progress


def _build(job: ReportJob, kind: ReportKind, path: str) -> int:
    parameters = ReportParameters.from_json(job.parameters)
    progress = _save_progress(job.pk)
    actor = job.requester
    if job.format == ReportJob.Format.PDF:
        return kind.pdf(actor, parameters, path, progress)
    tables = kind.tables(actor, parameters)
    if job.format == ReportJob.Format.CSV:
        return write_csv(tables, path, progress)
    # The sheets are named before any is written (their rows are read as each is written), so
    # the progress bar knows how many there are.
    tables = list(tables)
    return write_xlsx(tables, path, progress, expected_tables=len(tables))


def report_job_run(*, job_id: int) -> ReportJob | None:
    """The task's work. A job already done or failed is left as it is (a duplicate delivery);
    one that fails is marked failed with the error, and its requester told."""
    job = ReportJob.objects.select_related("requester").filter(pk=job_id).first()
    if job is None or not job.is_at_work:
        return job
    claimed = ReportJob.objects.filter(pk=job.pk, status=ReportJob.Status.QUEUED).update(
        status=ReportJob.Status.RUNNING, started_at=timezone.now(), progress=0)
    if not claimed:  # another worker has it, or it was marked failed meanwhile
        return job
    kind = kind_get(job.kind)
    handle, path = tempfile.mkstemp(suffix=f".{job.format}")
    os.close(handle)
    try:
        rows = _build(job, kind, path)
        name = _file_name(job, kind)
        with open(path, "rb") as built, transaction.atomic():
            job = ReportJob.objects.select_for_update().get(pk=job.pk)
            if job.status != ReportJob.Status.RUNNING:  # marked failed while it ran
                return job
            job.file.save(name, File(built), save=False)
            job.file_name, job.rows, job.progress = name, rows, 100
            job.status, job.finished_at = ReportJob.Status.DONE, timezone.now()
            job.expires_at = job.finished_at + datetime.timedelta(
                days=settings.REPORT_FILES_KEEP_DAYS)
            job.save(update_fields=["file", "file_name", "rows", "progress", "status",
                                    "finished_at", "expires_at"])
            _tell(job, kind, ready=True)
    except Exception as error:  # any failure of a kind's code ends the job, said in words
        logger.exception("Report job %s failed", job_id)
        with transaction.atomic():
            ReportJob.objects.filter(pk=job_id, status=ReportJob.Status.RUNNING).update(
                status=ReportJob.Status.FAILED, finished_at=timezone.now(),
                error=f"The report could not be built ({type(error).__name__}). Ask for it "
                      "again; if it fails again, tell the programme office.")
            job = ReportJob.objects.select_related("requester").get(pk=job_id)
            _tell(job, kind, ready=False)
    finally:
        if os.path.exists(path):
            os.remove(path)
    return job


def report_job_url(job: ReportJob) -> str:
    return reverse("reports:detail", kwargs={"pk": job.pk})


def _tell(job: ReportJob, kind: ReportKind, *, ready: bool) -> None:
    notify(recipients=[job.requester],
           kind=kinds.REPORT_READY if ready else kinds.REPORT_FAILED, actor=SYSTEM,
           message=(f"Your {kind.label.lower()} is ready to download." if ready else
                    f"Your {kind.label.lower()} could not be built."),
           url=report_job_url(job),
           context={"report": kind.label, "rows": job.rows, "error": job.error,
                    "days": settings.REPORT_FILES_KEEP_DAYS})


def report_jobs_expire(*, now=None) -> int:
    """Delete the files of reports past their days; the rows stay, to say they expired."""
    now = now or timezone.now()
    expired = 0
    for job in ReportJob.objects.filter(status=ReportJob.Status.DONE, expires_at__lte=now,
                                        expired_at__isnull=True):
        if job.file:
            job.file.delete(save=False)
        ReportJob.objects.filter(pk=job.pk).update(file="", expired_at=now)
        expired += 1
    return expired


def report_jobs_fail_stalled(*, now=None) -> int:
    """A job still running past its time limit had its worker die under it: it is marked
    failed (and its requester told), never left running."""
    now = now or timezone.now()
    limit = now - datetime.timedelta(seconds=settings.REPORT_JOB_TIME_LIMIT_SECONDS)
    stalled = list(ReportJob.objects.filter(
        status=ReportJob.Status.RUNNING, started_at__lt=limit).select_related("requester"))
    for job in stalled:
        updated = ReportJob.objects.filter(pk=job.pk, status=ReportJob.Status.RUNNING).update(
            status=ReportJob.Status.FAILED, finished_at=now,
            error="The report took longer than its time limit and was stopped. Ask for it "
                  "again, perhaps for a shorter period.")
        if updated:
            job.refresh_from_db()
            try:
                kind = kind_get(job.kind)
            except UnknownKind:
                continue
            _tell(job, kind, ready=False)
    return len(stalled)


def report_jobs_send_again(*, now=None) -> int:
    """Jobs still waiting a while after they were asked for: their task was lost on the way
    (the broker was down when the request committed), so it is sent again. A job is claimed
    by one worker only (report_job_run), so one sent twice is built once (design rule 4)."""
    now = now or timezone.now()
    waiting = list(ReportJob.objects.filter(
        status=ReportJob.Status.QUEUED,
        created_at__lt=now - datetime.timedelta(seconds=REPORT_SEND_AGAIN_AFTER_SECONDS),
    ).values_list("pk", flat=True))
    for pk in waiting:
        enqueue_on_commit("cluster_portal.reports.tasks.build_report", pk)
    return len(waiting)


def report_monthly_request(*, today: datetime.date | None = None) -> list[ReportJob]:
    """Last month's programme report for each programme admin (each built with their own
    sight of the data), told with a link when it is ready."""
    today = today or timezone.localdate()
    last_day = today.replace(day=1) - datetime.timedelta(days=1)
    parameters = {"date_from": last_day.replace(day=1).isoformat(),
                  "date_to": last_day.isoformat()}
    jobs = []
    for admin in staff_who_may_act(role=ProgrammeRole.ADMIN):
        job, _new = report_job_request(actor=admin, kind="programme", format="xlsx",
                                       parameters=parameters)
        jobs.append(job)
    return jobs


def report_job_downloaded(*, actor, job: ReportJob) -> None:
    """Who downloaded which report, for the trail (the file may hold personal data)."""
    audit_record(actor=actor, action="report_job.download", target=job,
                 changes={"kind": job.kind, "file": job.file_name})
