"""The reports core: parameters checked field by field, the same request at work answered with
that one (also when two arrive at the same moment), a job built by its task into a private file
(formula cells neutralised), a kind that fails ending its job as failed and telling its
requester, and the sweeps: expired files deleted, stalled jobs failed, the monthly report."""

import csv
import datetime
import io
import threading

import pytest
from django.utils import timezone

from cluster_portal.accounts.models import User
from cluster_portal.audit.models import AuditEvent
from cluster_portal.audit.services import audit_record
from cluster_portal.core.exceptions import ApplicationError, NotAllowed
from cluster_portal.notifications.models import Notification
from cluster_portal.reports.kinds import ReportKind, kind_get
from cluster_portal.reports.models import ReportJob
from cluster_portal.reports.services import (
    report_job_request,
    report_job_run,
    report_jobs_expire,
    report_jobs_fail_stalled,
    report_monthly_request,
)
from tests.conftest import activate_totp
from tests.factories import UserFactory
from tests.reports.support import kind_registered, make_job, table_of
from tests.support.races import fresh, race, staff_with_mfa, unexpected

pytestmark = pytest.mark.django_db

AUDIT = "audit_trail"


def refused_fields(**request) -> dict:
    with pytest.raises(ApplicationError) as refused:
        report_job_request(**request)
    assert refused.value.status_code == 400
    return refused.value.fields


@pytest.mark.parametrize(("parameters", "field"), [
    ({"date_from": "2026-13-01"}, "date_from"),
    ({"date_from": "yesterday"}, "date_from"),
    ({"date_from": "2026-05-10", "date_to": "2026-05-01"}, "date_to"),
    ({"workstream": "not a slug!"}, "workstream"),
    ({"programme": "x" * 81}, "programme"),
    ({"actor": "not-an-address"}, "actor"),
    ({"object_type": "projects"}, "object_type"),
    ({"colour": "red"}, "colour"),
])
def test_a_wrong_parameter_is_refused_by_its_name(mfa_staff_user, parameters, field):
    fields = refused_fields(actor=mfa_staff_user, kind=AUDIT, format="csv",
                            parameters=parameters)
    assert set(fields) == {field}
    assert not ReportJob.objects.exists()


def test_the_actor_is_refused_on_a_kind_that_does_not_read_it(mfa_staff_user):
    with kind_registered(ReportKind(key="plain", label="Plain list", description="",
                                    formats=("csv",), tables=table_of([]))):
        fields = refused_fields(actor=mfa_staff_user, kind="plain", format="csv",
                                parameters={"actor": "someone@example.org"})
    assert set(fields) == {"actor"}


def test_an_unknown_kind_and_a_format_not_offered_are_refused_by_their_names(mfa_staff_user):
    assert set(refused_fields(actor=mfa_staff_user, kind="sales", format="csv")) == {"kind"}
    fields = refused_fields(actor=mfa_staff_user, kind=AUDIT, format="pdf")
    assert fields == {"format": ["The report “Audit trail” comes as CSV."]}


def test_someone_not_of_the_programme_office_may_not_ask(user, staff_user):
    for person in (user, staff_user):  # a trainee; staff without their second factor
        with pytest.raises(NotAllowed):
            report_job_request(actor=person, kind=AUDIT, format="csv")
    assert not ReportJob.objects.exists()


def test_the_same_request_at_work_is_answered_with_that_job_and_a_new_one_once_done(
        mfa_staff_user):
    parameters = {"date_from": "2026-01-01", "date_to": "2026-01-31"}
    first, new = report_job_request(actor=mfa_staff_user, kind=AUDIT, format="csv",
                                    parameters=parameters)
    assert new and first.status == "queued"
    again, new = report_job_request(actor=mfa_staff_user, kind=AUDIT, format="csv",
                                    parameters=dict(reversed(parameters.items())))
    assert (again.pk, new) == (first.pk, False)
    other, new = report_job_request(actor=mfa_staff_user, kind=AUDIT, format="csv",
                                    parameters={"date_from": "2026-01-02"})
    assert new and other.pk != first.pk
    someone_else, new = report_job_request(actor=staff_with_mfa(), kind=AUDIT, format="csv",
                                           parameters=parameters)
    assert new and someone_else.pk != first.pk

    report_job_run(job_id=first.pk)
    first.refresh_from_db()
    assert first.status == "done"
    later, new = report_job_request(actor=mfa_staff_user, kind=AUDIT, format="csv",
                                    parameters=parameters)
    assert new and later.pk != first.pk


@pytest.mark.django_db(transaction=True)
def test_the_same_request_twice_at_the_same_moment_makes_one_job():
    person = staff_with_mfa()
    # The tests build a job in the thread that asked, once its transaction commits: the job
    # stays at work until the other two requests are answered, as a worker's would while they
    # arrive (built at once, it would be done, and a request after it rightly a new job).
    others_answered = threading.Semaphore(0)

    def held_until_the_others_are_answered(actor, parameters):
        for _ in range(2):
            others_answered.acquire(timeout=20)
        yield from table_of([("one", 1)])(actor, parameters)

    def ask():
        job, new = report_job_request(actor=fresh(User, person.pk), kind="held", format="csv")
        if not new:
            others_answered.release()
        return job, new

    with kind_registered(ReportKind(key="held", label="Held list", description="",
                                    formats=("csv",),
                                    tables=held_until_the_others_are_answered)):
        outcomes = race(ask, ask, ask)
    assert unexpected(outcomes) == []
    assert ReportJob.objects.filter(requester=person).count() == 1
    assert {job.pk for job, _new in outcomes} == {ReportJob.objects.get().pk}
    assert sorted(new for _job, new in outcomes) == [False, False, True]


def test_the_audit_trail_is_built_as_a_csv_with_formula_cells_neutralised(mfa_admin_user):
    target = UserFactory(full_name="=cmd|' /C calc'!A0")
    audit_record(actor=mfa_admin_user, action="person.role_granted", target=target,
                 changes={"role": "programme_staff"})
    audit_record(actor=mfa_admin_user, action="person.other", target=mfa_admin_user)
    job, _ = report_job_request(actor=mfa_admin_user, kind=AUDIT, format="csv",
                                parameters={"object_type": "accounts.user",
                                            "actor": mfa_admin_user.email.upper()})
    built = report_job_run(job_id=job.pk)

    assert (built.status, built.progress, built.error) == ("done", 100, "")
    assert built.file_name.startswith("audit-trail-") and built.file_name.endswith(".csv")
    assert built.expires_at > timezone.now() + datetime.timedelta(days=6)
    rows = list(csv.reader(io.StringIO(built.file.open("rb").read().decode("utf-8-sig"))))
    assert rows[0] == ["when", "who", "action", "object type", "object", "object id",
                       "changes"]
    expected = AuditEvent.objects.filter(actor=mfa_admin_user,
                                         target_type__model="user").count()
    assert built.rows == expected == len(rows) - 1
    granted = next(row for row in rows if row[2] == "person.role_granted")
    assert granted[1] == mfa_admin_user.email and granted[3] == "accounts.user"
    assert granted[4] == "'=cmd|' /C calc'!A0"  # never read as a formula
    assert granted[6] == '{"role": "programme_staff"}'
    notice = Notification.objects.get(recipient=mfa_admin_user, kind="report_ready")
    assert notice.url == f"/reports/{job.pk}/"


def test_a_kind_that_fails_ends_its_job_as_failed_and_tells_its_requester(mfa_staff_user):
    def broken(actor, parameters):
        raise RuntimeError("the data went away")

    with kind_registered(ReportKind(key="broken", label="Broken list", description="",
                                    formats=("csv", "xlsx"), tables=broken)):
        job, _ = report_job_request(actor=mfa_staff_user, kind="broken", format="xlsx")
        failed = report_job_run(job_id=job.pk)
    assert failed.status == "failed" and not failed.file
    assert "could not be built (RuntimeError)" in failed.error
    assert "data went away" not in failed.error  # the cause is logged, not shown
    notice = Notification.objects.get(recipient=mfa_staff_user, kind="report_failed")
    assert "Broken list".lower() in notice.message


def test_running_a_job_twice_builds_it_once(mfa_staff_user):
    calls = []

    def counted(actor, parameters):
        calls.append(1)
        yield from table_of([("a", 1), ("=b", 2)])(actor, parameters)

    with kind_registered(ReportKind(key="counted", label="Counted list", description="",
                                    formats=("csv", "xlsx"), tables=counted)):
        job, _ = report_job_request(actor=mfa_staff_user, kind="counted", format="xlsx")
        report_job_run(job_id=job.pk)
        again = report_job_run(job_id=job.pk)
    assert len(calls) == 1 and again.status == "done" and again.rows == 2
    assert Notification.objects.filter(recipient=mfa_staff_user, kind="report_ready").count() == 1
    assert again.file.open("rb").read(2) == b"PK"  # an XLSX is a zip


def test_expired_files_are_deleted_and_their_jobs_kept(mfa_staff_user):
    old = make_job(mfa_staff_user, days_ago=8)
    fresh_job = make_job(mfa_staff_user)
    storage, name = old.file.storage, old.file.name
    assert storage.exists(name)

    assert report_jobs_expire() == 1
    old.refresh_from_db()
    assert not storage.exists(name) and not old.file and old.expired_at is not None
    assert old.status == "done" and old.file_name  # the row says what it was
    fresh_job.refresh_from_db()
    assert fresh_job.file and fresh_job.expired_at is None
    assert report_jobs_expire() == 0


def test_a_stalled_job_is_marked_failed_and_its_requester_told(mfa_staff_user, settings):
    stalled = make_job(mfa_staff_user, status="running")
    recent = make_job(mfa_staff_user, status="queued")
    long_ago = timezone.now() - datetime.timedelta(
        seconds=settings.REPORT_JOB_TIME_LIMIT_SECONDS + 60)
    ReportJob.objects.filter(pk=stalled.pk).update(created_at=long_ago, started_at=long_ago)

    assert report_jobs_fail_stalled() == 1
    stalled.refresh_from_db()
    recent.refresh_from_db()
    assert stalled.status == "failed" and "time limit" in stalled.error
    assert recent.status == "queued"
    assert Notification.objects.filter(recipient=mfa_staff_user,
                                       kind="report_failed").count() == 1


def test_the_monthly_report_is_asked_for_each_programme_admin_with_mfa(mfa_admin_user):
    without_mfa = UserFactory(role="programme_admin")
    staff = staff_with_mfa()
    second = UserFactory(role="programme_admin")
    activate_totp(second)

    jobs = report_monthly_request(today=datetime.date(2026, 3, 4))

    assert {job.requester for job in jobs} == {mfa_admin_user, second}
    assert all((job.kind, job.format) == ("programme", "xlsx") for job in jobs)
    assert jobs[0].parameters == {"date_from": "2026-02-01", "date_to": "2026-02-28"}
    assert not ReportJob.objects.filter(requester__in=[without_mfa, staff]).exists()
    # Asked again the same day (a beat redelivery): the same jobs, not more.
    assert {job.pk for job in report_monthly_request(today=datetime.date(2026, 3, 4))} == {
        job.pk for job in jobs}
    assert kind_get("programme").formats == ("xlsx",)
