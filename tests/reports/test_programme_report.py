"""The programme report: one workbook with every app's sheets in their order, each with its
header and the rows of a small world, as a funder's quarterly review reads them."""

import datetime

import pytest
from django.utils import timezone

from cluster_portal.core.actors import SYSTEM
from partners.models import Organisation
from projects.models import Project
from projects.services import milestone_create
from projects.services.reporting import contribution_record
from talent.models import Enrolment
from tests.factories import (
    OrganisationFactory,
    ProgrammeFactory,
    UserFactory,
    WorkstreamFactory,
    WorkstreamMembershipFactory,
)
from tests.projects.factories import ProjectWorld, in_days, make_project, person_of_organisation
from tests.reports.test_kinds import built, read_xlsx
from tests.talent.factories import CourseFactory, CourseRunFactory

pytestmark = pytest.mark.django_db

SHEETS = {
    "Workstreams": ["workstream", "code", "kind", "status", "programme", "lead",
                    "active member organisations"],
    "Memberships": ["workstream", "organisation", "role", "since", "until"],
    "Organisations": ["organisation", "kind", "tier", "tier status", "listed", "country"],
    "Projects": ["code", "title", "workstream", "status", "lead organisation", "participants",
                 "principal investigator", "starts", "ends", "TRL at start", "TRL now",
                 "target TRL", "latest rating", "latest update"],
    "Overdue milestones": ["project", "project title", "milestone", "due", "days overdue"],
    "Contributions": ["organisation", "year", "committed cash (SGD)",
                      "committed in kind (SGD)", "actual cash (SGD)", "actual in kind (SGD)"],
    "Training": ["course", "course title", "quarter", "enrolments", "completions"],
}


def excel_day(serial: int) -> datetime.date:
    return datetime.date(1899, 12, 30) + datetime.timedelta(days=serial)


def quarter(day: datetime.date) -> str:
    return f"{day.year} Q{(day.month - 1) // 3 + 1}"


@pytest.fixture
def small_world():
    programme = ProgrammeFactory(name="Pharma Innovation Programme", short_name="PIPS")
    lead_person = UserFactory(full_name="Wei Ling Tan")
    continuous = WorkstreamFactory(programme=programme, name="Continuous Manufacturing",
                                   code="CM", lead=lead_person, display_order=1)
    planned = WorkstreamFactory(programme=programme, name="Analytics", code="AN",
                                status="planned", display_order=2)
    institute = OrganisationFactory(name="Institute of Process Science",
                                    kind=Organisation.Kind.RESEARCH_INSTITUTE,
                                    tier=Organisation.Tier.CORE)
    pharma = OrganisationFactory(name="Pharma Co", kind=Organisation.Kind.PHARMA_MNC)
    since = timezone.localdate() - datetime.timedelta(days=30)
    WorkstreamMembershipFactory(workstream=continuous, organisation=institute, since=since)
    WorkstreamMembershipFactory(workstream=continuous, organisation=pharma, since=since,
                                role="associate")
    world = ProjectWorld(
        workstream=continuous, lead=institute, partner=pharma, bystander=None, outsider=None,
        investigator=person_of_organisation(institute, person__full_name="Ana Investigator"),
        lead_member=None, partner_member=None, bystander_member=None, outsider_member=None)
    project = make_project(world, status=Project.Status.ACTIVE, title="Flow crystallisation",
                           starts_on=in_days(-90), ends_on=in_days(640))
    milestone_create(actor=SYSTEM, project=project, title="Rig commissioned",
                     due_on=in_days(-5))
    contribution_record(actor=SYSTEM, project=project, organisation=pharma,
                        year=timezone.localdate().year, kind="in_kind", committed_sgd=80000,
                        actual_sgd=10000)
    course = CourseFactory(code="CM-101", title="Crystallisation basics")
    course.workstreams.add(continuous)
    run = CourseRunFactory(course=course, starts_on=in_days(-40), ends_on=in_days(-39))
    for status in (Enrolment.Status.COMPLETED, Enrolment.Status.COMPLETED,
                   Enrolment.Status.NO_SHOW):
        Enrolment.objects.create(person=UserFactory(), run=run, sponsor=pharma, status=status)
    return {"programme": programme, "continuous": continuous, "planned": planned,
            "project": project}


def test_every_sheet_in_order_with_its_header_and_rows(mfa_staff_user, small_world):
    sheets = read_xlsx(built(mfa_staff_user, "programme", "xlsx",
                             programme=small_world["programme"].slug))
    assert list(sheets) == list(SHEETS)
    for name, header in SHEETS.items():
        assert sheets[name][0] == header, name

    assert sheets["Workstreams"][1:] == [
        ["Continuous Manufacturing", "CM", "Workstream", "Active",
         "Pharma Innovation Programme", "Wei Ling Tan", 2],
        ["Analytics", "AN", "Workstream", "Planned", "Pharma Innovation Programme", "", 0]]
    memberships = sheets["Memberships"][1:]
    assert [row[:3] for row in memberships] == [
        ["Continuous Manufacturing", "Institute of Process Science", "Core member"],
        ["Continuous Manufacturing", "Pharma Co", "Associate member"]]
    assert excel_day(memberships[0][3]) == timezone.localdate() - datetime.timedelta(days=30)
    assert sheets["Organisations"][1:] == [
        ["Institute of Process Science", "Research institute", "Core", "Current", "yes", "SG"],
        ["Pharma Co", "Pharma MNC", "Member", "Current", "yes", "SG"]]

    project = small_world["project"]
    (row,) = sheets["Projects"][1:]
    assert row[:7] == [project.code, "Flow crystallisation", "Continuous Manufacturing",
                       "Active", "Institute of Process Science",
                       "Institute of Process Science; Pharma Co", "Ana Investigator"]
    assert [excel_day(row[7]), excel_day(row[8])] == [in_days(-90), in_days(640)]
    assert row[9:13] == [3, 3, 6, ""]
    (overdue,) = sheets["Overdue milestones"][1:]
    assert overdue[:3] == [project.code, "Flow crystallisation", "Rig commissioned"]
    assert overdue[4] == 5
    assert sheets["Contributions"][1:] == [
        ["Pharma Co", timezone.localdate().year, 0, 80000, 0, 10000]]
    assert sheets["Training"][1:] == [
        ["CM-101", "Crystallisation basics", quarter(in_days(-40)), 3, 2]]


def test_a_workstream_of_the_programme_narrows_every_sheet(mfa_staff_user, small_world):
    sheets = read_xlsx(built(mfa_staff_user, "programme", "xlsx",
                             programme=small_world["programme"].slug,
                             workstream=small_world["planned"].slug))
    assert [row[0] for row in sheets["Workstreams"][1:]] == ["Analytics"]
    for name in SHEETS.keys() - {"Workstreams"}:
        assert sheets[name][1:] == [], name
