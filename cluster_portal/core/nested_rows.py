"""A list's nested rows (an organisation's workstreams, a project's participants) read in the
list's own query, as JSON that the database builds, rather than in a query of their own.

A page's second query for its nested rows costs a round trip, a plan, and the page's ids sent
back as parameters: on a hundred-row API page, more than the database's work for the rows
themselves. Correlated to each row, the database builds them as it reads the row.
"""

import re

import orjson
from django.db.models import Expression, F, QuerySet, Subquery, TextField

# A key of a nested row's JSON object: written into the SQL as it is, so only a plain name.
_KEY = re.compile(r"[a-z][a-z0-9_]*")


class NestedRows(Subquery):
    """The rows of a queryset correlated to the outer row (OuterRef), in its order, as the text
    of one JSON array of objects ("[]" for none): a page's nested rows read in the page's own
    query rather than in a query of their own, which cost a round trip, a plan and the page's
    ids sent back as parameters. Read it with `nested_rows_of`.

    Each object has the `keys` in their order, on the values the queryset selects as
    `nested_0`, `nested_1`... (`nested_rows` builds both); with no keys, each element is the
    value `nested_0` itself (`nested_values`). PostgreSQL's json_agg and SQLite's
    json_group_array take the rows in the order of the sorted subquery they read (PostgreSQL's
    documentation says so of a sorted subquery with nothing else in the outer query; its own
    ORDER BY inside the aggregate would need the sort's columns selected too). Dates come out
    as ISO 8601 text, as DRF writes them; numbers as JSON numbers, so a decimal that DRF writes
    as text must be cast to text in the values."""

    output_field = TextField()

    def __init__(self, queryset: QuerySet, keys: tuple[str, ...] | None):
        for key in keys or ():
            if not _KEY.fullmatch(key):
                raise ValueError(f"Not a plain key for a nested row: {key!r}")
        self.keys = keys
        super().__init__(queryset, output_field=TextField())

    def _template(self, array: str, build_object: str) -> str:
        if self.keys is None:
            element = "nested.nested_0"
        else:
            # The keys written into the SQL are plain names (checked in __init__).
            element = build_object + "(" + ", ".join(
                f"'{key}', nested.nested_{index}" for index, key in enumerate(self.keys)) + ")"
        return f"(SELECT {array % element} FROM (%(subquery)s) nested)"  # noqa: S608

    def as_sql(self, compiler, connection, template=None, **extra_context):
        return super().as_sql(
            compiler, connection,
            template=self._template("COALESCE(JSON_AGG(%s), '[]')::text", "JSON_BUILD_OBJECT"),
            **extra_context)

    def as_sqlite(self, compiler, connection, template=None, **extra_context):
        return super().as_sql(compiler, connection,
                              template=self._template("JSON_GROUP_ARRAY(%s)", "JSON_OBJECT"),
                              **extra_context)


def nested_rows(queryset: QuerySet, **fields: str | Expression) -> NestedRows:
    """`queryset`'s rows (correlated to the outer row, ordered) as JSON objects of `fields`:
    {key: a field's path, or an expression}, e.g. slug="workstream__slug"."""
    values = queryset.values(**{
        f"nested_{index}": F(field) if isinstance(field, str) else field
        for index, field in enumerate(fields.values())
    })
    return NestedRows(values, tuple(fields))


def nested_values(queryset: QuerySet, field: str | Expression) -> NestedRows:
    """`queryset`'s rows (correlated to the outer row, ordered) as a JSON array of one value
    each: `field`, a path or an expression (a course's prerequisites as their codes)."""
    return NestedRows(queryset.values(nested_0=F(field) if isinstance(field, str) else field),
                      None)


def nested_rows_of(text: str | None) -> list:
    """The nested rows an annotation of `nested_rows` read, as lists of dicts."""
    return orjson.loads(text) if text else []
