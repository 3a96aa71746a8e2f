"""Sessions live in the database and are read from the cache: a signed-in request reads its
session without a query, and a session the cache has lost (Redis emptied or restarted) is
read from the database, so nobody is signed out by it."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def _session_queries(queries) -> list[str]:
    return [query["sql"] for query in queries.captured_queries
            if '"django_session"' in query["sql"]]


def test_a_signed_in_request_reads_its_session_from_the_cache(client, user):
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json()["email"] == user.email
    assert _session_queries(queries) == []


def test_a_session_the_cache_lost_is_read_from_the_database(client, user):
    client.force_login(user)
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json()["email"] == user.email
    assert len(_session_queries(queries)) == 1


def test_signing_out_ends_the_session_in_both(client, user):
    client.force_login(user)
    client.post("/accounts/logout/")
    assert client.get("/api/v1/me/").status_code in (401, 403)
