"""Figure 4: every enrolment (100,000 at scale 1) exported as a report job, in CSV and XLSX,
against PostgreSQL's own `COPY (the same query) TO STDOUT WITH CSV HEADER` in the same run: the
CSV's query, whose days and moments PostgreSQL writes as text (the detail adds COPY of the
query the workbook reads, with them as values).

The portal's side is asked for through the service as the programme admin and built by
report_job_run in a fresh process each time (benchmarks/export_probe.py), so the peak memory
measured (VmHWM) is that worker's. Goals: the CSV within 3× of COPY and under 120 MB at its
peak; the XLSX under 30 s and 250 MB. The jobs, their files and the notices they sent are
deleted afterwards.
"""

import json
import subprocess
import tempfile
import time
import zipfile

from django.db import connection

from benchmarks.harness import PYTHON, ROOT, Figure, bench_environment, median
from cluster_portal.audit.models import AuditEvent
from cluster_portal.notifications.models import Notification, OutgoingEmail
from cluster_portal.reports.kinds import ReportParameters
from cluster_portal.reports.models import ReportJob
from cluster_portal.reports.services import report_job_url
from talent.reports import every_enrolment_values

KIND = "enrolments"
ROUNDS = 3
CSV_RATIO_GOAL, CSV_MB_GOAL = 3, 120
XLSX_SECONDS_GOAL, XLSX_MB_GOAL = 30, 250
SECTION = "Exports: every enrolment"


def copy_sql(admin, *, as_csv_cells: bool = True) -> str:
    """The export's own query, as the admin's CSV reads it (its cells as the file holds them),
    with its parameters bound; or, not `as_csv_cells`, as the workbook reads it (days and
    moments as values, which COPY then writes itself)."""
    values = every_enrolment_values(admin, ReportParameters(), as_csv_cells=as_csv_cells)
    sql, params = values.query.sql_with_params()
    with connection.cursor() as cursor:
        return cursor.cursor.mogrify(sql, params).decode()


def copy_once(sql: str) -> tuple[float, int]:
    """Seconds COPY took to write the query's CSV to a file, and the file's lines."""
    with tempfile.TemporaryFile("w+b") as out, connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.cursor.copy_expert(f"COPY ({sql}) TO STDOUT WITH CSV HEADER", out)
        out.flush()
        seconds = time.perf_counter() - started
        out.seek(0)
        return seconds, sum(1 for _line in out)


def _rows_in_file(job: ReportJob) -> int:
    """Rows the file holds, header included: CSV records, or the XLSX sheet's <row>s."""
    with job.file.open("rb") as file:
        if job.format == ReportJob.Format.CSV:
            return sum(1 for _line in file)  # no field of this export holds a line break
        with zipfile.ZipFile(file) as book, book.open("xl/worksheets/sheet1.xml") as sheet:
            count, tail = 0, b""
            while chunk := sheet.read(1 << 20):
                count += (tail + chunk).count(b"<row ")
                tail = chunk[-4:]
            return count


def _forget(job: ReportJob) -> None:
    """The job, its file, and what it left: the notice (and its e-mail) and its audit lines."""
    url = report_job_url(job)
    notices = Notification.objects.filter(recipient=job.requester_id, url=url)
    OutgoingEmail.objects.filter(pk__in=notices.exclude(email=None).values("email")).delete()
    notices.delete()
    AuditEvent.objects.filter(target_id=job.pk, action__startswith="report_job.").delete()
    if job.file:
        job.file.delete(save=False)
    job.delete()


def probe_once(run, format: str) -> dict:
    """One export built in a fresh process; what it measured, and the file's rows."""
    finished = subprocess.run(
        [PYTHON, "-m", "benchmarks.export_probe", "--kind", KIND, "--format", format,
         "--requester", str(run.people.admin.pk)],
        cwd=ROOT, env=bench_environment(run.database_url), capture_output=True, text=True,
        check=True)
    measured = json.loads(finished.stdout.strip().splitlines()[-1])
    job = ReportJob.objects.get(pk=measured["job"])
    try:
        measured["file_rows"] = _rows_in_file(job) if job.file else 0
    finally:
        _forget(job)
    return measured


def measure(run) -> None:
    sql = copy_sql(run.people.admin)
    copy_once(sql)  # warm the cache
    copies = [copy_once(sql) for _ in range(ROUNDS)]
    copy_seconds, copy_lines = median(s for s, _ in copies), copies[0][1]
    # The same rows with the days and moments left for COPY to write: for the record, since
    # the database's formatting of them is part of the CSV's query (and so of COPY's time).
    values_sql = copy_sql(run.people.admin, as_csv_cells=False)
    copy_values_seconds = median(copy_once(values_sql)[0] for _ in range(ROUNDS))
    expected = copy_lines - 1
    for format in ("csv", "xlsx"):
        probes = [probe_once(run, format) for _ in range(ROUNDS)]
        seconds = median(p["seconds"] for p in probes)
        peak = max(p["peak_rss_mb"] for p in probes)
        complete = all(p["status"] == "done" and p["rows"] == expected
                       and p["file_rows"] == expected + 1 for p in probes)
        detail = {"rows_written": probes[0]["rows"], "file_rows": probes[0]["file_rows"],
                  "copy_rows": expected, "rounds": ROUNDS,
                  "seconds_each": [round(p["seconds"], 2) for p in probes],
                  "cpu_seconds": round(median(p["cpu_seconds"] for p in probes), 2),
                  "rss_before_build_mb": round(median(p["rss_before_mb"] for p in probes), 1),
                  "copy_of_values_seconds": round(copy_values_seconds, 3),
                  "complete": complete}
        if format == "csv":
            ratio = seconds / copy_seconds
            run.results.add(Figure(
                section=SECTION, name="CSV, 100,000 enrolments: time", value=seconds,
                unit="s", reference=copy_seconds, reference_name="COPY … TO STDOUT CSV",
                ratio=ratio, goal=f"≤ {CSV_RATIO_GOAL}×",
                met=complete and ratio <= CSV_RATIO_GOAL, detail=detail))
            run.results.add(Figure(
                section=SECTION, name="CSV: the worker's peak memory", value=peak, unit="MB",
                reference_name="peak RSS (VmHWM)", goal=f"< {CSV_MB_GOAL} MB",
                met=complete and peak < CSV_MB_GOAL, detail=detail))
        else:
            run.results.add(Figure(
                section=SECTION, name="XLSX, 100,000 enrolments: time", value=seconds,
                unit="s", reference=copy_seconds, reference_name="COPY … TO STDOUT CSV",
                ratio=seconds / copy_seconds, goal=f"< {XLSX_SECONDS_GOAL} s",
                met=complete and seconds < XLSX_SECONDS_GOAL, detail=detail))
            run.results.add(Figure(
                section=SECTION, name="XLSX: the worker's peak memory", value=peak,
                unit="MB", reference_name="peak RSS (VmHWM)", goal=f"< {XLSX_MB_GOAL} MB",
                met=complete and peak < XLSX_MB_GOAL, detail=detail))
