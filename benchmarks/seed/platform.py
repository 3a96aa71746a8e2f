"""The benchmark dataset: the platform's own rows, notifications and report jobs."""

import datetime

from django.conf import settings
from django.db import transaction

from cluster_portal.notifications.models import Delivery, Notification
from cluster_portal.reports.models import ReportJob
from cluster_portal.reports.services import _fingerprint as report_fingerprint

from .common import (
    BATCH,
    NOTIFICATION_KINDS,
    backdate,
    bulk,
    write_private_file,
)


class PlatformSection:
    """A section of BenchSeeder (benchmarks.seed)."""

    # --- notifications ------------------------------------------------------------------------

    def notifications(self) -> None:
        rng, everyone = self.rng, [*self.staff, *self.people]
        total = self.counts.notifications
        for start in range(0, total, BATCH):
            rows = []
            for _ in range(min(BATCH, total - start)):
                kind = rng.choice(NOTIFICATION_KINDS)
                rows.append(Notification(
                    recipient=rng.choice(everyone), kind=kind.key, message=kind.label + ".",
                    read_at=self.now if rng.random() < 0.6 else None,
                    delivery=rng.choices(Delivery.values, (20, 20, 60))[0]))
            with transaction.atomic():
                Notification.objects.bulk_create(rows)

    # --- reports --------------------------------------------------------------------------------

    REPORT_REQUESTS = [("programme", "xlsx", {}), ("membership", "csv", {}),
                       ("membership", "xlsx", {}), ("training_outcomes", "csv", {}),
                       ("enrolments", "xlsx", {}), ("portfolio_list", "csv", {}),
                       ("audit_trail", "csv", {}), ("project_portfolio", "pdf", {})]

    @transaction.atomic
    def report_jobs(self) -> None:
        """Reports programme staff asked for: most done (those of the last week with their
        file, older ones expired and their file gone, as the sweep leaves them), some failed,
        a few still queued (at most one identical request at work per person)."""
        rng, Status, rows, created = self._rng("report_jobs"), ReportJob.Status, [], []
        at_work = set()
        for number in range(self.counts.report_jobs):
            requester = rng.choice(self.staff)
            kind, format, parameters = rng.choice(self.REPORT_REQUESTS)
            fingerprint = report_fingerprint(kind, format, parameters)
            status = rng.choices([Status.DONE, Status.FAILED, Status.QUEUED], (75, 15, 10))[0]
            if status == Status.QUEUED and (requester.pk, fingerprint) in at_work:
                status = Status.FAILED
            asked_at = (self.now - datetime.timedelta(minutes=rng.randint(1, 60))
                        if status == Status.QUEUED else self._days_ago(rng, 0, 60))
            job = ReportJob(kind=kind, format=format, parameters=parameters,
                            fingerprint=fingerprint, requester=requester, status=status)
            if status == Status.QUEUED:
                at_work.add((requester.pk, fingerprint))
            else:
                job.started_at = asked_at + datetime.timedelta(seconds=rng.randint(1, 30))
                job.finished_at = job.started_at + datetime.timedelta(seconds=rng.randint(1, 90))
            if status == Status.FAILED:
                job.error = ("The report could not be built (OperationalError). Ask for it "
                             "again; if it fails again, tell the programme office.")
            elif status == Status.DONE:
                job.progress, job.rows = 100, rng.randint(10, 5000)
                job.file_name = f"bench-report-{number + 1:05d}.{format}"
                job.expires_at = job.finished_at + datetime.timedelta(
                    days=settings.REPORT_FILES_KEEP_DAYS)
                if job.expires_at <= self.now:
                    job.expired_at = job.expires_at
                else:  # each its own file: the expiry sweep deletes it with the job's
                    job.file = write_private_file(f"reports/{job.file_name}",
                                                  b"name,value\nbenchmark,1\n")
            rows.append(job)
            created.append(asked_at)
        rows = bulk(ReportJob, rows)
        backdate(ReportJob, "created_at", zip(rows, created, strict=True))
        self.made["report jobs"] = len(rows)
