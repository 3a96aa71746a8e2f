"""The reports pages for each role: asking for a report (the same request at work shown rather
than asked twice), following it (the progress block asks again every two seconds while it is
at work), and its private file, only to its requester and programme admins: to anyone else a
job is missing, exactly as one that does not exist; an expired file is a 410 that offers to ask
again; the list costs the same queries for N jobs and 3N."""

import pytest
from django.urls import reverse

from cluster_portal.audit.models import AuditEvent
from cluster_portal.reports.kinds import REGISTRY, ReportKind
from cluster_portal.reports.models import ReportJob
from tests.factories import OrganisationMembershipFactory, UserFactory
from tests.reports.support import kind_registered, make_job, table_of
from tests.support.queries import queries_of_get
from tests.support.races import staff_with_mfa

pytestmark = pytest.mark.django_db

LIST = reverse("reports:list")


def detail(job):
    return reverse("reports:detail", kwargs={"pk": job.pk})


def download(job):
    return reverse("reports:download", kwargs={"pk": job.pk})


def signed_in(client, person):
    client.force_login(person)
    return client


@pytest.fixture
def no_partner_kinds():
    """Only the kinds for the programme office: what the apps add for partner admins is
    tried with a kind of the test's own."""
    kept = dict(REGISTRY.kinds)
    REGISTRY.kinds.clear()
    REGISTRY.kinds.update({key: kind for key, kind in kept.items()
                           if kind.audience != "partner"})
    yield
    REGISTRY.kinds.clear()
    REGISTRY.kinds.update(kept)


@pytest.fixture
def partner_admin(db):
    return OrganisationMembershipFactory(role="admin").person


def partner_kind():
    return ReportKind(
        key="own_organisation", label="Own organisation list", description="Yours only.",
        formats=("csv",), audience="partner", tables=table_of([("a", 1)]),
        may_request=lambda person: person.organisation_memberships.filter(
            role="admin").exists())


# --- who may open the pages --------------------------------------------------------------------

def test_a_visitor_is_sent_to_sign_in(client, mfa_staff_user):
    job = make_job(mfa_staff_user)
    for url in (LIST, detail(job), download(job)):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_someone_who_may_ask_for_no_report_is_refused_with_the_reason(client, user,
                                                                      no_partner_kinds):
    response = signed_in(client, user).get(LIST)
    assert response.status_code == 403
    assert "Your account may ask for none of them" in response.content.decode()


def test_a_partner_admin_is_refused_while_no_kind_is_theirs_and_offered_theirs(
        client, partner_admin, no_partner_kinds):
    signed_in(client, partner_admin)
    assert client.get(LIST).status_code == 403
    with kind_registered(partner_kind()):
        page = client.get(LIST)
        assert page.status_code == 200
        html = page.content.decode()
        assert 'value="own_organisation"' in html and 'value="audit_trail"' not in html
        refused = client.post(LIST, {"kind": "audit_trail", "format": "csv"})
        assert refused.status_code == 400 and not ReportJob.objects.exists()
        asked = client.post(LIST, {"kind": "own_organisation", "format": "csv"})
    job = ReportJob.objects.get()
    assert asked["Location"] == detail(job) and job.requester == partner_admin


def test_staff_without_their_second_factor_set_it_up_first(client, staff_user):
    response = signed_in(client, staff_user).get(LIST)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/?next=%2Freports%2F"


# --- asking for a report -------------------------------------------------------------------

def test_staff_ask_for_the_audit_trail_and_its_task_builds_it_after_commit(
        client, mfa_staff_user, django_capture_on_commit_callbacks):
    signed_in(client, mfa_staff_user)
    page = client.get(LIST).content.decode()
    assert 'value="audit_trail"' in page and "You have not asked for a report yet" in page
    assert "Everyone's reports" not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(LIST, {"kind": "audit_trail", "format": "csv",
                                      "date_from": "2026-01-01", "date_to": "2026-12-31",
                                      "object_type": "accounts.user"})
    job = ReportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == detail(job)
    assert job.parameters == {"date_from": "2026-01-01", "date_to": "2026-12-31",
                              "object_type": "accounts.user"}
    assert job.status == "done" and job.file  # built by the eager task once committed
    html = client.get(detail(job)).content.decode()
    assert "is being built" in html  # the message of the request
    assert download(job) in html and "hx-trigger" not in html
    listed = client.get(LIST).content.decode()
    assert download(job) in listed and "Audit trail" in listed


def test_asking_again_while_the_same_is_at_work_shows_the_one_at_work(client,
                                                                      mfa_staff_user):
    signed_in(client, mfa_staff_user)
    asked = {"kind": "audit_trail", "format": "csv", "date_from": "2026-03-01"}
    first = client.post(LIST, asked)  # its task waits for a commit that never comes
    second = client.post(LIST, asked, follow=True)
    job = ReportJob.objects.get()
    assert first["Location"] == detail(job)
    assert second.redirect_chain == [(detail(job), 302)]
    assert "already being built: this is it" in second.content.decode()


@pytest.mark.parametrize(("sent", "field", "words"), [
    ({"date_from": "2026-05-10", "date_to": "2026-05-01"}, "date_to", "on or after"),
    ({"date_from": "10/05/2026"}, "date_from", "YYYY-MM-DD"),
    ({"workstream": "no such thing!"}, "workstream", "slug"),
    ({"format": "pdf"}, "format", "comes as CSV"),
    ({"kind": "sales"}, "kind", "Select a valid choice"),
])
def test_a_wrong_field_is_shown_beside_it(client, mfa_staff_user, sent, field, words):
    response = signed_in(client, mfa_staff_user).post(
        LIST, {"kind": "audit_trail", "format": "csv", **sent})
    assert response.status_code == 400
    assert words in " ".join(response.context["form"].errors[field])
    assert not ReportJob.objects.exists()


# --- following it -------------------------------------------------------------------------

def test_the_progress_block_asks_again_while_at_work_and_stops_when_done(client,
                                                                         mfa_staff_user):
    job = make_job(mfa_staff_user, status="running")
    ReportJob.objects.filter(pk=job.pk).update(progress=40)
    signed_in(client, mfa_staff_user)
    block = client.get(detail(job), HTTP_HX_REQUEST="true").content.decode()
    assert block.strip().startswith('<div id="report-progress"')
    assert 'hx-trigger="every 2s"' in block and f'hx-get="{detail(job)}"' in block
    assert 'role="progressbar"' in block and 'aria-valuenow="40"' in block
    assert 'aria-live="polite"' in block and "40% done" in block
    assert "<html" not in block

    ready = make_job(mfa_staff_user)
    done = client.get(detail(ready), HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in done and download(ready) in done
    assert "The file is kept until" in done


def test_a_failed_report_says_why_and_offers_to_ask_again(client, mfa_staff_user):
    job = make_job(mfa_staff_user, status="failed", parameters={"date_from": "2026-01-01"})
    ReportJob.objects.filter(pk=job.pk).update(error="The report could not be built.")
    html = signed_in(client, mfa_staff_user).get(detail(job)).content.decode()
    assert "The report could not be built." in html and "hx-trigger" not in html
    assert "from 2026-01-01</dd>" in html  # what it was narrowed to
    assert "Ask for it again" in html and download(job) not in html


def test_an_expired_report_says_when_its_file_was_deleted_and_is_asked_again_in_one_click(
        client, mfa_staff_user):
    job = make_job(mfa_staff_user, expired=True, parameters={"date_from": "2026-01-01",
                                                             "actor": "a@example.org"})
    signed_in(client, mfa_staff_user)
    html = client.get(detail(job)).content.decode()
    assert "file was deleted on" in html and "7 days after it was built" in html
    assert 'name="actor" value="a@example.org"' in html
    assert download(job) not in html

    gone = client.get(download(job))
    assert gone.status_code == 410 and "Ask for it again" in gone.content.decode()

    again = client.post(LIST, {"kind": job.kind, "format": job.format,
                               "date_from": "2026-01-01", "actor": "a@example.org"})
    new = ReportJob.objects.exclude(pk=job.pk).get()
    assert again["Location"] == detail(new) and new.parameters == job.parameters


# --- another's job, and the file ---------------------------------------------------------

def test_anothers_job_is_missing_as_one_that_does_not_exist(client, mfa_staff_user):
    theirs = make_job(staff_with_mfa())
    signed_in(client, mfa_staff_user)
    for url in (detail(theirs), download(theirs)):
        missing = client.get(url.replace(str(theirs.pk), str(theirs.pk + 1000)))
        hidden = client.get(url)
        assert hidden.status_code == missing.status_code == 404
    assert not AuditEvent.objects.filter(action="report_job.download").exists()


def test_the_requester_and_programme_admins_download_the_file(client, mfa_staff_user,
                                                              mfa_admin_user):
    job = make_job(mfa_staff_user, content=b"\xef\xbb\xbfwhen,who\r\n")
    for person in (mfa_staff_user, mfa_admin_user):
        response = signed_in(client, person).get(download(job))
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"] == f'attachment; filename="{job.file_name}"'
        assert b"".join(response.streaming_content).endswith(b"when,who\r\n")
    assert client.head(download(job)).status_code == 200  # recorded as no download
    assert sorted(AuditEvent.objects.filter(action="report_job.download").values_list(
        "actor", flat=True)) == sorted([mfa_staff_user.pk, mfa_admin_user.pk])
    assert "/media/" not in client.get(detail(job)).content.decode()


def test_a_report_not_ready_sends_back_to_its_page(client, mfa_staff_user):
    job = make_job(mfa_staff_user, status="queued")
    response = signed_in(client, mfa_staff_user).get(download(job), follow=True)
    assert response.redirect_chain == [(detail(job), 302)]
    assert "not ready yet" in response.content.decode()


def test_programme_admins_see_everyones_jobs_and_staff_their_own(client, mfa_staff_user,
                                                                 mfa_admin_user):
    mine, theirs = make_job(mfa_staff_user), make_job(mfa_admin_user)
    staff_page = signed_in(client, mfa_staff_user).get(LIST).content.decode()
    assert detail(mine) in staff_page and detail(theirs) not in staff_page
    admin_page = signed_in(client, mfa_admin_user).get(LIST).content.decode()
    assert "Everyone's reports" in admin_page
    assert detail(mine) in admin_page and detail(theirs) in admin_page
    assert signed_in(client, mfa_admin_user).get(detail(mine)).status_code == 200


def test_the_list_costs_the_same_for_n_jobs_and_3n(client, mfa_admin_user):
    others = [UserFactory() for _ in range(3)]

    def add(count):
        for index in range(count):
            make_job(mfa_admin_user if index % 2 else others[index % 3],
                     status=("done", "running", "failed")[index % 3])

    signed_in(client, mfa_admin_user)
    add(4)
    few = queries_of_get(client, LIST)
    add(8)
    many = queries_of_get(client, LIST)
    assert few == many


# --- the admin ---------------------------------------------------------------------------------

def test_the_admin_shows_report_jobs_to_programme_admins_for_reading_only(
        client, mfa_admin_user, mfa_staff_user):
    job = make_job(mfa_staff_user)
    changelist = reverse("admin:reports_reportjob_changelist")
    change = reverse("admin:reports_reportjob_change", args=[job.pk])
    signed_in(client, mfa_admin_user)
    listed = client.get(changelist)
    assert listed.status_code == 200 and change in listed.content.decode()
    page = client.get(change)
    assert page.status_code == 200 and job.file_name in page.content.decode()
    assert 'name="_save"' not in page.content.decode()
    assert client.get(reverse("admin:reports_reportjob_add")).status_code == 403
    before = ReportJob.objects.values().get(pk=job.pk)
    client.post(change, {"kind": "programme", "status": "failed"})
    assert ReportJob.objects.values().get(pk=job.pk) == before
    assert client.post(reverse("admin:reports_reportjob_delete", args=[job.pk]),
                       {"post": "yes"}).status_code == 403
    assert ReportJob.objects.filter(pk=job.pk).exists()


def test_a_list_export_says_its_filters_and_is_asked_for_again_from_its_list(client,
                                                                            mfa_staff_user,
                                                                            settings):
    """A list's export that became a report names the filters its list had, and sends the
    reader back to the list for another (the reports page does not offer a list's kind)."""
    from cluster_portal.reports.services import report_job_request, report_job_run

    job, _ = report_job_request(actor=mfa_staff_user, kind="portfolio_list", format="csv",
                                parameters={"filters": {"status": "active"}})
    report_job_run(job_id=job.pk)
    client.force_login(mfa_staff_user)
    html = client.get(f"/reports/{job.pk}/").content.decode()
    assert "status: active" in html
    assert "Ask for it again" not in html and "open it and choose" in html
