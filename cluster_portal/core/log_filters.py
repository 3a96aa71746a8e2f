"""Logging filters of the platform."""

import logging
import time


class CacheOutageFilter(logging.Filter):
    """django-redis logs every cache call it could not make, with a traceback, as an error. When
    Redis is down the portal carries on without its cache (throttles and rate limits fail open
    for that moment), so one warning every INTERVAL seconds says so without flooding the log."""

    INTERVAL = 30.0

    def __init__(self) -> None:
        super().__init__()
        self._last = float("-inf")

    def filter(self, record: logging.LogRecord) -> bool:
        now = time.monotonic()
        if now - self._last < self.INTERVAL:
            return False
        self._last = now
        cause = record.exc_info[1] if record.exc_info else None
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        record.msg, record.args, record.exc_info, record.exc_text = (
            "Cache unavailable, carrying on without it (throttles and rate limits are not "
            "counted meanwhile): %s", (cause,), None, None)
        return True
