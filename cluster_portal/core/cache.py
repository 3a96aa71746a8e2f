"""The cache backend: Redis, and this process's own memory while Redis is unreachable.

The portal keeps answering when Redis is down (design rule 4), and what it keeps in the cache
must keep working meanwhile: API throttles and allauth's login rate limits count their hits
there, and allauth even takes a lock in it (`cache.add`) before counting. A cache that merely
answered "miss" would turn that lock into a refusal (429 for every sign-in). So for a short
while after a failed call, every call goes to a local memory cache instead: limits then count
per process, a little laxer, and nobody is locked out. One warning is logged when Redis goes
away and one when it is back.
"""

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.locmem import LocMemCache
from django_redis.cache import RedisCache
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("cluster_portal.cache")
T = TypeVar("T")

UNREACHABLE = (ConnectionInterrupted, RedisConnectionError, RedisTimeoutError, OSError)


class _Outage:
    """Whether a Redis is known to be down, shared by every thread of the process (Django
    makes a cache object per thread)."""

    def __init__(self):
        self.until = 0.0
        self.down = False


_OUTAGES: dict[str, _Outage] = {}


class RedisWithLocalFallback(BaseCache):
    # After a failure, Redis is left alone this long before the next try, so an outage costs
    # one connection timeout every few seconds rather than one per cache call.
    RETRY_AFTER_SECONDS = 5.0

    def __init__(self, location, params):
        super().__init__(params)
        self._redis = RedisCache(location, params)
        # Each process's memory (LocMemCache shares its store by name across threads).
        self._local = LocMemCache(f"cluster-portal-fallback:{location}", {
            "TIMEOUT": params.get("TIMEOUT", 300), "KEY_PREFIX": params.get("KEY_PREFIX", ""),
            "OPTIONS": {"MAX_ENTRIES": 10_000},
        })
        self._outage = _OUTAGES.setdefault(location, _Outage())

    def _call(self, method: str, *args, **kwargs):
        return self._on_redis_or_local(
            lambda: getattr(self._redis, method)(*args, **kwargs),
            lambda: getattr(self._local, method)(*args, **kwargs),
        )

    def _on_redis_or_local(self, on_redis: Callable[[], T], on_local: Callable[[], T]) -> T:
        outage = self._outage
        if time.monotonic() >= outage.until:
            try:
                result = on_redis()
            except UNREACHABLE as error:
                outage.until = time.monotonic() + self.RETRY_AFTER_SECONDS
                if not outage.down:
                    outage.down = True
                    logger.warning("Cache unavailable, using each process's memory meanwhile "
                                   "(throttles and rate limits count per process): %s", error)
            else:
                if outage.down:
                    outage.down = False
                    logger.warning("Cache available again.")
                return result
        return on_local()

    def count_hit(self, key: str, *, timeout: int) -> int:
        """One more hit on the counter `key`, which lives `timeout` seconds after its last hit:
        the count so far. On Redis an increment and an expiry sent together, one round trip,
        and atomic, so concurrent hits are never lost (a read, then a write, would lose some).
        """
        def on_redis() -> int:
            client = self._redis.client
            name = client.make_key(key)
            pipeline = client.get_client(write=True).pipeline(transaction=False)
            pipeline.incr(name)
            pipeline.expire(name, timeout)
            return pipeline.execute()[0]

        return self._on_redis_or_local(on_redis, lambda: count_hit(self._local, key,
                                                                  timeout=timeout))

    def ping(self) -> None:
        """Raises unless Redis itself answers; /health/ asks this, not the fallback."""
        self._redis.client.get_client().ping()

    def add(self, *args, **kwargs):
        return self._call("add", *args, **kwargs)

    def get(self, *args, **kwargs):
        return self._call("get", *args, **kwargs)

    def set(self, *args, **kwargs):
        return self._call("set", *args, **kwargs)

    def touch(self, *args, **kwargs):
        return self._call("touch", *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._call("delete", *args, **kwargs)

    def get_many(self, *args, **kwargs):
        return self._call("get_many", *args, **kwargs)

    def set_many(self, *args, **kwargs):
        return self._call("set_many", *args, **kwargs)

    def delete_many(self, *args, **kwargs):
        return self._call("delete_many", *args, **kwargs)

    def has_key(self, *args, **kwargs):
        return self._call("has_key", *args, **kwargs)

    def incr(self, *args, **kwargs):
        return self._call("incr", *args, **kwargs)

    def decr(self, *args, **kwargs):
        return self._call("decr", *args, **kwargs)

    def clear(self):
        self._local.clear()
        return self._call("clear")

    def close(self, **kwargs):
        self._redis.close(**kwargs)


def count_hit(cache: BaseCache, key: str, *, timeout: int) -> int:
    """One more hit on the counter `key` in `cache`: the count so far. The portal's cache counts
    atomically (RedisWithLocalFallback.count_hit); another (the development server's memory)
    adds the counter and increments it."""
    counter = getattr(cache, "count_hit", None)
    if counter is not None:
        return counter(key, timeout=timeout)
    cache.add(key, 0, timeout)
    try:
        return cache.incr(key)
    except ValueError:  # expired between the two calls: the first hit again
        cache.set(key, 1, timeout)
        return 1
