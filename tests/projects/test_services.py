"""The projects app's services, called directly: what each accepts, what it refuses and in which
words (nothing changed after a refusal), what it records in the audit trail and whom it tells
(never the person who acted)."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from cluster_portal.audit.models import AuditEvent
from cluster_portal.core.exceptions import ApplicationError, Conflict, NotAllowed
from cluster_portal.notifications.models import Notification, OutgoingEmail
from projects import notification_kinds as kinds
from projects.models import (
    Contribution,
    Deliverable,
    Milestone,
    Project,
    ProjectCodeSequence,
    Rag,
    StatusUpdate,
)
from projects.services import (
    contribution_record,
    deliverable_approve,
    deliverable_create,
    deliverable_return,
    deliverable_save_draft,
    deliverable_submit,
    milestone_complete,
    milestone_create,
    milestone_reopen,
    milestone_update,
    project_create,
    project_participants_set,
    project_skill_needs_set,
    project_team_set,
    project_transition,
    project_update,
    status_update_post,
)
from tests.conftest import activate_totp
from tests.factories import UserFactory, WorkstreamFactory, WorkstreamMembershipFactory
from tests.projects.factories import in_days, make_project, person_of_organisation, project_world
from tests.talent.factories import SkillFactory

pytestmark = pytest.mark.django_db
S, D = Project.Status, Deliverable.Status


@pytest.fixture
def world():
    return project_world()


@pytest.fixture
def officer(db):
    person = UserFactory(role="programme_staff")
    activate_totp(person)
    return person


def pdf(name: str = "report.pdf", size: int = 0) -> ContentFile:
    return ContentFile(b"%PDF-1.4 " + b"x" * size, name=name)


def create(world, officer, **overrides) -> Project:
    values = {
        "workstream": world.workstream, "title": "Flow hydrogenation at scale",
        "summary": "Hydrogenation in flow, at pilot scale.", "lead_organisation": world.lead,
        "participants": [world.partner], "principal_investigator": world.investigator,
        "starts_on": in_days(-60), "ends_on": in_days(300), "trl_start": 3, "trl_target": 6,
    }
    return project_create(actor=officer, **{**values, **overrides})


def told(person, kind) -> int:
    return Notification.objects.filter(recipient=person, kind=kind.key).count()


def state_of(project: Project) -> dict:
    fresh = Project.objects.get(pk=project.pk)
    return {field.attname: getattr(fresh, field.attname) for field in Project._meta.fields
            if field.attname != "updated_at"}


# --- creation and codes ----------------------------------------------------------------------

def test_codes_count_up_per_workstream_and_year(world, officer):
    year = timezone.localdate().year
    first, second = create(world, officer), create(world, officer)
    assert (first.code, second.code) == (f"PIPS-CM-{year}-001", f"PIPS-CM-{year}-002")
    other = project_world(code="BC")
    assert create(other, officer).code == f"PIPS-BC-{year}-001"
    # Last year's numbers are last year's: this year's start again from one.
    ProjectCodeSequence.objects.create(prefix=f"PIPS-DF-{year - 1}", last_number=41)
    assert create(project_world(code="DF"), officer).code == f"PIPS-DF-{year}-001"


def test_a_cancelled_projects_code_is_never_given_again(world, officer):
    cancelled = create(world, officer)
    project_transition(actor=officer, project=cancelled, to=S.CANCELLED, reason="Merged.")
    Project.objects.filter(pk=cancelled.pk).delete()  # even if the row went away
    assert create(world, officer).code.endswith("-002")


def test_creation_is_audited_and_tells_the_team_but_not_the_officer(world, officer):
    project = create(world, officer, team={world.partner_member: "Chemist"})
    assert project.status == S.DRAFT and project.officer == officer
    assert project.trl_current == 3
    assert set(project.participants.all()) == {world.lead, world.partner}
    event = AuditEvent.objects.get(action="project.create", target_id=project.pk)
    assert event.actor == officer and event.changes["code"] == project.code
    assert told(world.investigator, kinds.PROJECT_TEAM_JOINED) == 1
    assert told(world.partner_member, kinds.PROJECT_TEAM_JOINED) == 1
    assert Notification.objects.filter(recipient=officer).count() == 0
    assert OutgoingEmail.objects.filter(recipient=world.investigator,
                                        kind=kinds.PROJECT_TEAM_JOINED.key).exists()


@pytest.mark.parametrize(("overrides", "field", "words"), [
    ({"participants": "outsider"}, "participants",
     "Outsider Co is not a member of Workstream CM"),
    ({"principal_investigator": "outsider_member"}, "principal_investigator",
     "neither acts for a participating organisation"),
    ({"team": "bystander_member"}, "team",
     "neither acts for a participating organisation"),
    ({"ends_on": -70}, "ends_on", "The project ends on or after the day it starts."),
    ({"trl_target": 2}, "trl_target", "The target TRL is at least the TRL at start (3)."),
])
def test_creation_refusals_name_the_field_and_make_nothing(world, officer, overrides, field,
                                                          words):
    given = {}
    for name, value in overrides.items():
        if name == "participants":
            given[name] = [getattr(world, value)]
        elif name == "principal_investigator":
            given[name] = getattr(world, value)
        elif name == "team":
            given[name] = {getattr(world, value): "Analyst"}
        elif name == "ends_on":
            given[name] = in_days(value)
        else:
            given[name] = value
    with pytest.raises(ApplicationError) as refused:
        create(world, officer, **given)
    assert words in " ".join(refused.value.fields[field])
    assert not Project.objects.exists()
    assert not AuditEvent.objects.filter(action="project.create").exists()
    assert create(world, officer).code.endswith("-001")  # no number was used up


def test_a_workstream_not_active_yet_has_no_projects(officer):
    world = project_world()
    world.workstream.status = "planned"
    world.workstream.save(update_fields=["status"])
    with pytest.raises(ApplicationError) as refused:
        create(world, officer)
    assert "is not active yet" in refused.value.fields["workstream"][0]
    assert not Project.objects.exists()


def test_staff_may_be_principal_investigator_and_only_staff_create(world, officer):
    assert create(world, officer, principal_investigator=officer).principal_investigator == officer
    with pytest.raises(NotAllowed):
        create(world, world.investigator)
    unverified = UserFactory(role="programme_staff")  # no second factor yet
    with pytest.raises(NotAllowed):
        create(world, unverified)
    assert Project.objects.count() == 1


# --- details, organisations, team, skills ------------------------------------------------------

def test_dates_may_not_leave_the_plan_outside(world, officer):
    project = create(world, officer)
    milestone_create(actor=officer, project=project, title="Pilot run", due_on=in_days(200))
    before = state_of(project)
    with pytest.raises(ApplicationError) as refused:
        project_update(actor=officer, project=project, ends_on=in_days(100))
    assert "Pilot run would fall outside the project's dates" in refused.value.fields["ends_on"][0]
    assert state_of(project) == before
    project_update(actor=officer, project=project, ends_on=in_days(250), title="New title")
    project.refresh_from_db()
    assert (project.ends_on, project.title) == (in_days(250), "New title")
    event = AuditEvent.objects.get(action="project.update")
    assert event.changes["title"] == ["Flow hydrogenation at scale", "New title"]


def test_the_lead_organisation_must_take_part(world, officer):
    project = create(world, officer)
    with pytest.raises(ApplicationError) as refused:
        project_update(actor=officer, project=project, lead_organisation=world.bystander)
    assert "does not take part" in refused.value.fields["lead_organisation"][0]
    assert Project.objects.get(pk=project.pk).lead_organisation == world.lead


def test_a_completed_project_keeps_its_details(world, officer):
    project = make_project(world, status=S.COMPLETED)
    with pytest.raises(ApplicationError) as refused:
        project_update(actor=officer, project=project, title="Renamed")
    assert refused.value.code == "project_closed"


def test_participants_change_but_not_away_from_their_contributions(world, officer):
    project = create(world, officer)
    project_participants_set(actor=officer, project=project,
                             organisations=[world.partner, world.bystander])
    assert set(project.participants.all()) == {world.lead, world.partner, world.bystander}
    contribution_record(actor=officer, project=project, organisation=world.partner,
                        year=in_days(0).year, kind="cash", committed_sgd=5000)
    with pytest.raises(ApplicationError) as refused:
        project_participants_set(actor=officer, project=project, organisations=[])
    assert refused.value.fields["participants"] == [
        "Partner Pharma has contributions recorded; remove those first."]
    assert set(project.participants.all()) == {world.lead, world.partner, world.bystander}
    with pytest.raises(ApplicationError) as refused:
        project_participants_set(actor=officer, project=project,
                                 organisations=[world.partner, world.outsider])
    assert "Outsider Co is not a member" in refused.value.fields["participants"][0]
    # The lead stays whatever is asked.
    project_participants_set(actor=officer, project=project, organisations=[world.partner])
    assert set(project.participants.all()) == {world.lead, world.partner}
    event = AuditEvent.objects.filter(action="project.participants_set").order_by("pk").last()
    assert event.changes == {"added": [], "removed": ["Bystander Biotech"]}


def test_the_team_is_set_with_roles_and_new_members_are_told(world, officer):
    project = create(world, officer)
    project_team_set(actor=officer, project=project,
                     team={world.partner_member: "Chemist", world.lead_member: "Manager"})
    project_team_set(actor=officer, project=project, team={world.partner_member: "Lead chemist"})
    assert {(m.person, m.role) for m in project.team.all()} == {
        (world.partner_member, "Lead chemist")}
    assert told(world.partner_member, kinds.PROJECT_TEAM_JOINED) == 1  # once, when added
    with pytest.raises(ApplicationError) as refused:
        project_team_set(actor=officer, project=project, team={world.outsider_member: "Spy"})
    assert "neither acts for a participating organisation" in refused.value.fields["team"][0]
    assert list(project.team.values_list("person", flat=True)) == [world.partner_member.pk]


def test_skills_needed_are_set_at_levels_one_to_six(world, officer):
    project = create(world, officer)
    flow, pat = SkillFactory(name="Flow chemistry"), SkillFactory(name="PAT")
    project_skill_needs_set(actor=officer, project=project, skills={flow: 3, pat: 2})
    with pytest.raises(ApplicationError) as refused:
        project_skill_needs_set(actor=officer, project=project, skills={flow: 7})
    assert refused.value.fields["skills"] == ["Give Flow chemistry a level from 1 to 6."]
    assert {(n.skill, n.level) for n in project.skill_needs.all()} == {(flow, 3), (pat, 2)}
    event = AuditEvent.objects.get(action="project.skill_needs_set")
    assert event.changes["after"] == {"Flow chemistry": 3, "PAT": 2}


# --- milestones --------------------------------------------------------------------------------

def test_milestones_are_due_within_the_project_and_are_reached_and_reopened(world, officer):
    project = make_project(world, status=S.ACTIVE)
    for due in (in_days(-91), in_days(641)):
        with pytest.raises(ApplicationError) as refused:
            milestone_create(actor=world.investigator, project=project, title="Out", due_on=due)
        assert "Set a date within the project" in refused.value.fields["due_on"][0]
    assert not Milestone.objects.exists()
    milestone = milestone_create(actor=world.investigator, project=project, title="Pilot",
                                 due_on=in_days(-5))
    assert milestone.is_overdue
    with pytest.raises(ApplicationError):
        milestone_update(actor=world.investigator, milestone=milestone, due_on=in_days(700))
    with pytest.raises(ApplicationError):
        milestone_complete(actor=world.investigator, milestone=milestone,
                           completed_on=in_days(1))
    milestone_complete(actor=world.investigator, milestone=milestone)
    milestone.refresh_from_db()
    assert milestone.completed_on == in_days(0) and not milestone.is_overdue
    with pytest.raises(Conflict):
        milestone_complete(actor=world.investigator, milestone=milestone)
    milestone_reopen(actor=world.investigator, milestone=milestone)
    milestone.refresh_from_db()
    assert milestone.completed_on is None
    with pytest.raises(Conflict):
        milestone_reopen(actor=world.investigator, milestone=milestone)
    with pytest.raises(NotAllowed):
        milestone_create(actor=world.bystander_member, project=project, title="X",
                         due_on=in_days(5))
    assert [e.action for e in AuditEvent.objects.filter(action__startswith="milestone.")
            .order_by("pk")] == ["milestone.create", "milestone.complete", "milestone.reopen"]


# --- deliverables ------------------------------------------------------------------------------

def deliverable(world, project, *, due_in: int = 30) -> Deliverable:
    return deliverable_create(actor=world.investigator, project=project, title="Scale-up report",
                              kind="report", due_on=in_days(due_in))


def test_a_deliverable_goes_from_draft_to_submitted_to_returned_and_approved(world, officer):
    project = make_project(world, status=S.ACTIVE, officer=officer)
    item = deliverable(world, project)
    assert item.status == D.PENDING
    item = deliverable_save_draft(actor=world.investigator, deliverable=item, file=pdf())
    assert item.status == D.DRAFT and item.file.read().startswith(b"%PDF")
    item = deliverable_submit(actor=world.lead_member, deliverable=item)
    assert (item.status, item.submitted_by) == (D.SUBMITTED, world.lead_member)
    assert told(officer, kinds.DELIVERABLE_SUBMITTED) == 1
    assert told(world.lead_member, kinds.DELIVERABLE_SUBMITTED) == 0

    with pytest.raises(ApplicationError) as refused:
        deliverable_return(actor=officer, deliverable=item, comments="  ")
    assert "comments" in refused.value.fields
    assert Deliverable.objects.get(pk=item.pk).status == D.SUBMITTED
    item = deliverable_return(actor=officer, deliverable=item, comments="Add the yields.")
    assert (item.status, item.decision_reason, item.decided_by) == (
        D.RETURNED, "Add the yields.", officer)
    assert told(world.lead_member, kinds.DELIVERABLE_DECIDED) == 1
    assert told(world.investigator, kinds.DELIVERABLE_DECIDED) == 1
    assert told(officer, kinds.DELIVERABLE_DECIDED) == 0

    item = deliverable_submit(actor=world.lead_member, deliverable=item, file=pdf("v2.pdf"))
    item = deliverable_approve(actor=officer, deliverable=item)
    assert item.status == D.APPROVED
    with pytest.raises(Conflict):
        deliverable_return(actor=officer, deliverable=item, comments="Too late.")
    with pytest.raises(Conflict):
        deliverable_save_draft(actor=world.investigator, deliverable=item, file=pdf())
    assert [e.action for e in AuditEvent.objects.filter(action__startswith="deliverable.")
            .order_by("pk")] == ["deliverable.create", "deliverable.save_draft",
                                 "deliverable.submit", "deliverable.return",
                                 "deliverable.submit", "deliverable.approve"]


def test_only_the_lead_organisations_people_submit(world, officer):
    project = make_project(world, status=S.ACTIVE, team={world.partner_member: "Chemist"})
    item = deliverable(world, project)
    for person in (world.partner_member, world.bystander_member, officer):
        with pytest.raises(NotAllowed) as refused:
            deliverable_submit(actor=person, deliverable=item, file=pdf())
        assert "Lead Institute, the lead organisation" in refused.value.message
    # The team works on drafts, whichever organisation they are of.
    deliverable_save_draft(actor=world.partner_member, deliverable=item, file=pdf())
    assert Deliverable.objects.get(pk=item.pk).status == D.DRAFT


def test_staff_alone_approve_and_return(world):
    project = make_project(world, status=S.ACTIVE)
    item = deliverable_submit(actor=world.lead_member, deliverable=deliverable(world, project),
                              file=pdf())
    for person in (world.investigator, world.lead_member, UserFactory(role="programme_staff")):
        with pytest.raises(NotAllowed):
            deliverable_approve(actor=person, deliverable=item)
        with pytest.raises(NotAllowed):
            deliverable_return(actor=person, deliverable=item, comments="No.")
    assert Deliverable.objects.get(pk=item.pk).status == D.SUBMITTED


def test_a_late_submission_says_why(world, officer):
    project = make_project(world, status=S.ACTIVE, officer=officer)
    item = deliverable(world, project, due_in=-3)
    with pytest.raises(ApplicationError) as refused:
        deliverable_submit(actor=world.lead_member, deliverable=item, file=pdf())
    assert "say why it is late" in refused.value.fields["late_justification"][0]
    assert Deliverable.objects.get(pk=item.pk).status == D.PENDING
    item = deliverable_submit(actor=world.lead_member, deliverable=item, file=pdf(),
                              late_justification="The rig broke.")
    assert item.late_justification == "The rig broke."
    notice = OutgoingEmail.objects.get(recipient=officer, kind=kinds.DELIVERABLE_SUBMITTED.key)
    assert "The rig broke." in notice.body_text
    on_time = deliverable_submit(actor=world.lead_member, deliverable=deliverable(world, project),
                                 file=pdf(), late_justification="Not needed.")
    assert on_time.late_justification == ""


@pytest.mark.parametrize(("name", "content", "words"), [
    ("report.exe", b"MZ\x90\x00", "Share a PDF, Word"),
    ("report.pdf", b"<html>not a pdf</html>", "is not the .pdf its name says"),
    ("report.pdf", b"", "this one is empty"),
])
def test_files_of_the_wrong_kind_are_refused(world, name, content, words):
    project = make_project(world, status=S.ACTIVE)
    item = deliverable(world, project)
    with pytest.raises(ApplicationError) as refused:
        deliverable_submit(actor=world.lead_member, deliverable=item,
                           file=ContentFile(content, name=name))
    assert words in refused.value.fields["file"][0]
    item.refresh_from_db()
    assert (item.status, item.file.name) == (D.PENDING, "")


def test_the_file_size_limit_comes_from_the_settings(world, settings):
    settings.PROJECT_DELIVERABLE_MAX_MB = 1
    project = make_project(world, status=S.ACTIVE)
    item = deliverable(world, project)
    with pytest.raises(ApplicationError) as refused:
        deliverable_save_draft(actor=world.investigator, deliverable=item,
                               file=pdf(size=1024 * 1024))
    assert "the limit is 1 MB" in refused.value.fields["file"][0]
    assert Deliverable.objects.get(pk=item.pk).status == D.PENDING
    deliverable_save_draft(actor=world.investigator, deliverable=item,
                           file=pdf(size=1024 * 1024 - 100))
    assert Deliverable.objects.get(pk=item.pk).status == D.DRAFT


def test_submitting_without_any_file_is_refused(world):
    project = make_project(world, status=S.ACTIVE)
    item = deliverable(world, project)
    with pytest.raises(ApplicationError) as refused:
        deliverable_submit(actor=world.lead_member, deliverable=item)
    assert refused.value.fields["file"] == ["Attach the deliverable's file."]


# --- status updates ----------------------------------------------------------------------------

def month(offset: int) -> datetime.date:
    """The first day of the month `offset` months from this one."""
    first = timezone.localdate().replace(day=1)
    year, index = divmod(first.month - 1 + offset, 12)
    return first.replace(year=first.year + year, month=index + 1)


def post(world, project, period, overall=Rag.GREEN, trl=None):
    return status_update_post(actor=world.investigator, project=project, period=period,
                              overall=overall, schedule=Rag.GREEN, budget=Rag.AMBER,
                              narrative="Runs went to plan.", trl=trl)


def test_one_status_update_per_month(world, officer):
    project = make_project(world, status=S.ACTIVE, officer=officer)
    post(world, project, month(-1) + datetime.timedelta(days=9))  # any day names the month
    assert StatusUpdate.objects.get().period == month(-1)
    with pytest.raises(Conflict) as refused:
        post(world, project, month(-1), overall=Rag.RED)
    assert refused.value.status_code == 409
    assert StatusUpdate.objects.get().overall == Rag.GREEN
    assert told(officer, kinds.STATUS_UPDATE_POSTED) == 1
    assert told(world.investigator, kinds.STATUS_UPDATE_POSTED) == 0
    assert AuditEvent.objects.filter(action="status_update.post").count() == 1


def test_no_update_for_a_month_to_come_or_before_the_start(world):
    project = make_project(world, status=S.ACTIVE, starts_on=in_days(-40))
    with pytest.raises(ApplicationError) as refused:
        post(world, project, month(1))
    assert refused.value.fields["period"] == ["Report on this month or an earlier one."]
    with pytest.raises(ApplicationError) as refused:
        post(world, project, month(-3))
    assert "report on that month or a later one" in refused.value.fields["period"][0]
    assert not StatusUpdate.objects.exists()
    assert post(world, project, month(0)).period == month(0)


def test_rag_and_trl_follow_the_latest_month_only(world):
    project = make_project(world, status=S.ACTIVE)
    post(world, project, month(-1), overall=Rag.AMBER, trl=4)
    post(world, project, month(-2), overall=Rag.RED, trl=5)  # an older month, posted late
    project.refresh_from_db()
    assert (project.latest_rag, project.latest_update_on, project.trl_current) == (
        Rag.AMBER, month(-1), 4)
    post(world, project, month(0), overall=Rag.GREEN)  # no TRL given: the TRL stays
    project.refresh_from_db()
    assert (project.latest_rag, project.trl_current) == (Rag.GREEN, 4)


def test_updates_are_the_teams_and_only_while_the_project_runs(world):
    project = make_project(world, status=S.ACTIVE)
    with pytest.raises(NotAllowed):
        status_update_post(actor=world.lead_member, project=project, period=month(0),
                           overall=Rag.GREEN, schedule=Rag.GREEN, budget=Rag.GREEN,
                           narrative="Fine.")
    draft = make_project(world, title="A draft")
    with pytest.raises(ApplicationError) as refused:
        post(world, draft, month(0))
    assert refused.value.code == "not_reporting"
    with pytest.raises(ApplicationError) as refused:
        status_update_post(actor=world.investigator, project=project, period=month(0),
                           overall="purple", schedule=Rag.GREEN, budget=Rag.GREEN, narrative="")
    assert set(refused.value.fields) == {"overall", "narrative"}
    assert not StatusUpdate.objects.exists()


# --- contributions -----------------------------------------------------------------------------

@pytest.mark.parametrize(("given", "field", "words"), [
    ({"committed_sgd": "-1"}, "committed_sgd", "An amount is zero or more."),
    ({"actual_sgd": "lots"}, "actual_sgd", "Give an amount in Singapore dollars"),
    ({"currency": "USD"}, "currency", "recorded in Singapore dollars (SGD)"),
    ({"organisation": "bystander"}, "organisation", "Bystander Biotech does not take part"),
    ({"year": 1999}, "year", "Give a year of the project"),
    ({"kind": "shares"}, "kind", "Choose cash or in kind."),
])
def test_contribution_refusals_name_the_field(world, officer, given, field, words):
    project = make_project(world, status=S.ACTIVE)
    values = {"organisation": world.partner, "year": project.starts_on.year, "kind": "cash",
              "committed_sgd": "1000", "actual_sgd": "0"}
    values.update(given)
    if given.get("organisation"):
        values["organisation"] = getattr(world, given["organisation"])
    with pytest.raises(ApplicationError) as refused:
        contribution_record(actor=officer, project=project, **values)
    assert words in refused.value.fields[field][0]
    assert not Contribution.objects.exists()
    assert not AuditEvent.objects.filter(action="contribution.record").exists()


def test_recording_again_changes_the_row_and_the_trail_keeps_before_and_after(world, officer):
    project = make_project(world, status=S.ACTIVE)
    year = project.ends_on.year
    contribution_record(actor=officer, project=project, organisation=world.partner, year=year,
                        kind="in_kind", committed_sgd="25000.50", actual_sgd=0)
    row = contribution_record(actor=officer, project=project, organisation=world.partner,
                              year=year, kind="in_kind", committed_sgd=30000,
                              actual_sgd="1200")
    assert Contribution.objects.count() == 1
    row.refresh_from_db()
    assert (row.committed_sgd, row.actual_sgd) == (Decimal("30000.00"), Decimal("1200.00"))
    first, second = AuditEvent.objects.filter(action="contribution.record").order_by("pk")
    assert first.changes["before"] is None
    assert second.changes["before"] == ["25000.50", "0.00"]
    assert second.changes["after"] == ["30000.00", "1200.00"]
    with pytest.raises(NotAllowed):
        contribution_record(actor=world.investigator, project=project,
                            organisation=world.lead, year=year, kind="cash", committed_sgd=1)


def test_transitions_tell_the_team_and_officer_but_not_who_moved_it(world, officer):
    other = UserFactory(role="programme_staff")
    activate_totp(other)
    project = make_project(world, status=S.PROPOSED, officer=officer,
                           team={world.partner_member: "Chemist"})
    Notification.objects.all().delete()
    project_transition(actor=officer, project=project, to=S.APPROVED)
    assert told(world.investigator, kinds.PROJECT_STATUS_CHANGED) == 1
    assert told(world.partner_member, kinds.PROJECT_STATUS_CHANGED) == 1
    assert told(officer, kinds.PROJECT_STATUS_CHANGED) == 0
    project_transition(actor=other, project=project, to=S.ACTIVE)
    assert told(officer, kinds.PROJECT_STATUS_CHANGED) == 1
    assert told(world.bystander_member, kinds.PROJECT_STATUS_CHANGED) == 0


def test_an_organisation_that_joins_the_workstream_later_may_take_part(officer):
    workstream = WorkstreamFactory(programme__short_name="PIPS", code="PE")
    lead = WorkstreamMembershipFactory(workstream=workstream).organisation
    investigator = person_of_organisation(lead)
    project = project_create(
        actor=officer, workstream=workstream, title="Milling", summary="Milling.",
        lead_organisation=lead, principal_investigator=investigator, starts_on=in_days(0),
        ends_on=in_days(100), trl_start=2, trl_target=4)
    assert list(project.participants.all()) == [lead]
    joined = WorkstreamMembershipFactory(workstream=workstream).organisation
    project_participants_set(actor=officer, project=project, organisations=[joined])
    assert set(project.participants.all()) == {lead, joined}
    assert project.code.startswith("PIPS-PE-")
