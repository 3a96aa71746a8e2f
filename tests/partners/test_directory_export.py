"""The partner directory's export, a programme staff tool: exactly the organisations the
directory lists to that person with the same filters (staff see every organisation, listed or
not), streamed with formula cells neutralised, at a cost that does not grow with the directory;
a directory longer than settings.LIST_EXPORT_MAX_ROWS becomes a report job writing the same
rows. Visitors and partners are refused, and find no export link on the page."""

import pytest
from django.urls import reverse

from cluster_portal.reports.models import ReportJob
from tests.factories import (
    OrganisationFactory,
    OrganisationMembershipFactory,
    UserFactory,
    WorkstreamFactory,
    WorkstreamMembershipFactory,
)
from tests.support.list_exports import export_queries, job_asked_by, job_rows, streamed_rows

pytestmark = pytest.mark.django_db

DIRECTORY = reverse("partners:directory")
CSV = reverse("partners:directory_csv")


@pytest.fixture
def organisations():
    workstream = WorkstreamFactory(name="Continuous Manufacturing", slug="cm")
    meridian = OrganisationFactory(name="Meridian Pharma Asia", country="SG", kind="pharma_mnc",
                                   tier="core")
    WorkstreamMembershipFactory(organisation=meridian, workstream=workstream)
    OrganisationMembershipFactory.create_batch(2, organisation=meridian)
    return {
        "meridian": meridian,
        "helix": OrganisationFactory(name="Helix Bioprocess", country="SG", kind="sme"),
        "hidden": OrganisationFactory(name="Meridian Hidden Labs", country="DE",
                                      kind="biotech", is_listed=False),
        "waiting": OrganisationFactory(name="Meridian Waiting", country="JP",
                                       status="pending"),
        "formula": OrganisationFactory(name="=HYPERLINK(\"http://evil.example\",\"x\")",
                                       country="FR"),
    }


def listed(client, data) -> list[str]:
    response = client.get(DIRECTORY, data)
    assert response.status_code == 200
    return [o.name for o in response.context["page"].paginator.object_list]


def exported(client, data) -> list[list[str]]:
    return streamed_rows(client.get(CSV, data))


def test_staff_export_exactly_what_the_directory_lists_them_with_its_filters(
        client, organisations, mfa_staff_user):
    client.force_login(mfa_staff_user)
    for data in ({}, {"q": "meridian"}, {"country": "SG"}, {"kind": "biotech"},
                 {"workstream": "cm"}, {"tier": "core", "q": "asia"}, {"country": "XX"}):
        _header, *rows = exported(client, data)
        assert [row[0] for row in rows] == [
            name.replace("=", "'=", 1) if name.startswith("=") else name
            for name in listed(client, data)], data
    names = [row[0] for row in exported(client, {"q": "meridian"})[1:]]
    # Staff see every organisation, listed or not, approved or not.
    assert names == ["Meridian Hidden Labs", "Meridian Pharma Asia", "Meridian Waiting"]


def test_each_row_says_what_staff_need_of_the_organisation(client, organisations,
                                                           mfa_staff_user):
    client.force_login(mfa_staff_user)
    header, *rows = exported(client, {"q": "meridian"})
    assert header == ["name", "kind", "country", "tier", "tier status", "listed",
                      "workstreams", "people count"]
    by_name = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    assert by_name["Meridian Pharma Asia"] == {
        "name": "Meridian Pharma Asia", "kind": "Pharma MNC", "country": "Singapore",
        "tier": "Core", "tier status": "Current", "listed": "yes",
        "workstreams": "Continuous Manufacturing", "people count": "2"}
    assert by_name["Meridian Hidden Labs"]["listed"] == "no"
    assert by_name["Meridian Hidden Labs"]["country"] == "Germany"


def test_formula_cells_are_neutralised(client, organisations, mfa_staff_user):
    client.force_login(mfa_staff_user)
    _header, [row] = (lambda r: (r[0], r[1:]))(exported(client, {"country": "FR"}))
    assert row[0] == "'=HYPERLINK(\"http://evil.example\",\"x\")"


def test_only_programme_staff_export_and_only_they_see_the_link(client, organisations):
    response = client.get(CSV)
    assert response.status_code == 302 and "login" in response["Location"]
    assert "Export CSV" not in client.get(DIRECTORY).content.decode()
    partner_admin = OrganisationMembershipFactory(organisation=organisations["meridian"],
                                                  role="admin").person
    for person in (UserFactory(), partner_admin):
        client.force_login(person)
        assert client.get(CSV).status_code == 403
        assert "Export CSV" not in client.get(DIRECTORY).content.decode()
    # Staff without their second factor set it up first (they see the directory as anyone).
    client.force_login(UserFactory(role="programme_staff"))
    response = client.get(CSV)
    assert response.status_code == 302 and "login" not in response["Location"]
    assert not ReportJob.objects.exists()


def test_the_directory_links_the_export_with_its_filters(client, organisations,
                                                         mfa_staff_user):
    client.force_login(mfa_staff_user)
    text = client.get(DIRECTORY, {"q": "meridian", "country": "SG", "page": "1"}).content
    assert f'href="{CSV}?q=meridian&amp;country=SG"' in text.decode()
    assert f'href="{CSV}"' in client.get(DIRECTORY).content.decode()


def test_the_export_costs_the_same_for_n_or_3n_organisations(client, organisations,
                                                             mfa_staff_user):
    client.force_login(mfa_staff_user)
    workstream = WorkstreamFactory()

    def more(count):
        for organisation in OrganisationFactory.create_batch(count):
            WorkstreamMembershipFactory(organisation=organisation, workstream=workstream)
            OrganisationMembershipFactory(organisation=organisation)

    more(3)
    few = export_queries(client, CSV)
    more(9)
    assert export_queries(client, CSV) == few


def test_a_directory_above_the_limit_becomes_a_job_writing_the_same_rows(
        client, organisations, mfa_staff_user, settings):
    client.force_login(mfa_staff_user)
    data = {"q": "meridian", "page": "2"}
    streamed = exported(client, data)
    assert len(streamed) == 4
    settings.LIST_EXPORT_MAX_ROWS = 2
    job = job_asked_by(client, CSV, data)
    assert (job.kind, job.requester) == ("partner_directory_list", mfa_staff_user)
    assert job.parameters == {"filters": {"q": "meridian"}}
    assert job_rows(job) == streamed
