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
            deliveries = _count_redelivery(self.request.id)
            if deliveries is not None and deliveries > self.MAX_REDELIVERIES:
                logger.error("Dropped task %s[%s]: handed back %d times without finishing.",
                             self.name, self.request.id, deliveries)
                return None
        return super().__call__(*args, **kwargs)


def _count_redelivery(task_id: str) -> int | None:
    """How often this message came back, counted in the cache (Redis, like the broker). None
    when the cache can't say: the task then runs, as it would without the guard."""
    from django.core.cache import cache

    key = f"celery-redelivered:{task_id}"
    try:
        cache.add(key, 0, timeout=24 * 60 * 60)
        return cache.incr(key)
    except Exception:  # cache down or the key evicted: run rather than drop
        logger.warning("Could not count redeliveries of task %s", task_id)
        return None


app = Celery("cluster_portal", task_cls="cluster_portal.celery:PortalTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
