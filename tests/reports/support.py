"""What the reports tests share: a throwaway kind registered for one test, and jobs in each
state as the task and the sweep would leave them."""

import contextlib
import datetime

from django.core.files.base import ContentFile
from django.utils import timezone

from cluster_portal.reports.kinds import REGISTRY, ReportKind, Table, register
from cluster_portal.reports.models import ReportJob


@contextlib.contextmanager
def kind_registered(kind: ReportKind):
    """`kind` in the registry for the block only (and what was under its key put back)."""
    before = REGISTRY.kinds.get(kind.key)
    register(kind)
    try:
        yield kind
    finally:
        if before is None:
            REGISTRY.kinds.pop(kind.key, None)
        else:
            REGISTRY.kinds[kind.key] = before


def table_of(rows):
    def tables(actor, parameters):
        yield Table(title="Rows", header=("name", "value"), rows=iter(rows), count=len(rows))
    return tables


def make_job(requester, *, status="done", kind="audit_trail", format="csv", parameters=None,
             content=b"when,who\r\n", expired=False, days_ago=0, fingerprint=None):
    now = timezone.now() - datetime.timedelta(days=days_ago)
    job = ReportJob.objects.create(
        kind=kind, format=format, parameters=parameters or {}, requester=requester,
        status=status, fingerprint=fingerprint or f"test-{ReportJob.objects.count()}-{status}",
        progress=100 if status == "done" else 0)
    if status == "done":
        job.finished_at, job.rows = now, 1
        job.expires_at = now + datetime.timedelta(days=7)
        job.file_name = f"audit-trail-{job.pk}.{format}"
        if expired:
            job.expired_at = now + datetime.timedelta(days=7)
        else:
            job.file.save(job.file_name, ContentFile(content), save=False)
        job.save()
    return job
