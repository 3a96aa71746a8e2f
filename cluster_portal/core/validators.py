"""Checks on text that every app shares.

A single-line field (a name, a code, an address) never holds control characters: a line break in
an organisation's name would reach an e-mail header (which refuses it) and every list that
shows it, and other control characters are invisible look-alikes.
"""

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
