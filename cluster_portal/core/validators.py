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
