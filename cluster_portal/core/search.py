"""Searching text the way people type it: any case, with or without accents, words in any order.

"meridian asia" finds "Meridian Pharma Asia" and "méridian" finds "Meridian": every word of the
search must occur somewhere in the fields searched, both sides lower-cased and stripped of their
accents by the database. PostgreSQL does it with its unaccent extension (created by core's
migration 0001); SQLite, the database of `make run`, with a Python function registered on each of
its connections (`register_sqlite_functions`), so one query serves both.

A word matches inside a longer one ("pharma" finds "Biopharma"), as people expect of a search box.
There is no index behind it: the lists searched so (the partner directory) hold hundreds of
rows, not millions.
"""

import unicodedata

from django.db.models import Func, QuerySet, TextField, Value
from django.db.models.functions import Concat

# Words beyond these are ignored: a pasted paragraph must not become a query of a hundred LIKEs.
MAX_WORDS = 8
SQLITE_FUNCTION = "portal_search_key"


def search_key(text: str | None) -> str | None:
    """`text` without accents and case, as SQLite compares it."""
    if text is None:
        return None
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


class SearchKey(Func):
    """An expression without accents and case: LOWER(UNACCENT(...)) on PostgreSQL."""

    function = "UNACCENT"
    template = "LOWER(%(function)s(%(expressions)s))"
    output_field = TextField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function=SQLITE_FUNCTION,
                              template="%(function)s(%(expressions)s)", **extra_context)


def register_sqlite_functions(sender, connection, **kwargs) -> None:
    """Connected to `connection_created` (CoreConfig.ready)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(SQLITE_FUNCTION, 1, search_key,
                                              deterministic=True)


def search_words(text: str) -> list[str]:
    """The distinct words of a search, at most MAX_WORDS of them."""
    return list(dict.fromkeys(text.split()))[:MAX_WORDS]


def matching_every_word(queryset: QuerySet, text: str, *fields: str) -> QuerySet:
    """The rows in which every word of `text` occurs in one of `fields` (not all in the same)."""
    words = search_words(text)
    if not words:
        return queryset
    parts = []
    for name in fields:
        parts += [name, Value(" ")]  # a space between fields: no word spans two of them
    queryset = queryset.alias(_searched_text=SearchKey(Concat(*parts, output_field=TextField())))
    for word in words:
        queryset = queryset.filter(_searched_text__contains=SearchKey(Value(word)))
    return queryset
