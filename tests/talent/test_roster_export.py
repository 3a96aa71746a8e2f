"""A run's roster as CSV, for programme staff: exactly who the run's page lists, in its order
(the seats, the seats offered, the waitlist in line, the cancelled), streamed with formula cells
neutralised, at a cost that does not grow with the roster; a roster longer than
settings.LIST_EXPORT_MAX_ROWS becomes a report job writing the same rows."""

import pytest
from django.urls import reverse
from django.utils import timezone

from cluster_portal.core.actors import SYSTEM
from cluster_portal.reports.models import ReportJob
from cluster_portal.reports.services import report_job_request
from talent.models import CourseRun, Enrolment
from talent.services import enrolment_cancel, enrolment_create
from tests.factories import OrganisationFactory, OrganisationMembershipFactory, UserFactory
from tests.support.list_exports import export_queries, job_asked_by, job_rows, streamed_rows
from tests.talent.factories import CourseRunFactory, SessionFactory

pytestmark = pytest.mark.django_db

Status = Enrolment.Status


def csv_url(run) -> str:
    return reverse("talent:manage_run_enrolments_csv", kwargs={"pk": run.pk})


def page_url(run) -> str:
    return reverse("talent:manage_run", kwargs={"pk": run.pk})


@pytest.fixture
def roster():
    run = CourseRunFactory(capacity=2, promotion=CourseRun.Promotion.OFFER,
                           course__is_published=False)
    sponsor = OrganisationFactory(name="Helix Biologics")
    member = OrganisationMembershipFactory(organisation=sponsor).person
    seated = enrolment_create(actor=member, run=run, sponsor=sponsor)
    leaving = enrolment_create(actor=UserFactory(full_name="=HYPERLINK(\"http://x\",\"y\")"),
                               run=run)
    offered, waiting, last = (enrolment_create(actor=UserFactory(), run=run) for _ in range(3))
    enrolment_cancel(actor=leaving.person, enrolment=leaving, reason="Changed jobs.")
    return {"run": run, "seated": seated, "leaving": leaving, "offered": offered,
            "waiting": waiting, "last": last, "member": member}


def listed(client, run) -> list[str]:
    """Everyone on the run's page, section after section, in each section's order."""
    response = client.get(page_url(run))
    assert response.status_code == 200
    return [enrolment.person.email for section in response.context["sections"]
            for enrolment in section["page"].paginator.object_list]


def test_staff_export_exactly_who_the_run_page_lists_in_its_order(client, roster,
                                                                  mfa_staff_user):
    client.force_login(mfa_staff_user)
    header, *rows = streamed_rows(client.get(csv_url(roster["run"])))
    assert [row[1] for row in rows] == listed(client, roster["run"])
    assert [row[1] for row in rows] == [roster[key].person.email for key in (
        "seated", "offered", "waiting", "last", "leaving")]
    assert header == ["trainee", "e-mail", "organisation", "status", "waitlist position",
                      "enrolled at"]
    by_email = {row[1]: dict(zip(header, row, strict=True)) for row in rows}
    seated = Enrolment.objects.get(pk=roster["seated"].pk)
    assert by_email[seated.person.email] == {
        "trainee": seated.person.full_name or seated.person.email, "e-mail": seated.person.email,
        "organisation": "Helix Biologics", "status": "Confirmed", "waitlist position": "",
        "enrolled at": f"{timezone.localtime(seated.created_at):%Y-%m-%d %H:%M}"}
    waiting = Enrolment.objects.get(pk=roster["waiting"].pk)
    assert by_email[waiting.person.email]["status"] == waiting.get_status_display()
    assert by_email[waiting.person.email]["waitlist position"] == str(waiting.waitlist_position)
    # Formula cells are neutralised.
    assert by_email[roster["leaving"].person.email]["trainee"] == "'=HYPERLINK(\"http://x\",\"y\")"


def test_only_programme_staff_export_a_roster(client, roster):
    url = csv_url(roster["run"])
    response = client.get(url)
    assert response.status_code == 302 and "login" in response["Location"]
    for person in (roster["member"], roster["seated"].person, UserFactory()):
        client.force_login(person)
        assert client.get(url).status_code == 403
    assert not ReportJob.objects.exists()


def test_a_run_that_does_not_exist_is_a_404(client, mfa_staff_user):
    client.force_login(mfa_staff_user)
    assert client.get(reverse("talent:manage_run_enrolments_csv",
                              kwargs={"pk": 987654})).status_code == 404


def test_the_run_page_links_the_export(client, roster, mfa_staff_user):
    client.force_login(mfa_staff_user)
    assert f'href="{csv_url(roster["run"])}"' in client.get(
        page_url(roster["run"])).content.decode()


def test_the_export_costs_the_same_for_n_or_3n_people(client, mfa_staff_user):
    run = CourseRunFactory(capacity=3, promotion=CourseRun.Promotion.OFFER)
    SessionFactory(run=run)
    sponsor = OrganisationFactory()
    client.force_login(mfa_staff_user)

    def add(count):
        # Every part of the roster has people: seats, an offer, a waitlist, the cancelled.
        for _ in range(count):
            enrolment_create(actor=SYSTEM, run=run, person=UserFactory(), sponsor=sponsor)
        seated = Enrolment.objects.filter(run=run, status=Status.CONFIRMED).first()
        enrolment_cancel(actor=seated.person, enrolment=seated)

    add(5)
    few = export_queries(client, csv_url(run))
    add(10)
    assert export_queries(client, csv_url(run)) == few
    assert len(streamed_rows(client.get(csv_url(run)))) == 16


def test_a_roster_above_the_limit_becomes_a_job_writing_the_same_rows(
        client, roster, mfa_staff_user, settings):
    client.force_login(mfa_staff_user)
    streamed = streamed_rows(client.get(csv_url(roster["run"])))
    assert len(streamed) == 6
    settings.LIST_EXPORT_MAX_ROWS = 3
    job = job_asked_by(client, csv_url(roster["run"]))
    assert (job.kind, job.requester) == ("run_enrolments_list", mfa_staff_user)
    assert job.parameters == {"filters": {"run": str(roster["run"].pk)}}
    assert job_rows(job) == streamed


@pytest.mark.parametrize("run", ["987654", "not-a-run", "9" * 30])
def test_a_job_for_a_run_that_is_not_there_writes_no_one(mfa_staff_user, roster, run):
    job, _new = report_job_request(actor=mfa_staff_user, kind="run_enrolments_list",
                                   format="csv", parameters={"filters": {"run": run}})
    assert job_rows(job) == [["trainee", "e-mail", "organisation", "status",
                              "waitlist position", "enrolled at"]]
