"""The one way to hand work to Celery: after the surrounding transaction commits.

Enqueuing inside an open transaction lets a worker look for rows that are not yet visible (or
are rolled back); enqueuing after commit cannot. A broker outage must not fail the person's
request either, so a failed hand-off is logged and left to the periodic sweeps that each app's
tasks keep for their own pending work.
"""

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Send `task` with plain-value arguments once the current transaction has committed."""

    def send() -> None:
        try:
            task.apply_async(args=args, kwargs=kwargs)
        except Exception:  # the broker is down or refused: delay the work, keep the request
            logger.exception("Could not enqueue %s; it will be retried by its sweep", task.name)

    transaction.on_commit(send, robust=True)
