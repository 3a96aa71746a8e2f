"""The programme dashboard: who reaches it, the pending work and every figure's numbers on a
small world (the skills gap among them), the filters, each figure's CSV, the charts' SVG under
the Content-Security-Policy, a cost that does not grow with the data, and staff landing on it
after signing in."""

import csv
import datetime
import io
import re
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from cluster_portal.reports.charts import chart_svg
from cluster_portal.reports.dashboard import (
    CHART_KINDS,
    DashboardFilters,
    FigureData,
    figure_get,
    figures_all,
)
from partners.models import Organisation, OrganisationMembership
from partners.services import organisation_approve
from projects.models import Contribution, Deliverable, Milestone, Project, ProjectSkillNeed
from talent.models import Certificate, Enrolment, WorkstreamSkillNeed
from tests.conftest import activate_totp, current_totp_code
from tests.factories import (
    PASSWORD,
    JoinRequestFactory,
    OrganisationFactory,
    UserFactory,
    WorkstreamFactory,
    WorkstreamMembershipFactory,
)
from tests.projects.factories import in_days, make_project, project_world
from tests.support.queries import queries_of_get
from tests.talent.factories import CourseFactory, CourseRunFactory, CourseSkillFactory, SkillFactory
from workstreams.models import Workstream, WorkstreamMembership

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("dashboard")


def csv_of(figure_key: str) -> str:
    return reverse("dashboard_csv", kwargs={"chart": figure_key})


def read(key: str, user, **filters):
    return figure_get(key).read(user, DashboardFilters(**filters))


def as_table(data) -> tuple[list, dict]:
    """A figure's labels and its series by name, values as plain numbers."""
    return list(data.labels), {name: [float(value) for value in values]
                               for name, values in data.series}


def at(year: int, month: int, day: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(year, month, day, 10))


# --- the small world ------------------------------------------------------------------------------

@dataclass
class World:
    base: object            # tests.projects.factories.ProjectWorld: programme "pips"
    other: Workstream       # a workstream of a second programme, "other"
    active: Project
    draft: Project
    old: Project            # completed, in the other programme, long ago
    trainee: object


def small_world() -> World:
    base = project_world()  # "Workstream CM" of programme PIPS: lead, partner, bystander members
    for organisation, kind, tier in (
        (base.lead, Organisation.Kind.RESEARCH_INSTITUTE, Organisation.Tier.CORE),
        (base.partner, Organisation.Kind.PHARMA_MNC, Organisation.Tier.MEMBER),
        (base.bystander, Organisation.Kind.BIOTECH, Organisation.Tier.ASSOCIATE),
        (base.outsider, Organisation.Kind.SME, Organisation.Tier.MEMBER),
    ):
        Organisation.objects.filter(pk=organisation.pk).update(kind=kind, tier=tier)
    Organisation.objects.filter(pk=base.lead.pk).update(decided_at=at(2025, 2, 1))
    # One membership to renew within 90 days, one registration waiting.
    Organisation.objects.filter(pk=base.partner.pk).update(tier_ends_on=in_days(30))
    OrganisationFactory(status=Organisation.Status.PENDING, tier="", name="Waiting Ltd")

    other = WorkstreamFactory(programme__short_name="OTHER", name="Other stream")
    WorkstreamMembershipFactory(workstream=other, organisation=base.outsider,
                                role=WorkstreamMembership.Role.OBSERVER)
    # The outsider was an associate of Workstream CM once.
    WorkstreamMembershipFactory(workstream=base.workstream, organisation=base.outsider,
                                role=WorkstreamMembership.Role.ASSOCIATE, since=in_days(-400),
                                until=in_days(-200))
    JoinRequestFactory(workstream=base.workstream, organisation=base.outsider)
    JoinRequestFactory(workstream=other, organisation=base.bystander)

    active = make_project(base, status=Project.Status.ACTIVE)
    draft = make_project(base, status=Project.Status.DRAFT, title="A draft")
    old = make_project(base, status=Project.Status.COMPLETED, workstream=other,
                       lead_organisation=base.outsider, participants=[],
                       principal_investigator=base.outsider_member,
                       starts_on=in_days(-800), ends_on=in_days(-400))
    Milestone.objects.create(project=active, title="Pilot run", due_on=in_days(-1))
    Deliverable.objects.create(project=active, title="Late report",
                               kind=Deliverable.Kind.REPORT, due_on=in_days(-1))
    Deliverable.objects.create(project=active, title="Submitted data",
                               kind=Deliverable.Kind.DATASET, due_on=in_days(20),
                               status=Deliverable.Status.SUBMITTED, submitted_at=timezone.now())
    Cash, InKind = Contribution.Kind.CASH, Contribution.Kind.IN_KIND
    Contribution.objects.create(project=active, organisation=base.lead, year=2025, kind=Cash,
                                committed_sgd=1000, actual_sgd=400)
    Contribution.objects.create(project=active, organisation=base.partner, year=2025,
                                kind=InKind, committed_sgd=500, actual_sgd=0)
    Contribution.objects.create(project=old, organisation=base.outsider, year=2024, kind=Cash,
                                committed_sgd=200, actual_sgd=200)

    # Skills: A, B, C, D. Workstream CM needs A and B at 3; its active project B at 2 and C at 1;
    # the draft project D (not counted). The other workstream needs A at 4.
    skill_a, skill_b, skill_c, skill_d = (SkillFactory(name=f"Skill {letter}")
                                          for letter in "ABCD")
    WorkstreamSkillNeed.objects.create(workstream=base.workstream, skill=skill_a, level=3)
    WorkstreamSkillNeed.objects.create(workstream=base.workstream, skill=skill_b, level=3)
    WorkstreamSkillNeed.objects.create(workstream=other, skill=skill_a, level=4)
    ProjectSkillNeed.objects.create(project=active, skill=skill_b, level=2)
    ProjectSkillNeed.objects.create(project=active, skill=skill_c, level=1)
    ProjectSkillNeed.objects.create(project=draft, skill=skill_d, level=1)

    # Course one (Workstream CM) builds A to 3 and B to 2; course two (other) builds A to 4.
    course_one, course_two = CourseFactory(), CourseFactory()
    course_one.workstreams.add(base.workstream)
    course_two.workstreams.add(other)
    CourseSkillFactory(course=course_one, skill=skill_a, level=3)
    CourseSkillFactory(course=course_one, skill=skill_b, level=2)
    CourseSkillFactory(course=course_two, skill=skill_a, level=4)
    run_one = CourseRunFactory(course=course_one, starts_on=datetime.date(2025, 2, 10),
                               ends_on=datetime.date(2025, 2, 11))
    run_two = CourseRunFactory(course=course_two, starts_on=datetime.date(2025, 5, 5),
                               ends_on=datetime.date(2025, 5, 6))
    trainee = UserFactory()
    S = Enrolment.Status
    completed_at = at(2025, 2, 11)

    def enrol(person, run, status):
        return Enrolment.objects.create(person=person, run=run, status=status,
                                        completed_at=completed_at if status == S.COMPLETED
                                        else None)

    lead_done = enrol(base.lead_member, run_one, S.COMPLETED)
    enrol(base.bystander_member, run_one, S.COMPLETED)
    partner_seated = enrol(base.partner_member, run_one, S.CONFIRMED)
    enrol(trainee, run_one, S.CANCELLED)
    outsider_done = enrol(base.outsider_member, run_two, S.COMPLETED)
    # The lead's person acts for the partner too: still one person of Workstream CM.
    OrganisationMembership.objects.create(organisation=base.partner, person=base.lead_member)
    Certificate.objects.create(serial="DASH000001", person=base.lead_member, enrolment=lead_done,
                               issued_on=datetime.date(2025, 3, 1))
    Certificate.objects.create(serial="DASH000002", person=base.outsider_member,
                               enrolment=outsider_done, issued_on=datetime.date(2025, 6, 1))
    Certificate.objects.create(serial="DASH000003", person=base.partner_member,
                               enrolment=partner_seated, issued_on=datetime.date(2025, 3, 2),
                               revoked_at=timezone.now())
    return World(base=base, other=other, active=active, draft=draft, old=old, trainee=trainee)


@pytest.fixture
def world():
    return small_world()


@pytest.fixture
def staff(mfa_staff_user):
    return mfa_staff_user


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


# --- who reaches it -------------------------------------------------------------------------------

def test_a_visitor_is_asked_to_sign_in(client):
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert client.get(csv_of("contributions")).status_code == 302


def test_a_partner_member_is_refused(client):
    project = project_world()
    client.force_login(project.lead_member)
    assert client.get(DASHBOARD).status_code == 403
    assert client.get(csv_of("contributions")).status_code == 403


@pytest.mark.parametrize("role", ["programme_staff", "programme_admin"])
def test_staff_without_a_second_factor_set_it_up_first(client, role):
    client.force_login(UserFactory(role=role))
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))


def test_staff_and_admins_see_it(client, mfa_staff_user, mfa_admin_user):
    for person in (mfa_staff_user, mfa_admin_user):
        client.force_login(person)
        response = client.get(DASHBOARD)
        assert response.status_code == 200
        assert b"<h1" in response.content and b"Dashboard" in response.content


# --- pending work ---------------------------------------------------------------------------------

def pending_of(response) -> dict[str, tuple[int, str]]:
    return {item.key: (item.count, item.url) for item in response.context["pending"]}


def test_pending_work_counts_and_links_to_each_queue(world, client, mfa_admin_user, staff):
    client.force_login(staff)
    pending = pending_of(client.get(DASHBOARD))
    assert pending == {
        "join_requests": (2, reverse("workstreams:queue")),
        "deliverables_to_review": (1, reverse("my_portal")),
        "renewals_due": (1, reverse("partners:renewals")),
        "overdue_work": (2, f"{reverse('projects:list')}?overdue=on"),
    }  # registrations are the programme admins' to approve
    client.force_login(mfa_admin_user)
    response = client.get(DASHBOARD)
    assert pending_of(response)["registrations"] == (1, reverse("partners:approvals"))
    # Pending work comes before the figures.
    page = response.content.decode()
    assert page.index("Waiting for you") < page.index("The programme's figures")
    assert 'href="/workstreams/queue/"' in page


def test_pending_work_of_one_programme(world, staff_client):
    pending = pending_of(staff_client.get(DASHBOARD, {"programme": "other"}))
    assert pending["join_requests"][0] == 1
    assert pending["deliverables_to_review"][0] == 0
    assert pending["overdue_work"][0] == 0


# --- each figure's numbers ------------------------------------------------------------------------

def test_partners_by_kind_and_tier(world, staff):
    labels, series = as_table(read("partners-by-kind-and-tier", staff))
    assert labels == ["Pharma MNC", "Biotech", "SME", "Research institute"]
    assert series == {"Core": [0, 0, 0, 1], "Member": [1, 0, 1, 0], "Associate": [0, 1, 0, 0],
                      "No tier": [0, 0, 0, 0]}  # the registration waiting is not a partner


def test_partners_joined_per_quarter_over_the_period(world, staff):
    data = read("partners-joined", staff, date_from=datetime.date(2025, 1, 1),
                date_to=datetime.date(2025, 12, 31))
    labels, series = as_table(data)
    assert labels == ["2025 Q1", "2025 Q2", "2025 Q3", "2025 Q4"]
    assert series["Core"] == [1, 0, 0, 0]  # the lead, approved on 1 February 2025
    assert series["Member"] == [0, 0, 0, 0]  # the others joined today
    everything = as_table(read("partners-joined", staff))
    assert everything[0][0] == "2025 Q1"
    assert sum(sum(values) for values in everything[1].values()) == 4


def test_workstream_memberships_by_role(world, staff):
    assert as_table(read("workstream-memberships", staff)) == (
        ["Other stream", "Workstream CM"],
        {"Core member": [0, 3], "Associate member": [0, 0], "Observer": [1, 0]})
    assert as_table(read("workstream-memberships", staff, programme="pips")) == (
        ["Workstream CM"], {"Core member": [3], "Associate member": [0], "Observer": [0]})
    # On a day in the past, the memberships held then.
    assert as_table(read("workstream-memberships", staff, date_to=in_days(-300))) == (
        ["Workstream CM"], {"Core member": [0], "Associate member": [1], "Observer": [0]})


def test_projects_by_status_and_workstream(world, staff):
    labels, series = as_table(read("projects-by-status", staff))
    assert labels == ["Other stream", "Workstream CM"]
    assert series["Draft"] == [0, 1]
    assert series["Active"] == [0, 1]
    assert series["Completed"] == [1, 0]
    assert series["Cancelled"] == [0, 0]
    labels, series = as_table(read("projects-by-status", staff, date_from=in_days(-300)))
    assert labels == ["Workstream CM"]  # the old project ended before the period


def test_contributions_per_year(world, staff):
    assert as_table(read("contributions", staff)) == (["2024", "2025"], {
        "Committed cash": [200, 1000], "Committed in kind": [0, 500],
        "Actual cash": [200, 400], "Actual in kind": [0, 0]})
    assert as_table(read("contributions", staff, programme="pips"))[0] == ["2025"]
    assert as_table(read("contributions", staff, date_to=datetime.date(2024, 12, 31)))[0] == [
        "2024"]


def test_trainees_enrolled_and_certified_per_quarter(world, staff):
    assert as_table(read("trainees", staff)) == (["2025 Q1", "2025 Q2"], {
        "Trainees enrolled": [3, 1],  # the cancelled enrolment took no seat
        "Trainees certified": [1, 1]})  # the revoked certificate is left out
    assert as_table(read("trainees", staff, programme="pips")) == (["2025 Q1"], {
        "Trainees enrolled": [3], "Trainees certified": [1]})


def test_the_skills_gap_per_workstream(world, staff):
    labels, series = as_table(read("skills-gap", staff))
    assert labels == [
        "Other stream: Skill A (level 4)",     # the outsider's person holds it at 4
        "Workstream CM: Skill A (level 3)",    # the lead's and the bystander's people, once each
        "Workstream CM: Skill B (level 3)",    # the project's level 2 gives way to 3; held at 2
        "Workstream CM: Skill C (level 1)",    # from the active project; nobody holds it
    ]  # the draft project's Skill D is not needed yet
    assert series == {"People holding it": [1, 2, 0, 0]}
    # The outsider's person, a former member of Workstream CM, is not counted there; and
    # completions after the period's end are not held yet.
    labels, series = as_table(read("skills-gap", staff, programme="pips",
                                   date_to=datetime.date(2025, 2, 1)))
    assert series == {"People holding it": [0, 0, 0]}


def test_every_figure_is_on_the_page_with_its_table_and_csv_link(world, staff_client):
    response = staff_client.get(DASHBOARD)
    page = response.content.decode()
    for figure in figures_all():
        assert figure.title in page
        assert f'href="{csv_of(figure.key)}"' in page
    assert page.count("<table") == len(figures_all())
    assert page.count('<th scope="col">') > 0 and '<th scope="row"' in page
    assert page.count('role="img"') == len(figures_all())
    assert "<caption>Contributions per year (SGD)</caption>" in page


def test_an_empty_programme_says_so(staff_client):
    response = staff_client.get(DASHBOARD)
    assert response.status_code == 200
    assert "Nothing to show for these filters yet." in response.content.decode()
    assert "dashboard-chart-svg" not in response.content.decode()


# --- filters --------------------------------------------------------------------------------------

def test_a_bad_filter_is_named_beside_its_field_and_the_rest_still_applies(world, staff_client):
    response = staff_client.get(DASHBOARD, {"programme": "pips", "date_from": "2025-13-01"})
    assert response.status_code == 200
    form = response.context["form"]
    assert "date_from" in form.errors
    assert response.context["filters"] == DashboardFilters(programme="pips")
    contributions = next(drawn for drawn in response.context["figures"]
                         if drawn.figure.key == "contributions")
    assert list(contributions.data.labels) == ["2025"]

    backwards = staff_client.get(DASHBOARD, {"date_from": "2025-06-01",
                                             "date_to": "2025-01-01"})
    assert "date_to" in backwards.context["form"].errors
    unknown = staff_client.get(DASHBOARD, {"programme": "nope"})
    assert "programme" in unknown.context["form"].errors
    assert unknown.context["filters"] == DashboardFilters()


def test_the_csv_links_carry_the_filters(world, staff_client):
    page = staff_client.get(DASHBOARD, {"programme": "pips", "date_from": "2025-01-01"}).content
    assert (f'href="{csv_of("contributions")}?programme=pips&amp;date_from=2025-01-01"'
            in page.decode())


# --- CSV ------------------------------------------------------------------------------------------

def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize("key", ["partners-by-kind-and-tier", "partners-joined",
                                 "workstream-memberships", "projects-by-status",
                                 "contributions", "trainees", "skills-gap"])
def test_each_figure_downloads_as_its_table(world, staff, staff_client, key):
    data = read(key, staff)
    rows = csv_rows(staff_client.get(csv_of(key)))
    assert rows[0] == data.header()
    assert rows[1:] == [[str(cell) for cell in row] for row in data.rows()]
    assert len(rows) == len(data.labels) + 1


def test_a_csv_has_the_pages_filters(world, staff_client):
    response = staff_client.get(csv_of("contributions"), {"programme": "pips"})
    assert "contributions-pips" in response["Content-Disposition"]
    rows = csv_rows(response)
    assert rows[0] == ["Year", "Committed cash", "Committed in kind", "Actual cash",
                       "Actual in kind"]
    assert [row[0] for row in rows[1:]] == ["2025"]
    assert Decimal(rows[1][1]) == Decimal("1000")


def test_an_unknown_figure_is_a_404(staff_client):
    assert staff_client.get(csv_of("no-such-chart")).status_code == 404


# --- the charts under the Content-Security-Policy -------------------------------------------------

def test_the_charts_run_no_script_and_load_nothing_from_elsewhere(world, staff_client):
    response = staff_client.get(DASHBOARD)
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    page = response.content.decode()
    svgs = re.findall(r"<svg[^>]*dashboard-chart-svg.*?</svg>", page, flags=re.S)
    assert len(svgs) == len(figures_all())
    for svg in svgs:
        assert "<script" not in svg and "<style" not in svg
        assert " style=" not in svg  # an inline style attribute, which the policy would refuse
        assert "href" not in svg
        # The only address is the SVG namespace's name, which is never fetched.
        assert set(re.findall(r"\w+://[^\s\"']+", svg)) <= {"http://www.w3.org/2000/svg",
                                                           "http://www.w3.org/1999/xlink"}
        assert 'role="img"' in svg and "aria-label=" in svg
    # The page as a whole has no inline script or style for the policy to block.
    assert "<script>" not in page and " style=" not in page


@pytest.mark.parametrize("kind", CHART_KINDS)
def test_every_kind_of_chart_is_static_svg(kind):
    data = FigureData(labels=["Q1", "Q2 & <b>"], series=[("Cash", [1, 2]), ("In kind", [0, 0])],
                      x_title="Quarter", y_title="SGD")
    svg = str(chart_svg(data, kind=kind, label="Chart: money"))
    assert svg.startswith("<svg") and "<?xml" not in svg
    assert "<script" not in svg and "<style" not in svg and " style=" not in svg
    assert "href" not in svg
    assert 'role="img"' in svg and 'aria-label="Chart: money"' in svg
    assert "Q2 &amp; &lt;b&gt;" in svg
    # A series of zeros is left to the table: the legend names only what is drawn.
    assert ">In kind<" not in svg


def test_a_label_with_markup_is_drawn_as_text(world, staff, staff_client):
    Workstream.objects.filter(pk=world.other.pk).update(name="<script>alert(1)</script>")
    page = staff_client.get(DASHBOARD).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# --- the cost does not grow with the data ---------------------------------------------------------

def bulk_world(size: int, *, tag: str) -> None:
    """`size` of every row the dashboard counts, written with bulk_create."""
    programme_workstream = WorkstreamFactory(programme__short_name=f"B{tag}", name=f"Bulk {tag}")
    kinds, tiers = Organisation.Kind.values, [*Organisation.Tier.values, ""]
    organisations = Organisation.objects.bulk_create([
        Organisation(name=f"Bulk {tag} {index}", name_key=f"bulk {tag} {index}",
                     slug=f"bulk-{tag}-{index}", uen=f"B{tag}{index:06d}",
                     kind=kinds[index % len(kinds)], tier=tiers[index % len(tiers)],
                     status=(Organisation.Status.PENDING if index % 7 == 0
                             else Organisation.Status.APPROVED),
                     tier_starts_on=in_days(-300), tier_ends_on=in_days(index % 120))
        for index in range(size)])
    WorkstreamMembership.objects.bulk_create([
        WorkstreamMembership(organisation=organisation, workstream=programme_workstream,
                             role=WorkstreamMembership.Role.values[index % 3],
                             since=in_days(-index))
        for index, organisation in enumerate(organisations)])
    people = [UserFactory.build(email=f"bulk-{tag}-{index}@example.org")
              for index in range(size)]
    people = type(people[0]).objects.bulk_create(people)
    OrganisationMembership.objects.bulk_create([
        OrganisationMembership(organisation=organisation, person=person)
        for organisation, person in zip(organisations, people, strict=True)])
    projects = Project.objects.bulk_create([
        Project(code=f"BULK-{tag}-{index}", title=f"Bulk {index}", summary="Bulk.",
                workstream=programme_workstream, lead_organisation=organisations[index],
                principal_investigator=people[index], starts_on=in_days(-index * 30),
                ends_on=in_days(400), trl_start=3, trl_target=6, trl_current=3,
                status=Project.Status.values[index % len(Project.Status.values)])
        for index in range(size)])
    Contribution.objects.bulk_create([
        Contribution(project=project, organisation=project.lead_organisation,
                     year=2020 + index % 7, kind=Contribution.Kind.values[index % 2],
                     committed_sgd=100 * index, actual_sgd=50 * index)
        for index, project in enumerate(projects)])
    Deliverable.objects.bulk_create([
        Deliverable(project=project, title="Bulk", kind=Deliverable.Kind.REPORT,
                    due_on=in_days(-1 - index % 3),
                    status=Deliverable.Status.values[index % len(Deliverable.Status.values)])
        for index, project in enumerate(projects)])
    skills = [SkillFactory(name=f"Bulk {tag} skill {index}") for index in range(3)]
    ProjectSkillNeed.objects.bulk_create([
        ProjectSkillNeed(project=project, skill=skills[index % 3], level=1 + index % 6)
        for index, project in enumerate(projects)])
    course = CourseFactory()
    for index, skill in enumerate(skills):
        CourseSkillFactory(course=course, skill=skill, level=2 + index)
    runs = [CourseRunFactory(course=course, starts_on=datetime.date(2020 + index, 3, 1),
                             ends_on=datetime.date(2020 + index, 3, 2)) for index in range(3)]
    enrolments = Enrolment.objects.bulk_create([
        Enrolment(person=person, run=runs[index % 3], status=Enrolment.Status.COMPLETED,
                  completed_at=at(2020 + index % 3, 3, 2))
        for index, person in enumerate(people)])
    Certificate.objects.bulk_create([
        Certificate(serial=f"B{tag}{index:08d}", person=enrolment.person, enrolment=enrolment,
                    issued_on=datetime.date(2020 + index % 3, 4, 1))
        for index, enrolment in enumerate(enrolments)])


def cold_queries_of_get(client, path: str) -> int:
    """The queries of a visit that reads every figure from the database (none kept)."""
    cache.clear()
    return queries_of_get(client, path)


def test_the_dashboard_and_a_csv_cost_the_same_at_n_and_10n_rows(world, client,
                                                                  mfa_admin_user):
    client.force_login(mfa_admin_user)
    paths = [DASHBOARD, f"{DASHBOARD}?programme=pips&date_from=2020-01-01",
             *(csv_of(figure.key) for figure in figures_all())]
    bulk_world(5, tag="a")
    client.get(DASHBOARD)  # the session's first reads
    at_n = {path: cold_queries_of_get(client, path) for path in paths}
    bulk_world(50, tag="b")
    at_10n = {path: cold_queries_of_get(client, path) for path in paths}
    assert at_10n == at_n
    assert at_n[DASHBOARD] <= 30


# --- the figures kept between visits ----------------------------------------------------------

def shown(response, key: str) -> tuple[list, dict]:
    """A figure's numbers as the page drew them."""
    drawn = next(drawn for drawn in response.context["figures"] if drawn.figure.key == key)
    return as_table(drawn.data)


def test_a_second_visit_reads_the_kept_figures_not_the_data(world, client, mfa_admin_user):
    client.force_login(mfa_admin_user)
    first = client.get(DASHBOARD)
    cold = cold_queries_of_get(client, DASHBOARD)
    warm = queries_of_get(client, DASHBOARD)
    again = client.get(DASHBOARD)
    assert warm <= cold - len(figures_all())  # at least one query fewer a figure
    assert [shown(again, drawn.figure.key) for drawn in again.context["figures"]] == \
        [shown(first, drawn.figure.key) for drawn in first.context["figures"]]
    assert again.content.count(b'role="img"') == first.content.count(b'role="img"')


def test_a_change_made_by_a_service_shows_on_the_next_visit(world, client, mfa_admin_user):
    client.force_login(mfa_admin_user)
    before = shown(client.get(DASHBOARD), "partners-by-kind-and-tier")
    assert before == shown(client.get(DASHBOARD), "partners-by-kind-and-tier")  # kept
    waiting = Organisation.objects.get(name="Waiting Ltd")
    organisation_approve(actor=mfa_admin_user, organisation=waiting,
                         tier=Organisation.Tier.CORE)
    _labels, series = shown(client.get(DASHBOARD), "partners-by-kind-and-tier")
    assert sum(series["Core"]) == sum(before[1]["Core"]) + 1


def test_the_figures_kept_for_one_filter_are_not_shown_for_another(world, client,
                                                                   mfa_admin_user):
    client.force_login(mfa_admin_user)
    everything = shown(client.get(DASHBOARD), "projects-by-status")
    one_programme = shown(client.get(f"{DASHBOARD}?programme=other"), "projects-by-status")
    assert one_programme != everything
    assert one_programme == as_table(read("projects-by-status", mfa_admin_user,
                                          programme="other"))


# --- where staff land after signing in ------------------------------------------------------------

def sign_in(client, person, **query):
    path = reverse("account_login")
    if query:
        path += "?" + "&".join(f"{name}={value}" for name, value in query.items())
    return client.post(path, {"login": person.email, "password": PASSWORD, **query})


@pytest.mark.parametrize("role", ["programme_staff", "programme_admin"])
def test_staff_and_admins_land_on_the_dashboard(client, role):
    person = UserFactory(role=role)
    secret = activate_totp(person)
    assert sign_in(client, person)["Location"] == reverse("mfa_authenticate")
    response = client.post(reverse("mfa_authenticate"), {"code": current_totp_code(secret)})
    assert response["Location"] == DASHBOARD
    assert client.get(DASHBOARD).status_code == 200


def test_a_trainee_lands_on_their_own_page(client):
    assert sign_in(client, UserFactory())["Location"] == reverse("my_portal")


def test_staff_asked_for_another_page_go_there(client):
    person = UserFactory(role="programme_staff")
    secret = activate_totp(person)
    sign_in(client, person, next="/projects/")
    response = client.post(reverse("mfa_authenticate"), {"code": current_totp_code(secret)})
    assert response["Location"] == "/projects/"


def test_the_navigation_offers_the_dashboard_to_staff_only(world, client, staff):
    client.force_login(staff)
    assert f'href="{DASHBOARD}"' in client.get(reverse("my_portal")).content.decode()
    client.force_login(world.base.lead_member)
    assert f'href="{DASHBOARD}"' not in client.get(reverse("my_portal")).content.decode()


def test_a_csv_asked_with_filters_it_cannot_apply_is_refused_in_words(world, staff_client):
    """The page names a bad filter beside its field; a file cannot, so it is refused rather
    than handed over with numbers the filter did not narrow."""
    response = staff_client.get("/dashboard/contributions.csv?date_from=garbage")
    assert response.status_code == 400
    assert "can't be applied" in response.content.decode()
    assert staff_client.get("/dashboard/contributions.csv?date_from=2026-01-01").status_code \
        == 200
