"""Checks on what a person says about themselves (their profile), shared by the profile page,
the API and the service: each rule is written once, here."""

import re

from django.core.exceptions import ValidationError

from cluster_portal.core.validators import single_line, validate_single_line

FULL_NAME_MAX_LENGTH = 150
JOB_TITLE_MAX_LENGTH = 150
PHONE_MAX_LENGTH = 32

# A phone number in international form, as the partners of an international cluster call each
# other: "+", the country code (never starting with 0) and the number, 8 to 15 digits in all
# (E.164's limit), grouped as the person likes with spaces, hyphens, dots or brackets. Whether
# the number exists is not checked: nothing short of calling it can tell.
PHONE_MIN_DIGITS, PHONE_MAX_DIGITS = 8, 15
PHONE_CHARACTERS = re.compile(r"^\+[0-9 ().-]+$")
PHONE_EXAMPLE = "+65 6123 4567"
PHONE_HELP = f"With the country code, such as {PHONE_EXAMPLE}."
# The same rule as a regular expression on the number as sent, for the API's schema.
PHONE_PATTERN = (r"^\+[ ().-]*[1-9](?:[ ().-]*[0-9])"
                 rf"{{{PHONE_MIN_DIGITS - 1},{PHONE_MAX_DIGITS - 1}}}[ ().-]*$")


def phone_number(value: str) -> str:
    """The number as it is kept (spaces made single), or ValidationError saying what is wrong.
    An empty value is no number, and allowed: the phone is optional."""
    validate_single_line(value)
    number = single_line(value)
    if not number:
        return ""
    if not number.startswith("+"):
        raise ValidationError(
            f"Write the number with its country code, starting with +, such as {PHONE_EXAMPLE}.",
            code="no_country_code")
    if not PHONE_CHARACTERS.match(number):
        raise ValidationError("Use only digits, spaces, hyphens, dots and brackets after the +.",
                              code="phone_characters")
    digits = re.sub(r"[^0-9]", "", number)
    if digits.startswith("0"):
        raise ValidationError(f"A country code does not start with 0: write it as in "
                              f"{PHONE_EXAMPLE}.", code="phone_country_code")
    if not PHONE_MIN_DIGITS <= len(digits) <= PHONE_MAX_DIGITS:
        raise ValidationError(
            f"A phone number has {PHONE_MIN_DIGITS} to {PHONE_MAX_DIGITS} digits with its "
            f"country code; this one has {len(digits)}.", code="phone_length")
    if len(number) > PHONE_MAX_LENGTH:
        raise ValidationError(f"Write the number in at most {PHONE_MAX_LENGTH} characters.",
                              code="phone_too_long")
    return number


def validate_phone_number(value: str) -> None:
    phone_number(value)
