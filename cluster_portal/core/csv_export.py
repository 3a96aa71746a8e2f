"""CSV downloads that spreadsheets open safely: streamed row by row as they are read (constant
memory, however long the list), UTF-8 with a byte-order mark so Excel reads accents right, and
every cell that a spreadsheet would run as a formula neutralised (CSV injection)."""

import csv
from collections.abc import Iterable

from django.http import StreamingHttpResponse

# A spreadsheet runs a cell starting with one of these as a formula.
FORMULA_SIGNS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value) -> str:
    """The cell's text, with a leading apostrophe when it would start a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_SIGNS) else text


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
