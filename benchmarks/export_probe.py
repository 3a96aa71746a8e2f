"""One export built as the report task builds it, in a process of its own so that its peak memory
is the export's: `python -m benchmarks.export_probe --kind enrolments --format csv --requester 1`
(benchmarks.figures.exports starts it on the scale's database).

It asks for the report through the service as the requester, builds it with report_job_run
(what the task calls), and prints one line of JSON: the job's id, the seconds the build took,
the CPU seconds this process spent on it (the machine may be shared), the rows written, and
the process's memory before the build and at its peak (VmHWM). Reading the file back to check
it is left to the caller, so as not to add to the peak.
"""

from __future__ import annotations

import argparse
import json
import os
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
django.setup()

from django.urls import reverse  # noqa: E402

from cluster_portal.accounts.models import User  # noqa: E402
from cluster_portal.reports.services import report_job_request, report_job_run  # noqa: E402


def memory_mb(field: str) -> float:
    """A line of /proc/self/status (VmRSS now, VmHWM the peak so far), in MB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    raise LookupError(field)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kind", required=True)
    parser.add_argument("--format", required=True)
    parser.add_argument("--requester", type=int, required=True)
    args = parser.parse_args()
    requester = User.objects.get(pk=args.requester)
    job, _new = report_job_request(actor=requester, kind=args.kind, format=args.format)
    # A worker has loaded the URLconf (to link the notice) after its first job: load it
    # before the clock starts, so the figure is the export's and not a first import's.
    reverse("reports:detail", kwargs={"pk": job.pk})
    before = memory_mb("VmRSS")
    started, cpu_started = time.perf_counter(), time.process_time()
    job = report_job_run(job_id=job.pk)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    print(json.dumps({"job": job.pk, "status": job.status, "error": job.error,
                      "seconds": seconds, "cpu_seconds": cpu_seconds, "rows": job.rows,
                      "rss_before_mb": before, "peak_rss_mb": memory_mb("VmHWM")}), flush=True)


if __name__ == "__main__":
    main()
