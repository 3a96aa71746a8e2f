"""Checks on text that every app shares.

A single-line field (a name, a code, an address) never holds control characters: a line break in
an organisation's name would reach an e-mail header (which refuses it) and every list that
shows it, and other control characters are invisible look-alikes.
"""

import datetime
import re

from django.core.exceptions import ValidationError

CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# Control characters a text of several lines may keep: tab, line feed, carriage return.
MULTILINE_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def validate_single_line(value: str) -> None:
    if CONTROL_CHARACTERS.search(value or ""):
        raise ValidationError("Use one line of text, without line breaks or control characters.",
                              code="control_characters")


def validate_multiline_text(value: str) -> None:
    if MULTILINE_CONTROL_CHARACTERS.search(value or ""):
        raise ValidationError("Remove the control characters from this text.",
                              code="control_characters")


def single_line(value: str) -> str:
    """`value` trimmed, with each run of spaces made one (check it first)."""
    return " ".join((value or "").split())


# Dates people enter (terms, agreements, meetings) fall in this span. Beyond it a date is a
# typing slip, and 9999-12-31 plus a grace period is past what Python's dates can hold.
EARLIEST_DATE = datetime.date(1900, 1, 1)
LATEST_DATE = datetime.date(2199, 12, 31)


def implausible_dates(**dates) -> dict[str, str]:
    """A message for each of the named dates (None is left alone) outside the span above."""
    return {
        name: f"Enter a date between {EARLIEST_DATE:%Y} and {LATEST_DATE:%Y}."
        for name, value in dates.items()
        if value is not None and not EARLIEST_DATE <= value <= LATEST_DATE
    }


# --- Shared files (a workstream's documents, a meeting's agenda and minutes) -------------------
# Office documents, PDFs and plain text only: what partners exchange, and nothing a browser
# would run if the download were ever shown inline.

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
PDF, ZIP, OLE2 = b"%PDF-", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
DOCUMENT_SIGNATURES = {
    "pdf": PDF,
    "docx": ZIP, "xlsx": ZIP, "pptx": ZIP, "odt": ZIP, "ods": ZIP, "odp": ZIP,
    "doc": OLE2, "xls": OLE2, "ppt": OLE2,
    "txt": None, "csv": None,  # plain text: checked as UTF-8 below
}
DOCUMENT_KINDS_TEXT = "PDF, Word, Excel, PowerPoint, OpenDocument, plain text or CSV"


def validate_document(upload) -> None:
    """A shared file is one of DOCUMENT_SIGNATURES' kinds, of at most 20 MB, and its first bytes
    agree with its name (a web page renamed .pdf is refused)."""
    validate_upload(upload, signatures=DOCUMENT_SIGNATURES, kinds_text=DOCUMENT_KINDS_TEXT,
                    max_bytes=MAX_DOCUMENT_BYTES)


def validate_upload(upload, *, signatures: dict, kinds_text: str, max_bytes: int) -> None:
    """An upload of one of `signatures`' extensions (each with the first bytes its files start
    with; None for UTF-8 text), of at most `max_bytes`, whose first bytes agree with its name."""
    if not upload or not upload.size:
        raise ValidationError("Choose a file; this one is empty.", code="empty")
    if upload.size > max_bytes:
        raise ValidationError(
            f"The file is {upload.size / 1024 / 1024:.1f} MB; the limit is "
            f"{max_bytes // 1024 // 1024} MB.", code="too_large")
    name = (upload.name or "").rsplit("/", 1)[-1]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in signatures:
        raise ValidationError(f"Share a {kinds_text} file.", code="unsupported_format")
    signature = signatures[extension]
    try:
        upload.seek(0)
        head = upload.read(4096 if signature is None else len(signature))
    finally:
        upload.seek(0)
    if signature is not None:
        matches = head == signature
    else:
        try:
            (head[:-4] if len(head) == 4096 else head).decode("utf-8")  # a cut character
            matches = b"\x00" not in head
        except UnicodeDecodeError:
            matches = False
    if not matches:
        raise ValidationError(f"The file is not the .{extension} its name says.",
                              code="not_what_it_says")
