"""The pages of a project's plan and reports: milestones and deliverables planned by staff and
the team, a deliverable drafted by the team, submitted by the lead organisation's people and
reviewed by staff, its file served only to those who see the project in full, monthly status
updates, and contributions that each organisation sees only of its own."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cluster_portal.audit.models import AuditEvent
from cluster_portal.core.actors import SYSTEM
from projects import services
from projects.models import Contribution, Deliverable, Milestone, Project, StatusUpdate
from tests.conftest import activate_totp
from tests.factories import UserFactory
from tests.projects.factories import in_days, make_project, person_of_organisation, project_world
from tests.support.queries import queries_of_get

pytestmark = pytest.mark.django_db

Status = Project.Status
PDF = b"%PDF-1.7\n% a deliverable\n"


def pdf(name="report.pdf", content=PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def text(response) -> str:
    return response.content.decode().replace("&#x27;", "'").replace("&quot;", '"')


class People:
    """Everyone a plan page is tested as."""

    def __init__(self, world):
        self.world = world
        self.staff = UserFactory(role="programme_staff")
        activate_totp(self.staff)
        self.investigator = world.investigator
        self.team_member = person_of_organisation(world.partner)
        self.lead_member = world.lead_member
        self.partner_member = world.partner_member
        self.bystander = world.bystander_member

    def client(self, who: str) -> Client:
        client = Client()
        if who != "visitor":
            client.force_login(getattr(self, who))
        return client


@pytest.fixture
def world():
    return project_world()


@pytest.fixture
def people(world):
    return People(world)


def project_of(world, people, status=Status.ACTIVE, **kwargs) -> Project:
    return make_project(world, status=status, team={people.team_member: "Engineer"},
                        visibility=kwargs.pop("visibility", "members"), **kwargs)


@pytest.fixture
def project(world, people):
    return project_of(world, people)


def url(name: str, project, **kwargs) -> str:
    return reverse(f"projects:{name}", kwargs={"code": project.code, **kwargs})


def milestone_of(project, **kwargs) -> Milestone:
    values = {"title": "Pilot run", "due_on": in_days(30)}
    values.update(kwargs)
    return services.milestone_create(actor=SYSTEM, project=project, **values)


def deliverable_of(project, **kwargs) -> Deliverable:
    values = {"title": "Design report", "kind": "report", "due_on": in_days(30)}
    values.update(kwargs)
    deliverable = services.deliverable_create(actor=SYSTEM, project=project, **values)
    deliverable.project = project
    return deliverable


# Who plans (may_plan): staff and the team; the others who see the plan are refused (403), a
# bystander of a participants-only project finds nothing (404), a visitor signs in first.
PLANNERS = ["staff", "investigator", "team_member"]
NOT_PLANNERS = ["lead_member", "partner_member", "bystander"]


# --- milestones ----------------------------------------------------------------------------

@pytest.mark.parametrize("who", PLANNERS)
def test_staff_and_the_team_add_and_change_milestones(project, people, who):
    client = people.client(who)
    assert client.get(url("milestone_create", project)).status_code == 200
    response = client.post(url("milestone_create", project), {
        "title": "Pilot run", "due_on": in_days(40).isoformat(), "description": ""})
    assert response.status_code == 302
    milestone = project.milestones.get()
    assert milestone.due_on == in_days(40)
    edit = url("milestone_edit", project, pk=milestone.pk)
    assert "Pilot run" in text(client.get(edit))
    response = client.post(edit, {"title": "Pilot batch", "due_on": in_days(50).isoformat(),
                                  "description": "Three batches."})
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert (milestone.title, milestone.due_on) == ("Pilot batch", in_days(50))


@pytest.mark.parametrize("who", NOT_PLANNERS)
def test_others_who_see_the_plan_are_refused_and_nothing_changes(project, people, who):
    milestone = milestone_of(project)
    client = people.client(who)
    for path in (url("milestone_create", project), url("milestone_edit", project,
                                                         pk=milestone.pk)):
        assert client.get(path).status_code == 403
        response = client.post(path, {"title": "Mine", "due_on": in_days(10).isoformat()})
        assert response.status_code == 403
        assert "Only programme staff and the project's team plan its work." in text(response)
    for name in ("milestone_complete", "milestone_delete"):
        assert client.post(url(name, project, pk=milestone.pk)).status_code == 403
    milestone.refresh_from_db()
    assert (milestone.title, milestone.completed_on) == ("Pilot run", None)


def test_a_hidden_project_is_missing_and_a_visitor_signs_in_first(world, people):
    hidden = project_of(world, people, visibility="participants")
    milestone = milestone_of(hidden)
    assert people.client("bystander").get(url("milestone_create", hidden)).status_code == 404
    assert people.client("bystander").post(
        url("milestone_delete", hidden, pk=milestone.pk)).status_code == 404
    response = people.client("visitor").post(url("milestone_delete", hidden, pk=milestone.pk))
    assert response.status_code == 302 and "login" in response["Location"]
    assert Milestone.objects.filter(pk=milestone.pk).exists()


def test_a_milestone_of_another_project_is_missing(world, people, project):
    other = project_of(world, people)
    milestone = milestone_of(other)
    response = people.client("staff").get(url("milestone_edit", project, pk=milestone.pk))
    assert response.status_code == 404


def test_a_milestone_outside_the_project_dates_is_refused_beside_the_date(project, people):
    response = people.client("staff").post(url("milestone_create", project), {
        "title": "Far away", "due_on": in_days(900).isoformat()})
    assert response.status_code == 400
    html = text(response)
    assert "Set a date within the project" in html and 'id="id_due_on_error"' in html
    assert not project.milestones.exists()


def test_a_milestone_is_completed_after_asking_and_reopened_and_deleted_after_confirming(
        project, people):
    milestone = milestone_of(project, due_on=in_days(-5))
    client = people.client("investigator")
    complete = url("milestone_complete", project, pk=milestone.pk)
    page = client.get(complete)
    assert page.status_code == 200 and "Mark “Pilot run” reached?" in text(page)
    assert 'name="completed_on"' in text(page)
    response = client.post(complete, {"completed_on": in_days(1).isoformat()})
    assert response.status_code == 400 and "Give today or an earlier day." in text(response)
    milestone.refresh_from_db()
    assert milestone.completed_on is None
    assert client.post(complete, {"completed_on": in_days(-2).isoformat()}).status_code == 302
    milestone.refresh_from_db()
    assert milestone.completed_on == in_days(-2)
    reopen = url("milestone_reopen", project, pk=milestone.pk)
    assert "Reopen “Pilot run”?" in text(client.get(reopen))
    assert client.post(reopen).status_code == 302
    milestone.refresh_from_db()
    assert milestone.completed_on is None
    delete = url("milestone_delete", project, pk=milestone.pk)
    assert client.get(delete).status_code == 200
    assert Milestone.objects.filter(pk=milestone.pk).exists()
    assert client.post(delete).status_code == 302
    assert not Milestone.objects.filter(pk=milestone.pk).exists()


def test_completing_an_already_reached_milestone_says_so(project, people):
    milestone = milestone_of(project)
    services.milestone_complete(actor=SYSTEM, milestone=milestone)
    response = people.client("staff").post(url("milestone_complete", project, pk=milestone.pk))
    assert response.status_code == 409
    assert "was already reached" in text(response)


def test_the_plan_of_a_completed_project_no_longer_changes(world, people):
    done = project_of(world, people, status=Status.COMPLETED)
    response = people.client("staff").get(url("milestone_create", done))
    assert response.status_code == 302 and response["Location"] == url("detail", done)


# --- deliverables: planning ----------------------------------------------------------------

@pytest.mark.parametrize("who", PLANNERS)
def test_staff_and_the_team_plan_deliverables(project, people, who):
    milestone = milestone_of(project)
    client = people.client(who)
    assert client.get(url("deliverable_create", project)).status_code == 200
    response = client.post(url("deliverable_create", project), {
        "title": "Design report", "kind": "report", "due_on": in_days(20).isoformat(),
        "milestone": milestone.pk})
    assert response.status_code == 302
    deliverable = project.deliverables.get()
    assert deliverable.milestone == milestone
    response = client.post(url("deliverable_edit", project, pk=deliverable.pk), {
        "title": "Design dataset", "kind": "dataset", "due_on": in_days(25).isoformat(),
        "milestone": ""})
    assert response.status_code == 302
    deliverable.refresh_from_db()
    assert (deliverable.kind, deliverable.milestone) == ("dataset", None)


@pytest.mark.parametrize("who", NOT_PLANNERS)
def test_others_do_not_plan_deliverables(project, people, who):
    deliverable = deliverable_of(project)
    client = people.client(who)
    response = client.post(url("deliverable_create", project), {
        "title": "Mine", "kind": "report", "due_on": in_days(20).isoformat()})
    assert response.status_code == 403
    assert client.post(url("deliverable_delete", project, pk=deliverable.pk)).status_code == 403
    assert list(project.deliverables.all()) == [deliverable]


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"due_on": in_days(-400).isoformat()}, "due_on", "Set a date within the project"),
    ({"kind": "poem"}, "kind", "Select a valid choice"),
    ({"title": ""}, "title", "required"),
])
def test_bad_deliverable_input_is_named_beside_its_field(project, people, changes, field,
                                                         words):
    data = {"title": "Design report", "kind": "report", "due_on": in_days(20).isoformat()}
    response = people.client("staff").post(url("deliverable_create", project),
                                           {**data, **changes})
    assert response.status_code == 400
    html = text(response)
    assert f'id="id_{field}_error"' in html and words in html
    assert not project.deliverables.exists()


def test_a_deliverable_worked_on_is_not_deleted(project, people):
    deliverable = deliverable_of(project)
    services.deliverable_save_draft(actor=SYSTEM, deliverable=deliverable, file=pdf())
    client = people.client("staff")
    response = client.post(url("deliverable_delete", project, pk=deliverable.pk))
    assert response.status_code == 302
    assert Deliverable.objects.filter(pk=deliverable.pk).exists()
    page = text(client.get(response["Location"]))
    assert "has been worked on; it stays in the record" in page


def test_a_pending_deliverable_is_deleted_after_confirming(project, people):
    deliverable = deliverable_of(project)
    client = people.client("team_member")
    page = client.get(url("deliverable_delete", project, pk=deliverable.pk))
    assert "Delete the deliverable “Design report”?" in text(page)
    assert client.post(url("deliverable_delete", project, pk=deliverable.pk)).status_code == 302
    assert not Deliverable.objects.filter(pk=deliverable.pk).exists()


# --- deliverables: the page, drafts, submission, review, the file ---------------------------

def test_the_deliverable_page_offers_each_person_what_they_may_do(project, people):
    deliverable = deliverable_of(project)
    draft, submit = 'id="draft-title"', 'id="submit-title"'
    lead_only = "Only the people of Lead Institute, the lead organisation, submit"
    path = url("deliverable", project, pk=deliverable.pk)
    lead = text(people.client("lead_member").get(path))
    assert draft in lead and submit in lead and lead_only not in lead
    assert "PDF, Word" in lead and "up to 50 MB" in lead
    team = text(people.client("team_member").get(path))  # of the partner organisation
    assert draft in team and submit not in team and lead_only in team
    partner = text(people.client("partner_member").get(path))
    assert draft not in partner and submit not in partner
    staff = text(people.client("staff").get(path))
    assert submit not in staff and 'id="review-title"' not in staff  # nothing to review yet
    bystander = people.client("bystander").get(path)
    assert bystander.status_code == 200  # a member of the workstream sees the plan
    assert "History" not in text(bystander) and draft not in text(bystander)
    assert people.client("visitor").get(path).status_code == 404


def test_the_team_uploads_a_draft_and_the_lead_organisation_submits_it(project, people):
    deliverable = deliverable_of(project)
    response = people.client("team_member").post(
        url("deliverable_draft", project, pk=deliverable.pk), {"file": pdf("draft.pdf")})
    assert response.status_code == 302
    deliverable.refresh_from_db()
    assert deliverable.status == Deliverable.Status.DRAFT and deliverable.file
    response = people.client("lead_member").post(
        url("deliverable_submit", project, pk=deliverable.pk), {})
    assert response.status_code == 302
    deliverable.refresh_from_db()
    assert deliverable.status == Deliverable.Status.SUBMITTED
    assert deliverable.submitted_by == people.lead_member
    page = text(people.client("staff").get(url("deliverable", project, pk=deliverable.pk)))
    assert 'id="review-title"' in page and "Submitted on" in page


@pytest.mark.parametrize("who", ["staff", "team_member", "partner_member"])
def test_only_the_lead_organisation_submits(project, people, who):
    deliverable = deliverable_of(project)
    response = people.client(who).post(url("deliverable_submit", project, pk=deliverable.pk),
                                       {"file": pdf()})
    assert response.status_code == 403
    assert "Only the people of Lead Institute, the lead organisation, submit" in text(response)
    deliverable.refresh_from_db()
    assert deliverable.status == Deliverable.Status.PENDING and not deliverable.file


@pytest.mark.parametrize("who", ["lead_member", "partner_member"])
def test_nobody_outside_the_team_or_lead_organisation_uploads_a_draft(project, people, who):
    deliverable = deliverable_of(project)
    response = people.client(who).post(url("deliverable_draft", project, pk=deliverable.pk),
                                       {"file": pdf()})
    if who == "lead_member":
        assert response.status_code == 302
        return
    assert response.status_code == 403
    deliverable.refresh_from_db()
    assert not deliverable.file


def test_an_upload_over_the_limit_is_refused_with_the_limit(project, people, settings):
    settings.PROJECT_DELIVERABLE_MAX_MB = 1
    deliverable = deliverable_of(project)
    big = pdf(content=PDF + b"0" * (1024 * 1024 + 1))
    response = people.client("lead_member").post(
        url("deliverable_submit", project, pk=deliverable.pk), {"file": big})
    assert response.status_code == 400
    html = text(response)
    assert "the limit is 1 MB" in html and 'id="submit-file_error"' in html
    assert "up to 1 MB" in html
    deliverable.refresh_from_db()
    assert deliverable.status == Deliverable.Status.PENDING and not deliverable.file


@pytest.mark.parametrize(("name", "content", "words"), [
    ("tool.exe", b"MZ\x90\x00", "Share a PDF, Word"),
    ("report.pdf", b"not a pdf at all", "is not the .pdf its name says"),
])
def test_an_upload_of_a_disallowed_kind_is_refused(project, people, name, content, words):
    deliverable = deliverable_of(project)
    response = people.client("team_member").post(
        url("deliverable_draft", project, pk=deliverable.pk), {"file": pdf(name, content)})
    assert response.status_code == 400
    assert words in text(response)
    deliverable.refresh_from_db()
    assert deliverable.status == Deliverable.Status.PENDING and not deliverable.file


def test_a_late_submission_needs_a_justification(world, people):
    project = project_of(world, people)
    deliverable = deliverable_of(project, due_on=in_days(-3))
    client = people.client("lead_member")
    page = text(client.get(url("deliverable", project, pk=deliverable.pk)))
    assert 'name="late_justification"' in page
    path = url("deliverable_submit", project, pk=deliverable.pk)
    response = client.post(path, {"file": pdf(), "late_justification": ""})
    assert response.status_code == 400
    assert "say why it is late" in text(response)
    deliverable.refresh_from_db()
    assert deliverable.status == Deliverable.Status.PENDING
    response = client.post(path, {"file": pdf(), "late_justification": "The lab flooded."})
    assert response.status_code == 302
    deliverable.refresh_from_db()
    assert deliverable.late_justification == "The lab flooded."
    assert "The lab flooded." in text(people.client("staff").get(
        url("deliverable", project, pk=deliverable.pk)))


def submitted(project) -> Deliverable:
    deliverable = deliverable_of(project)
    return services.deliverable_submit(actor=SYSTEM, deliverable=deliverable, file=pdf())


def test_staff_approve_or_return_with_comments(project, people):
    deliverable = submitted(project)
    client = people.client("staff")
    path = url("deliverable_review", project, pk=deliverable.pk)
    response = client.post(path, {"decision": "return", "comments": ""})
    assert response.status_code == 400 and "Say what the team should change" in text(response)
    deliverable.refresh_from_db()
    assert deliverable.status == Deliverable.Status.SUBMITTED
    assert client.post(path, {"decision": "return", "comments": "Add the yields."}
                       ).status_code == 302
    deliverable.refresh_from_db()
    assert deliverable.status == Deliverable.Status.RETURNED
    assert "Add the yields." in text(client.get(url("deliverable", project, pk=deliverable.pk)))


def test_a_review_of_what_is_not_submitted_is_a_409_naming_the_moves_allowed(project, people):
    deliverable = submitted(project)
    services.deliverable_approve(actor=SYSTEM, deliverable=deliverable)
    response = people.client("staff").post(
        url("deliverable_review", project, pk=deliverable.pk), {"decision": "return",
                                                               "comments": "Again."})
    assert response.status_code == 409
    assert "was already approved" in text(response)
    deliverable.refresh_from_db()
    assert deliverable.status == Deliverable.Status.APPROVED


@pytest.mark.parametrize("who", ["investigator", "lead_member", "team_member"])
def test_only_staff_review(project, people, who):
    deliverable = submitted(project)
    response = people.client(who).post(url("deliverable_review", project, pk=deliverable.pk),
                                       {"decision": "approve"})
    assert response.status_code == 403
    deliverable.refresh_from_db()
    assert deliverable.status == Deliverable.Status.SUBMITTED


@pytest.mark.parametrize(("who", "status"), [
    ("staff", 200), ("investigator", 200), ("team_member", 200), ("lead_member", 200),
    ("partner_member", 200), ("bystander", 404), ("visitor", 404)])
def test_the_file_is_served_as_an_attachment_to_those_who_see_the_project_in_full(
        project, people, who, status):
    deliverable = submitted(project)
    response = people.client(who).get(url("deliverable_file", project, pk=deliverable.pk))
    assert response.status_code == status
    if status == 200:
        assert response["Content-Disposition"].startswith("attachment;")
        assert b"".join(response.streaming_content) == PDF


def test_no_file_yet_is_a_404_and_the_page_links_to_the_view_not_to_media(project, people):
    deliverable = deliverable_of(project)
    client = people.client("staff")
    assert client.get(url("deliverable_file", project, pk=deliverable.pk)).status_code == 404
    services.deliverable_save_draft(actor=SYSTEM, deliverable=deliverable, file=pdf())
    page = text(client.get(url("deliverable", project, pk=deliverable.pk)))
    assert url("deliverable_file", project, pk=deliverable.pk) in page
    assert "/media/" not in page


# --- status updates ------------------------------------------------------------------------

def update_form(**changes) -> dict:
    data = {"period": timezone.localdate().strftime("%Y-%m"), "overall": "amber",
            "schedule": "green", "budget": "red", "narrative": "Two batches ran.", "trl": "4"}
    data.update(changes)
    return data


@pytest.mark.parametrize("who", PLANNERS)
def test_staff_and_the_team_post_the_monthly_update(project, people, who):
    client = people.client(who)
    page = client.get(url("status_update_create", project))
    assert page.status_code == 200
    assert f'value="{timezone.localdate():%Y-%m}"' in text(page)  # this month by default
    assert client.post(url("status_update_create", project), update_form()).status_code == 302
    update = StatusUpdate.objects.get(project=project)
    assert (update.overall, update.budget, update.trl) == ("amber", "red", 4)
    project.refresh_from_db()
    assert (project.latest_rag, project.trl_current) == ("amber", 4)


@pytest.mark.parametrize("who", NOT_PLANNERS)
def test_others_do_not_post_updates(project, people, who):
    response = people.client(who).post(url("status_update_create", project), update_form())
    assert response.status_code == 403
    assert not StatusUpdate.objects.exists()


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"period": (timezone.localdate() + datetime.timedelta(days=40)).strftime("%Y-%m")},
     "period", "Report on this month or an earlier one."),
    ({"period": "soon"}, "period", "Give the month as year and month"),
    ({"overall": "blue"}, "overall", "Select a valid choice"),
    ({"narrative": ""}, "narrative", "required"),
    ({"trl": "10"}, "trl", "Select a valid choice"),
])
def test_bad_update_input_is_named(project, people, changes, field, words):
    response = people.client("investigator").post(url("status_update_create", project),
                                                  update_form(**changes))
    assert response.status_code == 400
    html = text(response)
    assert f'id="id_{field}_error"' in html and words in html
    assert not StatusUpdate.objects.exists()


def test_a_second_update_for_a_month_is_refused(project, people):
    client = people.client("investigator")
    client.post(url("status_update_create", project), update_form())
    response = client.post(url("status_update_create", project), update_form(overall="red"))
    assert response.status_code == 409
    assert "already has a status update for" in text(response)
    assert StatusUpdate.objects.get().overall == "amber"


def test_a_draft_does_not_report_yet(world, people):
    draft = project_of(world, people, status=Status.DRAFT)
    response = people.client("staff").get(url("status_update_create", draft))
    assert response.status_code == 302 and response["Location"] == url("detail", draft)


# --- contributions -------------------------------------------------------------------------

def contribution_form(world, **changes) -> dict:
    data = {"organisation": world.partner.pk, "year": str(timezone.localdate().year),
            "kind": "cash", "committed_sgd": "25000", "actual_sgd": "1000.50"}
    data.update(changes)
    return data


def record(project, organisation, year=None, kind="cash", committed="100", actual="10"):
    return services.contribution_record(
        actor=SYSTEM, project=project, organisation=organisation,
        year=year or timezone.localdate().year, kind=kind, committed_sgd=committed,
        actual_sgd=actual)


def test_staff_record_contributions_and_see_every_row_with_totals(world, project, people):
    record(project, world.lead, committed="70000", actual="5000")
    client = people.client("staff")
    response = client.post(url("contributions", project), contribution_form(world))
    assert response.status_code == 302
    row = Contribution.objects.get(organisation=world.partner)
    assert (row.committed_sgd, row.actual_sgd) == (Decimal("25000"), Decimal("1000.50"))
    html = text(client.get(url("contributions", project)))
    assert "Lead Institute" in html and "Partner Pharma" in html
    assert 'id="totals-title"' in html and "95,000.00" in html  # the project's cash committed
    assert "SGD" in html and 'id="record-title"' in html


def test_amounts_are_taken_as_the_pages_write_them(world, project, people):
    """The pages show 150,000.00; typed back with its separators (or a dollar sign) it is the
    same amount."""
    response = people.client("staff").post(url("contributions", project), contribution_form(
        world, committed_sgd="150,000", actual_sgd="S$ 2,500.50"))
    assert response.status_code == 302
    row = Contribution.objects.get(organisation=world.partner)
    assert (row.committed_sgd, row.actual_sgd) == (Decimal("150000"), Decimal("2500.50"))


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"committed_sgd": "-5"}, "committed_sgd", "An amount is zero or more."),
    ({"actual_sgd": "lots"}, "actual_sgd", "Give an amount in Singapore dollars"),
    ({"year": "1990"}, "year", "Give a year from 2000."),
    ({"kind": "shares"}, "kind", "Select a valid choice"),
])
def test_bad_amounts_are_refused_and_nothing_is_recorded(world, project, people, changes,
                                                         field, words):
    response = people.client("staff").post(url("contributions", project),
                                           contribution_form(world, **changes))
    assert response.status_code == 400
    html = text(response)
    assert f'id="id_{field}_error"' in html and words in html
    assert not Contribution.objects.exists()


def test_an_organisation_that_does_not_take_part_is_not_offered(world, project, people):
    response = people.client("staff").post(url("contributions", project), contribution_form(
        world, organisation=world.bystander.pk))
    assert response.status_code == 400 and not Contribution.objects.exists()


@pytest.mark.parametrize("who", ["lead_member", "investigator"])
def test_a_participating_organisation_sees_only_its_own_rows_and_no_totals(
        world, project, people, who):
    record(project, world.lead, committed="70000")
    record(project, world.partner, committed="33333")
    response = people.client(who).get(url("contributions", project))
    assert response.status_code == 200
    html = text(response)
    assert "70,000.00" in html
    assert "33,333.00" not in html and "Partner Pharma" not in html
    assert 'id="totals-title"' not in html and 'id="record-title"' not in html
    response = people.client(who).post(url("contributions", project),
                                       contribution_form(world, organisation=world.lead.pk))
    assert response.status_code == 403
    assert Contribution.objects.get(organisation=world.lead).committed_sgd == Decimal("70000")


@pytest.mark.parametrize("who", ["bystander", "visitor"])
def test_others_find_no_contributions(world, project, people, who):
    record(project, world.lead)
    response = people.client(who).get(url("contributions", project))
    assert response.status_code in ((404,) if who == "bystander" else (302,))


def test_staff_remove_a_contribution_after_confirming(world, project, people):
    row = record(project, world.partner)
    client = people.client("staff")
    path = url("contribution_remove", project, pk=row.pk)
    page = client.get(path)
    assert page.status_code == 200 and "contribution of Partner Pharma" in text(page)
    assert Contribution.objects.filter(pk=row.pk).exists()
    assert client.post(path).status_code == 302
    assert not Contribution.objects.filter(pk=row.pk).exists()
    assert AuditEvent.objects.filter(action="contribution.remove").exists()


@pytest.mark.parametrize("who", ["partner_member", "investigator"])
def test_nobody_else_removes_a_contribution(world, project, people, who):
    row = record(project, world.partner)
    response = people.client(who).post(url("contribution_remove", project, pk=row.pk))
    assert response.status_code == 404
    assert Contribution.objects.filter(pk=row.pk).exists()


def test_the_contributions_page_costs_the_same_for_few_rows_or_many(world, project, people):
    client = people.client("staff")
    years = range(project.starts_on.year, project.ends_on.year + 1)

    def rows(n):
        Contribution.objects.all().delete()
        for i in range(n):
            record(project, (world.lead, world.partner)[i % 2], year=years[(i // 4) % len(years)],
                   kind=("cash", "in_kind")[(i // 2) % 2])

    rows(2)
    few = queries_of_get(client, url("contributions", project))
    rows(6)
    many = queries_of_get(client, url("contributions", project))
    assert few == many
    partner = people.client("partner_member")
    rows(2)
    few = queries_of_get(partner, url("contributions", project))
    rows(6)
    assert queries_of_get(partner, url("contributions", project)) == few


def test_staff_without_a_second_factor_are_sent_to_set_it_up_before_a_form(project):
    deliverable = deliverable_of(project)
    client = Client()
    client.force_login(UserFactory(role="programme_staff"))
    for path in (url("milestone_create", project), url("contributions", project),
                 url("deliverable_edit", project, pk=deliverable.pk)):
        response = client.get(path)
        assert response.status_code == 302 and "login" not in response["Location"], path
    # A reading page answers as to anyone who does not see the project in full.
    assert client.get(url("deliverable_file", project, pk=deliverable.pk)).status_code == 404


def test_a_submission_of_what_is_already_submitted_is_a_409_said_on_the_page(project, people):
    deliverable = submitted(project)
    response = people.client("lead_member").post(
        url("deliverable_submit", project, pk=deliverable.pk), {"file": pdf()})
    assert response.status_code == 409
    assert "is submitted; from there it can only be approved, returned." in text(response)


def test_the_submit_form_asks_for_the_file_until_a_draft_is_uploaded(project, people):
    deliverable = deliverable_of(project)
    client = people.client("lead_member")
    path = url("deliverable", project, pk=deliverable.pk)
    assert "Leave empty to submit the draft" not in text(client.get(path))
    services.deliverable_save_draft(actor=SYSTEM, deliverable=deliverable, file=pdf())
    assert "Leave empty to submit the draft" in text(client.get(path))
