"""Values for API lists that present rows read with `.values()` instead of model instances and
serializers (the hot lists: a page of a hundred rows without a serializer call per field).

Each helper writes a value exactly as the matching DRF field does, so a list's rows and its
serializer's output are the same JSON; each such list has a test that compares the two.
"""

import datetime
from decimal import Decimal

from django.utils import timezone


def api_datetime(value: datetime.datetime | None) -> str | None:
    """As DRF's DateTimeField: in the portal's time zone, ISO 8601, "Z" for UTC."""
    if value is None:
        return None
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def api_date(value: datetime.date | None) -> str | None:
    return None if value is None else value.isoformat()


def api_decimal(value: Decimal | None) -> str | None:
    """As DRF's DecimalField with COERCE_DECIMAL_TO_STRING: the database's scale kept."""
    return None if value is None else f"{value:f}"
