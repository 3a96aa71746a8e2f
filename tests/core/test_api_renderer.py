"""The API's orjson renderer writes exactly what DRF's own JSON renderer wrote, for every kind of
value an answer holds, and is the one the API answers with."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.utils import timezone
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from cluster_portal.core.api.renderers import PortalJSONRenderer

ANSWER = {
    "count": 2, "next": None, "text": "Überprüfung “quoted” 化学", "ok": True,
    "lazy": gettext_lazy("This field is required."),
    "at": datetime.datetime(2026, 3, 2, 10, 15, 30, 123456, tzinfo=datetime.UTC),
    "local": timezone.localtime(datetime.datetime(2026, 3, 2, 2, 0, tzinfo=datetime.UTC)),
    "on": datetime.date(2026, 3, 2), "time": datetime.time(9, 30),
    "amount": Decimal("2500.50"), "uuid": uuid.UUID(int=7), "ratio": 0.25,
    "results": ReturnList([ReturnDict({"id": 1, "nested": {"a": [1, 2, None]}}, serializer=None)],
                          serializer=None),
    7: "a number as a key",
}


def test_the_renderer_writes_what_drf_wrote_for_every_kind_of_value():
    assert PortalJSONRenderer().render(ANSWER) == JSONRenderer().render(ANSWER)


def test_an_indented_answer_is_drfs_and_no_data_is_no_body():
    context = {"indent": 2}
    assert (PortalJSONRenderer().render(ANSWER, "application/json", context)
            == JSONRenderer().render(ANSWER, "application/json", context))
    assert PortalJSONRenderer().render(None) == b""


@pytest.mark.django_db
def test_the_api_answers_with_it(client):
    response = client.get("/api/v1/workstreams/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert isinstance(response.accepted_renderer, PortalJSONRenderer)
    assert response.json()["count"] == 0
