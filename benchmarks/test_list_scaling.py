"""How the busiest lists scale with their length: `make bench`, never part of `make test`.

For each list the time to answer with many rows is reported as a ratio to the same list with
few rows, measured in the same run on the same machine, so a noisy shared machine changes both
sides alike. The query count of both is printed too: it must not grow (the tests assert that).
Figures are printed, not asserted: timings are not a test's business.
"""

import statistics
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import (
    JoinRequestFactory,
    OrganisationFactory,
    OrganisationMembershipFactory,
    WorkstreamFactory,
    WorkstreamMembershipFactory,
)

pytestmark = pytest.mark.django_db

FEW, MANY = 10, 400
REPEATS = 7


def _median_ms(client, url: str) -> tuple[float, int]:
    client.get(url)  # warm caches and templates
    timings = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return statistics.median(timings), len(queries)


def _report(name: str, few: tuple[float, int], many: tuple[float, int]) -> None:
    print(f"\n{name:<38} {FEW:>4} rows {few[0]:7.1f} ms {few[1]:3d} queries | "
          f"{MANY:>4} rows {many[0]:7.1f} ms {many[1]:3d} queries | ratio {many[0] / few[0]:.2f}")


def _organisations(count: int, workstream) -> None:
    for organisation in OrganisationFactory.create_batch(count):
        WorkstreamMembershipFactory(organisation=organisation, workstream=workstream)


@pytest.mark.parametrize("url", ["/partners/", "/api/v1/organisations/"])
def test_directory_scaling(client, url):
    workstream = WorkstreamFactory()
    _organisations(FEW, workstream)
    few = _median_ms(client, url)
    _organisations(MANY - FEW, workstream)
    _report(f"directory {url}", few, _median_ms(client, url))


@pytest.mark.parametrize("url", ["/workstreams/queue/", "/api/v1/join-requests/"])
def test_join_request_queue_scaling(client, mfa_staff_user, url):
    client.force_login(mfa_staff_user)
    JoinRequestFactory.create_batch(FEW)
    few = _median_ms(client, url)
    JoinRequestFactory.create_batch(MANY - FEW)
    _report(f"queue {url}", few, _median_ms(client, url))


def test_people_page_scaling(client):
    organisation = OrganisationFactory(tier="core")
    admin = OrganisationMembershipFactory(organisation=organisation, role="admin").person
    client.force_login(admin)
    url = f"/partners/{organisation.slug}/people/"
    OrganisationMembershipFactory.create_batch(FEW, organisation=organisation)
    few = _median_ms(client, url)
    OrganisationMembershipFactory.create_batch(MANY - FEW, organisation=organisation)
    _report(f"people {url[:30]}", few, _median_ms(client, url))
