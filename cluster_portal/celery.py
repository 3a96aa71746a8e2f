"""The Celery application. Configuration lives in Django settings under the CELERY_ prefix."""

import logging

from celery import Celery, Task

from cluster_portal.environment import use_settings_for_environment

use_settings_for_environment()

logger = logging.getLogger(__name__)


class PortalTask(Task):
    """Every task of the portal. Tasks are acknowledged late and handed back when their worker
    dies (settings), so a task whose run kills the worker would come back for ever; after
    MAX_REDELIVERIES it is dropped, with an error in the log, instead. The work itself is not
    lost where it matters: the outbox keeps each e-mail's row and gives it up on its own count."""

    MAX_REDELIVERIES = 3

    def __call__(self, *args, **kwargs):
        if (self.request.delivery_info or {}).get("redelivered") and not self.request.is_eager:
            deliveries = self._count_redelivery()
            if deliveries is not None and deliveries > self.MAX_REDELIVERIES:
                logger.error("Dropped task %s[%s]: handed back %d times without finishing.",
                             self.name, self.request.id, deliveries)
                return None
        return super().__call__(*args, **kwargs)

    def _count_redelivery(self) -> int | None:
        """How often this message came back, counted in the broker's own Redis (where the
        message lives, so it is up), not in the cache, which may have fallen back to one
        process's memory. None when it can't say: the task then runs, as without the guard."""
        key = f"cluster-portal:redelivered:{self.request.id}"
        try:
            with self.app.connection_for_write() as connection:
                client = connection.default_channel.client
                deliveries = client.incr(key)
                client.expire(key, 24 * 60 * 60)
                return int(deliveries)
        except Exception:  # not a Redis broker, or it went away: run rather than drop
            logger.warning("Could not count redeliveries of task %s", self.request.id)
            return None


app = Celery("cluster_portal", task_cls="cluster_portal.celery:PortalTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
