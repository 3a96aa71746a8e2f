"""The join-request queue's export, for programme staff: exactly the pending requests the queue
lists with the same workstream filter, oldest first, streamed with formula cells neutralised, at
a cost that does not grow with the queue; a queue longer than settings.LIST_EXPORT_MAX_ROWS
becomes a report job writing the same rows."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cluster_portal.reports.models import ReportJob
from tests.factories import (
    JoinRequestFactory,
    OrganisationFactory,
    OrganisationMembershipFactory,
    UserFactory,
    WorkstreamFactory,
)
from tests.support.list_exports import export_queries, job_asked_by, job_rows, streamed_rows
from workstreams.models import JoinRequest

pytestmark = pytest.mark.django_db

QUEUE = reverse("workstreams:queue")
CSV = reverse("workstreams:queue_csv")


@pytest.fixture
def requests():
    cm = WorkstreamFactory(name="Continuous Manufacturing", slug="cm")
    digital = WorkstreamFactory(name="Digital Factory", slug="digital")
    first = JoinRequestFactory(workstream=cm, organisation__name="Acme Pharma",
                               motivation="=HYPERLINK(\"http://evil.example\",\"x\")")
    second = JoinRequestFactory(workstream=digital, organisation__name="Beta Bio")
    third = JoinRequestFactory(workstream=cm, organisation__name="Gamma Labs")
    JoinRequestFactory(workstream=cm, organisation__name="Decided Co",
                       status=JoinRequest.Status.DECLINED)
    # Oldest first, as the queue lists them.
    for age, join_request in ((3, first), (2, second), (1, third)):
        JoinRequest.objects.filter(pk=join_request.pk).update(
            created_at=timezone.now() - datetime.timedelta(days=age))
    return {"cm": cm, "first": first, "second": second, "third": third}


def queued(client, data) -> list[str]:
    response = client.get(QUEUE, data)
    assert response.status_code == 200
    return [r.organisation.name for r in response.context["page"].paginator.object_list]


def test_staff_export_exactly_the_queue_with_its_workstream_filter(client, requests,
                                                                   mfa_staff_user):
    client.force_login(mfa_staff_user)
    for data in ({}, {"workstream": "cm"}, {"workstream": "digital"},
                 {"workstream": "no-such"}, {"workstream": "not a slug!"}):
        _header, *rows = streamed_rows(client.get(CSV, data))
        assert [row[0] for row in rows] == queued(client, data), data
    assert queued(client, {"workstream": "cm"}) == ["Acme Pharma", "Gamma Labs"]
    assert queued(client, {"workstream": "not a slug!"}) == [
        "Acme Pharma", "Beta Bio", "Gamma Labs"]


def test_each_row_names_the_request_with_its_motivation_neutralised(client, requests,
                                                                    mfa_staff_user):
    client.force_login(mfa_staff_user)
    header, *rows = streamed_rows(client.get(CSV, {"workstream": "cm"}))
    assert header == ["organisation", "workstream", "requested at", "motivation", "status"]
    first = dict(zip(header, rows[0], strict=True))
    requested = timezone.localtime(JoinRequest.objects.get(pk=requests["first"].pk).created_at)
    assert first == {"organisation": "Acme Pharma", "workstream": "Continuous Manufacturing",
                     "requested at": f"{requested:%Y-%m-%d %H:%M}",
                     "motivation": "'=HYPERLINK(\"http://evil.example\",\"x\")",
                     "status": "Pending"}


def test_only_programme_staff_export(client, requests):
    response = client.get(CSV)
    assert response.status_code == 302 and "login" in response["Location"]
    admin = OrganisationMembershipFactory(organisation=requests["first"].organisation,
                                          role="admin").person
    for person in (UserFactory(), admin):
        client.force_login(person)
        assert client.get(CSV).status_code == 403
    assert not ReportJob.objects.exists()


def test_the_queue_links_the_export_with_its_filter(client, requests, mfa_staff_user):
    client.force_login(mfa_staff_user)
    assert f'href="{CSV}?workstream=cm"' in client.get(
        QUEUE, {"workstream": "cm", "page": "1"}).content.decode()
    assert f'href="{CSV}"' in client.get(QUEUE).content.decode()


def test_the_export_costs_the_same_for_n_or_3n_requests(client, requests, mfa_staff_user):
    client.force_login(mfa_staff_user)
    few = export_queries(client, CSV)
    for _ in range(6):
        JoinRequestFactory(workstream=requests["cm"], organisation=OrganisationFactory())
    assert export_queries(client, CSV) == few
    assert len(streamed_rows(client.get(CSV))) == 10


def test_a_queue_above_the_limit_becomes_a_job_writing_the_same_rows(
        client, requests, mfa_staff_user, settings):
    client.force_login(mfa_staff_user)
    streamed = streamed_rows(client.get(CSV, {"workstream": "cm"}))
    assert len(streamed) == 3
    settings.LIST_EXPORT_MAX_ROWS = 1
    job = job_asked_by(client, CSV, {"workstream": "cm", "page": "2"})
    assert (job.kind, job.requester) == ("join_request_queue_list", mfa_staff_user)
    assert job.parameters == {"filters": {"workstream": "cm"}}
    assert job_rows(job) == streamed
