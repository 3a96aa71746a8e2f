"""One JSON shape for every API error:

    {"code": "invalid", "message": "Some fields are not valid.", "fields": {"email": ["..."]}}

`fields` is always present (empty when the error is not about a field), so a client has one
place to look.
"""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import (
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from ..exceptions import ApplicationError

logger = logging.getLogger(__name__)

NON_FIELD_KEY = "non_field_errors"


def error_body(*, code: str, message: str, fields: dict | None = None) -> dict:
    return {"code": code, "message": message, "fields": fields or {}}


def _flatten(detail) -> list[str]:
    if isinstance(detail, dict):
        return [msg for value in detail.values() for msg in _flatten(value)]
    if isinstance(detail, list):
        return [msg for item in detail for msg in _flatten(item)]
    return [str(detail)]


def _field_messages(detail) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return {str(name): _flatten(value) for name, value in detail.items()}
    return {NON_FIELD_KEY: _flatten(detail)}


def _from_django_validation_error(exc: DjangoValidationError) -> exceptions.ValidationError:
    if hasattr(exc, "error_dict"):
        return exceptions.ValidationError(exc.message_dict)
    return exceptions.ValidationError({NON_FIELD_KEY: exc.messages})


def _refused_request(exc) -> Response | None:
    """What Django refuses while reading the body: too large, too many fields."""
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
        return Response(error_body(code="too_large", message=(
            f"The request body is larger than the {limit} MB the API accepts.")),
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    if isinstance(exc, TooManyFieldsSent):
        return Response(error_body(code="too_many_fields",
                                   message="The request has more fields than the API accepts."),
                        status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, SuspiciousOperation):
        return Response(error_body(code="invalid", message="The request is not valid."),
                        status=status.HTTP_400_BAD_REQUEST)
    return None


def portal_exception_handler(exc, context):
    if isinstance(exc, ApplicationError):
        return Response(
            error_body(code=exc.code, message=exc.message, fields=exc.fields),
            status=exc.status_code,
        )
    refused = _refused_request(exc)
    if refused is not None:
        return refused
    if isinstance(exc, DjangoValidationError):
        exc = _from_django_validation_error(exc)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = exception_handler(exc, context)
    if response is None:
        # Unexpected: log it with the traceback and answer in the same shape, never an HTML 500.
        logger.exception("Unhandled API error", exc_info=exc)
        return Response(
            error_body(code="server_error", message="Something went wrong on our side."),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )

    if isinstance(exc, exceptions.ValidationError):
        fields = _field_messages(exc.detail)
        message = "Some fields are not valid." if set(fields) - {NON_FIELD_KEY} else (
            " ".join(fields.get(NON_FIELD_KEY, [])) or "The request is not valid."
        )
        response.data = error_body(code="invalid", message=message, fields=fields)
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        if isinstance(code, dict | list):
            code = "error"
        response.data = error_body(code=str(code), message=" ".join(_flatten(detail)))
    return response
