"""Celery adapters for reports: ids in, one service call out."""

from celery import shared_task
from django.conf import settings

from .services import (
    report_job_run,
    report_jobs_expire,
    report_jobs_fail_stalled,
    report_jobs_send_again,
    report_monthly_request,
)


@shared_task(ignore_result=True, acks_late=True,
             time_limit=settings.REPORT_JOB_TIME_LIMIT_SECONDS,
             soft_time_limit=settings.REPORT_JOB_TIME_LIMIT_SECONDS - 30)
def build_report(job_id: int) -> None:
    """Build a report asked for (report_job_request queues it after commit). Running it twice
    builds it once: the second finds it claimed or done."""
    report_job_run(job_id=job_id)


@shared_task(ignore_result=True, time_limit=600)
def tidy_reports() -> tuple[int, int, int]:
    """Every few minutes: files past their days are deleted, jobs whose worker died are marked
    failed, and jobs whose task was lost (a broker outage) are sent again."""
    return report_jobs_expire(), report_jobs_fail_stalled(), report_jobs_send_again()


@shared_task(ignore_result=True, time_limit=600)
def request_monthly_programme_report() -> int:
    """On the first of the month: last month's programme report for each programme admin."""
    return len(report_monthly_request())
