"""The reports tasks as beat and the request start them: a job asked for is built by its task
once the request's transaction commits (never before, and never on a rollback); a redelivered
task builds nothing twice; the hourly sweep deletes expired files and fails stalled jobs; the
first of the month asks for last month's programme report for each programme admin."""

import datetime

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cluster_portal.notifications.models import Notification
from cluster_portal.reports import tasks
from cluster_portal.reports.models import ReportJob
from cluster_portal.reports.services import report_job_request
from tests.reports.support import make_job

pytestmark = pytest.mark.django_db


def test_a_job_is_built_by_its_task_once_the_request_commits(
        mfa_staff_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job, _new = report_job_request(actor=mfa_staff_user, kind="audit_trail", format="csv")
        assert ReportJob.objects.get(pk=job.pk).status == "queued"  # nothing before commit
    job.refresh_from_db()
    assert job.status == "done" and job.file and job.rows >= 1  # its own request's trail
    assert Notification.objects.filter(recipient=mfa_staff_user, kind="report_ready").exists()

    tasks.build_report.delay(job.pk)  # redelivered: nothing is built again
    assert Notification.objects.filter(recipient=mfa_staff_user,
                                       kind="report_ready").count() == 1


def test_a_request_rolled_back_builds_nothing(mfa_staff_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        report_job_request(actor=mfa_staff_user, kind="audit_trail", format="csv")
        transaction.set_rollback(True)
    assert callbacks == [] and not ReportJob.objects.exists()


def test_the_sweep_deletes_expired_files_fails_stalled_jobs_and_sends_lost_ones_again(
        mfa_staff_user, django_capture_on_commit_callbacks):
    expired = make_job(mfa_staff_user, days_ago=settings.REPORT_FILES_KEEP_DAYS + 1)
    stalled = make_job(mfa_staff_user, status="running")
    long_ago = timezone.now() - datetime.timedelta(
        seconds=settings.REPORT_JOB_TIME_LIMIT_SECONDS + 1)
    ReportJob.objects.filter(pk=stalled.pk).update(created_at=long_ago, started_at=long_ago)
    # Asked for while the broker was down: its task never reached a worker.
    lost = make_job(mfa_staff_user, status="queued")
    ReportJob.objects.filter(pk=lost.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=5))
    just_asked = make_job(mfa_staff_user, status="queued")
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.tidy_reports.delay().get() == (1, 1, 1)
    expired.refresh_from_db()
    stalled.refresh_from_db()
    lost.refresh_from_db()
    just_asked.refresh_from_db()
    assert not expired.file and expired.expired_at
    assert stalled.status == "failed"
    assert lost.status == "done" and lost.file  # sent again, and built (eager here)
    assert just_asked.status == "queued"  # its own task may still be on the way
    assert settings.CELERY_BEAT_SCHEDULE["tidy-reports"]["task"] == tasks.tidy_reports.name


def test_the_monthly_task_asks_for_the_programme_report_of_each_programme_admin(
        mfa_admin_user, mfa_staff_user):
    assert tasks.request_monthly_programme_report.delay().get() == 1
    job = ReportJob.objects.get()
    assert (job.requester, job.kind, job.format) == (mfa_admin_user, "programme", "xlsx")
    assert settings.CELERY_BEAT_SCHEDULE["monthly-programme-report"]["task"] == (
        tasks.request_monthly_programme_report.name)
