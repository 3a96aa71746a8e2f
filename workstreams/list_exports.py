"""The workstreams app's staff lists as exports too long to stream at once: each a report kind that
applies the list's own filters through the same selector (cluster_portal.reports).

The join-request queue's export, for programme staff: its filter, header and row live here, so
the queue page, its streamed download (views.queue_csv) and the report job of a queue too long to
stream read the same requests (selectors.join_request_queue) and write the same columns."""

import re
from collections.abc import Mapping

from django.utils import timezone

from cluster_portal.core.csv_export import list_export_rows
from cluster_portal.reports.kinds import ReportKind, ReportParameters, Table
from cluster_portal.reports.kinds import register as register_kinds

from .models import JoinRequest
from .selectors import join_request_queue

QUEUE_KIND = "join_request_queue_list"
QUEUE_HEADER = ("organisation", "workstream", "requested at", "motivation", "status")

SLUG_PATTERN = re.compile(r"[-a-zA-Z0-9_]*")


def queue_workstream(query: Mapping | None) -> str:
    """The workstream the queue is filtered by: a value no workstream's slug could be shows the
    whole queue."""
    workstream_slug = str((query or {}).get("workstream") or "")
    return workstream_slug if SLUG_PATTERN.fullmatch(workstream_slug) else ""


def queue_requests(query: Mapping | None):
    """The pending requests exactly as the queue lists them with this filter."""
    return join_request_queue(workstream_slug=queue_workstream(query))


def queue_row(join_request: JoinRequest) -> tuple:
    return (
        join_request.organisation.name, join_request.workstream.name,
        f"{timezone.localtime(join_request.created_at):%Y-%m-%d %H:%M}",
        join_request.motivation, join_request.get_status_display(),
    )


def _queue_tables(actor, parameters: ReportParameters):
    requests = queue_requests(parameters.filters)
    yield Table(title="Join requests", header=QUEUE_HEADER,
                rows=list_export_rows([requests], queue_row), count=requests.count())


QUEUE_LIST = ReportKind(
    key=QUEUE_KIND, label="Join requests",
    description="The pending requests to join workstreams, oldest first, as the review queue "
                "lists them: the organisation, the workstream, when it asked, its motivation.",
    formats=("csv",), audience="staff", tables=_queue_tables,
    extra_parameters=("filters",), order=220)


def register() -> None:
    """Register this app's list exports (called from ready())."""
    register_kinds(QUEUE_LIST)
