"""Reads of the talent app, scoped to the person asking (the access layer).

The catalogue is public: published courses and their scheduled runs. A person's enrolments
are theirs alone (staff see every one); later, a partner admin sees those their organisation
sponsored and trainers those of their runs.
"""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.utils import timezone

from cluster_portal.accounts.roles import ProgrammeRole
from cluster_portal.core.search import matching_every_word
from partners.selectors import organisations_of, user_organisation_roles
from workstreams.models import WorkstreamMembership

from .models import (
    ACTIVE_ENROLMENT_STATES,
    Course,
    CourseRun,
    CourseSkill,
    Enrolment,
    Session,
    Skill,
    WorkstreamSkillNeed,
)
from .permissions import may_manage_courses


@dataclass(frozen=True)
class CatalogueFilters:
    """What the catalogue's visitor asked for; empty values filter nothing."""

    text: str = ""
    workstream: str = ""   # a workstream's slug
    skill: str = ""        # a skill's code
    level: int | None = None  # courses building the skill (or any skill) to at least this level
    mode: str = ""
    upcoming: bool = False  # only courses with a scheduled run still to start
    seats_left: bool = False  # only courses with a run that has a seat left now


def course_list_public(*, filters: CatalogueFilters = CatalogueFilters()) -> QuerySet[Course]:
    """Published courses, each with its next run's start and the seats left on its upcoming
    runs, in a fixed number of queries however many courses and runs there are.

    Every filter is an EXISTS and both figures are subqueries per course, so the list is one
    row per course without joining its runs: no DISTINCT or GROUP BY over the catalogue, and
    its count is a count of courses."""
    courses = Course.objects.filter(is_published=True)
    if filters.text:
        # As the directory searches: any case, any accents, every word somewhere.
        courses = matching_every_word(courses, filters.text, "code", "title", "summary",
                                      "description")
    if filters.workstream:
        courses = courses.filter(Exists(Course.workstreams.through.objects.filter(
            course=OuterRef("pk"), workstream__slug=filters.workstream)))
    if filters.skill or filters.level:
        taught = CourseSkill.objects.filter(course=OuterRef("pk"))
        if filters.skill:
            taught = taught.filter(skill__code=filters.skill)
        if filters.level:
            taught = taught.filter(level__gte=filters.level)
        courses = courses.filter(Exists(taught))
    if filters.mode:
        courses = courses.filter(mode=filters.mode)
    upcoming = CourseRun.objects.filter(course=OuterRef("pk"), status=CourseRun.Status.SCHEDULED,
                                        starts_on__gte=timezone.localdate())
    if filters.upcoming:
        courses = courses.filter(Exists(upcoming))
    if filters.seats_left:
        courses = courses.filter(Exists(upcoming.filter(seats_taken__lt=F("capacity"))))
    return (courses
            .annotate(next_run_on=Subquery(upcoming.order_by("starts_on").values("starts_on")[:1]),
                      upcoming_seats=Subquery(
                          upcoming.order_by().values("course")
                          .annotate(seats=Sum(F("capacity") - F("seats_taken")))
                          .values("seats"),
                          output_field=IntegerField()))
            .select_related("provider")
            .prefetch_related(Prefetch("skills_taught",
                                       queryset=CourseSkill.objects.select_related("skill")),
                              "workstreams")
            .order_by("code"))


def skill_list_public() -> QuerySet[Skill]:
    """The skills framework, public as the catalogue is."""
    return Skill.objects.order_by("category", "name")


def course_get_public(*, slug: str) -> Course | None:
    return (Course.objects.filter(is_published=True, slug=slug)
            .select_related("provider")
            .prefetch_related(Prefetch("skills_taught",
                                       queryset=CourseSkill.objects.select_related("skill")),
                              "workstreams", "prerequisites")
            .first())


def course_runs_upcoming(*, course: Course) -> QuerySet[CourseRun]:
    return (course.runs.filter(status=CourseRun.Status.SCHEDULED,
                               starts_on__gte=timezone.localdate())
            .annotate(waitlisted=Count("enrolments",
                                       filter=Q(enrolments__status=Enrolment.Status.WAITLISTED)))
            .order_by("starts_on", "pk"))


def course_run_list_visible(*, user) -> QuerySet[CourseRun]:
    """Runs of published courses for everyone; every run for programme staff. Each with the
    length of its waitlist (`waitlisted`)."""
    runs = (CourseRun.objects.select_related("course")
            .annotate(waitlisted=Count("enrolments",
                                       filter=Q(enrolments__status=Enrolment.Status.WAITLISTED)))
            .order_by("starts_on", "pk"))
    if not may_manage_courses(user):
        runs = runs.filter(course__is_published=True)
    return runs


def course_run_get_visible(*, user, pk: int) -> CourseRun | None:
    """A run of a published course for everyone; any run for programme staff."""
    return (course_run_list_visible(user=user)
            .prefetch_related(Prefetch("sessions", queryset=Session.objects.order_by("starts_at")),
                              "trainers")
            .filter(pk=pk).first())


def enrolment_list_visible(*, user) -> QuerySet[Enrolment]:
    """A person's own enrolments; every one for programme staff."""
    enrolments = Enrolment.objects.select_related("run__course", "sponsor", "person")
    if may_manage_courses(user):
        return enrolments
    if not (user and user.is_authenticated):
        return enrolments.none()
    return enrolments.filter(person=user)


def enrolment_of(*, user, run: CourseRun) -> Enrolment | None:
    """The person's active enrolment on the run, if they have one."""
    if not (user and user.is_authenticated):
        return None
    return (Enrolment.objects.filter(person=user, run=run, status__in=ACTIVE_ENROLMENT_STATES)
            .first())


def my_learning(*, user) -> dict[str, list[Enrolment]]:
    """A trainee's enrolments, as "My learning" groups them: upcoming seats and offers, places
    on waitlists, and history (past, completed, cancelled)."""
    today = timezone.localdate()
    enrolments = list(Enrolment.objects.filter(person=user)
                      .select_related("run__course", "sponsor")
                      .order_by("run__starts_on", "pk"))
    Status = Enrolment.Status
    return {
        "upcoming": [e for e in enrolments if e.status in (Status.CONFIRMED, Status.OFFERED)
                     and e.run.ends_on >= today],
        "waitlisted": [e for e in enrolments if e.status == Status.WAITLISTED],
        "history": [e for e in reversed(enrolments)
                    if e.status in (Status.COMPLETED, Status.NO_SHOW, Status.CANCELLED)
                    or (e.status == Status.CONFIRMED and e.run.ends_on < today)],
    }


def organisation_training_record(*, organisation) -> QuerySet[Enrolment]:
    """The enrolments an organisation sponsored, latest run first."""
    return (Enrolment.objects.filter(sponsor=organisation)
            .select_related("person", "run__course")
            .order_by("-run__starts_on", "person__full_name", "pk"))


def organisation_training_summary(*, organisation) -> dict:
    """Totals of an organisation's sponsored training, in two queries: enrolments by status,
    people and hours completed; and, per skill, how many of its people completed a course
    building it and the highest level reached."""
    Status = Enrolment.Status
    completed = Q(status=Status.COMPLETED)
    totals = Enrolment.objects.filter(sponsor=organisation).aggregate(
        enrolments=Count("pk"),
        active=Count("pk", filter=Q(status__in=ACTIVE_ENROLMENT_STATES)),
        completed=Count("pk", filter=completed),
        no_show=Count("pk", filter=Q(status=Status.NO_SHOW)),
        people=Count("person", distinct=True),
        hours=Sum("run__course__hours", filter=completed),
    )
    per_skill = list(
        CourseSkill.objects.filter(
            course__runs__enrolments__sponsor=organisation,
            course__runs__enrolments__status=Status.COMPLETED)
        .values("skill__name")
        .annotate(people=Count("course__runs__enrolments__person", distinct=True),
                  level=Max("level"))
        .order_by("skill__name"))
    return {**totals, "hours": totals["hours"] or 0, "per_skill": per_skill}


@dataclass(frozen=True)
class HeldSkill:
    skill_id: int
    name: str
    category: str
    level: int
    reached_on: object  # the date of the latest completion that built it
    code: str = ""


def skills_profile(*, user) -> list[HeldSkill]:
    """The skills a person holds from the courses they completed: for each, the highest level
    reached and when they last completed a course building it. One query."""
    rows = (CourseSkill.objects.filter(course__runs__enrolments__person=user,
                                       course__runs__enrolments__status=Enrolment.Status.COMPLETED)
            .values("skill_id", "skill__code", "skill__name", "skill__category")
            .annotate(level=Max("level"), reached=Max("course__runs__enrolments__completed_at"))
            .order_by("skill__category", "skill__name"))
    return [HeldSkill(skill_id=row["skill_id"], code=row["skill__code"],
                      name=row["skill__name"], category=row["skill__category"], level=row["level"],
                      reached_on=timezone.localtime(row["reached"]).date() if row["reached"]
                      else None)
            for row in rows]


@dataclass
class SkillGap:
    need: object  # a WorkstreamSkillNeed
    held_level: int  # 0 when the person does not hold the skill
    courses: list = field(default_factory=list)  # published courses building it far enough

    @property
    def is_met(self) -> bool:
        return self.held_level >= self.need.level


def workstream_skill_gaps(*, user, held: list[HeldSkill]) -> list[dict]:
    """For each workstream the person's approved organisations are active members of, the
    skills it needs, whether the person holds each to the level needed, and the courses that
    would close each gap. Three queries, however many workstreams, needs and courses."""
    organisations = list(user_organisation_roles(user))
    if not organisations:
        return []
    workstream_ids = set(WorkstreamMembership.objects.filter(
        organisation__in=organisations, organisation__status="approved", until__isnull=True,
    ).values_list("workstream_id", flat=True))
    needs = list(WorkstreamSkillNeed.objects.filter(workstream__in=workstream_ids)
                 .select_related("workstream", "skill")
                 .order_by("workstream__display_order", "workstream__name", "skill__name"))
    levels = {skill.skill_id: skill.level for skill in held}
    gaps = [SkillGap(need=need, held_level=levels.get(need.skill_id, 0)) for need in needs]
    missing = {gap.need.skill_id for gap in gaps if not gap.is_met}
    if missing:
        building = (CourseSkill.objects.filter(skill__in=missing, course__is_published=True)
                    .select_related("course").order_by("course__code"))
        for taught in building:
            for gap in gaps:
                if (not gap.is_met and gap.need.skill_id == taught.skill_id
                        and taught.level >= gap.need.level):
                    gap.courses.append(taught.course)
    by_workstream: dict[int, dict] = {}
    for gap in gaps:
        entry = by_workstream.setdefault(gap.need.workstream_id,
                                         {"workstream": gap.need.workstream, "gaps": []})
        entry["gaps"].append(gap)
    return list(by_workstream.values())


# --- Programme staff's pages: every course and run, published or not --------------------------


@dataclass(frozen=True)
class StaffCourseFilters:
    text: str = ""
    published: bool | None = None  # None: both
    workstream: str = ""  # a workstream's slug
    mode: str = ""


def course_list_for_staff(*, user, filters: StaffCourseFilters = StaffCourseFilters()
                          ) -> QuerySet[Course]:
    """Every course, published or not, for programme staff (nothing for anyone else), each
    with its next run's start, how many runs are still to come and how many people wait on
    their waitlists; a fixed number of queries however many courses there are."""
    if not may_manage_courses(user):
        return Course.objects.none()
    courses = Course.objects.all()
    if filters.text:
        courses = matching_every_word(courses, filters.text, "code", "title", "summary",
                                      "description")
    if filters.published is not None:
        courses = courses.filter(is_published=filters.published)
    if filters.workstream:
        courses = courses.filter(Exists(Course.workstreams.through.objects.filter(
            course=OuterRef("pk"), workstream__slug=filters.workstream)))
    if filters.mode:
        courses = courses.filter(mode=filters.mode)
    upcoming = CourseRun.objects.filter(course=OuterRef("pk"), status=CourseRun.Status.SCHEDULED,
                                        starts_on__gte=timezone.localdate())
    return (courses
            .annotate(next_run_on=upcoming.order_by("starts_on").values("starts_on")[:1],
                      runs_to_come=upcoming.order_by().values("course")
                      .annotate(count=Count("pk")).values("count")[:1])
            .select_related("provider")
            .prefetch_related("workstreams")
            .order_by("code"))


def course_get_for_staff(*, user, slug: str) -> Course | None:
    if not may_manage_courses(user):
        return None
    return (Course.objects.filter(slug=slug).select_related("provider")
            .prefetch_related(Prefetch("skills_taught",
                                       queryset=CourseSkill.objects.select_related("skill")),
                              "workstreams", "prerequisites")
            .first())


def course_runs_for_staff(*, course: Course) -> QuerySet[CourseRun]:
    """Every run of the course, the latest first, with the length of each one's waitlist and
    how many sessions it has."""
    return (course.runs.annotate(
        waitlisted=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.WAITLISTED),
                         distinct=True),
        session_count=Count("sessions", distinct=True))
        .order_by("-starts_on", "-pk"))


def course_run_roster(*, user, run: CourseRun) -> dict[str, QuerySet[Enrolment]]:
    """Who is on a run, for programme staff: the seats (confirmed, then how the run ended for
    them), the seats offered with their expiry, the waitlist in order, and the cancelled."""
    if not may_manage_courses(user):
        return {name: Enrolment.objects.none()
                for name in ("seats", "offered", "waitlist", "cancelled")}
    Status = Enrolment.Status
    enrolments = Enrolment.objects.filter(run=run).select_related("person", "sponsor")
    return {
        "seats": enrolments.filter(status__in=(Status.CONFIRMED, Status.COMPLETED,
                                               Status.NO_SHOW))
                           .order_by("person__full_name", "person__email", "pk"),
        "offered": enrolments.filter(status=Status.OFFERED).order_by("offer_expires_at", "pk"),
        "waitlist": enrolments.filter(status=Status.WAITLISTED).order_by("waitlist_position"),
        "cancelled": enrolments.filter(status=Status.CANCELLED)
                               .order_by("-cancelled_at", "-pk"),
    }


def session_get_for_staff(*, user, pk: int) -> Session | None:
    if not may_manage_courses(user):
        return None
    return Session.objects.select_related("run__course").filter(pk=pk).first()


def trainer_candidates(*, course: Course) -> QuerySet:
    """Who may train a run of `course`: programme staff (admins among them), and the people
    acting for the course's provider when the provider is an approved organisation."""
    staff_groups = [ProgrammeRole.STAFF.group_name, ProgrammeRole.ADMIN.group_name]
    who = Q(groups__name__in=staff_groups)
    if course.provider is not None and course.provider.is_approved:
        who |= Q(organisation_memberships__organisation=course.provider)
    return (get_user_model().objects.filter(who, is_active=True).distinct()
            .order_by("full_name", "email"))


def person_by_email(*, user, email: str):
    """The active account with this address, for programme staff placing someone on a run."""
    if not may_manage_courses(user) or not email:
        return None
    return get_user_model().objects.filter(email__iexact=email.strip(), is_active=True).first()


def courses_completed(*, user) -> list[Enrolment]:
    """The person's completed enrolments, latest first, with their run and course (one query)."""
    if not (user and user.is_authenticated):
        return []
    return list(Enrolment.objects.filter(person=user, status=Enrolment.Status.COMPLETED)
                .select_related("run__course").order_by("-completed_at", "-pk"))


def sponsor_choices(*, user) -> list:
    """The organisations a person may name as sponsor of their enrolment: the approved ones
    they act for (the rule of permissions.may_sponsor), by name."""
    if not (user and user.is_authenticated):
        return []
    return [membership.organisation for membership in organisations_of(user=user)
            if membership.organisation.is_approved]


def sponsored_enrolment_list_visible(*, user) -> QuerySet[Enrolment]:
    """Enrolments as an organisation's training record shows them (partners'
    may_see_training_record as a query): every one for programme staff; for anyone else those
    sponsored by an approved organisation they administer; none for the rest."""
    enrolments = Enrolment.objects.select_related("run__course", "sponsor", "person")
    if may_manage_courses(user):
        return enrolments
    if not (user and user.is_authenticated):
        return enrolments.none()
    administered = organisations_of(user=user).filter(
        role="admin", organisation__status="approved").values("organisation")
    return enrolments.filter(sponsor__in=administered)
