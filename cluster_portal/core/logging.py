"""Logging filters of the portal."""

import logging


class RefusalsWithoutTraceback(logging.Filter):
    """A 4xx is the portal refusing as it means to (a page someone may not see, a missing
    object): one line in the log, not a traceback. Django logs a PermissionDenied with its
    traceback (`django.request`), which buried the real errors under every outsider's 403."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
