"""The benchmark dataset: built at a small scale, it holds the counts the scale asks for, keeps
every invariant the services keep, comes out the same from the same seed, and the portal's own
selectors read it."""

import hashlib
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, Max, OuterRef, Q, Subquery
from django.utils import timezone

from benchmarks.seed import bench_counts
from cluster_portal.notifications.models import Notification
from partners.models import Organisation, OrganisationMembership
from partners.services.organisations import tier_status_on
from projects.models import (
    Milestone,
    Project,
    ProjectCodeSequence,
    ProjectParticipant,
    StatusUpdate,
)
from projects.selectors import project_portfolio
from talent.models import Course, CourseRun, Enrolment
from talent.selectors import course_list_public
from workstreams.models import Workstream, WorkstreamMembership

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
