"""Reads of report jobs: a person sees their own; programme admins see everyone's."""

from django.db.models import QuerySet

from cluster_portal.accounts.permissions import may_act_as_admin

from .models import ReportJob


def report_job_list_visible(*, user) -> QuerySet[ReportJob]:
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return ReportJob.objects.none()
    jobs = ReportJob.objects.select_related("requester")
    return jobs if may_act_as_admin(user) else jobs.filter(requester=user)


def report_jobs_of(*, user) -> QuerySet[ReportJob]:
    """The person's own jobs, newest first (their reports page)."""
    return report_job_list_visible(user=user).filter(requester=user)
