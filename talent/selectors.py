"""Reads of the talent app, scoped to the person asking (the access layer).

The catalogue is public: published courses and their scheduled runs. A person's enrolments
are theirs alone (staff see every one); later, a partner admin sees those their organisation
sponsored and trainers those of their runs.
"""

from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Count, Exists, F, Max, Min, OuterRef, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from .models import (
    ACTIVE_ENROLMENT_STATES,
    Course,
    CourseRun,
    CourseSkill,
    Enrolment,
    Session,
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


def _upcoming_runs() -> Q:
    return Q(runs__status=CourseRun.Status.SCHEDULED, runs__starts_on__gte=timezone.localdate())


def course_list_public(*, filters: CatalogueFilters = CatalogueFilters()) -> QuerySet[Course]:
    """Published courses, each with its next run's start and the seats left on its upcoming
    runs, in a fixed number of queries however many courses and runs there are."""
    courses = Course.objects.filter(is_published=True)
    if filters.text:
        courses = _matching_text(courses, filters.text)
    if filters.workstream:
        courses = courses.filter(workstreams__slug=filters.workstream)
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
    return (courses.distinct()
            .annotate(next_run_on=Min("runs__starts_on", filter=_upcoming_runs()),
                      upcoming_seats=Sum(F("runs__capacity") - F("runs__seats_taken"),
                                         filter=_upcoming_runs()))
            .select_related("provider")
            .prefetch_related(Prefetch("skills_taught",
                                       queryset=CourseSkill.objects.select_related("skill")),
                              "workstreams")
            .order_by("code"))


def _matching_text(courses: QuerySet[Course], text: str) -> QuerySet[Course]:
    """Every word, in any order, in the code, title, summary or description; PostgreSQL's
    full-text search where there is one, word-by-word containment on `make run`'s SQLite."""
    if connection.vendor == "postgresql":
        vector = SearchVector("code", "title", "summary", "description", config="simple")
        return courses.annotate(search=vector).filter(
            Q(search=SearchQuery(text, config="simple", search_type="plain"))
            | Q(code__iexact=text.strip()))
    for word in text.split():
        courses = courses.filter(Q(code__icontains=word) | Q(title__icontains=word)
                                 | Q(summary__icontains=word)
                                 | Q(description__icontains=word))
    return courses


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


def course_run_get_visible(*, user, pk: int) -> CourseRun | None:
    """A run of a published course for everyone; any run for programme staff."""
    runs = CourseRun.objects.select_related("course").prefetch_related(
        Prefetch("sessions", queryset=Session.objects.order_by("starts_at")), "trainers")
    if not may_manage_courses(user):
        runs = runs.filter(course__is_published=True)
    return runs.filter(pk=pk).first()


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
