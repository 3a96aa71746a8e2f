"""The API's rate limits count each client's hits in one Redis counter per window: atomic (no
hit lost to concurrent requests), one key per client with an expiry, visitors counted by
address and people by who they are; with Redis down, each process counts in its own memory."""

import threading

import pytest
from django.core.cache import caches

from cluster_portal.core.api.throttling import WindowRateThrottle
from cluster_portal.core.cache import RedisWithLocalFallback, count_hit
from tests.support.processes import PrivateRedis


def _redis():
    backend = caches["default"]
    assert isinstance(backend, RedisWithLocalFallback)  # the test run's cache is the real one
    return backend._redis.client


def _throttle_keys(scope: str) -> dict[str, tuple[int, int]]:
    """{key: (count, seconds to live)} of the scope's counters in Redis."""
    client = _redis()
    raw = client.get_client()
    return {key.decode(): (int(raw.get(key)), raw.ttl(key))
            for key in raw.keys(client.make_key(f"throttle_{scope}_*"))}


@pytest.fixture
def low_rates(monkeypatch):
    monkeypatch.setattr(WindowRateThrottle, "THROTTLE_RATES",
                        {"anon": "3/minute", "user": "5/minute"})


def test_concurrent_hits_are_all_counted():
    threads, hits_each = 8, 25
    seen: list[int] = []
    lock = threading.Lock()

    def hit_many():
        counts = [count_hit(caches["default"], "race", timeout=60) for _ in range(hits_each)]
        with lock:
            seen.extend(counts)

    workers = [threading.Thread(target=hit_many) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    # Every hit got its own count: none was lost or counted twice.
    assert sorted(seen) == list(range(1, threads * hits_each + 1))


@pytest.mark.django_db
def test_a_visitor_has_one_counter_for_the_minute_and_no_person_counter(api_client, low_rates):
    for _ in range(2):
        assert api_client.get("/api/v1/workstreams/").status_code == 200
    counters = _throttle_keys("anon")
    assert len(counters) == 1
    [(count, seconds_to_live)] = counters.values()
    assert count == 2
    assert 0 < seconds_to_live <= 60
    assert _throttle_keys("user") == {}


@pytest.mark.django_db
def test_people_are_counted_by_who_they_are_at_their_own_rate(api_client, user, low_rates):
    api_client.force_authenticate(user)
    codes = [api_client.get("/api/v1/me/").status_code for _ in range(6)]
    assert codes == [200] * 5 + [429]  # the person's rate (5), not the visitors' (3)
    [key] = _throttle_keys("user")
    assert f"throttle_user_{user.pk}:" in key
    assert _throttle_keys("anon") == {}


@pytest.mark.django_db
def test_a_refusal_says_how_long_until_the_window_ends(api_client, low_rates):
    for _ in range(3):
        api_client.get("/api/v1/workstreams/")
    refused = api_client.get("/api/v1/workstreams/")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert refused.json()["code"] == "throttled"


def test_with_redis_down_hits_are_counted_in_the_process_memory():
    redis = PrivateRedis().start()
    redis.stop()
    backend = RedisWithLocalFallback(redis.url, {"OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5,
                                                             "SOCKET_TIMEOUT": 0.5}})
    assert [backend.count_hit("down", timeout=60) for _ in range(3)] == [1, 2, 3]
