"""The workstreams an organisation takes part in, as the app above partners describes them.

partners lists organisations (the directory, profiles, the API) and shows the workstreams each
one takes part in; but workstreams sits above partners in the import order
(docs/architecture.md), so partners never imports it. Instead workstreams registers, when it
starts (its AppConfig.ready), how to read and filter by them. Without a registration, as in a
portal without workstreams, organisations take part in none and the filter offers nothing.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Expression, QuerySet


@dataclass(frozen=True)
class Participation:
    # Organisations with `current_workstream_memberships` prefetched (one query for a page).
    with_current_memberships: Callable[[QuerySet], QuerySet]
    # One organisation's current memberships, for its profile.
    memberships_of: Callable[[object], Iterable]
    # An annotation of organisations: their current memberships as the API presents them (what
    # membership_serializer writes), as core.api.rows.nested_rows reads them.
    current_membership_rows: Callable[[], Expression]
    # Organisations that are active members of the workstream with this slug.
    filter_by_workstream: Callable[[QuerySet, str], QuerySet]
    # (slug, name) of the workstreams a directory may be filtered by.
    workstream_choices: Callable[[], Iterable[tuple[str, str]]]
    # The serializer of one current membership in the organisation API's `workstreams`.
    membership_serializer: type


_registered: list[Participation] = []


def register(participation: Participation) -> None:
    _registered[:] = [participation]


def registered() -> Participation | None:
    return _registered[0] if _registered else None


def with_current_memberships(organisations: QuerySet) -> QuerySet:
    participation = registered()
    return participation.with_current_memberships(organisations) if participation \
        else organisations


def memberships_of(organisation) -> list:
    participation = registered()
    return list(participation.memberships_of(organisation)) if participation else []


def current_membership_rows() -> Expression | None:
    participation = registered()
    return participation.current_membership_rows() if participation else None


def filter_by_workstream(organisations: QuerySet, slug: str) -> QuerySet:
    participation = registered()
    return participation.filter_by_workstream(organisations, slug) if participation \
        else organisations.none()


def workstream_choices() -> list[tuple[str, str]]:
    participation = registered()
    return list(participation.workstream_choices()) if participation else []
