"""The export of every enrolment (talent.reports, kind "enrolments"): for programme admins only,
one row per enrolment with cancelled ones too, in CSV and XLSX, narrowed by the same parameters
as the other kinds, and built with the same number of queries however many enrolments there are."""

import datetime
from dataclasses import replace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cluster_portal.audit.models import AuditEvent
from cluster_portal.core.exceptions import ApplicationError, NotAllowed
from cluster_portal.reports.kinds import ReportParameters, Table
from cluster_portal.reports.models import ReportJob
from cluster_portal.reports.services import report_job_request, report_job_run
from cluster_portal.reports.writers import CSV_BATCH_ROWS, write_csv
from partners.models import OrganisationMembership
from talent.models import Enrolment
from talent.reports import every_enrolment_tables
from tests.factories import OrganisationFactory, UserFactory, WorkstreamFactory
from tests.projects.factories import person_of_organisation
from tests.reports.test_kinds import built, column, read_csv, read_xlsx
from tests.reports.test_large_exports import PROGRESS_SAVED
from tests.talent.factories import CourseFactory, CourseRunFactory, in_days

pytestmark = pytest.mark.django_db

HEADER = ["trainee", "e-mail", "organisation", "course", "course title", "run starts",
          "run ends", "status", "enrolled at", "confirmed at", "cancelled at", "completed at"]
# 2026-03-02 01:02:03.456 UTC is 09:02:03 in Singapore, the programme's clock.
MOMENT = datetime.datetime(2026, 3, 2, 1, 2, 3, 456000, tzinfo=datetime.UTC)


@pytest.fixture
def enrolments():
    """Two workstreams' courses; on the first, a sponsored trainee who completed, one
    self-sponsored who cancelled, and a trainee whose organisation's name reads as a formula;
    on the second, one confirmed."""
    workstream, other = WorkstreamFactory(slug="manufacturing"), WorkstreamFactory(slug="twins")
    course = CourseFactory(code="CM-101", title="Crystallisation basics")
    course.workstreams.add(workstream)
    past = CourseRunFactory(course=course, starts_on=in_days(-100), ends_on=in_days(-99))
    pharma = OrganisationFactory(name="Partner Pharma")
    done = Enrolment.objects.create(
        person=UserFactory(full_name="Ada Tan", email="ada@example.org"), run=past,
        sponsor=pharma, status=Enrolment.Status.COMPLETED)
    Enrolment.objects.filter(pk=done.pk).update(created_at=MOMENT, confirmed_at=MOMENT,
                                                completed_at=MOMENT)
    Enrolment.objects.create(person=UserFactory(full_name="", email="ben@example.org"),
                             run=past, status=Enrolment.Status.CANCELLED,
                             cancelled_at=MOMENT)
    formula = OrganisationFactory(name='=HYPERLINK("http://evil")')
    Enrolment.objects.create(person=person_of_organisation(formula), run=past, sponsor=formula,
                             status=Enrolment.Status.NO_SHOW)
    twins = CourseFactory(code="DT-200", title="Digital twins")
    twins.workstreams.add(other)
    Enrolment.objects.create(person=UserFactory(), run=CourseRunFactory(course=twins),
                             sponsor=pharma, status=Enrolment.Status.CONFIRMED)
    return past


def test_only_programme_admins_may_ask(mfa_staff_user, enrolments):
    partner_admin = person_of_organisation(OrganisationFactory(),
                                           role=OrganisationMembership.Role.ADMIN)
    for person in (mfa_staff_user, partner_admin):
        with pytest.raises(NotAllowed, match="programme office"):
            report_job_request(actor=person, kind="enrolments", format="csv")
    assert not ReportJob.objects.exists()


def test_the_csv_holds_every_enrolment_cancelled_ones_too(mfa_admin_user, enrolments):
    rows = read_csv(built(mfa_admin_user, "enrolments", "csv"))
    assert rows[0] == HEADER
    assert len(rows) == 1 + 4
    ada = next(row for row in rows if row[1] == "ada@example.org")
    assert ada == ["Ada Tan", "ada@example.org", "Partner Pharma", "CM-101",
                   "Crystallisation basics", in_days(-100).isoformat(),
                   in_days(-99).isoformat(), "Completed", "2026-03-02 09:02:03",
                   "2026-03-02 09:02:03", "", "2026-03-02 09:02:03"]
    ben = next(row for row in rows if row[1] == "ben@example.org")
    assert ben[0] == "ben@example.org" and ben[2] == "self-sponsored"  # no name: the address
    assert (ben[7], ben[10]) == ("Cancelled", "2026-03-02 09:02:03")
    assert "'=HYPERLINK(\"http://evil\")" in column(rows, "organisation")
    # By run: last quarter's run before next month's.
    assert column(rows, "course") == ["CM-101"] * 3 + ["DT-200"]


def test_the_workbook_holds_the_same_rows_with_dates_as_dates(mfa_admin_user, enrolments):
    sheets = read_xlsx(built(mfa_admin_user, "enrolments", "xlsx"))
    rows = sheets["Enrolments"]
    assert rows[0] == HEADER and len(rows) == 1 + 4
    ada = next(row for row in rows if row[1] == "ada@example.org")
    excel_day = (in_days(-100) - datetime.date(1899, 12, 30)).days
    assert ada[5] == excel_day  # a date cell, not text
    moment = (datetime.datetime(2026, 3, 2, 9, 2, 3) - datetime.datetime(1899, 12, 30))
    assert ada[8] == pytest.approx(moment.total_seconds() / 86400)
    assert ada[10] == ""


def test_narrowed_to_a_workstream_and_a_period(mfa_admin_user, enrolments):
    rows = read_csv(built(mfa_admin_user, "enrolments", "csv", workstream="manufacturing"))
    assert set(column(rows, "course")) == {"CM-101"} and len(rows) == 1 + 3
    rows = read_csv(built(mfa_admin_user, "enrolments", "csv",
                          date_from=in_days(1).isoformat()))
    assert column(rows, "course") == ["DT-200"]


def test_its_parameters_are_checked_and_its_request_recorded(mfa_admin_user, enrolments):
    with pytest.raises(ApplicationError) as refused:
        report_job_request(actor=mfa_admin_user, kind="enrolments", format="pdf",
                           parameters={"workstream": "nothing"})
    assert "format" in refused.value.fields
    with pytest.raises(ApplicationError) as refused:
        report_job_request(actor=mfa_admin_user, kind="enrolments", format="csv",
                           parameters={"filters": {"q": "x"}})
    assert set(refused.value.fields) == {"filters"}  # no list's filters narrow it
    with pytest.raises(ApplicationError) as refused:
        report_job_request(actor=mfa_admin_user, kind="enrolments", format="csv",
                           parameters={"workstream": "nothing"})
    assert refused.value.fields == {"workstream": ["No workstream has this address."]}
    job, _ = report_job_request(actor=mfa_admin_user, kind="enrolments", format="csv")
    assert AuditEvent.objects.filter(action="report_job.request", target_id=job.pk,
                                     actor=mfa_admin_user).exists()


def _queries_of_build(admin, format: str) -> list[str]:
    job, _ = report_job_request(actor=admin, kind="enrolments", format=format)
    with CaptureQueriesContext(connection) as queries:
        job = report_job_run(job_id=job.pk)
    assert job.status == ReportJob.Status.DONE, job.error
    job.delete()
    return [query["sql"] for query in queries.captured_queries
            if not query["sql"].startswith(PROGRESS_SAVED)]


@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_more_enrolments_cost_no_more_queries(mfa_admin_user, enrolments, format):
    _queries_of_build(mfa_admin_user, format)  # warm up: first-use caches
    few = _queries_of_build(mfa_admin_user, format)
    sponsor = OrganisationFactory()
    people = [UserFactory() for _ in range(30)]
    runs = [CourseRunFactory(course=enrolments.course) for _ in range(3)]
    Enrolment.objects.bulk_create(
        Enrolment(person=person, run=run, sponsor=sponsor, status=Enrolment.Status.CONFIRMED,
                  confirmed_at=timezone.now()) for run in runs for person in people)
    assert len(_queries_of_build(mfa_admin_user, format)) == len(few)


def test_moments_are_cut_to_the_second_on_the_programmes_clock_in_both_files(
        mfa_admin_user, enrolments):
    """The CSV reads its days and moments as text from the database, the workbook as values:
    both cut a moment to its second (a moment just before midnight stays on its day) and read
    it on the programme's clock."""
    last_instant = datetime.datetime(2026, 12, 31, 15, 59, 59, 999999, tzinfo=datetime.UTC)
    Enrolment.objects.filter(person__email="ada@example.org").update(created_at=last_instant)
    rows = read_csv(built(mfa_admin_user, "enrolments", "csv"))
    ada = next(row for row in rows if row[1] == "ada@example.org")
    assert ada[5:7] == [in_days(-100).isoformat(), in_days(-99).isoformat()]
    assert (ada[8], ada[9]) == ("2026-12-31 23:59:59", "2026-03-02 09:02:03")
    sheets = read_xlsx(built(mfa_admin_user, "enrolments", "xlsx"))
    ada = next(row for row in sheets["Enrolments"] if row[1] == "ada@example.org")
    moment = datetime.datetime(2026, 12, 31, 23, 59, 59) - datetime.datetime(1899, 12, 30)
    assert ada[8] == pytest.approx(moment.total_seconds() / 86400)


def test_a_formula_is_neutralised_wherever_it_falls_in_a_batch(tmp_path):
    """The CSV writer checks a batch's cells a column at a time: a cell starting a formula
    is neutralised whichever row of whichever batch holds it, and only that cell; a sign after
    a line break inside a cell is not the cell's start; truth values read yes/no."""
    day = datetime.date(2026, 3, 2)
    rows = [("plain", f"line {n}", day, None, n, n % 2 == 0)
            for n in range(CSV_BATCH_ROWS + 10)]
    rows[3] = ("=SUM(A1)", "one\n-two", day, None, -5, True)
    rows[CSV_BATCH_ROWS + 5] = ("plain", "@cmd", None, MOMENT.replace(tzinfo=None), 7, False)
    path = tmp_path / "table.csv"
    written = write_csv([Table(title="T", header=("a", "b", "c", "d", "e", "f"),
                               rows=iter(rows))], str(path), lambda fraction: None)
    assert written == len(rows)
    read = read_csv(path.read_bytes())[1:]
    assert read[3] == ["'=SUM(A1)", "one\n-two", "2026-03-02", "", "'-5", "yes"]
    assert read[CSV_BATCH_ROWS + 5] == ["plain", "'@cmd", "", "2026-03-02 01:02:03.456000",
                                        "7", "no"]
    assert read[4] == ["plain", "line 4", "2026-03-02", "", "4", "yes"]
    assert sum(cell.startswith("'") for row in read for cell in row) == 3


def test_the_csv_postgresql_writes_is_the_one_python_would_write(mfa_admin_user, enrolments,
                                                                  tmp_path):
    """The CSV is COPY of the query with each cell as the file holds it: the same cells,
    quoted and neutralised alike, as the csv module writes from the workbook's rows."""
    Enrolment.objects.create(
        person=UserFactory(full_name='Lee, "Jo"\nTan', email="jo@example.org"),
        run=enrolments, sponsor=OrganisationFactory(name="+65 Labs, Pte"),
        status=Enrolment.Status.CONFIRMED)
    copied = read_csv(built(mfa_admin_user, "enrolments", "csv"))
    [table] = every_enrolment_tables(mfa_admin_user, ReportParameters())
    assert table.csv_query is not None  # on PostgreSQL, the database writes it
    path = tmp_path / "python.csv"
    written = write_csv([replace(table, csv_query=None)], str(path), lambda fraction: None)
    assert written == len(copied) - 1
    assert copied == read_csv(path.read_bytes())
    jo = next(row for row in copied if row[1] == "jo@example.org")
    assert jo[0] == 'Lee, "Jo"\nTan' and jo[2] == "'+65 Labs, Pte"
