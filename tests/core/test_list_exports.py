"""A staff list's export (cluster_portal.core.csv_export.list_export): up to
settings.LIST_EXPORT_MAX_ROWS rows it streams the list as it is read, formula cells neutralised;
longer, it asks for a report job of the list's own kind with the page's filters and sends the
person to follow it, and that job writes the same rows."""

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import PermissionDenied
from django.http import QueryDict, StreamingHttpResponse
from django.test import RequestFactory
from django.urls import reverse

from cluster_portal.core.csv_export import list_export, list_export_filters
from cluster_portal.reports.kinds import ReportKind, Table
from cluster_portal.reports.models import ReportJob
from partners.models import Organisation
from tests.factories import OrganisationFactory, UserFactory
from tests.reports.support import kind_registered
from tests.support.list_exports import job_rows, streamed_rows
from tests.support.queries import queries_of

pytestmark = pytest.mark.django_db

HEADER = ("name", "country")
LIST_URL = "/some/list/?kind=sme"


def row(organisation):
    return (organisation.name, organisation.country)


def organisations(filters):
    found = Organisation.objects.order_by("name", "pk")
    if filters.get("kind"):
        found = found.filter(kind=filters["kind"])
    return found


def _tables(actor, parameters):
    found = organisations(parameters.filters)
    yield Table(title="Organisations", header=HEADER, rows=(row(o) for o in found.iterator()),
                count=found.count())


KIND = ReportKind(key="test_organisations_list", label="Organisations", description="Test.",
                  formats=("csv",), audience="staff", tables=_tables,
                  extra_parameters=("filters",))


@pytest.fixture
def kind():
    with kind_registered(KIND):
        yield KIND


def request_of(user, query: str = ""):
    request = RequestFactory().get("/some/list.csv", QueryDict(query))
    request.user, request.session = user, SessionStore()
    request._messages = FallbackStorage(request)
    return request


def export(request, filters, queryset=None):
    return list_export(request, queryset=organisations(filters) if queryset is None
                       else queryset, header=HEADER, row=row, filename="organisations.csv",
                       kind=KIND.key, filters=filters, list_url=LIST_URL)


def test_the_filters_are_the_named_ones_given_each_its_last_value():
    query = QueryDict("kind=sme&kind=biotech&q=&page=3&sort=name&other=x")
    assert list_export_filters(query, ("q", "kind", "sort")) == {"kind": "biotech",
                                                                 "sort": "name"}


def test_up_to_the_limit_the_list_streams_with_formula_cells_neutralised(
        kind, mfa_staff_user, settings):
    settings.LIST_EXPORT_MAX_ROWS = 3
    for name in ("=HYPERLINK(\"http://x\",\"y\")", "+Plus", "-Minus", "@At"):
        OrganisationFactory(name=name, kind=Organisation.Kind.SME, country="SG")
    OrganisationFactory(name="Not an SME", kind=Organisation.Kind.BIOTECH)
    response = export(request_of(mfa_staff_user), {"kind": "sme"},
                      queryset=organisations({"kind": "sme"}).exclude(name="@At"))
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Disposition"] == 'attachment; filename="organisations.csv"'
    header, *rows = streamed_rows(response)
    assert header == list(HEADER)
    assert sorted(name for name, _country in rows) == [
        "'+Plus", "'-Minus", "'=HYPERLINK(\"http://x\",\"y\")"]
    assert not ReportJob.objects.exists()


def test_a_list_in_parts_streams_each_part_in_turn(kind, mfa_staff_user):
    for name in ("Alpha", "Beta", "Gamma"):
        OrganisationFactory(name=name)
    parts = [Organisation.objects.filter(name="Gamma"),
             Organisation.objects.filter(name__in=("Alpha", "Beta")).order_by("name")]
    _header, *rows = streamed_rows(export(request_of(mfa_staff_user), {}, queryset=parts))
    assert [name for name, _country in rows] == ["Gamma", "Alpha", "Beta"]


def test_streaming_costs_the_same_queries_for_n_or_3n_rows(kind, mfa_staff_user):
    def cost():
        return queries_of(lambda: b"".join(
            export(request_of(mfa_staff_user), {}).streaming_content))
    OrganisationFactory.create_batch(3)
    few = cost()
    OrganisationFactory.create_batch(6)
    assert cost() == few


def test_above_the_limit_a_report_job_is_asked_for_and_writes_the_same_rows(
        kind, mfa_staff_user, settings):
    for number in range(4):
        OrganisationFactory(name=f"=SME {number}", kind=Organisation.Kind.SME)
    OrganisationFactory(kind=Organisation.Kind.BIOTECH)
    streamed = streamed_rows(export(request_of(mfa_staff_user), {"kind": "sme"}))
    settings.LIST_EXPORT_MAX_ROWS = 3
    request = request_of(mfa_staff_user, "kind=sme")
    response = export(request, {"kind": "sme"})
    job = ReportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:detail", kwargs={"pk": job.pk})
    assert (job.kind, job.format, job.requester) == (KIND.key, "csv", mfa_staff_user)
    assert job.parameters == {"filters": {"kind": "sme"}}
    [message] = [str(m) for m in get_messages(request)]
    assert "long (4 rows)" in message and "being built" in message
    assert job_rows(job) == streamed
    assert len(streamed) == 5


def test_the_same_long_list_asked_again_while_it_is_built_is_that_job(
        kind, mfa_staff_user, settings):
    settings.LIST_EXPORT_MAX_ROWS = 0
    OrganisationFactory()
    first = export(request_of(mfa_staff_user), {})
    request = request_of(mfa_staff_user)
    again = export(request, {})
    assert first["Location"] == again["Location"] and ReportJob.objects.count() == 1
    [message] = [str(m) for m in get_messages(request)]
    assert "already being built" in message


def test_filters_a_report_cannot_take_send_the_person_back_to_the_list(
        kind, mfa_staff_user, settings):
    settings.LIST_EXPORT_MAX_ROWS = 0
    OrganisationFactory()
    request = request_of(mfa_staff_user)
    response = export(request, {"q": "x" * 300})
    assert response.status_code == 302 and response["Location"] == LIST_URL
    [message] = [str(m) for m in get_messages(request)]
    assert "could not be exported" in message
    assert not ReportJob.objects.exists()


def test_someone_who_may_not_ask_for_the_report_is_refused(kind, settings):
    settings.LIST_EXPORT_MAX_ROWS = 0
    OrganisationFactory()
    with pytest.raises(PermissionDenied):
        export(request_of(UserFactory()), {})
    assert not ReportJob.objects.exists()
