"""The benchmark dataset's builders (run by `manage.py seed_bench`): the portal at programme
scale, in bulk, from a fixed seed.

At scale 1: 500 organisations, 20,000 people, 10 workstreams, 2,000 projects with 20,000
milestones and 24,000 status updates, 300 courses with 3,000 runs and 100,000 enrolments, and
200,000 notifications. The same scale and seed give the same rows (dates are laid out around
today, so the same day gives the same dates).

It bypasses the services on purpose: this is a dataset to measure the portal against, not a
record of business actions, and a service call per row would take hours (no audit trail, no
e-mails, no notifications of its own). It writes with bulk_create instead, and so must leave
every derived field exactly as the services would: a run's seats_taken, a project's latest_rag,
latest_update_on and trl_current, project codes with their sequence rows, organisations'
name_key and tier_status.
"""

import datetime
import random
import time
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from cluster_portal.accounts.roles import ProgrammeRole
from cluster_portal.notifications.models import Delivery, Notification
from partners.models import Organisation, OrganisationMembership
from partners.services.organisations import tier_status_on
from partners.validators import organisation_name_key
from projects import notification_kinds as project_kinds
from projects.models import (
    Milestone,
    Project,
    ProjectCodeSequence,
    ProjectParticipant,
    Rag,
    StatusUpdate,
)
from talent import notification_kinds as talent_kinds
from talent.models import Certificate, Course, CourseRun, Enrolment, LearningPath
from workstreams.models import Programme, Workstream, WorkstreamMembership

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


def reset_portal() -> None:
    """Deletes what seed_bench builds: every organisation, programme, course and project (with
    what hangs from them) and the benchmark's people (and, with them, their notifications)."""
    Certificate.objects.all().delete()
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
        self.counts = bench_counts(scale)
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
            status = (Organisation.Status.APPROVED if i < 2 or i % 20 < 18 else
                      Organisation.Status.PENDING if i % 20 == 18 else
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
        bulk(WorkstreamMembership, memberships)

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
            starts_on = self.today + days(rng.randint(-540, 240))
            ends_on = starts_on + days(rng.randint(0, 4))
            if ends_on < self.today:
                status = (CourseRun.Status.COMPLETED if rng.random() < 0.9
                          else CourseRun.Status.CANCELLED)
            else:
                status = (CourseRun.Status.SCHEDULED if rng.random() < 0.95
                          else CourseRun.Status.CANCELLED)
            runs.append(CourseRun(
                course=courses[i % len(courses)], starts_on=starts_on, ends_on=ends_on,
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
        bulk(Enrolment, enrolments)

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

    def build(self, say) -> None:
        for step in (self.organisations_and_people, self.workstreams, self.projects,
                     self.courses_and_runs, self.notifications):
            started = time.monotonic()
            step()
            say(f"  {step.__name__.replace('_', ' ')}: {time.monotonic() - started:.1f} s")
