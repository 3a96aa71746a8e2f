"""Large exports are written without loading their rows: the memory a report's job takes at its
peak, and the number of queries it makes, stay the same from 2,000 rows to 20,000 (read from a
server-side cursor a chunk at a time, written to the file row by row)."""

import datetime
import tracemalloc

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cluster_portal.accounts.models import User
from cluster_portal.reports.models import ReportJob
from cluster_portal.reports.services import report_job_request, report_job_run
from partners.models import Organisation
from talent.models import Enrolment
from tests.factories import OrganisationFactory
from tests.projects.factories import in_days
from tests.reports.test_kinds import read_csv
from tests.talent.factories import CourseFactory, CourseRunFactory, CourseSkillFactory

pytestmark = pytest.mark.django_db

# At its peak a read holds two chunks of 2,000 rows (the one being written while the next is
# fetched), one at 2,000 rows: so constant memory stays under twice the peak of 2,000 rows,
# where rows loaded all at once would take ten times as much.
RUNS, PER_RUN = 20, 1000          # 20,000 enrolments; the first two runs hold 2,000
ORGANISATIONS, FEW = 20000, 2000  # organisations; FEW of them with a later term


PROGRESS_SAVED = 'UPDATE "reports_reportjob" SET "progress"'


def _run_measured(actor, kind: str, format: str, parameters: dict):
    """(peak traced memory in bytes, queries made, job) of building the report. The job's
    progress, saved every 2,000 rows as the file is written, is not a read of the rows and is
    left out of the count."""
    job, _ = report_job_request(actor=actor, kind=kind, format=format, parameters=parameters)
    tracemalloc.start()
    try:
        with CaptureQueriesContext(connection) as queries:
            job = report_job_run(job_id=job.pk)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert job.status == ReportJob.Status.DONE, job.error
    return peak, [query["sql"] for query in queries.captured_queries
                  if not query["sql"].startswith(PROGRESS_SAVED)], job


@pytest.fixture
def many_enrolments():
    sponsor = OrganisationFactory(name="Sponsoring Pharma")
    course = CourseFactory(code="BIG-100", hours=7)
    CourseSkillFactory(course=course)
    start = timezone.localdate() - datetime.timedelta(days=600)
    runs = [CourseRunFactory(course=course, starts_on=start + datetime.timedelta(days=20 * i),
                             ends_on=start + datetime.timedelta(days=20 * i + 1))
            for i in range(RUNS)]
    people = User.objects.bulk_create(
        User(email=f"trainee{i}@example.org", full_name=f"Trainee {i}", password="!")
        for i in range(PER_RUN))
    Enrolment.objects.bulk_create(
        (Enrolment(person=person, run=run, sponsor=sponsor, status=Enrolment.Status.COMPLETED)
         for run in runs for person in people), batch_size=5000)
    return runs


def test_training_outcomes_enrolments_stream_in_constant_memory_and_queries(
        mfa_staff_user, many_enrolments):
    first, second = many_enrolments[0], many_enrolments[1]
    few = {"date_from": first.starts_on.isoformat(), "date_to": second.starts_on.isoformat()}
    many = {"date_from": first.starts_on.isoformat()}
    report_job_run(job_id=report_job_request(  # warm up: first-use imports and caches
        actor=mfa_staff_user, kind="training_outcomes", format="xlsx",
        parameters={"date_from": in_days(1).isoformat()})[0].pk)

    peak_few, queries_few, job_few = _run_measured(mfa_staff_user, "training_outcomes",
                                                   "xlsx", few)
    peak_many, queries_many, job_many = _run_measured(mfa_staff_user, "training_outcomes",
                                                      "xlsx", many)
    assert len(queries_many) == len(queries_few), queries_many

    # Every enrolment on its sheet, and a few rows of totals (a row per quarter).
    assert 2 * PER_RUN < job_few.rows <= 2 * PER_RUN + 2
    assert RUNS * PER_RUN < job_many.rows <= RUNS * PER_RUN + RUNS
    assert peak_many < 2 * peak_few, (peak_few, peak_many)


@pytest.fixture
def many_organisations():
    today = timezone.localdate()
    Organisation.objects.bulk_create(
        (Organisation(name=f"Organisation {i:05d}", name_key=f"organisation {i:05d}",
                      slug=f"many-{i}", uen=f"2027{i:05d}Z", kind=Organisation.Kind.SME,
                      status=Organisation.Status.APPROVED, tier=Organisation.Tier.MEMBER,
                      tier_status=Organisation.TierStatus.CURRENT,
                      tier_starts_on=today - datetime.timedelta(days=100),
                      tier_ends_on=today + datetime.timedelta(days=1000 if i < FEW else 300))
         for i in range(ORGANISATIONS)), batch_size=5000)


def test_membership_csv_streams_in_constant_memory_and_queries(
        mfa_staff_user, many_organisations):
    report_job_run(job_id=report_job_request(  # warm up
        actor=mfa_staff_user, kind="membership", format="csv",
        parameters={"date_from": in_days(5000).isoformat()})[0].pk)

    peak_few, queries_few, job_few = _run_measured(
        mfa_staff_user, "membership", "csv", {"date_from": in_days(900).isoformat()})
    peak_many, queries_many, job_many = _run_measured(mfa_staff_user, "membership", "csv", {})
    assert len(queries_many) == len(queries_few), queries_many

    assert (job_few.rows, job_many.rows) == (FEW, ORGANISATIONS)
    with job_many.file.open("rb") as file:
        rows = read_csv(file.read())
    assert len(rows) == 1 + ORGANISATIONS
    assert peak_many < 2 * peak_few, (peak_few, peak_many)
