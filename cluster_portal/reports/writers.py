"""Writing a report's tables to its file, row by row as they are read: CSV through the csv
module, XLSX through xlsxwriter's constant-memory mode (each row goes to disk once written), so
100,000 rows cost the worker no more memory than 100.

A table that offers `csv_query` (kinds.Table) has its CSV written by PostgreSQL: COPY of the
query, after the header."""

import csv
import datetime
import io
import re
from collections.abc import Iterable
from itertools import islice

from django.db import connections

from cluster_portal.core.csv_export import FORMULA_SIGNS, spreadsheet_safe

from .kinds import Progress, Table

# How often (in rows) the job is told how far it got (services save it at most once a second).
PROGRESS_EVERY_ROWS = 2000
# How many rows a CSV is written at a time.
CSV_BATCH_ROWS = 1000
# Columns of only these the csv module writes as they are ("" for nothing, else str()).
WRITTEN_AS_THEY_ARE = {type(None), datetime.date, datetime.datetime}
TEXT_OR_NOTHING = {str, type(None)}
# A cell starting a formula, in a column's cells each put after a line break (a pattern that
# starts with a plain character is searched for quickly).
FORMULA_START = re.compile("\n[" + "".join(map(re.escape, FORMULA_SIGNS)) + "]")
# An Excel sheet's name: at most 31 characters, none of these.
SHEET_NAME_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", " "))


class _Counter:
    """Counts the rows written and tells `progress` now and then: tables done, plus the part
    of the current one when its count is known."""

    def __init__(self, tables: int, progress: Progress):
        self.tables, self.progress, self.rows, self.done = max(tables, 1), progress, 0, 0

    def rows_written(self, table: Table, index: int, rows: int = 1) -> None:
        """`rows` more written, the last of them the table's `index`th."""
        before, self.rows = self.rows, self.rows + rows
        if self.rows // PROGRESS_EVERY_ROWS > before // PROGRESS_EVERY_ROWS:
            within = (index / table.count) if table.count else 0.5
            self.progress(min((self.done + min(within, 1)) / self.tables, 0.99))

    def table_done(self) -> None:
        self.done += 1
        self.progress(min(self.done / self.tables, 0.99))


def write_csv(tables: Iterable[Table], path: str, progress: Progress) -> int:
    """The first table as CSV (UTF-8 with a byte-order mark, formula cells neutralised),
    written a batch of rows at a time (the csv module's writerows does the loop in C), or by
    PostgreSQL when the table offers its `csv_query`."""
    table = next(iter(tables))
    counter = _Counter(1, progress)
    with open(path, "w", newline="", encoding="utf-8-sig") as out:
        if table.csv_query is not None:
            # COPY ends its lines with a line feed alone: so does the header, for one file.
            csv.writer(out, lineterminator="\n").writerow(list(table.header))
            _copy_csv(table, out, counter)
        else:
            _write_rows(table, out, counter)
    counter.table_done()
    return counter.rows


def _write_rows(table: Table, out, counter: _Counter) -> None:
    writer = csv.writer(out)
    writer.writerow(list(table.header))
    rows, written = iter(table.rows), 0
    while batch := list(islice(rows, CSV_BATCH_ROWS)):
        writer.writerows(_cells(batch))
        written += len(batch)
        counter.rows_written(table, written, len(batch))


class _CountingRows(io.TextIOBase):
    """The file COPY writes to, a row at a time, counting them."""

    def __init__(self, out):
        self.out, self.written = out, 0

    def write(self, row: str) -> int:
        self.out.write(row)
        self.written += 1
        return len(row)


def _copy_csv(table: Table, out, counter: _Counter) -> None:
    """The table's query written by PostgreSQL: COPY (query) TO STDOUT as CSV, each row handed
    to the file as it arrives (the worker holds one row at a time, and does no work per cell).
    The connection is COPY's until the last row, so the job's progress is told once, at the
    end: 100,000 rows take well under a second."""
    query = table.csv_query()
    sql, params = query.query.sql_with_params()
    rows = _CountingRows(out)
    with connections[query.db].cursor() as cursor:
        bound = cursor.mogrify(sql, params).decode()
        cursor.copy_expert(f"COPY ({bound}) TO STDOUT WITH (FORMAT csv)", rows)
    counter.rows_written(table, rows.written, rows.written)


def _cells(batch: list) -> Iterable:
    """The batch's rows as their CSV cells, checked a column at a time rather than a cell at a
    time (a call per cell was most of the writing's cost): a column of days, moments and
    nothing is written as it is; a column of text (and nothing) is joined and searched once
    for a cell that starts a formula. Only a column where one does (or one of other values)
    goes cell by cell through _text; the rest stand as read."""
    columns, changed = list(zip(*batch, strict=True)), False
    for index, column in enumerate(columns):
        kinds = set(map(type, column))
        if kinds <= WRITTEN_AS_THEY_ARE:
            continue
        if kinds <= TEXT_OR_NOTHING and not FORMULA_START.search(
                "\n" + "\n".join(filter(None, column))):
            continue  # a cell holding a line break may look like a start: checked below
        columns[index], changed = [_text(value) for value in column], True
    return zip(*columns, strict=True) if changed else batch


def _text(value):
    """A CSV cell: yes/no for a truth value, as in the workbooks; formulas neutralised. Text,
    the most common, is checked first and without a further call; nothing, a day and a moment
    never read as a formula, and the csv module writes them ("" for nothing, else str())."""
    kind = value.__class__
    if kind is str:
        return f"'{value}" if value.startswith(FORMULA_SIGNS) else value
    if value is None or kind is datetime.date or kind is datetime.datetime:
        return value
    if kind is bool:
        return "yes" if value else "no"
    return spreadsheet_safe(value)


def _write_cell(sheet, row: int, column: int, value, moment_format) -> None:
    """A cell as what it holds: numbers and dates as themselves (a moment without its time
    zone, which a cell cannot hold), text neutralised like CSV's; nothing for an empty value.
    The typed write_* methods spare xlsxwriter guessing each cell's type again."""
    kind = value.__class__
    if kind is str:
        if value:
            sheet.write_string(row, column, f"'{value}" if value.startswith(FORMULA_SIGNS)
                               else value)
    elif value is None:
        return
    elif kind is bool:
        sheet.write_string(row, column, "yes" if value else "no")
    elif kind is int or kind is float:
        sheet.write_number(row, column, value)
    elif isinstance(value, datetime.datetime):
        sheet.write_datetime(row, column, value.replace(tzinfo=None), moment_format)
    elif isinstance(value, datetime.date):
        sheet.write_datetime(row, column, value)
    elif isinstance(value, int | float):
        sheet.write_number(row, column, value)
    elif hasattr(value, "as_tuple"):  # Decimal
        sheet.write_number(row, column, float(value))
    else:
        text = spreadsheet_safe(value)
        if text:
            sheet.write_string(row, column, text)


def write_xlsx(tables: Iterable[Table], path: str, progress: Progress, *,
               expected_tables: int = 1) -> int:
    # Loaded here, not with the module: a worker that only writes CSV spares its memory.
    import xlsxwriter

    workbook = xlsxwriter.Workbook(path, {"constant_memory": True,
                                          "default_date_format": "yyyy-mm-dd",
                                          "strings_to_formulas": False,
                                          "strings_to_urls": False})
    bold = workbook.add_format({"bold": True})
    moment = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    counter = _Counter(expected_tables, progress)
    used = set()
    try:
        for table in tables:
            name = table.title.translate(SHEET_NAME_FORBIDDEN)[:31] or "Sheet"
            base, number = name, 2
            while name.lower() in used:
                name = f"{base[:28]} {number}"
                number += 1
            used.add(name.lower())
            sheet = workbook.add_worksheet(name)
            sheet.write_row(0, 0, list(table.header), bold)
            sheet.freeze_panes(1, 0)
            for index, row in enumerate(table.rows, start=1):
                for column, value in enumerate(row):
                    _write_cell(sheet, index, column, value, moment)
                counter.rows_written(table, index)
            counter.table_done()
    finally:
        workbook.close()
    return counter.rows
