"""The benchmark dataset: courses, runs and enrolments; the skills courses teach, sessions and
attendance."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from talent.models import (
    Attendance,
    Course,
    CourseRun,
    CourseSkill,
    Enrolment,
    Session,
    WorkstreamSkillNeed,
)

from .common import (
    NOUNS,
    WORDS,
    at_noon,
    bulk,
    split,
)


class TalentSection:
    """A section of BenchSeeder (benchmarks.seed)."""

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
