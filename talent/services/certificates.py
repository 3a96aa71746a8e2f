"""Certificates: issuing one for a completed enrolment (and, when that completes a learning
path, the path's own), issuing a completed run's in the background, revoking, and reminding
holders before one expires.

Issuing locks the person's row first, so that two certificates of one person issued at once
(a run's batch and a member of staff) decide the learning paths they complete one after the
other; the one-certificate-per-path constraint is the backstop.
"""

import base64
import calendar
import datetime
import secrets

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from cluster_portal.audit.services import audit_record
from cluster_portal.core.actors import SYSTEM, is_system, person_of
from cluster_portal.core.exceptions import ApplicationError, Conflict, NotAllowed
from cluster_portal.core.links import portal_url
from cluster_portal.core.queue import enqueue_on_commit
from cluster_portal.notifications.services import notify

from .. import notification_kinds as kinds
from ..models import Certificate, CertificateBatch, CourseRun, Enrolment, LearningPath
from ..permissions import may_manage_courses

SERIAL_LENGTH = 12
# Holders are reminded this many days before a certificate expires.
EXPIRY_REMINDER_DAYS = 30


def _check_may_manage(actor, what: str) -> None:
    if not (is_system(actor) or may_manage_courses(actor)):
        raise NotAllowed(f"Only programme staff {what}.")


def new_serial() -> str:
    """12 characters of base32 (A to Z and 2 to 7, so no 0 or 1 to mistake for O or I): 60
    random bits, which nobody guesses, short enough to read out or type from paper."""
    return base64.b32encode(secrets.token_bytes(8)).decode()[:SERIAL_LENGTH]


def _unused_serial() -> str:
    while True:
        serial = new_serial()
        if not Certificate.objects.filter(serial=serial).exists():
            return serial


def months_after(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later; the month's last day when it is shorter (31 Jan + 1 month
    is 28 or 29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month,
                       day=min(day.day, calendar.monthrange(year, month)[1]))


def certificate_title(certificate: Certificate) -> str:
    """What the certificate is for, as its holder and the verification page name it."""
    if certificate.learning_path_id:
        return f"the learning path {certificate.learning_path.name}"
    course = certificate.enrolment.run.course
    return f"{course.code} {course.title}"


def verification_url(certificate: Certificate) -> str:
    return portal_url(reverse("talent:certificate", kwargs={"serial": certificate.serial}))


def _tell_issued(certificate: Certificate, *, actor) -> None:
    title = certificate_title(certificate)
    expires = date_format(certificate.expires_on, "j F Y") if certificate.expires_on else ""
    notify(recipients=[certificate.person], kind=kinds.CERTIFICATE_ISSUED, actor=actor,
           message=f"Your certificate for {title} is issued.",
           url=reverse("talent:my_certificates"),
           context={"achievement": title, "serial": certificate.serial, "expires": expires,
                    "verify_url": verification_url(certificate)})


@transaction.atomic
def certificate_issue(*, actor, enrolment: Enrolment) -> Certificate:
    """The certificate of a completed enrolment: its own serial, an expiry counted from the
    run's last day when the course's certificates lapse. Asking again returns the one issued
    (so a batch that runs twice issues nothing twice); a revoked one stays revoked."""
    _check_may_manage(actor, "issue certificates")
    enrolment = Enrolment.objects.select_related("run__course", "person").get(pk=enrolment.pk)
    get_user_model().objects.select_for_update().filter(pk=enrolment.person_id).first()
    existing = Certificate.objects.filter(enrolment=enrolment).first()
    if existing is not None:
        return existing
    if enrolment.status != Enrolment.Status.COMPLETED:
        raise Conflict(
            f"Only a completed enrolment earns a certificate: {enrolment.person}'s enrolment on "
            f"{enrolment.run.course.code} is {enrolment.get_status_display().lower()}.",
            code="not_completed")
    run, course = enrolment.run, enrolment.run.course
    certificate = Certificate.objects.create(
        serial=_unused_serial(), person=enrolment.person, enrolment=enrolment,
        issued_on=timezone.localdate(), issued_by=person_of(actor),
        expires_on=(months_after(run.ends_on, course.certificate_valid_months)
                    if course.certificate_valid_months else None))
    audit_record(actor=actor, action="certificate.issue", target=certificate, scope=run,
                 changes={"person": enrolment.person.email, "course": course.code,
                          "expires_on": certificate.expires_on})
    _tell_issued(certificate, actor=actor)
    _issue_completed_paths(actor=actor, person=enrolment.person, course_id=course.pk)
    return certificate


def _issue_completed_paths(*, actor, person, course_id: int) -> list[Certificate]:
    """The certificate of every learning path through `course_id` whose every course the
    person now holds a certificate of (not revoked), and that they have not been given yet."""
    paths = list(LearningPath.objects.filter(steps__course_id=course_id)
                 .exclude(certificates__person=person).prefetch_related("steps").distinct())
    if not paths:
        return []
    held = set(Certificate.objects.filter(person=person, revoked_at__isnull=True,
                                          enrolment__isnull=False)
               .values_list("enrolment__run__course_id", flat=True))
    issued = []
    for path in paths:
        needed = {step.course_id for step in path.steps.all()}
        if not needed <= held:
            continue
        certificate = Certificate.objects.create(
            serial=_unused_serial(), person=person, learning_path=path,
            issued_on=timezone.localdate(), issued_by=person_of(actor))
        audit_record(actor=actor, action="certificate.issue_path", target=certificate,
                     scope=path, changes={"person": person.email, "learning_path": path.slug})
        _tell_issued(certificate, actor=actor)
        issued.append(certificate)
    return issued


@transaction.atomic
def certificate_revoke(*, actor, certificate: Certificate, reason: str) -> Certificate:
    """Withdraw a certificate (issued in error, or earned dishonestly): checking it then says it
    was revoked, and its holder is told why."""
    _check_may_manage(actor, "revoke certificates")
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("Say why the certificate is revoked: its holder is told.",
                               fields={"reason": "Required."})
    certificate = (Certificate.objects.select_for_update(of=("self",))
                   .select_related("person", "enrolment__run__course", "learning_path")
                   .get(pk=certificate.pk))
    if certificate.revoked_at is not None:
        revoked = date_format(timezone.localtime(certificate.revoked_at), "j M Y")
        raise Conflict(f"This certificate was already revoked on {revoked}.",
                       code="already_revoked")
    certificate.revoked_at, certificate.revocation_reason = timezone.now(), reason[:1000]
    certificate.save(update_fields=["revoked_at", "revocation_reason"])
    audit_record(actor=actor, action="certificate.revoke", target=certificate,
                 changes={"person": certificate.person.email, "reason": reason})
    title = certificate_title(certificate)
    notify(recipients=[certificate.person], kind=kinds.CERTIFICATE_REVOKED, actor=actor,
           message=f"Your certificate for {title} was revoked.",
           url=reverse("talent:my_certificates"),
           context={"achievement": title, "serial": certificate.serial, "reason": reason})
    return certificate


# --- A run's certificates at once, in the background ------------------------------------------


def _waiting_for_certificates(run: CourseRun):
    return Enrolment.objects.filter(run=run, status=Enrolment.Status.COMPLETED,
                                    certificate__isnull=True)


@transaction.atomic
def certificate_batch_start(*, actor, run: CourseRun) -> CertificateBatch:
    """Issue the certificates of everyone who completed `run`, in a task after commit; the
    batch row says how far it got. A batch already at work for the run is returned instead of
    a second one."""
    _check_may_manage(actor, "issue certificates")
    run = CourseRun.objects.select_for_update(of=("self",)).get(pk=run.pk)
    if run.status != CourseRun.Status.COMPLETED:
        raise Conflict("Certificates are issued once the run is completed: complete it first.",
                       code="run_not_completed")
    at_work = run.certificate_batches.exclude(status=CertificateBatch.Status.FINISHED).first()
    if at_work is not None:
        return at_work
    waiting = _waiting_for_certificates(run).count()
    if not waiting:
        raise Conflict("Everyone who completed this run has a certificate already.",
                       code="nothing_to_issue")
    batch = CertificateBatch.objects.create(run=run, requested_by=person_of(actor),
                                            total=waiting)
    audit_record(actor=actor, action="certificate_batch.start", target=batch, scope=run,
                 changes={"total": waiting})
    enqueue_on_commit("talent.tasks.issue_run_certificates", batch.pk)
    return batch


def certificate_batch_run(*, batch_id: int) -> CertificateBatch | None:
    """The task's work: one certificate_issue per enrolment, each its own transaction, counting
    as it goes. Safe to run twice (a worker that died, a duplicate delivery): what was issued
    is returned, not issued again, and the counts are taken from the database at the end."""
    batch = CertificateBatch.objects.select_related("run", "requested_by").filter(
        pk=batch_id).first()
    if batch is None or batch.status == CertificateBatch.Status.FINISHED:
        return batch
    actor = batch.requested_by or SYSTEM
    waiting = list(_waiting_for_certificates(batch.run).order_by("pk"))
    CertificateBatch.objects.filter(pk=batch.pk).update(
        status=CertificateBatch.Status.RUNNING, issued=max(batch.total - len(waiting), 0),
        failed=0)
    for enrolment in waiting:
        try:
            certificate_issue(actor=actor, enrolment=enrolment)
        except ApplicationError as error:
            CertificateBatch.objects.filter(pk=batch.pk, problem="").update(
                problem=error.message)
            _count(batch, "failed")
        else:
            _count(batch, "issued")
    left = _waiting_for_certificates(batch.run).count()
    CertificateBatch.objects.filter(pk=batch.pk).update(
        status=CertificateBatch.Status.FINISHED, finished_at=timezone.now(),
        issued=max(batch.total - left, 0), failed=min(left, batch.total))
    batch.refresh_from_db()
    return batch


def _count(batch: CertificateBatch, field: str) -> None:
    CertificateBatch.objects.filter(pk=batch.pk).update(**{field: F(field) + 1})


# --- Expiry reminders -------------------------------------------------------------------------


def certificate_expiry_reminders_send(*, today: datetime.date | None = None) -> int:
    """Tell each holder, once, that a certificate expires within EXPIRY_REMINDER_DAYS (a daily
    task). Not for a revoked certificate, nor for one its holder has renewed (a later
    certificate of the same course). Each reminder is claimed by a conditional update in its
    own transaction, so two runs at once remind nobody twice."""
    today = today or timezone.localdate()
    renewed = Certificate.objects.filter(
        person=OuterRef("person"), enrolment__run__course=OuterRef("enrolment__run__course"),
        revoked_at__isnull=True,
    ).filter(Q(expires_on__isnull=True) | Q(expires_on__gt=OuterRef("expires_on")))
    due = list(Certificate.objects.filter(
        expires_on__gte=today,
        expires_on__lte=today + datetime.timedelta(days=EXPIRY_REMINDER_DAYS),
        expiry_reminder_sent_on__isnull=True, revoked_at__isnull=True,
    ).exclude(Exists(renewed)).values_list("pk", flat=True))
    sent = 0
    for pk in due:
        with transaction.atomic():
            claimed = Certificate.objects.filter(
                pk=pk, expiry_reminder_sent_on__isnull=True, revoked_at__isnull=True,
            ).update(expiry_reminder_sent_on=today)
            if not claimed:
                continue  # another run reminded them, or it was revoked meanwhile
            certificate = Certificate.objects.select_related(
                "person", "enrolment__run__course", "learning_path").get(pk=pk)
            title = certificate_title(certificate)
            expires = date_format(certificate.expires_on, "j F Y")
            course = certificate.enrolment.run.course if certificate.enrolment_id else None
            notify(recipients=[certificate.person], kind=kinds.CERTIFICATE_EXPIRING,
                   actor=SYSTEM, message=f"Your certificate for {title} expires on {expires}.",
                   url=course.get_absolute_url() if course else reverse("talent:my_certificates"),
                   context={"achievement": title, "serial": certificate.serial,
                            "expires": expires})
            sent += 1
    return sent
