"""Each kind of report the apps contribute, built as a job (asked for, then run as the task would)
and read back from its file: the rows it holds, its filters, and what it keeps from whom."""

import csv
import datetime
import io
import re
import zipfile

import pytest
from defusedxml import ElementTree
from django.utils import timezone
from pypdf import PdfReader

from cluster_portal.core.actors import SYSTEM
from cluster_portal.core.exceptions import ApplicationError
from cluster_portal.reports.models import ReportJob
from cluster_portal.reports.services import report_job_request, report_job_run
from partners.models import Organisation, OrganisationMembership
from projects.models import Project, Visibility
from projects.services import milestone_create, status_update_post
from projects.services.reporting import contribution_record
from talent.models import Enrolment
from talent.services.certificates import certificate_issue
from tests.factories import (
    OrganisationFactory,
    WorkstreamFactory,
    WorkstreamMembershipFactory,
)
from tests.projects.factories import in_days, make_project, person_of_organisation, project_world
from tests.talent.factories import CourseFactory, CourseRunFactory, CourseSkillFactory

pytestmark = pytest.mark.django_db

# --- reading the files back ------------------------------------------------------------------

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}
RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def read_csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def _column(reference: str) -> int:
    letters = re.match(r"[A-Z]+", reference).group()
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number - 1


def read_xlsx(content: bytes) -> dict[str, list[list]]:
    """{sheet name: rows} in the workbook's order: text as text, numbers as numbers (dates as
    Excel's serial numbers)."""
    book = zipfile.ZipFile(io.BytesIO(content))
    names = book.namelist()
    shared = []
    if "xl/sharedStrings.xml" in names:
        for item in ElementTree.fromstring(book.read("xl/sharedStrings.xml")).findall(
                "m:si", NS):
            shared.append("".join(node.text or "" for node in item.iter(f"{{{NS['m']}}}t")))
    targets = {rel.get("Id"): rel.get("Target") for rel in ElementTree.fromstring(
        book.read("xl/_rels/workbook.xml.rels")).iter(f"{RELS}Relationship")}
    sheets = {}
    for sheet in ElementTree.fromstring(book.read("xl/workbook.xml")).iter(
            f"{{{NS['m']}}}sheet"):
        target = targets[sheet.get(f"{{{NS['r']}}}id")].lstrip("/")
        target = target if target.startswith("xl/") else f"xl/{target}"
        rows = []
        for row in ElementTree.fromstring(book.read(target)).iter(f"{{{NS['m']}}}row"):
            cells = {}
            for cell in row.findall("m:c", NS):
                kind, value = cell.get("t"), cell.find("m:v", NS)
                if kind == "s":
                    text = shared[int(value.text)]
                elif kind == "inlineStr":
                    text = "".join(node.text or "" for node in cell.iter(f"{{{NS['m']}}}t"))
                elif kind == "str":
                    text = value.text or ""
                elif value is None:
                    text = ""
                else:
                    number = float(value.text)
                    text = int(number) if number.is_integer() else number
                cells[_column(cell.get("r"))] = text
            rows.append([cells.get(index, "") for index in range(max(cells, default=-1) + 1)])
        # Empty cells at a row's end are not written: rows are as wide as the header.
        width = len(rows[0]) if rows else 0
        sheets[sheet.get("name")] = [row + [""] * (width - len(row)) for row in rows]
    return sheets


def pdf_pages(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def built(actor, kind: str, format: str, **parameters) -> bytes:
    """The report, asked for and built as the task builds it; its file's bytes."""
    job, is_new = report_job_request(actor=actor, kind=kind, format=format,
                                     parameters=parameters)
    assert is_new
    job = report_job_run(job_id=job.pk)
    assert job.status == ReportJob.Status.DONE, job.error
    with job.file.open("rb") as file:
        return file.read()


def column(rows: list[list], name: str) -> list:
    index = rows[0].index(name)
    return [row[index] for row in rows[1:]]


# --- the world --------------------------------------------------------------------------------

@pytest.fixture
def world():
    """A workstream with lead, partner and bystander (unlisted) members; a members' project
    (lead with partner), a participants-only one the partner is not in (lead with bystander),
    and a project in a second workstream of the programme."""
    world = project_world()
    Organisation.objects.filter(pk=world.bystander.pk).update(is_listed=False)
    world.bystander.refresh_from_db()
    world.partner_admin = person_of_organisation(world.partner,
                                                 role=OrganisationMembership.Role.ADMIN)
    world.open = make_project(world, status=Project.Status.ACTIVE,
                              title="Open crystallisation pilot",
                              participants=[world.partner, world.bystander])
    world.secret = make_project(world, status=Project.Status.ACTIVE,
                                title="Confidential zeolite route",
                                participants=[world.bystander],
                                visibility=Visibility.PARTICIPANTS)
    world.other_workstream = WorkstreamFactory(programme=world.workstream.programme,
                                               name="Digital Factory", slug="digital-factory")
    for organisation in (world.lead, world.partner):
        WorkstreamMembershipFactory(workstream=world.other_workstream, organisation=organisation)
    world.later = make_project(world, status=Project.Status.APPROVED,
                               workstream=world.other_workstream, title="Later digital twin",
                               starts_on=in_days(400), ends_on=in_days(900))
    milestone_create(actor=SYSTEM, project=world.open, title="Pilot plant booked",
                     due_on=in_days(-20))
    milestone_create(actor=SYSTEM, project=world.open, title="First campaign",
                     due_on=in_days(60))
    status_update_post(actor=SYSTEM, project=world.open,
                       period=timezone.localdate().replace(day=1), overall="amber",
                       schedule="red", budget="green", narrative="Behind on the pilot.")
    contribution_record(actor=SYSTEM, project=world.open, organisation=world.partner,
                        year=timezone.localdate().year, kind="cash", committed_sgd=50000,
                        actual_sgd=20000)
    return world


def enrol(run, organisation, status=Enrolment.Status.COMPLETED, **person):
    person = person_of_organisation(organisation, **person) if organisation else \
        person_of_organisation(OrganisationFactory())
    return Enrolment.objects.create(person=person, run=run, sponsor=organisation, status=status)


@pytest.fixture
def training(world):
    """A course of the world's workstream teaching one skill, run last quarter and next month;
    enrolments sponsored by the partner, the bystander (unlisted) and no one."""
    course = CourseFactory(code="CM-101", title="Crystallisation basics", hours=14)
    course.workstreams.add(world.workstream)
    CourseSkillFactory(course=course, skill__name="Crystallisation")
    past = CourseRunFactory(course=course, starts_on=in_days(-100), ends_on=in_days(-99))
    coming = CourseRunFactory(course=course)
    certificate_issue(actor=SYSTEM, enrolment=enrol(past, world.partner))
    enrol(past, world.partner, status=Enrolment.Status.NO_SHOW)
    enrol(past, world.bystander)
    enrol(past, None)
    enrol(coming, world.partner, status=Enrolment.Status.CONFIRMED)
    other = CourseFactory(code="DF-200", title="Digital twins")
    other.workstreams.add(world.other_workstream)
    enrol(CourseRunFactory(course=other, starts_on=in_days(-10), ends_on=in_days(-9)),
          world.partner)
    return course


# --- parameters --------------------------------------------------------------------------------

def test_an_unknown_programme_or_workstream_is_named(mfa_staff_user, world):
    with pytest.raises(ApplicationError) as refused:
        report_job_request(actor=mfa_staff_user, kind="membership", format="csv",
                           parameters={"programme": "nowhere", "workstream": "nothing"})
    assert refused.value.fields == {"programme": ["No programme has this address."],
                                    "workstream": ["No workstream has this address."]}


def test_a_workstream_of_another_programme_is_refused(mfa_staff_user, world):
    elsewhere = WorkstreamFactory(name="Elsewhere", slug="elsewhere")
    with pytest.raises(ApplicationError) as refused:
        report_job_request(actor=mfa_staff_user, kind="membership", format="csv",
                           parameters={"programme": world.workstream.programme.slug,
                                       "workstream": elsewhere.slug})
    assert "Elsewhere is not a workstream of" in refused.value.fields["workstream"][0]


# --- membership ---------------------------------------------------------------------------------

def test_membership_csv_lists_terms_renewals_and_lapses(mfa_staff_user, world):
    Organisation.objects.filter(pk=world.partner.pk).update(tier_ends_on=in_days(30))
    Organisation.objects.filter(pk=world.outsider.pk).update(tier_ends_on=in_days(-10))
    WorkstreamMembershipFactory(organisation=world.lead, since=in_days(-300),
                                until=in_days(-200), workstream__name="Ended Long Ago")
    rows = read_csv(built(mfa_staff_user, "membership", "csv"))
    by_name = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert len(by_name) == len(rows) - 1  # an organisation in several workstreams: one row
    assert {"Lead Institute", "Partner Pharma", "Bystander Biotech", "Outsider Co"} <= set(
        by_name)
    partner = by_name["Partner Pharma"]
    assert (partner["renewal due within 90 days"], partner["days left"],
            partner["lapsed"]) == ("yes", "30", "no")
    assert by_name["Outsider Co"]["lapsed"] == "yes"
    assert by_name["Lead Institute"]["renewal due within 90 days"] == "no"
    assert by_name["Lead Institute"]["active workstreams"] == \
        f"Digital Factory; {world.workstream.name}"  # not the membership that ended
    assert by_name["Outsider Co"]["active workstreams"] == ""


def test_membership_xlsx_adds_renewals_due_and_lapsed(mfa_staff_user, world):
    Organisation.objects.filter(pk=world.partner.pk).update(tier_ends_on=in_days(30))
    Organisation.objects.filter(pk=world.outsider.pk).update(tier_ends_on=in_days(-10))
    sheets = read_xlsx(built(mfa_staff_user, "membership", "xlsx"))
    assert list(sheets) == ["Membership", "Renewals due (90 days)", "Lapsed"]
    assert column(sheets["Renewals due (90 days)"], "organisation") == ["Partner Pharma"]
    assert column(sheets["Renewals due (90 days)"], "days left") == [30]
    assert column(sheets["Lapsed"], "organisation") == ["Outsider Co"]


def test_membership_narrowed_to_a_workstream_and_a_period(mfa_staff_user, world):
    rows = read_csv(built(mfa_staff_user, "membership", "csv",
                          workstream="digital-factory"))
    assert sorted(column(rows, "organisation")) == ["Lead Institute", "Partner Pharma"]
    Organisation.objects.filter(pk=world.partner.pk).update(tier_starts_on=in_days(-800),
                                                            tier_ends_on=in_days(-400))
    rows = read_csv(built(mfa_staff_user, "membership", "csv", workstream="digital-factory",
                          date_from=in_days(-30).isoformat()))
    assert column(rows, "organisation") == ["Lead Institute"]


def test_membership_is_for_the_programme_office(world):
    with pytest.raises(Exception, match="programme office"):
        report_job_request(actor=world.partner_admin, kind="membership", format="csv")


# --- programme report sheets (the whole report: test_programme_report.py) ---------------------

def test_programme_report_reads_projects_overdue_work_and_contributions(mfa_staff_user, world):
    sheets = read_xlsx(built(mfa_staff_user, "programme", "xlsx",
                             workstream=world.workstream.slug))
    projects = sheets["Projects"]
    assert sorted(column(projects, "title")) == ["Confidential zeolite route",
                                                 "Open crystallisation pilot"]
    open_row = projects[1 + column(projects, "title").index("Open crystallisation pilot")]
    record = dict(zip(projects[0], open_row, strict=True))
    assert record["latest rating"] == "Amber"
    assert record["participants"] == "Bystander Biotech; Lead Institute; Partner Pharma"
    assert column(sheets["Overdue milestones"], "milestone") == ["Pilot plant booked"]
    assert column(sheets["Overdue milestones"], "days overdue") == [20]
    contributions = sheets["Contributions"]
    assert column(contributions, "organisation") == ["Partner Pharma"]
    assert column(contributions, "committed cash (SGD)") == [50000]


def test_programme_report_narrowed_by_dates(mfa_staff_user, world):
    sheets = read_xlsx(built(mfa_staff_user, "programme", "xlsx",
                             date_from=in_days(500).isoformat(),
                             date_to=in_days(520).isoformat()))
    assert sorted(column(sheets["Projects"], "title")) == [
        "Confidential zeolite route", "Later digital twin", "Open crystallisation pilot"]
    sheets = read_xlsx(built(mfa_staff_user, "programme", "xlsx",
                             date_from=in_days(700).isoformat(),
                             date_to=in_days(720).isoformat()))
    assert column(sheets["Projects"], "title") == ["Later digital twin"]
    assert column(sheets["Overdue milestones"], "milestone") == []
    assert column(sheets["Contributions"], "organisation") == []


# --- project portfolio ----------------------------------------------------------------------------

def test_portfolio_has_a_cover_then_a_page_per_project(mfa_staff_user, world):
    pages = pdf_pages(built(mfa_staff_user, "project_portfolio", "pdf"))
    assert len(pages) == 4
    assert "Project portfolio" in pages[0] and "3 projects" in pages[0]
    titles = [next(t for t in ("Open crystallisation", "Confidential zeolite", "Later digital")
                   if t in page) for page in pages[1:]]
    assert sorted(titles) == ["Confidential zeolite", "Later digital", "Open crystallisation"]
    open_page = next(page for page in pages if "Open crystallisation" in page)
    assert "Pilot plant booked" in open_page and "overdue by 20 days" in open_page
    assert "Overall: amber" in open_page and "Schedule: red" in open_page


def test_portfolio_narrowed_to_a_workstream(mfa_staff_user, world):
    pages = pdf_pages(built(mfa_staff_user, "project_portfolio", "pdf",
                            workstream="digital-factory"))
    assert len(pages) == 2 and "Later digital twin" in pages[1]


def test_partner_admins_portfolio_holds_only_what_they_see(mfa_staff_user, world):
    staff_text = "\n".join(pdf_pages(built(mfa_staff_user, "project_portfolio", "pdf")))
    assert "Confidential zeolite" in staff_text and "Bystander Biotech" in staff_text

    pages = pdf_pages(built(world.partner_admin, "project_portfolio", "pdf"))
    text = "\n".join(pages)
    assert "Confidential zeolite" not in text
    assert "Bystander Biotech" not in text  # not listed: never named to another partner
    assert "an organisation not listed" in text
    assert "Open crystallisation pilot" in text and "2 projects" in pages[0]


def test_a_summary_reader_gets_no_plan_nor_ratings(world):
    world.outsider_admin = person_of_organisation(world.outsider,
                                                  role=OrganisationMembership.Role.ADMIN)
    Project.objects.filter(pk=world.open.pk).update(visibility=Visibility.PUBLIC)
    pages = pdf_pages(built(world.outsider_admin, "project_portfolio", "pdf"))
    assert len(pages) == 2  # the public project only
    assert "Open crystallisation pilot" in pages[1] and "Public summary" in pages[1]
    for hidden in ("Pilot plant booked", "Amber", "amber", "Participants", "Partner Pharma"):
        assert hidden not in pages[1]


def test_a_workstream_members_reader_gets_the_plan_but_no_ratings_history(world):
    member = OrganisationFactory(name="Member Only Ltd")
    WorkstreamMembershipFactory(workstream=world.workstream, organisation=member)
    admin = person_of_organisation(member, role=OrganisationMembership.Role.ADMIN)
    pages = pdf_pages(built(admin, "project_portfolio", "pdf"))
    assert len(pages) == 2  # the members' project; not the participants-only one
    page = pages[1]
    assert "Open crystallisation pilot" in page and "Pilot plant booked" in page
    assert "Latest rating" in page and "Amber" in page
    assert "Ratings of the latest status updates" not in page and "Schedule: red" not in page
    assert "Bystander Biotech" not in page


def test_an_admin_of_an_organisation_not_yet_approved_may_not_ask(world):
    pending = OrganisationFactory(status=Organisation.Status.PENDING)
    admin = person_of_organisation(pending, role=OrganisationMembership.Role.ADMIN)
    for kind, format in (("project_portfolio", "pdf"), ("training_outcomes", "csv")):
        with pytest.raises(Exception, match="programme office"):
            report_job_request(actor=admin, kind=kind, format=format)


def test_a_person_who_administers_no_organisation_may_not_ask(world):
    with pytest.raises(Exception, match="programme office"):
        report_job_request(actor=world.partner_member, kind="project_portfolio",
                           format="pdf")


# --- training outcomes -----------------------------------------------------------------------

def _quarter(day: datetime.date) -> str:
    return f"{day.year} Q{(day.month - 1) // 3 + 1}"


def test_training_outcomes_by_course_organisation_skill_and_quarter(mfa_staff_user, world,
                                                                    training):
    rows = read_csv(built(mfa_staff_user, "training_outcomes", "csv"))
    assert rows[0] == ["course", "course title", "organisation", "skill taught", "quarter",
                       "enrolments", "completions", "certified", "hours completed"]
    table = {(row[0], row[2], row[4]): row for row in rows[1:]}
    past = table[("CM-101", "Partner Pharma", _quarter(in_days(-100)))]
    assert past[3] == "Crystallisation"
    assert past[5:] == ["2", "1", "1", "14.0"]  # enrolled, completed, certified, hours
    assert table[("CM-101", "self-sponsored", _quarter(in_days(-100)))][5:7] == ["1", "1"]
    assert table[("CM-101", "Partner Pharma", _quarter(in_days(30)))][5:7] == ["1", "0"]
    assert ("DF-200", "Partner Pharma", _quarter(in_days(-10))) in table


def test_training_outcomes_narrowed_to_a_workstream_and_a_period(mfa_staff_user, world,
                                                                 training):
    rows = read_csv(built(mfa_staff_user, "training_outcomes", "csv",
                          workstream=world.workstream.slug,
                          date_from=in_days(-120).isoformat(), date_to=in_days(-1).isoformat()))
    assert set(column(rows, "course")) == {"CM-101"}
    assert set(column(rows, "quarter")) == {_quarter(in_days(-100))}


def test_training_outcomes_xlsx_lists_the_enrolments(mfa_staff_user, world, training):
    sheets = read_xlsx(built(mfa_staff_user, "training_outcomes", "xlsx"))
    assert list(sheets) == ["Training outcomes", "Enrolments"]
    enrolments = sheets["Enrolments"]
    assert enrolments[0] == ["course", "run starts", "trainee", "organisation", "status",
                             "hours completed"]
    assert len(enrolments) == 1 + 6
    assert sorted(column(enrolments, "status")) == ["Completed"] * 4 + ["Confirmed",
                                                                        "No-show"]


def test_partner_admin_gets_only_their_organisations_training(mfa_staff_user, world,
                                                              training):
    staff = read_xlsx(built(mfa_staff_user, "training_outcomes", "xlsx"))
    assert "Bystander Biotech" in column(staff["Enrolments"], "organisation")

    sheets = read_xlsx(built(world.partner_admin, "training_outcomes", "xlsx"))
    assert set(column(sheets["Training outcomes"], "organisation")) == {"Partner Pharma"}
    assert set(column(sheets["Enrolments"], "organisation")) == {"Partner Pharma"}
    assert len(sheets["Enrolments"]) == 1 + 4
    every_cell = {str(cell) for rows in sheets.values() for row in rows for cell in row}
    assert not {"Bystander Biotech", "self-sponsored", "Confidential zeolite route"} & \
        every_cell


# --- formula cells ---------------------------------------------------------------------------

@pytest.mark.parametrize(("kind", "format"), [
    ("membership", "csv"), ("membership", "xlsx"), ("training_outcomes", "csv"),
    ("training_outcomes", "xlsx"), ("programme", "xlsx")])
def test_every_formula_looking_cell_is_neutralised(mfa_staff_user, world, training, kind,
                                                   format):
    formula = OrganisationFactory(name="=HYPERLINK(\"http://evil\")")
    WorkstreamMembershipFactory(workstream=world.workstream, organisation=formula)
    enrol(training.runs.first(), formula)
    content = built(mfa_staff_user, kind, format)
    tables = read_xlsx(content).values() if format == "xlsx" else [read_csv(content)]
    cells = [str(cell) for rows in tables for row in rows for cell in row]
    assert "'=HYPERLINK(\"http://evil\")" in cells
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "@")
                or (cell[:1] == "-" and not re.fullmatch(r"-[\d.]+", cell))]


def test_the_audit_trail_narrows_to_what_belongs_to_a_workstream(mfa_staff_user):
    """Named a workstream, the trail lists the changes of that workstream's own objects (its
    join requests and memberships, its projects and what is recorded under them), not
    another's."""
    from cluster_portal.reports.services import report_job_request, report_job_run
    from tests.projects.factories import make_project, project_world

    ours, theirs = project_world(code="CM"), project_world(code="BC")
    ours_project = make_project(ours, title="Ours: continuous crystallisation")
    make_project(theirs, title="Theirs: enzyme screening")
    job, _ = report_job_request(actor=mfa_staff_user, kind="audit_trail", format="csv",
                                parameters={"workstream": ours.workstream.slug})
    report_job_run(job_id=job.pk)
    job.refresh_from_db()
    text = job.file.open("rb").read().decode("utf-8-sig")
    assert ours_project.code in text and "Ours: continuous crystallisation" in text
    assert "Theirs: enzyme screening" not in text
