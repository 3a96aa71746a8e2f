"""Values for API lists that present rows read with `.values()` instead of model instances and
serializers (the hot lists: a page of a hundred rows without a serializer call per field).

Each helper writes a value exactly as the matching DRF field does, so a list's rows and its
serializer's output are the same JSON; each such list has a test that compares the two.
"""

import datetime
from decimal import Decimal

from django.db.models import Expression, QuerySet
from django.utils import timezone


def api_datetime(value: datetime.datetime | None,
                 zone: datetime.tzinfo | None = None) -> str | None:
    """As DRF's DateTimeField: in the current time zone, ISO 8601, "Z" for UTC. A page of rows
    looks the zone up once (timezone.get_current_timezone()) and passes it as `zone`: looked up
    for each value, it costs more than writing the value."""
    if value is None:
        return None
    text = value.astimezone(zone or timezone.get_current_timezone()).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def api_date(value: datetime.date | None) -> str | None:
    return None if value is None else value.isoformat()


def api_decimal(value: Decimal | None) -> str | None:
    """As DRF's DecimalField with COERCE_DECIMAL_TO_STRING: the database's scale kept."""
    return None if value is None else f"{value:f}"


class PagedValues:
    """What a list reading its rows as values hands its paginator: a page is sliced from the
    values, the count taken from the queryset they are read from. A count of the values would
    join every table the rows read (an enrolment's person, run, course and sponsor: at 100,000
    enrolments, most of a page's time), where the queryset's count joins only what its filters
    need.

    A page after the first is read as the rows whose ids the queryset's own page lists: an
    OFFSET over the values would have the database work out every skipped row's columns and
    nested rows (the 1,000th page of enrolments: 101 ms), where the ids alone are skipped
    along an index (40 ms)."""

    def __init__(self, queryset: QuerySet, *fields: str, **expressions: Expression):
        self._queryset = queryset
        self._values = queryset.values(*fields, **expressions)
        # Read by Django's paginator, which warns about an unordered list.
        self.ordered = self._values.ordered

    def count(self) -> int:
        return self._queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if isinstance(index, slice) and index.start:
            return self._values.filter(pk__in=self._queryset.values("pk")[index])
        return self._values[index]
