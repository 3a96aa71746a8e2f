"""What the OpenAPI schema needs beyond the serializers: the one JSON shape that
`cluster_portal.core.api.errors.portal_exception_handler` gives every error, with examples, and
named choice sets. Every app's viewsets use these."""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_choice_field
from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from rest_framework import serializers


class NamedChoiceField(serializers.ChoiceField):
    """A choice field whose choice set is one named schema component (`enum_name`), however many
    serializers use it. drf-spectacular names a choice set after its field; when several sets
    share a field name ("role", "kind", "status") and one of them appears in several
    serializers, it falls back to a hash and warns, which fails the schema check."""

    def __init__(self, choices_class, *, enum_name: str, **kwargs):
        assert not kwargs.get("allow_blank") and not kwargs.get("allow_null"), (
            "a named choice set holds only its choices")
        self.enum_name = enum_name
        super().__init__(choices=choices_class.choices, **kwargs)


class NamedChoiceFieldSchema(OpenApiSerializerFieldExtension):
    target_class = NamedChoiceField

    def get_name(self) -> str:
        return self.target.enum_name

    def map_serializer_field(self, auto_schema, direction) -> dict:
        schema = build_choice_field(self.target)
        schema.pop("x-spec-enum-id", None)
        return schema


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Machine-readable reason, such as `invalid` or "
                                           "`conflict`.")
    message = serializers.CharField(help_text="What went wrong, in words a person can read.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages per input field; empty when the error is not about a field. "
                  "Errors about no single field are under `non_field_errors`.",
    )


ERROR_EXAMPLES = {
    400: OpenApiExample(
        "Invalid input",
        value={"code": "invalid", "message": "Some fields are not valid.",
               "fields": {"role": ['"owner" is not a valid choice.']}},
    ),
    401: OpenApiExample(
        "Not signed in",
        value={"code": "not_authenticated",
               "message": "Authentication credentials were not provided.", "fields": {}},
    ),
    403: OpenApiExample(
        "Not allowed",
        value={"code": "permission_denied",
               "message": "Only the organisation's admins change roles.", "fields": {}},
    ),
    404: OpenApiExample(
        "Not found, or not visible to the caller",
        value={"code": "not_found", "message": "No Organisation matches the given query.",
               "fields": {}},
    ),
    409: OpenApiExample(
        "Clashes with the current state",
        value={"code": "conflict", "message": "This invitation is already accepted.",
               "fields": {}},
    ),
}

ERROR_DESCRIPTIONS = {
    400: "The input is not valid; `fields` says what to correct.",
    401: "Sign in (session) or send `Authorization: Token <key>`.",
    403: "The caller may not do this.",
    404: "No such object, or the caller may not see it.",
    409: "The request clashes with the object's current state (already decided, already a "
         "member, link already used...).",
}


def error_example(name: str, *, code: str, message: str, fields: dict | None = None):
    return OpenApiExample(name, value={"code": code, "message": message, "fields": fields or {}})


def with_errors(success: dict, *status_codes: int,
                examples: dict[int, list[OpenApiExample]] | None = None) -> dict:
    """`success` responses ({200: Serializer}) plus the given error statuses, each in the
    common error shape, with `examples` for a status replacing the generic one."""
    examples = examples or {}
    return {
        **success,
        **{
            status: OpenApiResponse(
                response=ErrorSerializer, description=ERROR_DESCRIPTIONS[status],
                examples=examples.get(status, [ERROR_EXAMPLES[status]]),
            )
            for status in status_codes
        },
    }
