"""CSV downloads that spreadsheets open safely: streamed row by row as they are read (constant
memory, however long the list), UTF-8 with a byte-order mark so Excel reads accents right, and
every cell that a spreadsheet would run as a formula neutralised (CSV injection).

A staff list page exports what it lists through `list_export`: streamed up to
settings.LIST_EXPORT_MAX_ROWS rows, and beyond that built as a report job (cluster_portal.reports)
of the list's own export kind, which the app registers in its list_exports module."""

import csv
from collections.abc import Callable, Iterable, Iterator, Sequence

from django.conf import settings
from django.contrib import messages
from django.db.models import Case, QuerySet, TextField, Value, When
from django.db.models.functions import Concat, Left
from django.db.models.lookups import In
from django.http import StreamingHttpResponse
from django.shortcuts import redirect

from .exceptions import ApplicationError, NotAllowed
from .pages import Refused

# A spreadsheet runs a cell starting with one of these as a formula.
FORMULA_SIGNS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value) -> str:
    """The cell's text, with a leading apostrophe when it would start a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_SIGNS) else text


def spreadsheet_safe_text(expression) -> Case:
    """`spreadsheet_safe` in the query: the text `expression`, with a leading apostrophe when it
    would start a formula, for a CSV that the database writes itself (COPY)."""
    return Case(
        When(In(Left(expression, 1), list(FORMULA_SIGNS)),
             then=Concat(Value("'"), expression, output_field=TextField())),
        default=expression, output_field=TextField())


class _Echo:
    """A file-like object whose write returns the line, for csv.writer to stream through."""

    def write(self, line: str) -> str:
        return line


def csv_download(*, filename: str, header: Iterable[str], rows: Iterable[Iterable]):
    """A streamed CSV attachment: `rows` is read lazily (pass a queryset's .iterator())."""
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"
        yield writer.writerow(list(header))
        for row in rows:
            yield writer.writerow([spreadsheet_safe(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- a staff list page's export -------------------------------------------------------------------

# How many rows a list's export reads from the database at a time (a server-side cursor on
# PostgreSQL; a chunk's prefetches are read once per chunk).
LIST_EXPORT_CHUNK_ROWS = 2000


def list_export_filters(query, names: Iterable[str]) -> dict[str, str]:
    """The list's filters as its query string holds them: the named ones that are given (the
    page number is no filter), each its last value, as the list's filter form reads it."""
    return {name: query.get(name) for name in names if query.get(name)}


def list_export_rows(querysets, row: Callable) -> Iterator:
    """Each row of the querysets in turn (a list may be in parts, such as a run's roster),
    read through a server-side cursor in chunks, so memory stays flat however long it is."""
    for queryset in querysets:
        for item in queryset.iterator(chunk_size=LIST_EXPORT_CHUNK_ROWS):
            yield row(item)


def list_export(request, *, queryset, header: Sequence[str], row: Callable, filename: str,
                kind: str, filters: dict[str, str], list_url: str):
    """A list page's export, of exactly what the page lists with its filters: streamed as it
    is read when it holds up to settings.LIST_EXPORT_MAX_ROWS rows; longer, a report job of the
    list's export `kind` (which applies the same `filters` through the same selector) is asked
    for, and the person sent to follow it.

    `queryset` is the list's query, or a sequence of them for a list in parts, in order."""
    from cluster_portal.reports.services import report_job_request, report_job_url

    querysets = [queryset] if isinstance(queryset, QuerySet) else list(queryset)
    count = sum(part.count() for part in querysets)
    if count <= settings.LIST_EXPORT_MAX_ROWS:
        return csv_download(filename=filename, header=header,
                            rows=list_export_rows(querysets, row))
    try:
        job, is_new = report_job_request(actor=request.user, kind=kind, format="csv",
                                         parameters={"filters": filters})
    except NotAllowed as error:
        raise Refused(error.message) from error
    except ApplicationError as error:
        messages.error(request, f"The list could not be exported: {error.message}")
        return redirect(list_url)
    rows = f"{count:,} rows"
    messages.info(request, (
        f"This list is long ({rows}), so it is being built as a report: you will be told when "
        "it is ready to download." if is_new else
        f"This list is long ({rows}) and is already being built as a report: you will be told "
        "when it is ready to download."))
    return redirect(report_job_url(job))
