"""The benchmark dataset's builders (run by `manage.py seed_bench`): the portal at programme
scale, in bulk, from a fixed seed.

At scale 1: 500 organisations (40 waiting for approval), 20,000 people, 10 workstreams, 2,000
projects with 20,000 milestones and 24,000 status updates, 300 courses with 3,000 runs and
100,000 enrolments, and 200,000 notifications; around them, join requests, agreements, each
project's lifecycle moves, team, skill needs, contributions, deliverables and history, the
runs' sessions and attendance, and report jobs, so that every list has rows to page through.
The same scale and seed give the same rows (dates are laid out around today, so the same day
gives the same dates).

It bypasses the services on purpose: this is a dataset to measure the portal against, not a
record of business actions, and a service call per row would take hours (no e-mails, no
notifications of its own; audit events only for the projects' history page). It writes with
bulk_create instead, and so must leave every derived field exactly as the services would: a
run's seats_taken, a project's latest_rag, latest_update_on, trl_current and last decision,
project codes with their sequence rows, organisations' name_key and tier_status, the
membership an approved join request started, and the times rows were made where a list shows
or sorts by them.
"""

import datetime
import random
import time
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from cluster_portal.accounts.roles import ProgrammeRole
from cluster_portal.audit.models import AuditEvent
from cluster_portal.core.actors import SYSTEM
from cluster_portal.core.storage import private_storage
from cluster_portal.notifications.models import Delivery, Notification
from cluster_portal.reports.models import ReportJob
from cluster_portal.reports.services import _fingerprint as report_fingerprint
from partners.models import Agreement, Organisation, OrganisationMembership
from partners.services.organisations import tier_status_on
from partners.validators import organisation_name_key
from projects import notification_kinds as project_kinds
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
    Rag,
    StatusUpdate,
)
from talent import notification_kinds as talent_kinds
from talent.models import (
    Attendance,
    Certificate,
    Course,
    CourseRun,
    CourseSkill,
    Enrolment,
    LearningPath,
    Session,
    Skill,
    WorkstreamSkillNeed,
)
from talent.services import skills_framework_load
from workstreams.models import JoinRequest, Programme, Workstream, WorkstreamMembership

User = get_user_model()

BATCH = 5_000
EMAIL_DOMAIN = "bench.example.org"
PASSWORD = "bench-password"
PROGRAMME_SHORT_NAME = "PIPS"

WORKSTREAMS = [
    ("CM", "Continuous manufacturing"), ("BC", "Biologics and cell therapy"),
    ("DM", "Digital manufacturing"), ("AQ", "Advanced quality"),
    ("GC", "Green chemistry"), ("DS", "Data sharing platform"),
    ("PA", "Process analytics"), ("SC", "Supply chain resilience"),
    ("QA", "Quality by design"), ("EN", "Engineering and automation"),
]
KINDS = list(Organisation.Kind.values)
FIRST_NAMES = ["Aisha", "Ben", "Chen", "Divya", "Elena", "Farid", "Grace", "Hiro", "Ines",
               "Jun", "Kavya", "Liam", "Mei", "Nur", "Omar", "Priya", "Qing", "Rahul", "Siti",
               "Tom", "Uma", "Wei", "Xin", "Yusuf", "Zara"]
LAST_NAMES = ["Tan", "Lim", "Lee", "Ng", "Wong", "Goh", "Chua", "Koh", "Teo", "Ong", "Kumar",
              "Nair", "Rahman", "Ismail", "Smith", "Muller", "Rossi", "Dubois", "Sato", "Kim"]
WORDS = ["Bioprocess", "Continuous", "Digital", "Cell", "Analytics", "Crystallisation",
         "Purification", "Formulation", "Sterile", "Modular", "Predictive", "Green",
         "Automated", "Single-use", "Real-time", "Scalable"]
NOUNS = ["Platform", "Pilot", "Twin", "Line", "Assay", "Study", "Toolkit", "Process", "Sensor",
         "Workflow", "Model", "Facility"]
NOTIFICATION_KINDS = [talent_kinds.ENROLMENT_CONFIRMED, talent_kinds.ENROLMENT_WAITLISTED,
                      talent_kinds.COURSE_COMPLETED, talent_kinds.CERTIFICATE_ISSUED,
                      project_kinds.PROJECT_TEAM_JOINED]
RAGS = [Rag.GREEN, Rag.AMBER, Rag.RED]
# The one file every deliverable past pending points to (a status that requires a file): a
# dataset to measure lists against need not hold thousands of copies.
SAMPLE_PDF = b"%PDF-1.4\n% A deliverable of the benchmark dataset.\n%%EOF\n"


@dataclass(frozen=True)
class BenchCounts:
    organisations: int
    people: int
    staff: int
    workstreams: int
    projects: int
    milestones: int
    status_updates: int
    courses: int
    runs: int
    enrolments: int
    notifications: int
    join_requests_approved: int
    join_requests_pending: int
    join_requests_declined: int
    join_requests_withdrawn: int
    report_jobs: int


def bench_counts(scale: float) -> BenchCounts:
    """How many of each the dataset holds at `scale` (1 is the issue's programme scale)."""
    def scaled(n: int, least: int = 1) -> int:
        return max(least, round(n * scale))
    people = scaled(20_000, least=10)
    return BenchCounts(
        organisations=scaled(500, least=2), people=people, staff=max(2, people // 1000),
        workstreams=min(10, scaled(10, least=2)), projects=scaled(2_000),
        milestones=scaled(20_000), status_updates=scaled(24_000), courses=scaled(300),
        runs=scaled(3_000), enrolments=scaled(100_000), notifications=scaled(200_000),
        join_requests_approved=scaled(250), join_requests_pending=scaled(40),
        join_requests_declined=scaled(60), join_requests_withdrawn=scaled(40),
        report_jobs=scaled(300),
    )


def split(total: int, parts: int, rng: random.Random) -> list[int]:
    """`total` spread over `parts` unevenly (each about half to one and a half of the mean),
    summing exactly to `total`."""
    if parts == 0:
        return []
    weights = [rng.uniform(0.5, 1.5) for _ in range(parts)]
    scale = total / sum(weights)
    counts = [int(weight * scale) for weight in weights]
    for index in rng.sample(range(parts), total - sum(counts)):
        counts[index] += 1
    return counts


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The first of the month `months` after (or before) `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def at_noon(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def bulk(model, rows: list) -> list:
    return model.objects.bulk_create(rows, batch_size=BATCH)


def backdate(model, field: str, rows_and_times) -> None:
    """Sets `field` (an auto_now or auto_now_add time, which bulk_create overwrites with now)
    of each saved row to its own time, one UPDATE per batch."""
    pairs = [(row.pk, at) for row, at in rows_and_times]
    table, column = model._meta.db_table, model._meta.get_field(field).column
    with connection.cursor() as cursor:
        for start in range(0, len(pairs), BATCH):
            batch = pairs[start:start + BATCH]
            values = ", ".join(["(%s::bigint, %s::timestamptz)"] * len(batch))
            cursor.execute(
                f'UPDATE "{table}" SET "{column}" = v.at FROM (VALUES {values}) AS v(id, at) '
                f'WHERE "{table}".id = v.id',
                [value for pair in batch for value in pair])


def write_private_file(name: str, content: bytes) -> str:
    """Writes `content` under `name` in private storage (replacing what is there, so the same
    seed names the same file) and returns the name to store."""
    storage = private_storage()
    if storage.exists(name):
        storage.delete(name)
    return storage.save(name, ContentFile(content))


def reset_portal() -> None:
    """Deletes what seed_bench builds: every organisation, programme, course and project (with
    what hangs from them) and the benchmark's people (and, with them, their notifications)."""
    # The projects' history goes with them (audit events name their target by id only).
    project_type = ContentType.objects.get_for_model(Project)
    AuditEvent.objects.filter(target_type=project_type,
                              target_id__in=Project.objects.values("pk")).delete()
    Certificate.objects.all().delete()
    # One DELETE, rather than one per batch of enrolments as their cascade would issue.
    Attendance.objects.all().delete()
    Enrolment.objects.all().delete()
    LearningPath.objects.all().delete()
    CourseRun.objects.all().delete()
    Course.objects.all().delete()
    Project.objects.all().delete()
    ProjectCodeSequence.objects.all().delete()
    Workstream.objects.update(parent=None)
    Workstream.objects.all().delete()
    Programme.objects.all().delete()
    Organisation.objects.all().delete()
    User.objects.filter(email__endswith="@" + EMAIL_DOMAIN).delete()


class BenchSeeder:
    """Builds the dataset section by section; each section is one transaction."""

    def __init__(self, *, scale: float, seed: int):
        self.counts, self.seed = bench_counts(scale), seed
        # What the sections after the first five made, by name, for the command's summary.
        self.made: dict[str, int] = {}
        self.rng = random.Random(seed)  # noqa: S311 - made-up data, repeatable on purpose
        self.today = timezone.localdate()
        self.now = timezone.now()

    # --- partners and people ----------------------------------------------------------------

    @transaction.atomic
    def organisations_and_people(self) -> None:
        rng, counts = self.rng, self.counts
        organisations = []
        for i in range(counts.organisations):
            name = f"{rng.choice(WORDS)} {rng.choice(NOUNS)} {i + 1:04d} Pte Ltd"
            # More than a page (25) of registrations waits in the approvals queue.
            status = (Organisation.Status.APPROVED if i < 2 or i % 25 < 22 else
                      Organisation.Status.PENDING if i % 25 < 24 else
                      Organisation.Status.DECLINED)
            organisation = Organisation(
                name=name, name_key=organisation_name_key(name), slug=f"bench-{i + 1:04d}",
                uen=f"2{i + 1:08d}B", kind=rng.choice(KINDS), status=status,
                website=f"https://bench-{i + 1:04d}.example.org",
                description=f"{name} works on {rng.choice(WORDS).lower()} manufacturing.",
                is_listed=status == Organisation.Status.APPROVED and rng.random() < 0.9,
            )
            if status != Organisation.Status.PENDING:
                organisation.decided_at = at_noon(self.today - datetime.timedelta(
                    days=rng.randint(30, 1500)))
            if organisation.is_approved and rng.random() < 0.8:
                starts = self.today - datetime.timedelta(days=rng.randint(0, 1100))
                organisation.tier = rng.choice(Organisation.Tier.values)
                organisation.tier_starts_on = starts
                organisation.tier_ends_on = starts + datetime.timedelta(days=365 * 2 - 1)
                organisation.tier_status = tier_status_on(organisation, self.today)
            organisations.append(organisation)
        self.organisations = bulk(Organisation, organisations)
        self.approved = [o for o in self.organisations if o.is_approved]

        password = make_password(PASSWORD)  # hashing is slow on purpose: once for everyone
        people = []
        for i in range(counts.people):
            full_name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            people.append(User(email=f"person{i + 1:06d}@{EMAIL_DOMAIN}", full_name=full_name,
                               password=password, date_joined=self.now))
        people = bulk(User, people)
        self.staff, self.people = people[:counts.staff], people[counts.staff:]
        group = Group.objects.get(name=ProgrammeRole.STAFF.group_name)
        bulk(User.groups.through, [User.groups.through(user_id=p.pk, group_id=group.pk)
                                   for p in self.staff])
        # Everyone else acts for one organisation, the first of each as its admin.
        self.people_of = {o.pk: [] for o in self.organisations}
        memberships = []
        for i, person in enumerate(self.people):
            organisation = self.organisations[i % len(self.organisations)]
            role = (OrganisationMembership.Role.ADMIN if not self.people_of[organisation.pk]
                    else OrganisationMembership.Role.MEMBER)
            self.people_of[organisation.pk].append(person)
            person.organisation = organisation
            memberships.append(OrganisationMembership(
                organisation=organisation, person=person, role=role))
        bulk(OrganisationMembership, memberships)

    # --- workstreams --------------------------------------------------------------------------

    @transaction.atomic
    def workstreams(self) -> None:
        rng = self.rng
        self.programme = Programme.objects.create(
            name="Pharma Innovation Programme Singapore", short_name=PROGRAMME_SHORT_NAME,
            slug="pips", tagline="The benchmark programme.", is_featured=True)
        self.workstream_list = bulk(Workstream, [
            Workstream(programme=self.programme, kind=Workstream.Kind.WORKSTREAM,
                       status=Workstream.Status.ACTIVE, name=name, slug=f"bench-{code.lower()}",
                       code=code, summary=f"{name}, from the lab to the plant.",
                       lead=rng.choice(self.staff), display_order=i)
            for i, (code, name) in enumerate(WORKSTREAMS[:self.counts.workstreams])])
        # Each approved organisation is in one to three workstreams; every workstream has some.
        self.members_of = {w.pk: [] for w in self.workstream_list}
        memberships = []
        for i, organisation in enumerate(self.approved):
            first = self.workstream_list[i % len(self.workstream_list)]
            others = rng.sample(self.workstream_list, rng.randint(0, 2))
            for workstream in {w.pk: w for w in [first, *others]}.values():
                self.members_of[workstream.pk].append(organisation)
                memberships.append(WorkstreamMembership(
                    organisation=organisation, workstream=workstream,
                    role=rng.choice(WorkstreamMembership.Role.values),
                    since=self.today - datetime.timedelta(days=rng.randint(30, 1500))))
        self.workstream_memberships = bulk(WorkstreamMembership, memberships)

    # --- projects -------------------------------------------------------------------------------

    PROJECT_STATES = [(Project.Status.ACTIVE, 50), (Project.Status.COMPLETED, 15),
                      (Project.Status.ON_HOLD, 5), (Project.Status.CANCELLED, 5),
                      (Project.Status.APPROVED, 8), (Project.Status.PROPOSED, 7),
                      (Project.Status.DRAFT, 10)]
    REPORTING = {Project.Status.ACTIVE, Project.Status.COMPLETED, Project.Status.ON_HOLD,
                 Project.Status.CANCELLED}

    @transaction.atomic
    def projects(self) -> None:
        rng, counts = self.rng, self.counts
        states, weights = zip(*self.PROJECT_STATES, strict=True)
        statuses = [Project.Status.ACTIVE, *rng.choices(states, weights, k=counts.projects - 1)]
        reporting = [i for i, s in enumerate(statuses) if s in self.REPORTING]
        months = dict(zip(reporting, split(counts.status_updates, len(reporting), rng),
                          strict=True))
        projects, plans = [], []
        for i, status in enumerate(statuses):
            workstream = rng.choice([w for w in self.workstream_list if self.members_of[w.pk]])
            members = self.members_of[workstream.pk]
            lead = rng.choice(members)
            others = rng.sample(members, min(len(members), rng.randint(0, 3)))
            starts_on, ends_on, periods = self._project_dates(status, months.get(i, 0))
            trl_start = rng.randint(2, 6)
            project = Project(
                title=f"{rng.choice(WORDS)} {rng.choice(NOUNS)} {i + 1}",
                summary="A collaborative project of the benchmark dataset.",
                workstream=workstream, lead_organisation=lead,
                principal_investigator=rng.choice(self.people_of[lead.pk]),
                officer=rng.choice(self.staff), starts_on=starts_on, ends_on=ends_on,
                trl_start=trl_start, trl_target=rng.randint(trl_start, 9),
                trl_current=trl_start, visibility=rng.choice(["public", "members",
                                                               "participants"]),
                status=status,
                decided_at=None if status == Project.Status.DRAFT else at_noon(starts_on))
            projects.append(project)
            plans.append((project, [lead, *[o for o in others if o.pk != lead.pk]], periods))
        self._number(projects)
        # Written before the projects, so each carries its latest update's ratings from the
        # start, as status_update_post leaves them.
        updates = []
        for project, _, periods in plans:
            updates += self._status_updates(project, periods)
        bulk(Project, projects)
        bulk(ProjectParticipant, [ProjectParticipant(project=p, organisation=o, added_at=self.now)
                                  for p, organisations, _ in plans for o in organisations])
        bulk(StatusUpdate, updates)
        self._milestones(projects)
        self.project_plans = [(project, organisations) for project, organisations, _ in plans]

    def _project_dates(self, status, months: int):
        """Its start and end, and the months it reported on (`months` consecutive ones)."""
        rng, today, days = self.rng, self.today, datetime.timedelta
        if status in (Project.Status.ACTIVE, Project.Status.ON_HOLD):
            last = add_months(today, -rng.randint(0, 1))
            ends_on = today + days(rng.randint(90, 900))
        elif status == Project.Status.COMPLETED:
            ends_on = today - days(rng.randint(30, 400))
            last = add_months(ends_on, 0)
        elif status == Project.Status.CANCELLED:
            last = add_months(today, -rng.randint(1, 6))
            ends_on = today + days(rng.randint(0, 700))
        else:
            starts_on = today + days(rng.randint(-30, 180))
            return starts_on, starts_on + days(rng.randint(365, 1100)), []
        first = add_months(last, -(max(months, 1) - 1))
        starts_on = add_months(first, -rng.randint(0, 2)) + days(rng.randint(0, 27))
        periods = [add_months(first, k) for k in range(months)]
        return starts_on, max(ends_on, starts_on + days(90)), periods

    def _number(self, projects: list) -> None:
        """Codes PIPS-<workstream>-<year>-NNN in order of start, and each prefix's sequence row
        at its highest number, as project_create would have left them."""
        last = {}
        for project in sorted(projects, key=lambda p: (p.starts_on, p.title)):
            prefix = f"{PROGRAMME_SHORT_NAME}-{project.workstream.code}-{project.starts_on.year}"
            last[prefix] = last.get(prefix, 0) + 1
            project.code = f"{prefix}-{last[prefix]:03d}"
        bulk(ProjectCodeSequence, [ProjectCodeSequence(prefix=prefix, last_number=number)
                                   for prefix, number in sorted(last.items())])

    def _status_updates(self, project, periods) -> list:
        rng, updates = self.rng, []
        trl = project.trl_start
        for period in periods:
            reached = None
            if trl < project.trl_target and rng.random() < 0.15:
                trl = reached = trl + 1
            overall = rng.choices(RAGS, (60, 30, 10))[0]
            updates.append(StatusUpdate(
                project=project, period=period, overall=overall,
                schedule=rng.choices(RAGS, (60, 30, 10))[0],
                budget=rng.choices(RAGS, (70, 20, 10))[0],
                narrative=f"Progress in {period:%B %Y}: on plan for the next milestone.",
                trl=reached, posted_by=project.principal_investigator,
                posted_at=min(at_noon(add_months(period, 1)), self.now)))
        if updates:
            project.latest_rag, project.latest_update_on = updates[-1].overall, periods[-1]
            project.trl_current = trl
        return updates

    def _milestones(self, projects: list) -> None:
        rng, milestones = self.rng, []
        for project, count in zip(projects, split(self.counts.milestones, len(projects), rng),
                                  strict=True):
            length = (project.ends_on - project.starts_on).days
            for k in range(count):
                due_on = project.starts_on + datetime.timedelta(days=length * (k + 1) // count)
                done = due_on < self.today and rng.random() < 0.85
                completed_on = min(due_on + datetime.timedelta(days=rng.randint(-10, 10)),
                                   self.today) if done else None
                milestones.append(Milestone(project=project, title=f"Milestone {k + 1}",
                                            due_on=due_on, completed_on=completed_on))
        bulk(Milestone, milestones)

    # --- talent -------------------------------------------------------------------------------

    @transaction.atomic
    def courses_and_runs(self) -> None:
        rng, counts, days = self.rng, self.counts, datetime.timedelta
        courses = bulk(Course, [
            Course(code=f"BCM-{i + 101}", slug=f"bcm-{i + 101}",
                   title=f"{rng.choice(WORDS)} {rng.choice(NOUNS).lower()} course",
                   summary="A course of the benchmark dataset.",
                   provider=rng.choice([None, *self.approved]),
                   mode=rng.choice(Course.Mode.values),
                   hours=Decimal(rng.randint(4, 80)) / 2, fee=Decimal(rng.randint(0, 40) * 50),
                   is_published=rng.random() < 0.95)
            for i in range(counts.courses)])
        bulk(Course.workstreams.through, [
            Course.workstreams.through(course_id=course.pk, workstream_id=workstream.pk)
            for course in courses for workstream in rng.sample(self.workstream_list, 2
                                                               if len(self.workstream_list) > 2
                                                               else 1)])
        runs = []
        for i in range(counts.runs):
            course = courses[self._course_index_of_run(i, len(courses))]
            starts_on = self.today + days(rng.randint(-540, 240))
            ends_on = starts_on + days(rng.randint(0, 4))
            if ends_on < self.today:
                status = (CourseRun.Status.COMPLETED if rng.random() < 0.9
                          else CourseRun.Status.CANCELLED)
            else:
                status = (CourseRun.Status.SCHEDULED if rng.random() < 0.95
                          else CourseRun.Status.CANCELLED)
            runs.append(CourseRun(
                course=course, starts_on=starts_on, ends_on=ends_on,
                venue=rng.choice(["", "Biopolis", "One-north", "Tuas"]),
                capacity=rng.randint(15, 50),
                enrolment_opens_at=at_noon(starts_on - days(60)),
                enrolment_closes_at=at_noon(starts_on - days(1)),
                promotion=rng.choices(CourseRun.Promotion.values, (80, 20))[0],
                status=status,
                attendance_threshold=75 if status == CourseRun.Status.COMPLETED else None))
        self.runs = runs
        enrolments = []
        for run, count in zip(runs, split(counts.enrolments, len(runs), rng), strict=True):
            enrolments += self._enrolments(run, count)
        bulk(CourseRun, runs)  # after _enrolments set each run's seats_taken
        self.courses, self.enrolments = courses, bulk(Enrolment, enrolments)

    BUSY_COURSE_RUNS = 25  # more than a page (20) of the staff course page's runs

    def _course_index_of_run(self, i: int, courses: int) -> int:
        """Runs go round the courses, except that one course in a hundred (at least one) has
        BUSY_COURSE_RUNS runs of its own first."""
        busy = max(1, courses // 100) if courses > 1 else 0
        if i < busy * self.BUSY_COURSE_RUNS:
            return i // self.BUSY_COURSE_RUNS
        return busy + (i - busy * self.BUSY_COURSE_RUNS) % (courses - busy) if courses > busy \
            else 0

    def _enrolments(self, run, count: int) -> list:
        """One run's enrolments, with the run's seats_taken as the enrolment services keep it:
        the seats held (confirmed or offered) of a scheduled run, those confirmed when it was
        completed (completed or no-show), none once it is cancelled."""
        rng, Status = self.rng, Enrolment.Status
        people = rng.sample(self.people, min(count, len(self.people)))
        at = at_noon(run.starts_on - datetime.timedelta(days=30))
        statuses = []
        if run.status == CourseRun.Status.CANCELLED:
            statuses = [Status.CANCELLED] * len(people)
            run.seats_taken = 0
        elif run.status == CourseRun.Status.COMPLETED:
            seated = min(len(people), run.capacity)
            statuses = [Status.COMPLETED if rng.random() < 0.88 else Status.NO_SHOW
                        for _ in range(seated)] + [Status.CANCELLED] * (len(people) - seated)
            run.seats_taken = seated
        else:
            left = round(len(people) * rng.uniform(0, 0.15))
            seated = min(len(people) - left, run.capacity)
            offered = (min(seated, rng.randint(0, 2))
                       if run.promotion == CourseRun.Promotion.OFFER else 0)
            waiting = len(people) - left - seated
            statuses = ([Status.CONFIRMED] * (seated - offered) + [Status.OFFERED] * offered
                        + [Status.WAITLISTED] * waiting + [Status.CANCELLED] * left)
            run.seats_taken = seated
        enrolments, position = [], 0
        for person, status in zip(people, statuses, strict=True):
            enrolment = Enrolment(person=person, run=run, status=status,
                                  sponsor=person.organisation if person.organisation.is_approved
                                  else None)
            if status in (Status.CONFIRMED, Status.COMPLETED, Status.NO_SHOW):
                enrolment.confirmed_at = at
            if status == Status.WAITLISTED:
                position += 1
                enrolment.waitlist_position = position
            elif status == Status.OFFERED:
                enrolment.offer_expires_at = self.now + datetime.timedelta(hours=run.offer_hours)
            elif status == Status.CANCELLED:
                enrolment.cancelled_at = enrolment.decided_at = at
            elif status in (Status.COMPLETED, Status.NO_SHOW):
                enrolment.decided_at = at_noon(run.ends_on)
                if status == Status.COMPLETED:
                    enrolment.completed_at = enrolment.decided_at
            enrolments.append(enrolment)
        return enrolments

    # --- notifications ------------------------------------------------------------------------

    def notifications(self) -> None:
        rng, everyone = self.rng, [*self.staff, *self.people]
        total = self.counts.notifications
        for start in range(0, total, BATCH):
            rows = []
            for _ in range(min(BATCH, total - start)):
                kind = rng.choice(NOTIFICATION_KINDS)
                rows.append(Notification(
                    recipient=rng.choice(everyone), kind=kind.key, message=kind.label + ".",
                    read_at=self.now if rng.random() < 0.6 else None,
                    delivery=rng.choices(Delivery.values, (20, 20, 60))[0]))
            with transaction.atomic():
                Notification.objects.bulk_create(rows)

    # --- what the programme's people did: requests, agreements, project work -----------------
    # Each of these sections draws from a random stream of its own (`_rng`), so adding one never
    # changes the rows of the others.

    def _rng(self, section: str) -> random.Random:
        return random.Random(f"{self.seed}:{section}")  # noqa: S311 - made-up, repeatable

    def _days_ago(self, rng: random.Random, least: int, most: int) -> datetime.datetime:
        """Noon of a day `least` to `most` days ago, and never later than an hour ago (today's
        noon may be still to come)."""
        day = self.today - datetime.timedelta(days=rng.randint(least, most))
        return min(at_noon(day), self.now - datetime.timedelta(hours=1))

    @transaction.atomic
    def join_requests(self) -> None:
        """Requests to join a workstream: the approved ones are those that started some of the
        memberships (linked both ways, the role granted, decided the day the membership began);
        declined and withdrawn ones; and a few dozen still pending, each from an organisation
        not yet in that workstream."""
        rng, counts = self._rng("join_requests"), self.counts
        requests, created = [], []
        approved = rng.sample(self.workstream_memberships,
                              min(counts.join_requests_approved, len(self.workstream_memberships)))
        for membership in approved:
            decided_at = at_noon(membership.since)
            asked_at = decided_at - datetime.timedelta(days=rng.randint(2, 30))
            requests.append(self._join_request(
                membership.organisation, membership.workstream, asked_at,
                status=JoinRequest.Status.APPROVED, granted_role=membership.role,
                decided_by=rng.choice(self.staff), decided_at=decided_at))
            created.append(asked_at)
        # Pending requests: distinct (organisation, workstream) pairs, the organisation not a
        # member (join_request_submit refuses one that is); decided ones may repeat a pair.
        members = {(o.pk, w) for w, organisations in self.members_of.items() for o in organisations}
        outsiders = [(o, w) for o in self.approved for w in self.workstream_list
                     if (o.pk, w.pk) not in members]
        pending = rng.sample(outsiders, min(counts.join_requests_pending, len(outsiders)))
        for organisation, workstream in pending:
            asked_at = self._days_ago(rng, 0, 40)
            requests.append(self._join_request(organisation, workstream, asked_at,
                                               status=JoinRequest.Status.PENDING))
            created.append(asked_at)
        for status, count in ((JoinRequest.Status.DECLINED, counts.join_requests_declined),
                              (JoinRequest.Status.WITHDRAWN, counts.join_requests_withdrawn)):
            for organisation, workstream in rng.choices(outsiders, k=count if outsiders else 0):
                asked_at = self._days_ago(rng, 20, 900)
                decided_at = asked_at + datetime.timedelta(days=rng.randint(1, 15))
                requester = self.people_of[organisation.pk][0]
                declined = status == JoinRequest.Status.DECLINED
                requests.append(self._join_request(
                    organisation, workstream, asked_at, status=status, decided_at=decided_at,
                    decided_by=rng.choice(self.staff) if declined else requester,
                    decision_reason="Its work is closer to another workstream; we suggest "
                                    "joining that one instead." if declined else ""))
                created.append(asked_at)
        requests = bulk(JoinRequest, requests)
        backdate(JoinRequest, "created_at", zip(requests, created, strict=True))
        for membership, join_request in zip(approved, requests[:len(approved)], strict=True):
            membership.join_request = join_request
        WorkstreamMembership.objects.bulk_update(approved, ["join_request"], batch_size=BATCH)
        self.made["join requests"] = len(requests)

    def _join_request(self, organisation, workstream, asked_at, **fields) -> JoinRequest:
        return JoinRequest(
            organisation=organisation, workstream=workstream,
            motivation=f"{organisation.name} would bring its {workstream.name.lower()} work "
                       "to the workstream.",
            code_of_conduct_acknowledged_at=asked_at,
            requested_by=self.people_of[organisation.pk][0], **fields)

    @transaction.atomic
    def agreements(self) -> None:
        """A consortium agreement for every approved organisation (most signed, some still
        out for signature or in draft, a few expired or terminated) and an NDA for about half:
        dates as agreement_record and agreement_confirm allow (signed in the past, expiring
        after signing)."""
        rng, Status, rows = self._rng("agreements"), Agreement.Status, []
        states = [Status.SIGNED, Status.SENT, Status.DRAFT, Status.EXPIRED, Status.TERMINATED]
        for number, organisation in enumerate(self.approved, start=1):
            kinds = [Agreement.Kind.CONSORTIUM] + ([Agreement.Kind.NDA] if rng.random() < 0.5
                                                    else [])
            for kind in kinds:
                status = rng.choices(states, (75, 10, 5, 6, 4))[0]
                agreement = Agreement(
                    organisation=organisation, kind=kind, status=status,
                    reference=f"{PROGRAMME_SHORT_NAME}-{'CA' if kind == 'consortium' else 'NDA'}"
                              f"-{number:04d}", updated_by=rng.choice(self.staff))
                if status in (Status.SIGNED, Status.EXPIRED, Status.TERMINATED):
                    years = 3 if kind == Agreement.Kind.CONSORTIUM else 2
                    signed_on = self.today - datetime.timedelta(
                        days=rng.randint(365 * years + 30, 365 * years + 700)
                        if status == Status.EXPIRED else rng.randint(10, 365 * years - 10))
                    agreement.signed_on = signed_on
                    agreement.expires_on = signed_on + datetime.timedelta(days=365 * years)
                    agreement.decided_by = agreement.updated_by
                    agreement.decided_at = at_noon(signed_on)
                if status == Status.TERMINATED:
                    agreement.notes = "Terminated by mutual consent when the organisation left."
                rows.append(agreement)
        self.made["agreements"] = len(bulk(Agreement, rows))

    # --- project work ---------------------------------------------------------------------------

    TEAM_ROLES = ["Research engineer", "Project manager", "Process scientist", "Data scientist",
                  "Quality lead", "Automation engineer"]
    PATHS = {  # the moves that led to each state, from draft
        Project.Status.DRAFT: [],
        Project.Status.PROPOSED: [Project.Status.PROPOSED],
        Project.Status.APPROVED: [Project.Status.PROPOSED, Project.Status.APPROVED],
        Project.Status.ACTIVE: [Project.Status.PROPOSED, Project.Status.APPROVED,
                                Project.Status.ACTIVE],
    }
    for _last in (Project.Status.ON_HOLD, Project.Status.COMPLETED, Project.Status.CANCELLED):
        PATHS[_last] = [*PATHS[Project.Status.ACTIVE], _last]
    REASONS = {Project.Status.ON_HOLD: "Waiting for the pilot line to be rebuilt.",
               Project.Status.CANCELLED: "The lead organisation withdrew its funding."}

    @transaction.atomic
    def project_work(self) -> None:
        """For each project: its lifecycle moves (ProjectTransition rows leading to its status,
        its decided_* from the last one), a team for some, the skills it needs, contributions of
        its participants per year, deliverables, and its history in the audit trail."""
        rng = self._rng("project_work")
        self.skills = list(Skill.objects.order_by("code"))
        transitions, team, needs, contributions, deliverables, events = [], [], [], [], [], []
        for project, organisations in self.project_plans:
            created_at, moves = self._lifecycle(rng, project)
            transitions += moves
            members = self._team(rng, project, organisations)
            team += members
            for skill in rng.sample(self.skills, min(len(self.skills), rng.randint(0, 3))):
                needs.append(ProjectSkillNeed(project=project, skill=skill,
                                              level=rng.randint(2, 5)))
            contributions += self._contributions(rng, project, organisations)
            deliverables += self._deliverables(rng, project)
            events += self._project_history(project, organisations, created_at, moves, members)
        Project.objects.bulk_update([p for p, _ in self.project_plans],
                                    ["decided_at", "decided_by", "decision_reason"],
                                    batch_size=BATCH)
        self.made["project transitions"] = len(bulk(ProjectTransition, transitions))
        self.made["team places"] = len(bulk(ProjectTeamMember, team))
        self.made["project skill needs"] = len(bulk(ProjectSkillNeed, needs))
        self.made["contributions"] = len(bulk(Contribution, contributions))
        self.made["deliverables"] = len(bulk(Deliverable, deliverables))
        self._audit(events)

    def _lifecycle(self, rng, project) -> tuple[datetime.datetime, list]:
        """When the project was created, and its moves to where it is, each after the last and
        none in the future; the project's decided_* record the last, as project_transition
        leaves them."""
        days, now = datetime.timedelta, self.now
        path = self.PATHS[project.status]
        if project.status in self.REPORTING:
            created = at_noon(project.starts_on - days(rng.randint(60, 120)))
        else:
            created = self._days_ago(rng, 60, 150)
        moves, at, status = [], created, Project.Status.DRAFT
        for to in path:
            if to == Project.Status.ACTIVE:
                when = at_noon(project.starts_on)
            elif to == Project.Status.COMPLETED:
                when = at_noon(project.ends_on)
            elif to in (Project.Status.ON_HOLD, Project.Status.CANCELLED):
                reported = project.latest_update_on or project.starts_on
                when = at_noon(add_months(reported, 1) + days(rng.randint(3, 20)))
            else:
                when = at + days(rng.randint(3, 25))
            at = min(max(when, at + days(hours=1)), now - days(minutes=len(path)))
            # A proposal is the principal investigator's; ending an active project by
            # cancelling it is the programme admin's (the first staff member, whom
            # benchmarks.people makes one); the other moves are the officer's.
            by = (project.principal_investigator if to == Project.Status.PROPOSED else
                  self.staff[0] if to == Project.Status.CANCELLED else project.officer)
            moves.append(ProjectTransition(project=project, from_status=status, to_status=to,
                                           by=by, at=at, reason=self.REASONS.get(to, "")))
            status = to
        last = moves[-1] if moves else None
        project.decided_at = last.at if last else None
        project.decided_by = last.by if last else None
        project.decision_reason = last.reason if last else ""
        return created, moves

    def _team(self, rng, project, organisations) -> list:
        """For two projects in five, one to three people acting for its participants (a team
        keeps its rights only through a participating organisation), besides the principal
        investigator."""
        if rng.random() >= 0.4:
            return []
        candidates = [person for organisation in organisations
                      for person in self.people_of[organisation.pk][:6]
                      if person.pk != project.principal_investigator.pk]
        return [ProjectTeamMember(project=project, person=person,
                                  role=rng.choice(self.TEAM_ROLES))
                for person in rng.sample(candidates, min(len(candidates), rng.randint(1, 3)))]

    def _contributions(self, rng, project, organisations) -> list:
        """Each participant's commitment per year of an approved or running project, in cash,
        in kind or both; what it actually gave for the years gone by (part of this one)."""
        if project.status in (Project.Status.DRAFT, Project.Status.PROPOSED):
            return []
        rows = []
        last_year = min(project.ends_on.year, project.starts_on.year + 3)
        for organisation in organisations:
            kinds = rng.choice([[Contribution.Kind.CASH], [Contribution.Kind.IN_KIND],
                                [Contribution.Kind.CASH, Contribution.Kind.IN_KIND]])
            for year in range(project.starts_on.year, last_year + 1):
                for kind in kinds:
                    committed = Decimal(rng.randint(10, 400) * 1000)
                    share = (rng.uniform(0.6, 1.1) if year < self.today.year else
                             rng.uniform(0, 0.6) if year == self.today.year else 0)
                    if project.status == Project.Status.APPROVED:
                        share = 0
                    rows.append(Contribution(
                        project=project, organisation=organisation, year=year, kind=kind,
                        committed_sgd=committed,
                        actual_sgd=(committed * Decimal(share)).quantize(Decimal("1"))))
        return rows

    def _deliverables(self, rng, project) -> list:
        """One to four deliverables due within the project. Before it starts they are pending;
        once it runs, those due are mostly approved (some submitted, returned or overdue), those
        to come pending or in draft; every status past pending carries a file, as
        deliverable_save_draft and deliverable_submit require."""
        days, Status, rows = datetime.timedelta, Deliverable.Status, []
        count = rng.randint(1, 4)
        length = (project.ends_on - project.starts_on).days
        for k in range(count):
            due_on = project.starts_on + days(length * (k + 1) // count)
            deliverable = Deliverable(project=project, title=f"Deliverable {k + 1}",
                                      kind=rng.choice(Deliverable.Kind.values), due_on=due_on)
            if project.status in self.REPORTING:
                if due_on < self.today:
                    deliverable.status = (Status.APPROVED if project.status
                                          == Project.Status.COMPLETED else
                                          rng.choices([Status.APPROVED, Status.SUBMITTED,
                                                       Status.RETURNED, Status.PENDING],
                                                      (70, 10, 10, 10))[0])
                elif project.status != Project.Status.CANCELLED:
                    deliverable.status = rng.choices([Status.PENDING, Status.DRAFT,
                                                      Status.SUBMITTED], (70, 20, 10))[0]
            self._deliverable_progress(rng, project, deliverable)
            rows.append(deliverable)
        return rows

    def _deliverable_progress(self, rng, project, deliverable) -> None:
        Status, days = Deliverable.Status, datetime.timedelta
        if deliverable.status == Status.PENDING:
            return
        deliverable.file = self.sample_files["deliverable"]
        if deliverable.status == Status.DRAFT:
            return
        submitted_on = min(deliverable.due_on + days(rng.randint(-20, 10)),
                           self.today - days(1))
        submitted_on = max(submitted_on, project.starts_on)
        deliverable.submitted_at = at_noon(submitted_on)
        deliverable.submitted_by = project.principal_investigator
        if submitted_on > deliverable.due_on:
            deliverable.late_justification = "The test campaign ran longer than planned."
        if deliverable.status in (Status.APPROVED, Status.RETURNED):
            deliverable.decided_by = project.officer
            deliverable.decided_at = min(deliverable.submitted_at + days(rng.randint(1, 14)),
                                         self.now)
            if deliverable.status == Status.RETURNED:
                deliverable.decision_reason = "Add the raw data behind the results, please."

    def _project_history(self, project, organisations, created_at, moves, members) -> list:
        """Its audit events as project_create, project_transition and project_team_set record
        them (actor, target, scope, changes), at the times the dataset gives them."""
        events = [(created_at, project.officer, "project.create",
                   {"code": project.code, "title": project.title,
                    "participants": [o.name for o in organisations]})]
        events += [(move.at, move.by, "project.transition",
                    {"status": [move.from_status, move.to_status], "reason": move.reason})
                   for move in moves]
        if members:
            events.append((created_at + datetime.timedelta(days=1), project.officer,
                           "project.team_set",
                           {"added": [m.person.email for m in members], "removed": [],
                            "role_changed": []}))
        return [(at, actor, action, changes, project, project.workstream)
                for at, actor, action, changes in events]

    def _audit(self, events) -> None:
        """Writes (at, actor, action, changes, target, scope) as audit_record would, then
        dates each event when it happened (created_at is set on insert otherwise)."""
        content_type = ContentType.objects.get_for_model
        rows = [AuditEvent(actor=actor, action=action, target_type=content_type(target),
                           target_id=target.pk, target_repr=str(target)[:300],
                           scope_type=content_type(scope), scope_id=scope.pk, changes=changes)
                for _, actor, action, changes, target, scope in events]
        rows = bulk(AuditEvent, rows)
        backdate(AuditEvent, "created_at", zip(rows, [event[0] for event in events],
                                                strict=True))
        self.made["audit events"] = self.made.get("audit events", 0) + len(rows)

    # --- skills, sessions and attendance -----------------------------------------------------

    @transaction.atomic
    def skills_taught(self) -> None:
        """The framework's skills (loaded by its own service, as every portal loads them) that
        each course builds, and those each workstream needs."""
        rng = self._rng("skills")
        rows = [CourseSkill(course=course, skill=skill, level=rng.randint(1, 4))
                for course in self.courses
                for skill in rng.sample(self.skills, min(len(self.skills), rng.randint(1, 3)))]
        self.made["course skills"] = len(bulk(CourseSkill, rows))
        bulk(WorkstreamSkillNeed, [
            WorkstreamSkillNeed(workstream=workstream, skill=skill, level=rng.randint(2, 5))
            for workstream in self.workstream_list
            for skill in rng.sample(self.skills, min(len(self.skills), 4))])

    @transaction.atomic
    def sessions_and_attendance(self) -> None:
        """A session per day of every run (09:00 to 17:00), and for each completed run the
        attendance that decided it: a trainee who completed attended at least the run's
        threshold of its sessions, a no-show fewer (as course_run_complete judged them)."""
        rng, sessions_of, sessions = self._rng("sessions"), {}, []
        for run in self.runs:
            day_count = (run.ends_on - run.starts_on).days + 1
            sessions_of[run.pk] = [Session(
                run=run, title=f"Day {d + 1}",
                starts_at=timezone.make_aware(datetime.datetime.combine(
                    run.starts_on + datetime.timedelta(days=d), datetime.time(9))),
                ends_at=timezone.make_aware(datetime.datetime.combine(
                    run.starts_on + datetime.timedelta(days=d), datetime.time(17))))
                for d in range(day_count)]
            sessions += sessions_of[run.pk]
        self.made["sessions"] = len(bulk(Session, sessions))
        marks = []
        for enrolment in self.enrolments:
            if enrolment.status not in (Enrolment.Status.COMPLETED, Enrolment.Status.NO_SHOW):
                continue
            run_sessions = sessions_of[enrolment.run_id]
            needed = -(-len(run_sessions) * enrolment.run.attendance_threshold // 100)
            attended = (rng.randint(needed, len(run_sessions))
                        if enrolment.status == Enrolment.Status.COMPLETED
                        else rng.randint(0, needed - 1))
            present = set(rng.sample(range(len(run_sessions)), attended))
            for index, session in enumerate(run_sessions):
                marks.append(Attendance(session=session, enrolment=enrolment,
                                        present=index in present, marked_by=self.staff[0]))
        marks = bulk(Attendance, marks)
        # Marked as each session ended (marked_at is set on insert otherwise): one UPDATE.
        if marks:
            Attendance.objects.filter(pk__gte=min(mark.pk for mark in marks)).update(
                marked_at=Subquery(Session.objects.filter(pk=OuterRef("session_id"))
                                   .values("ends_at")[:1]))
        self.made["attendance marks"] = len(marks)

    # --- reports --------------------------------------------------------------------------------

    REPORT_REQUESTS = [("programme", "xlsx", {}), ("membership", "csv", {}),
                       ("membership", "xlsx", {}), ("training_outcomes", "csv", {}),
                       ("enrolments", "xlsx", {}), ("portfolio_list", "csv", {}),
                       ("audit_trail", "csv", {}), ("project_portfolio", "pdf", {})]

    @transaction.atomic
    def report_jobs(self) -> None:
        """Reports programme staff asked for: most done (those of the last week with their
        file, older ones expired and their file gone, as the sweep leaves them), some failed,
        a few still queued (at most one identical request at work per person)."""
        rng, Status, rows, created = self._rng("report_jobs"), ReportJob.Status, [], []
        at_work = set()
        for number in range(self.counts.report_jobs):
            requester = rng.choice(self.staff)
            kind, format, parameters = rng.choice(self.REPORT_REQUESTS)
            fingerprint = report_fingerprint(kind, format, parameters)
            status = rng.choices([Status.DONE, Status.FAILED, Status.QUEUED], (75, 15, 10))[0]
            if status == Status.QUEUED and (requester.pk, fingerprint) in at_work:
                status = Status.FAILED
            asked_at = (self.now - datetime.timedelta(minutes=rng.randint(1, 60))
                        if status == Status.QUEUED else self._days_ago(rng, 0, 60))
            job = ReportJob(kind=kind, format=format, parameters=parameters,
                            fingerprint=fingerprint, requester=requester, status=status)
            if status == Status.QUEUED:
                at_work.add((requester.pk, fingerprint))
            else:
                job.started_at = asked_at + datetime.timedelta(seconds=rng.randint(1, 30))
                job.finished_at = job.started_at + datetime.timedelta(seconds=rng.randint(1, 90))
            if status == Status.FAILED:
                job.error = ("The report could not be built (OperationalError). Ask for it "
                             "again; if it fails again, tell the programme office.")
            elif status == Status.DONE:
                job.progress, job.rows = 100, rng.randint(10, 5000)
                job.file_name = f"bench-report-{number + 1:05d}.{format}"
                job.expires_at = job.finished_at + datetime.timedelta(
                    days=settings.REPORT_FILES_KEEP_DAYS)
                if job.expires_at <= self.now:
                    job.expired_at = job.expires_at
                else:  # each its own file: the expiry sweep deletes it with the job's
                    job.file = write_private_file(f"reports/{job.file_name}",
                                                  b"name,value\nbenchmark,1\n")
            rows.append(job)
            created.append(asked_at)
        rows = bulk(ReportJob, rows)
        backdate(ReportJob, "created_at", zip(rows, created, strict=True))
        self.made["report jobs"] = len(rows)

    def build(self, say) -> None:
        self.sample_files = {"deliverable": write_private_file(
            "projects/deliverables/bench-deliverable.pdf", SAMPLE_PDF)}
        skills_framework_load(actor=SYSTEM)
        for step in (self.organisations_and_people, self.workstreams, self.projects,
                     self.courses_and_runs, self.notifications, self.join_requests,
                     self.agreements, self.project_work, self.skills_taught,
                     self.sessions_and_attendance, self.report_jobs):
            started = time.monotonic()
            step()
            say(f"  {step.__name__.replace('_', ' ')}: {time.monotonic() - started:.1f} s")
