"""Liveness and readiness: is each dependency of this process reachable right now?"""

import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from kombu import Connection

logger = logging.getLogger(__name__)

OK = "ok"
DOWN = "down"
NOT_CONFIGURED = "not configured"


def _timed(check) -> dict:
    started = time.monotonic()
    try:
        check()
    except Exception as exc:  # any failure of a dependency is a "down", reported not raised
        logger.warning("Health check %s failed: %s", check.__name__, exc)
        state = {"status": DOWN, "error": exc.__class__.__name__}
    else:
        state = {"status": OK}
    state["ms"] = round((time.monotonic() - started) * 1000, 1)
    return state


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache() -> None:
    # The Redis cache falls back to process memory in an outage; ask Redis itself.
    if hasattr(cache, "ping"):
        cache.ping()
    cache.set("health-probe", "1", timeout=5)
    if cache.get("health-probe") != "1":
        raise RuntimeError("cache did not return what was stored")


def check_broker() -> None:
    # Socket timeouts too, not only a connect timeout: a Redis that accepts the connection but
    # never answers must not hold a web worker.
    options = {"socket_connect_timeout": 2, "socket_timeout": 2}
    with Connection(settings.CELERY_BROKER_URL, connect_timeout=2,
                    transport_options=options) as broker:
        broker.ensure_connection(max_retries=0, timeout=2)
        broker.default_channel  # noqa: B018 (opening a channel makes the broker answer: PING)


def dependency_states() -> dict[str, dict]:
    states = {"database": _timed(check_database), "cache": _timed(check_cache)}
    if settings.CELERY_TASK_ALWAYS_EAGER or settings.CELERY_BROKER_URL.startswith("memory"):
        states["broker"] = {"status": NOT_CONFIGURED, "note": "tasks run in-process"}
    else:
        states["broker"] = _timed(check_broker)
    return states


def is_ready(states: dict[str, dict]) -> bool:
    # Without its database the portal can serve nothing. A broker or cache outage only delays
    # background work (design rule 4), so the process stays in rotation and says "degraded".
    return states["database"]["status"] == OK
