"""Counting the queries a page, an API call or a service makes (constant query counts are a
rule of the portal: docs/design.md)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def queries_of(call) -> int:
    """How many queries `call()` makes."""
    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries)


def queries_of_get(client, path: str, expected_status: int = 200) -> int:
    """How many queries a GET of `path` makes, checking it answers `expected_status`."""
    def get():
        response = client.get(path)
        assert response.status_code == expected_status, (path, response.status_code)
    return queries_of(get)
