"""The API's rate limits: hits counted per client in fixed windows, one atomic counter each.

DRF's rate throttles keep each client's recent request times as one list in the cache, read and
written whole on every request: two round trips to Redis per throttle, a list as long as the
rate (600 entries for a busy person), and two concurrent requests that both read the old list
count as one. Here a client has one counter per window of the rate's length (a minute for
"60/minute"), incremented atomically in one round trip (core.cache.count_hit). A client may
use a window's allowance at its end and the next window's at once: twice the rate for a moment,
the usual cost of fixed windows, which the rates allow for.
"""

from rest_framework.throttling import SimpleRateThrottle

from cluster_portal.core.cache import count_hit


class WindowRateThrottle(SimpleRateThrottle):
    """The rate of the throttle's `scope` (settings' DEFAULT_THROTTLE_RATES), counted per
    window; `get_cache_key` says whose counter a request adds to (None: not throttled here)."""

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        self.now = self.timer()
        window = int(self.now // self.duration)
        self.window_ends = (window + 1) * self.duration
        hits = count_hit(self.cache, f"{key}:{window}", timeout=self.duration)
        return hits <= self.num_requests

    def wait(self) -> float:
        """Seconds until the window ends and the client may ask again (the Retry-After)."""
        return max(self.window_ends - self.now, 0.0)


class AnonymousRateThrottle(WindowRateThrottle):
    """Callers not signed in, per client address (behind the proxies settings name)."""

    scope = "anon"

    def get_cache_key(self, request, view) -> str | None:
        if request.user and request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class PersonRateThrottle(WindowRateThrottle):
    """People signed in (by session or token), per person wherever they ask from. Callers not
    signed in count only against the anonymous rate, which is the lower."""

    scope = "user"

    def get_cache_key(self, request, view) -> str | None:
        if not (request.user and request.user.is_authenticated):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}
