"""The one way to hand work to Celery: after the surrounding transaction commits.

Enqueuing inside an open transaction lets a worker look for rows that are not yet visible (or
are rolled back); enqueuing after commit cannot. A broker outage must not fail the person's
request either, so a failed hand-off is logged and left to the periodic sweep that keeps the
work (the e-mail outbox's sweeper, for mail).
"""

import logging
import time

from django.db import transaction
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

# After a failed hand-off, later ones in this process skip the broker for a while: a request
# that queues ten e-mails during an outage must not wait for ten connection attempts.
BROKER_PAUSE_SECONDS = 15
_broker_paused_until = 0.0


def _resolve(task):
    # A dotted path lets a service name its task without importing the tasks module, which
    # imports the services (tasks are adapters over them).
    return import_string(task) if isinstance(task, str) else task


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Send `task` (a task or its dotted path) with plain-value arguments once the current
    transaction has committed; at once when no transaction is open."""

    def send() -> None:
        global _broker_paused_until
        resolved = _resolve(task)
        uses_broker = not resolved.app.conf.task_always_eager
        if uses_broker and time.monotonic() < _broker_paused_until:
            logger.warning("Broker unavailable; %s left for its sweep", resolved.name)
            return
        try:
            resolved.apply_async(args=args, kwargs=kwargs)
        except Exception:  # keep the request whatever happened
            if not uses_broker:  # the task ran in-process, and failed
                logger.exception("%s failed when run in-process", resolved.name)
                return
            # The broker (or the result store beside it) is down or refused.
            _broker_paused_until = time.monotonic() + BROKER_PAUSE_SECONDS
            logger.exception("Could not enqueue %s; it will be retried by its sweep",
                             resolved.name)

    transaction.on_commit(send, robust=True)
