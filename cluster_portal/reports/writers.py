"""Writing a report's tables to its file, row by row as they are read: CSV through the csv
module, XLSX through xlsxwriter's constant-memory mode (each row goes to disk once written), so
100,000 rows cost the worker no more memory than 100."""

import csv
import datetime
from collections.abc import Iterable

import xlsxwriter

from cluster_portal.core.csv_export import spreadsheet_safe

from .kinds import Progress, Table

# How often (in rows) the job's progress is saved.
PROGRESS_EVERY_ROWS = 2000
# An Excel sheet's name: at most 31 characters, none of these.
SHEET_NAME_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", " "))


class _Counter:
    """Counts the rows written and tells `progress` now and then: tables done, plus the part
    of the current one when its count is known."""

    def __init__(self, tables: int, progress: Progress):
        self.tables, self.progress, self.rows, self.done = max(tables, 1), progress, 0, 0

    def row(self, table: Table, index: int) -> None:
        self.rows += 1
        if self.rows % PROGRESS_EVERY_ROWS == 0:
            within = (index / table.count) if table.count else 0.5
            self.progress(min((self.done + min(within, 1)) / self.tables, 0.99))

    def table_done(self) -> None:
        self.done += 1
        self.progress(min(self.done / self.tables, 0.99))


def write_csv(tables: Iterable[Table], path: str, progress: Progress) -> int:
    """The first table as CSV (UTF-8 with a byte-order mark, formula cells neutralised)."""
    table = next(iter(tables))
    counter = _Counter(1, progress)
    with open(path, "w", newline="", encoding="utf-8-sig") as out:
        writer = csv.writer(out)
        writer.writerow(list(table.header))
        for index, row in enumerate(table.rows, start=1):
            writer.writerow([_text(value) for value in row])
            counter.row(table, index)
    counter.table_done()
    return counter.rows


def _text(value) -> str:
    """A CSV cell: yes/no for a truth value, as in the workbooks; formulas neutralised."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return spreadsheet_safe(value)


def _cell(value):
    """What a cell holds: numbers and dates as themselves, text neutralised like CSV's."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return value
    if isinstance(value, datetime.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, datetime.date):
        return value
    if hasattr(value, "as_tuple"):  # Decimal
        return float(value)
    return spreadsheet_safe(value)


def write_xlsx(tables: Iterable[Table], path: str, progress: Progress, *,
               expected_tables: int = 1) -> int:
    workbook = xlsxwriter.Workbook(path, {"constant_memory": True,
                                          "default_date_format": "yyyy-mm-dd",
                                          "strings_to_formulas": False,
                                          "strings_to_urls": False})
    bold = workbook.add_format({"bold": True})
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
                sheet.write_row(index, 0, [_cell(value) for value in row])
                counter.row(table, index)
            counter.table_done()
    finally:
        workbook.close()
    return counter.rows
