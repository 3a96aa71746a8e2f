"""The request log: a refusal is one line, an error keeps its traceback."""

import logging

import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def records_of(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "django.request"]


def test_a_refused_page_is_one_line_without_a_traceback(client, caplog):
    client.force_login(UserFactory())
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get(reverse("partners:approvals"))
    assert response.status_code == 403
    [record] = records_of(caplog)
    assert record.getMessage() == "Forbidden (Permission denied): /partners/approvals/"
    assert record.exc_info is None and "Traceback" not in caplog.text


def test_a_refused_api_call_is_one_line_without_a_traceback(client, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/api/v1/me/")
    assert response.status_code in (401, 403)
    [record] = records_of(caplog)
    assert record.exc_info is None and "Traceback" not in caplog.text


def test_a_server_error_keeps_its_traceback():
    from cluster_portal.core.logging import RefusalsWithoutTraceback

    try:
        raise RuntimeError("the database went away")
    except RuntimeError:
        import sys

        record = logging.LogRecord("django.request", logging.ERROR, __file__, 1,
                                   "Internal Server Error: /", None, sys.exc_info())
    record.status_code = 500
    assert RefusalsWithoutTraceback().filter(record) and record.exc_info is not None
