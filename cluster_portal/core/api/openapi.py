"""What the OpenAPI schema needs beyond the serializers: the one JSON shape that
`cluster_portal.core.api.errors.portal_exception_handler` gives every error, with examples, the
errors every operation can answer (`PortalAutoSchema`), and named choice sets. Every app's
viewsets use these."""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema
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
    413: OpenApiExample(
        "Body too large",
        value={"code": "too_large",
               "message": "The request body is larger than the 2 MB the API accepts.",
               "fields": {}},
    ),
    415: OpenApiExample(
        "Not JSON",
        value={"code": "unsupported_media_type",
               "message": 'Unsupported media type "text/plain" in request.', "fields": {}},
    ),
    429: OpenApiExample(
        "Too many requests",
        value={"code": "throttled",
               "message": "Request was throttled. Expected available in 42 seconds.",
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
    413: "The request body is larger than the API accepts.",
    415: "The body is in a format this operation does not read.",
    429: "Too many requests from this caller (or too many wrong tokens from this address); "
         "`Retry-After` says when to try again.",
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


NO_NUL_PATTERN = r"^[^\x00]*$"


def error_response(status: int) -> OpenApiResponse:
    return OpenApiResponse(response=ErrorSerializer, description=ERROR_DESCRIPTIONS[status],
                           examples=[ERROR_EXAMPLES[status]])


class PortalAutoSchema(AutoSchema):
    """Documents, beside what a view declares, the errors any operation of its shape can answer,
    so a client (and the schema-driven fuzzing in tests/security/) meets no undocumented status:

    - every operation: 401 (a wrong or expired token, or no sign-in where one is needed), 403
      (not allowed; staff without a second factor; a session write without its CSRF token) and
      429 (throttled);
    - an operation on one object (a path parameter): 404;
    - a list: 400 (a filter's value is not one of its choices) and 404 (a page past the end);
    - an operation that reads a body: 400, 413 (too large) and 415 (not a format it reads).

    A status the view declares itself, with its own examples, is kept as declared."""

    def _errors_it_can_answer(self) -> set[int]:
        statuses = {401, 403, 429}
        if "{" in self.path:
            statuses.add(404)
        if self.method == "GET" and self._is_list_view() and self._get_paginator():
            statuses |= {400, 404}
        if self.method in ("POST", "PUT", "PATCH") and self.get_request_serializer() is not None:
            statuses |= {400, 413, 415}
        return statuses

    def map_parsers(self):
        # The API's bodies are JSON; a view that takes a file declares multipart itself. DRF's
        # form parsers stay for the browsable API, whose forms read an empty optional field as
        # left out; that reading is not part of the contract.
        return [media_type for media_type in super().map_parsers()
                if media_type == "application/json"]

    def _get_filter_parameters(self):
        parameters = super()._get_filter_parameters()
        for parameter in parameters:
            schema = parameter.get("schema", {})
            if "enum" in schema and "" not in schema["enum"]:
                # django-filter reads an empty choice as "any", as a filter form sends it.
                parameter["schema"] = {**schema, "enum": [*schema["enum"], ""]}
            elif (schema.get("type") == "string" and parameter["name"] != "ordering"
                  and "pattern" not in schema):
                # Text filters and the search refuse a NUL, which no database text holds. The
                # ordering ignores what it does not know, NUL or not; a filter with a pattern of
                # its own (a country code) refuses a NUL already.
                parameter["schema"] = {**schema, "pattern": NO_NUL_PATTERN}
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for status in sorted(self._errors_it_can_answer()):
            if str(status) not in responses:
                responses[str(status)] = self._get_response_for_code(
                    error_response(status), str(status), direction=direction)
        return responses
