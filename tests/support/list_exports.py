"""What the tests of the staff lists' exports share: reading a streamed CSV, its cost, and an
export too long to stream followed to its report job and that job's file."""

import csv
import io

from django.urls import resolve

from cluster_portal.reports.models import ReportJob
from cluster_portal.reports.services import report_job_run

from .queries import queries_of


def streamed_rows(response) -> list[list[str]]:
    """The header and rows of a streamed CSV download."""
    assert response.status_code == 200, response.status_code
    assert response.streaming, "a list's export is streamed"
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def export_queries(client, url: str, data=None) -> int:
    """How many queries the export costs, its streamed rows read to the end."""
    def get():
        response = client.get(url, data or {})
        assert response.status_code == 200 and response.streaming
        b"".join(response.streaming_content)
    return queries_of(get)


def job_asked_by(client, url: str, data=None) -> ReportJob:
    """The report job an export too long to stream asks for, having followed its redirect."""
    response = client.get(url, data or {})
    assert response.status_code == 302, response.status_code
    match = resolve(response["Location"])
    assert match.view_name == "reports:detail", response["Location"]
    return ReportJob.objects.get(pk=match.kwargs["pk"])


def job_rows(job: ReportJob) -> list[list[str]]:
    """The header and rows the job writes once the task runs it."""
    job = report_job_run(job_id=job.pk)
    assert job.status == ReportJob.Status.DONE, job.error
    with job.file.open("rb") as built:
        text = built.read().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))
