"""A list's nested rows read in the list's own query (core.nested_rows): in the nested
queryset's order, with the keys in the order given, "[]" for a row with none, and one query
for a page however many rows it nests."""

import datetime

import pytest
from django.db import connection
from django.db.models import OuterRef
from django.test.utils import CaptureQueriesContext

from cluster_portal.core.nested_rows import NestedRows, nested_rows, nested_rows_of, nested_values
from partners.models import Organisation
from tests.factories import OrganisationFactory, WorkstreamFactory, WorkstreamMembershipFactory
from workstreams.models import WorkstreamMembership

pytestmark = pytest.mark.django_db


def _memberships(order_by: str):
    return WorkstreamMembership.objects.filter(organisation=OuterRef("pk")).order_by(order_by)


def test_each_row_has_its_own_nested_rows_in_order_with_the_keys_in_order():
    first = OrganisationFactory(name="Alpha")
    lonely = OrganisationFactory(name="Beta")
    since = datetime.date(2026, 3, 2)
    for name in ("Plant Operations", "Biocatalysis", "Digital Factory"):
        WorkstreamMembershipFactory(organisation=first, since=since,
                                    workstream=WorkstreamFactory(name=name))
    rows = Organisation.objects.filter(pk__in=[first.pk, lonely.pk]).order_by("name").annotate(
        workstreams=nested_rows(_memberships("workstream__name"), name="workstream__name",
                                since="since"))
    with CaptureQueriesContext(connection) as queries:
        read = {organisation.name: organisation.workstreams for organisation in rows}
    assert len(queries) == 1

    nested = nested_rows_of(read["Alpha"])
    assert nested == [{"name": "Biocatalysis", "since": "2026-03-02"},
                      {"name": "Digital Factory", "since": "2026-03-02"},
                      {"name": "Plant Operations", "since": "2026-03-02"}]
    assert [list(row) for row in nested] == [["name", "since"]] * 3  # the keys' order
    assert nested_rows_of(read["Beta"]) == []


def test_the_nested_order_is_the_nested_querysets():
    organisation = OrganisationFactory()
    for name in ("B", "C", "A"):
        WorkstreamMembershipFactory(organisation=organisation,
                                    workstream=WorkstreamFactory(name=name))
    for order, expected in (("workstream__name", ["A", "B", "C"]),
                            ("-workstream__name", ["C", "B", "A"])):
        [text] = Organisation.objects.filter(pk=organisation.pk).values_list(
            nested_values(_memberships(order), "workstream__name"), flat=True)
        assert nested_rows_of(text) == expected


def test_a_key_is_a_plain_name_only():
    with pytest.raises(ValueError, match="Not a plain key"):
        NestedRows(WorkstreamMembership.objects.values("role"), ("role', 'x",))
