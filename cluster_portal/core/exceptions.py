"""The one family of errors that services raise; views and the API map them to answers.

A service never returns an HTTP status. It raises one of these with a message a person can read,
and optionally a message per field; the API's exception handler and the HTML views turn that
into a 400/403/404/409 with the same words.
"""


class ApplicationError(Exception):
    status_code = 400
    code = "invalid"

    def __init__(self, message: str, *, fields: dict[str, list[str] | str] | None = None,
                 code: str | None = None):
        super().__init__(message)
        self.message = message
        self.fields = {
            name: [errors] if isinstance(errors, str) else list(errors)
            for name, errors in (fields or {}).items()
        }
        if code:
            self.code = code


class NotAllowed(ApplicationError):
    status_code = 403
    code = "permission_denied"


class NotFound(ApplicationError):
    status_code = 404
    code = "not_found"


class Conflict(ApplicationError):
    """The request is well formed but clashes with the current state (already decided, full)."""

    status_code = 409
    code = "conflict"


class RateLimited(ApplicationError):
    """The person did this too often in a short time; they may try again later."""

    status_code = 429
    code = "rate_limited"


def refuse_if_any(errors: dict[str, str | list[str]]) -> None:
    """Refuse with every field's messages (a text or a list; empty ones are no error) when any
    field has one. The refusal's message repeats them all, so a page that shows only the
    message (a form posted from a list, an admin action) still says what to fix."""
    errors = {name: messages for name, messages in errors.items() if messages}
    if errors:
        words = []
        for messages in errors.values():
            words += [messages] if isinstance(messages, str) else [str(m) for m in messages]
        raise ApplicationError(" ".join(words), fields=errors)
