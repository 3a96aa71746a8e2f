"""Serializer fields whose rules the OpenAPI schema states exactly, so that what the schema calls
valid the API accepts and what it calls invalid the API refuses (tests/security/test_api_fuzz.py
holds the API to both).

Text is taken as sent: not trimmed by DRF, whose trimming would accept " SG " where the schema
says two letters, and turn "Helix\\n" into "Helix" where the portal refuses a line break. The
services tidy spaces themselves (`cluster_portal.core.validators.single_line`). In a JSON body a
text field takes a string, a yes/no field a boolean, and a number field a number; a form or
multipart body, where everything is text, keeps DRF's readings.
"""

from django.http import QueryDict
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_basic_type
from drf_spectacular.types import OpenApiTypes
from rest_framework import serializers

from ..validators import (
    EARLIEST_DATE,
    LATEST_DATE,
    validate_multiline_text,
    validate_single_line,
)

# The characters `validate_single_line` and `validate_multiline_text` refuse, as regex classes.
SINGLE_LINE_CONTROLS = r"\x00-\x1f\x7f-\x9f\u2028\u2029"
MULTILINE_CONTROLS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
# What Django's URLValidator accepts: a web or FTP address.
WEB_ADDRESS_PATTERN = r"^(?:[hH][tT][tT][pP][sS]?|[fF][tT][pP][sS]?)://"
# Years EARLIEST_DATE to LATEST_DATE (1900-2199), before `format: date` checks the rest.
PLAUSIBLE_DATE_PATTERN = r"^(?:19|20|21)[0-9]{2}-"


def sent_as_json(field: serializers.Field) -> bool:
    """Whether the body the field reads came as JSON (a form or multipart body is a QueryDict)."""
    return not isinstance(getattr(field.root, "initial_data", None), QueryDict)


def text_pattern(controls: str, *, blank: bool, letters: int = 0) -> str:
    """Text without the `controls`: any (`blank`), or with something besides spaces in it; with
    `letters`, with a letter and at least two characters besides spaces."""
    text, visible = f"[^{controls}]*", rf"[^\s{controls}]"
    if letters:
        letter = r"[^\W\d_]"  # what partners.validators counts as a letter
        return rf"^{text}(?:{letter}{text}{visible}|{visible}{text}{letter}){text}$"
    # A blank-allowing field is described as "this pattern, or empty" (drf-spectacular's
    # oneOf), so the pattern itself must not match "".
    return f"^[^{controls}]+$" if blank else f"^{text}{visible}{text}$"


class _TextField(serializers.CharField):
    controls = ""
    check_controls = staticmethod(lambda value: None)

    def __init__(self, *, needs_letter: bool = False, **kwargs):
        """`needs_letter`: the schema says what the service checks of a name (a letter, two
        characters besides spaces); the service refuses in its own words."""
        kwargs.setdefault("trim_whitespace", False)
        super().__init__(**kwargs)
        self.validators.append(self.check_controls)
        self.pattern = text_pattern(self.controls, blank=self.allow_blank,
                                    letters=int(needs_letter))

    def to_internal_value(self, data):
        if sent_as_json(self) and not isinstance(data, str):
            self.fail("invalid")
        value = super().to_internal_value(data)
        if not self.allow_blank and not value.strip():
            self.fail("blank")
        return value


class SingleLineField(_TextField):
    """One line of text: a name, a code, a title."""

    controls = SINGLE_LINE_CONTROLS
    check_controls = staticmethod(validate_single_line)


class MultilineTextField(_TextField):
    """Text of several lines: a description, a motivation, a reason."""

    controls = MULTILINE_CONTROLS
    check_controls = staticmethod(validate_multiline_text)


class TextFieldSchema(OpenApiSerializerFieldExtension):
    target_class = _TextField
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction) -> dict:
        schema = build_basic_type(OpenApiTypes.STR)
        schema["pattern"] = self.target.pattern
        if self.target.max_length is not None:
            schema["maxLength"] = self.target.max_length
        if self.target.min_length is not None:
            schema["minLength"] = self.target.min_length
        return schema


class OptionalURLField(serializers.URLField):
    """A web address, or "" for none. The schema says so, rather than `format: uri` alone,
    which an empty string does not satisfy."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("max_length", 200)
        kwargs.setdefault("trim_whitespace", False)
        super().__init__(**kwargs)
        self.validators.append(validate_single_line)

    def to_internal_value(self, data):
        if sent_as_json(self) and not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class OptionalURLFieldSchema(OpenApiSerializerFieldExtension):
    target_class = OptionalURLField

    def map_serializer_field(self, auto_schema, direction) -> dict:
        address = {"type": "string", "format": "uri", "pattern": WEB_ADDRESS_PATTERN}
        if self.target.max_length is not None:
            address["maxLength"] = self.target.max_length
        return {"anyOf": [address, {"type": "string", "maxLength": 0}],
                "description": "A web address, or an empty string for none."}


class PlausibleDateField(serializers.DateField):
    """A date between 1900 and 2199 (cluster_portal.core.validators): beyond, a typing slip."""

    def to_internal_value(self, value):
        date = super().to_internal_value(value)
        if not EARLIEST_DATE <= date <= LATEST_DATE:
            raise serializers.ValidationError(
                f"Enter a date between {EARLIEST_DATE:%Y} and {LATEST_DATE:%Y}.")
        return date


class PlausibleDateFieldSchema(OpenApiSerializerFieldExtension):
    target_class = PlausibleDateField

    def map_serializer_field(self, auto_schema, direction) -> dict:
        return {**build_basic_type(OpenApiTypes.DATE), "pattern": PLAUSIBLE_DATE_PATTERN}


class BooleanField(serializers.BooleanField):
    """true or false; in JSON only the booleans themselves, not "yes", 1 or "false"."""

    def to_internal_value(self, data):
        if sent_as_json(self) and not isinstance(data, bool):
            self.fail("invalid", input=data)
        return super().to_internal_value(data)


class AcknowledgementField(BooleanField):
    """A box that must be ticked: the schema allows only true. Whoever decides (a service)
    refuses false with its own words."""


class AcknowledgementFieldSchema(OpenApiSerializerFieldExtension):
    target_class = AcknowledgementField

    def map_serializer_field(self, auto_schema, direction) -> dict:
        return {"type": "boolean", "enum": [True]}


class IntegerChoiceField(serializers.ChoiceField):
    """One of a few whole numbers; in JSON a number, not "90"."""

    def to_internal_value(self, data):
        if sent_as_json(self) and (isinstance(data, bool) or not isinstance(data, int)):
            self.fail("invalid_choice", input=data)
        return super().to_internal_value(data)
