"""The benchmark dataset: built at a small scale, it holds the counts the scale asks for, keeps
every invariant the services keep, comes out the same from the same seed, and the portal's own
selectors read it."""

import hashlib
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, F, Max, OuterRef, Q, Subquery
from django.utils import timezone

from benchmarks.seed import bench_counts
from cluster_portal.audit.models import AuditEvent
from cluster_portal.notifications.models import Notification
from cluster_portal.reports.models import ReportJob
from partners.models import Agreement, Organisation, OrganisationMembership
from partners.services.organisations import tier_status_on
from projects.models import (
    Contribution,
    Deliverable,
    Milestone,
    Project,
    ProjectCodeSequence,
    ProjectParticipant,
    ProjectSkillNeed,
    ProjectTeamMember,
    ProjectTransition,
    StatusUpdate,
)
from projects.selectors import project_portfolio
from talent.models import Attendance, Course, CourseRun, CourseSkill, Enrolment, Session
from talent.selectors import course_list_public
from talent.services.attendance import meets_threshold
from workstreams.models import JoinRequest, Workstream, WorkstreamMembership

pytestmark = pytest.mark.django_db

SCALE = 0.01
User = get_user_model()


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_bench", scale=SCALE, stdout=out, **options)
    return out.getvalue()


def digest() -> str:
    """A fingerprint of the rows that matter, by their natural keys (not their ids)."""
    rows = [
        list(User.objects.filter(email__endswith="@bench.example.org")
             .order_by("email").values_list("email", "full_name")),
        list(Organisation.objects.order_by("slug").values_list(
            "slug", "name", "status", "tier", "tier_starts_on", "tier_status")),
        list(Project.objects.order_by("code").values_list(
            "code", "status", "starts_on", "ends_on", "latest_rag", "latest_update_on",
            "trl_current", "lead_organisation__slug", "principal_investigator__email")),
        list(StatusUpdate.objects.order_by("project__code", "period").values_list(
            "project__code", "period", "overall", "trl")),
        list(Enrolment.objects.order_by("run__course__code", "run__starts_on", "person__email")
             .values_list("run__course__code", "run__starts_on", "person__email", "status",
                          "waitlist_position")),
        list(Notification.objects.order_by("recipient__email", "kind").values_list(
            "recipient__email", "kind").annotate(n=Count("pk"))),
        list(JoinRequest.objects.order_by("organisation__slug", "workstream__code", "created_at")
             .values_list("organisation__slug", "workstream__code", "status", "created_at",
                          "decided_at", "granted_role")),
        list(Agreement.objects.order_by("reference").values_list(
            "reference", "status", "signed_on", "expires_on")),
        list(ProjectTransition.objects.order_by("project__code", "at").values_list(
            "project__code", "to_status", "at", "by__email")),
        list(ProjectTeamMember.objects.order_by("project__code", "person__email").values_list(
            "project__code", "person__email", "role")),
        list(Contribution.objects.order_by("project__code", "organisation__slug", "year", "kind")
             .values_list("project__code", "organisation__slug", "year", "kind",
                          "committed_sgd", "actual_sgd")),
        list(Deliverable.objects.order_by("project__code", "title").values_list(
            "project__code", "title", "kind", "status", "due_on", "submitted_at")),
        list(ProjectSkillNeed.objects.order_by("project__code", "skill__code").values_list(
            "project__code", "skill__code", "level")),
        list(Attendance.objects.order_by("enrolment__person__email", "session__starts_at")
             .values_list("enrolment__person__email", "session__starts_at", "present")),
        list(AuditEvent.objects.order_by("target_repr", "created_at", "action").values_list(
            "target_repr", "created_at", "action")),
        list(ReportJob.objects.order_by("created_at", "kind").values_list(
            "requester__email", "kind", "format", "status", "file_name")),
    ]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_builds_the_counts_the_scale_asks_for():
    output = seed()
    counts = bench_counts(SCALE)
    assert (counts.organisations, counts.people, counts.projects, counts.enrolments,
            counts.notifications) == (5, 200, 20, 1000, 2000)
    assert Organisation.objects.count() == counts.organisations
    assert User.objects.filter(email__endswith="@bench.example.org").count() == counts.people
    assert User.objects.filter(groups__name="Programme staff").count() == counts.staff
    assert Workstream.objects.count() == counts.workstreams
    assert Project.objects.count() == counts.projects
    assert Milestone.objects.count() == counts.milestones
    assert StatusUpdate.objects.count() == counts.status_updates
    assert Course.objects.count() == counts.courses
    assert CourseRun.objects.count() == counts.runs
    assert Enrolment.objects.count() == counts.enrolments
    assert Notification.objects.count() == counts.notifications
    assert "1,000 enrolments" in output and "built in" in output

    # The rows the lists need, each named in the summary with the number built.
    join_requests = JoinRequest.objects.values("status").annotate(n=Count("pk"))
    assert {row["status"]: row["n"] for row in join_requests} == {
        "approved": counts.join_requests_approved, "pending": counts.join_requests_pending,
        "declined": counts.join_requests_declined, "withdrawn": counts.join_requests_withdrawn}
    assert ReportJob.objects.count() == counts.report_jobs
    for model, what in ((JoinRequest, "join requests"), (Agreement, "agreements"),
                        (ProjectTransition, "project transitions"),
                        (Contribution, "contributions"), (Deliverable, "deliverables"),
                        (Session, "sessions"), (Attendance, "attendance marks"),
                        (CourseSkill, "course skills"), (ReportJob, "report jobs")):
        assert model.objects.exists(), what
        assert f"{model.objects.count():,} {what}" in output
    assert AuditEvent.objects.filter(action="project.create").count() == counts.projects
    # Some course has more runs than a page of the staff course page (20).
    assert Course.objects.annotate(n=Count("runs")).filter(n__gt=20).exists()


def test_keeps_what_the_services_keep():
    seed()
    # Seats held: confirmed and offered while a run is scheduled, those confirmed when it was
    # completed, none once cancelled; a waitlist only behind a full run, numbered from 1.
    held = {CourseRun.Status.SCHEDULED: ("confirmed", "offered"),
            CourseRun.Status.COMPLETED: ("completed", "no_show"),
            CourseRun.Status.CANCELLED: ()}
    runs = CourseRun.objects.annotate(
        **{status: Count("enrolments", filter=Q(enrolments__status=status))
           for status in ("confirmed", "offered", "completed", "no_show", "waitlisted")},
        last_position=Max("enrolments__waitlist_position"))
    for run in runs:
        assert run.seats_taken == sum(getattr(run, s) for s in held[run.status]), run
        assert run.seats_taken <= run.capacity
        if run.waitlisted:
            assert run.seats_taken == run.capacity
            assert run.last_position == run.waitlisted
    assert Enrolment.objects.filter(status="waitlisted").exists()

    latest = StatusUpdate.objects.filter(project=OuterRef("pk")).order_by("-period")
    projects = Project.objects.annotate(last_overall=Subquery(latest.values("overall")[:1]),
                                        last_period=Subquery(latest.values("period")[:1]))
    assert projects.exclude(latest_rag="").exists()
    for project in projects:
        assert project.latest_rag == (project.last_overall or "")
        assert project.latest_update_on == project.last_period
        # Every participant is an active member of the project's workstream.
        organisations = ProjectParticipant.objects.filter(project=project).values_list(
            "organisation", flat=True)
        assert WorkstreamMembership.objects.filter(
            workstream=project.workstream_id, until__isnull=True,
            organisation__in=organisations).count() == len(organisations)
        assert OrganisationMembership.objects.filter(
            person=project.principal_investigator_id,
            organisation=project.lead_organisation_id).exists()

    for sequence in ProjectCodeSequence.objects.all():
        numbers = [int(code.rsplit("-", 1)[1]) for code in Project.objects.filter(
            code__startswith=sequence.prefix + "-").values_list("code", flat=True)]
        assert sequence.last_number == max(numbers) == len(numbers)

    for organisation in Organisation.objects.all():
        assert organisation.tier_status == tier_status_on(organisation, timezone.localdate())


def test_the_activity_around_them_is_as_the_services_leave_it():
    seed()
    now = timezone.now()
    # An approved join request started the membership it is linked to, with the role granted;
    # a pending one is from an organisation not yet in that workstream, one per pair.
    for join_request in JoinRequest.objects.filter(status="approved"):
        membership = join_request.membership
        assert (membership.organisation_id, membership.workstream_id, membership.role) == (
            join_request.organisation_id, join_request.workstream_id, join_request.granted_role)
        assert join_request.created_at < join_request.decided_at <= now
    for join_request in JoinRequest.objects.filter(status="pending"):
        assert join_request.decided_at is None
        assert not WorkstreamMembership.objects.filter(
            organisation=join_request.organisation_id, workstream=join_request.workstream_id,
            until__isnull=True).exists()
    assert not JoinRequest.objects.exclude(status="pending").filter(decided_at__isnull=True)

    # Agreements: only approved organisations', signed ones dated, none signed in the future.
    assert not Agreement.objects.exclude(organisation__status="approved").exists()
    for agreement in Agreement.objects.exclude(signed_on=None):
        assert agreement.signed_on <= timezone.localdate() <= agreement.expires_on or \
            agreement.status == "expired"

    # Each project's moves lead from draft to its status, one allowed move after another, in
    # order and in the past; its decided_* are its last move's.
    for project in Project.objects.prefetch_related("transitions"):
        moves = list(project.transitions.all())
        status = "draft"
        for move in moves:
            assert move.from_status == status
            assert move.to_status in Project.MOVES.moves[status]
            assert move.at <= now
            status = move.to_status
        assert status == project.status
        assert project.decided_at == (moves[-1].at if moves else None)
        assert AuditEvent.objects.filter(target_id=project.pk,
                                         action="project.transition").count() == len(moves)

    # A team member acts for a participating organisation; a contribution's organisation
    # takes part; a deliverable is due within its project and carries a file once past pending.
    for member in ProjectTeamMember.objects.select_related("project"):
        assert OrganisationMembership.objects.filter(
            person=member.person_id,
            organisation__project_participations__project=member.project_id).exists()
    assert not Contribution.objects.exclude(
        organisation__project_participations__project=F("project")).exists()
    for deliverable in Deliverable.objects.select_related("project"):
        assert deliverable.project.starts_on <= deliverable.due_on <= deliverable.project.ends_on
        assert bool(deliverable.file) == (deliverable.status != "pending")
        if deliverable.status in ("submitted", "approved", "returned"):
            assert deliverable.submitted_at <= now
            late = timezone.localdate(deliverable.submitted_at) > deliverable.due_on
            assert bool(deliverable.late_justification) == late

    # Every completed run has sessions, and attendance that decided each trainee's outcome.
    runs = CourseRun.objects.filter(status="completed").annotate(sessions_held=Count("sessions"))
    assert runs.exists()
    for run in runs:
        assert run.sessions_held
        attended = dict(Attendance.objects.filter(session__run=run, present=True).values(
            "enrolment").annotate(n=Count("pk")).values_list("enrolment", "n"))
        for enrolment in run.enrolments.filter(status__in=("completed", "no_show")):
            passed = meets_threshold(attended.get(enrolment.pk, 0), run.sessions_held,
                                     run.attendance_threshold)
            assert passed == (enrolment.status == "completed"), enrolment
    assert not Attendance.objects.exclude(marked_at=F("session__ends_at")).exists()

    # A done report job has its file until it expires; at most one identical one at work.
    for job in ReportJob.objects.filter(status="done"):
        assert bool(job.file) == (job.expired_at is None)
        assert job.expires_at > now or job.expired_at is not None
    assert not ReportJob.objects.filter(status="failed", error="").exists()


def test_the_same_seed_gives_the_same_rows_and_refuses_a_portal_in_use():
    seed(seed=7)
    first = digest()
    with pytest.raises(CommandError, match="--reset"):
        seed(seed=7)
    seed(seed=7, reset=True)
    assert digest() == first
    seed(seed=8, reset=True)
    assert digest() != first


def test_the_portal_reads_it(mfa_staff_user):
    seed()
    assert project_portfolio(user=mfa_staff_user).count() == bench_counts(SCALE).projects
    catalogue = list(course_list_public())
    assert catalogue and any(course.next_run_on for course in catalogue)
