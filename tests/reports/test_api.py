"""The reports API for each role: the caller's jobs (a programme admin's: everyone's), asking
for one (201, or 200 with the same request at work), each wrong field named, and the file (404
to anyone but its requester and programme admins, exactly as a missing job; 410 once expired;
409 while at work)."""

import pytest
from django.urls import reverse

from cluster_portal.audit.models import AuditEvent
from cluster_portal.reports.models import ReportJob
from tests.factories import OrganisationMembershipFactory, UserFactory
from tests.reports.support import kind_registered, make_job
from tests.reports.test_pages import partner_kind
from tests.support.api import assert_error, client_for
from tests.support.queries import queries_of_get
from tests.support.races import staff_with_mfa

pytestmark = pytest.mark.django_db

LIST = reverse("api:report-jobs-list")


def one(job_or_pk):
    return reverse("api:report-jobs-detail", kwargs={"pk": getattr(job_or_pk, "pk", job_or_pk)})


def file_of(job_or_pk):
    return reverse("api:report-jobs-download",
                   kwargs={"pk": getattr(job_or_pk, "pk", job_or_pk)})


def test_a_visitor_is_told_to_authenticate(mfa_staff_user):
    job = make_job(mfa_staff_user)
    client = client_for()
    for response in (client.get(LIST), client.get(one(job)), client.get(file_of(job)),
                     client.post(LIST, {"kind": "audit_trail", "format": "csv"},
                                 format="json")):
        assert_error(response, 401)


def test_staff_without_their_second_factor_are_refused_as_in_the_rest_of_the_api(staff_user):
    client = client_for(staff_user)
    assert_error(client.get(LIST), 403, "mfa_required")
    assert_error(client.post(LIST, {"kind": "audit_trail", "format": "csv"}, format="json"),
                 403, "mfa_required")


def test_someone_not_of_the_programme_office_lists_their_own_and_may_not_ask(user):
    client = client_for(user)
    assert client.get(LIST).json()["results"] == []
    assert_error(client.post(LIST, {"kind": "audit_trail", "format": "csv"}, format="json"),
                 403, "permission_denied")
    assert not ReportJob.objects.exists()


def test_staff_ask_for_a_report_and_asking_again_answers_the_one_at_work(mfa_staff_user):
    client = client_for(mfa_staff_user)
    body = {"kind": "audit_trail", "format": "csv",
            "parameters": {"date_from": "2026-01-01", "actor": "a@example.org"}}
    created = client.post(LIST, body, format="json")
    assert created.status_code == 201, created.content
    job = ReportJob.objects.get()
    answer = created.json()
    assert answer["id"] == job.pk and answer["status"] == "queued"
    assert answer["kind_label"] == "Audit trail" and answer["download_url"] is None
    assert answer["parameters"] == {"date_from": "2026-01-01", "actor": "a@example.org"}
    assert answer["requester"] == {"id": mfa_staff_user.pk,
                                   "full_name": mfa_staff_user.full_name}
    again = client.post(LIST, body, format="json")
    assert again.status_code == 200 and again.json()["id"] == job.pk
    assert ReportJob.objects.count() == 1


def test_the_task_builds_the_job_after_commit_and_its_file_is_downloaded(
        mfa_staff_user, django_capture_on_commit_callbacks):
    client = client_for(mfa_staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        created = client.post(LIST, {"kind": "audit_trail", "format": "csv"}, format="json")
    job = client.get(one(created.json()["id"])).json()
    assert job["status"] == "done" and job["progress"] == 100
    assert job["download_url"] == f"http://testserver{file_of(job['id'])}"
    response = client.get(file_of(job["id"]))
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert b"".join(response.streaming_content).startswith(b"\xef\xbb\xbfwhen,who,action")
    assert AuditEvent.objects.filter(action="report_job.download", actor=mfa_staff_user).exists()


@pytest.mark.parametrize(("body", "fields"), [
    ({"kind": "sales", "format": "csv"}, {"kind"}),
    ({"format": "csv"}, {"kind"}),
    ({"kind": "audit_trail", "format": "doc"}, {"format"}),
    ({"kind": "audit_trail", "format": "pdf"}, {"format"}),
    ({"kind": "audit_trail", "format": "csv", "parameters": {"date_from": "2026-02-30"}},
     {"parameters.date_from"}),
    ({"kind": "audit_trail", "format": "csv",
      "parameters": {"date_from": "2026-03-02", "date_to": "2026-03-01"}},
     {"parameters.date_to"}),
    ({"kind": "audit_trail", "format": "csv", "parameters": {"workstream": "a b"}},
     {"parameters.workstream"}),
    ({"kind": "audit_trail", "format": "csv", "parameters": {"date_to": "yesterday"}},
     {"parameters.date_to"}),
    ({"kind": "audit_trail", "format": "csv", "parameters": {"colour": "red"}},
     {"parameters.colour"}),
    ({"kind": "audit_trail", "format": "csv", "parameters": "everything"}, {"parameters"}),
    ({"kind": "audit_trail", "format": "csv", "parameters": {"actor": ["a", "b"]}},
     {"parameters.actor"}),
])
def test_a_wrong_field_is_a_400_naming_it(mfa_staff_user, body, fields):
    body = assert_error(client_for(mfa_staff_user).post(LIST, body, format="json"), 400,
                        "invalid")
    assert set(body["fields"]) == fields
    assert not ReportJob.objects.exists()


def test_a_partner_admin_asks_for_a_kind_that_covers_their_organisation(db):
    partner_admin = OrganisationMembershipFactory(role="admin").person
    with kind_registered(partner_kind()):
        created = client_for(partner_admin).post(
            LIST, {"kind": "own_organisation", "format": "csv"}, format="json")
    assert created.status_code == 201 and created.json()["kind"] == "own_organisation"


def test_another_persons_job_is_missing_exactly_as_one_that_does_not_exist(mfa_staff_user):
    theirs = make_job(staff_with_mfa())
    client = client_for(mfa_staff_user)
    for url_of in (one, file_of):
        hidden, missing = client.get(url_of(theirs)), client.get(url_of(theirs.pk + 1000))
        assert assert_error(hidden, 404) == assert_error(missing, 404)
        assert hidden.json() == missing.json()
    assert client.get(f"/api/v1/reports/{'9' * 18}/").status_code == 404
    assert client.get(LIST).json()["results"] == []


def test_programme_admins_list_and_download_everyones(mfa_staff_user, mfa_admin_user):
    theirs, mine = make_job(mfa_staff_user), make_job(mfa_admin_user)
    client = client_for(mfa_admin_user)
    assert {row["id"] for row in client.get(LIST).json()["results"]} == {theirs.pk, mine.pk}
    assert client.get(file_of(theirs)).status_code == 200
    staff_rows = client_for(mfa_staff_user).get(LIST).json()["results"]
    assert [row["id"] for row in staff_rows] == [theirs.pk]


def test_an_expired_file_is_gone_and_one_at_work_not_yet_there(mfa_staff_user):
    client = client_for(mfa_staff_user)
    expired = make_job(mfa_staff_user, expired=True)
    body = assert_error(client.get(file_of(expired)), 410, "expired")
    assert "7 days after it was built; ask for it again" in body["message"]
    assert client.get(one(expired)).json()["expired"] is True
    at_work = make_job(mfa_staff_user, status="running")
    assert "not ready yet" in assert_error(client.get(file_of(at_work)), 409)["message"]
    failed = make_job(mfa_staff_user, status="failed")
    assert_error(client.get(file_of(failed)), 409)
    assert not AuditEvent.objects.filter(action="report_job.download").exists()


def test_the_list_costs_the_same_for_n_jobs_and_3n(mfa_admin_user):
    others = [UserFactory() for _ in range(3)]
    client = client_for(mfa_admin_user)

    def add(count):
        for index in range(count):
            make_job(others[index % 3], status=("done", "queued")[index % 2])

    add(4)
    few = queries_of_get(client, LIST)
    add(8)
    assert queries_of_get(client, LIST) == few
