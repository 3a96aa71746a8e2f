"""The skills framework, courses, runs and sessions: what programme staff set up."""

import csv
import datetime
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from cluster_portal.audit.services import audit_record
from cluster_portal.core.actors import is_system, person_of
from cluster_portal.core.changes import save_changes
from cluster_portal.core.exceptions import ApplicationError, NotAllowed

from ..models import Course, CourseRun, CourseSkill, Session, Skill
from ..permissions import may_manage_courses

# Words the talent URLs use before "<slug>/"; no course may take them as its slug.
RESERVED_SLUGS = frozenset({"mine", "runs", "enrolments", "sessions", "certificates"})
SKILLS_FRAMEWORK = Path(__file__).resolve().parent.parent / "data" / "skills_framework.csv"


def _check_may_manage(actor) -> None:
    if not (is_system(actor) or may_manage_courses(actor)):
        raise NotAllowed("Only programme staff manage courses and the skills framework.")


def _refused(error: ValidationError) -> ApplicationError:
    fields = getattr(error, "message_dict", None) or {}
    return ApplicationError("Some fields need correcting.",
                            fields=fields or {"__all__": error.messages})


@transaction.atomic
def skills_framework_load(*, actor, path: Path = SKILLS_FRAMEWORK) -> dict:
    """Add the framework's skills from its data file, and bring the names, categories and
    descriptions of those already there up to date (matched by code). Skills staff added stay.
    Returns how many were added and changed."""
    _check_may_manage(actor)
    added = changed = 0
    with path.open(newline="", encoding="utf-8") as data:
        for line in csv.DictReader(data):
            values = {"name": line["name"].strip(), "category": line["category"].strip(),
                      "description": line["description"].strip()}
            skill = Skill.objects.filter(code=line["code"].strip()).first()
            if skill is None:
                skill = Skill(code=line["code"].strip(), **values)
                added += 1
            elif any(getattr(skill, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(skill, name, value)
                changed += 1
            else:
                continue
            try:
                skill.full_clean()
            except ValidationError as error:
                raise ApplicationError(f"Line for {line['code']!r} of the skills framework: "
                                       f"{'; '.join(error.messages)}") from error
            skill.save()
    if added or changed:
        audit_record(actor=actor, action="skills_framework.load", target=skill,
                     changes={"added": added, "changed": changed, "file": path.name})
    return {"added": added, "changed": changed}


def _unique_slug(code: str) -> str:
    base = slugify(code)[:70] or "course"
    slug, number = base, 2
    while slug in RESERVED_SLUGS or Course.objects.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


@transaction.atomic
def course_create(*, actor, code: str, title: str, summary: str, hours, mode: str = "classroom",
                  description: str = "", fee=0, provider=None, workstreams=(),
                  skills: dict | None = None, prerequisites=(),
                  certificate_valid_months: int | None = None,
                  is_published: bool = True) -> Course:
    """A course; `skills` maps each Skill it builds to the level reached."""
    _check_may_manage(actor)
    course = Course(code=code.strip().upper(), slug=_unique_slug(code), title=title.strip(),
                    summary=summary.strip(), description=description.strip(), hours=hours,
                    fee=fee, mode=mode, provider=provider,
                    certificate_valid_months=certificate_valid_months,
                    is_published=is_published)
    try:
        course.full_clean()
    except ValidationError as error:
        raise _refused(error) from error
    course.save()
    course.workstreams.set(workstreams)
    course.prerequisites.set(prerequisites)
    for skill, level in (skills or {}).items():
        CourseSkill.objects.create(course=course, skill=skill, level=level)
    audit_record(actor=actor, action="course.create", target=course,
                 changes={"code": course.code, "title": course.title})
    return course


@transaction.atomic
def course_run_create(*, actor, course: Course, starts_on: datetime.date,
                      ends_on: datetime.date, capacity: int, enrolment_opens_at,
                      enrolment_closes_at, venue: str = "", promotion: str = "confirm",
                      offer_hours: int = 48, trainers=(),
                      sessions: list[tuple] = ()) -> CourseRun:
    """A run of `course`; `sessions` are (starts_at, ends_at, title) of its timetable."""
    _check_may_manage(actor)
    run = CourseRun(course=course, starts_on=starts_on, ends_on=ends_on, capacity=capacity,
                    enrolment_opens_at=enrolment_opens_at,
                    enrolment_closes_at=enrolment_closes_at, venue=venue.strip(),
                    promotion=promotion, offer_hours=offer_hours)
    errors = {}
    if ends_on < starts_on:
        errors["ends_on"] = "The run ends on or after the day it starts."
    if enrolment_closes_at <= enrolment_opens_at:
        errors["enrolment_closes_at"] = "Enrolment closes after it opens."
    try:
        run.full_clean(exclude=["seats_taken"])
    except ValidationError as error:
        errors.update({name: messages for name, messages in error.message_dict.items()
                       if name not in errors})
    if errors:
        raise ApplicationError("Some fields need correcting.", fields=errors)
    run.save()
    run.trainers.set(trainers)
    for starts_at, ends_at, title in sessions:
        Session.objects.create(run=run, starts_at=starts_at, ends_at=ends_at, title=title)
    audit_record(actor=actor, action="course_run.create", target=run,
                 changes={"course": course.code, "starts_on": starts_on,
                          "capacity": capacity, "by": str(person_of(actor) or "the portal")})
    return run


# What the *_update services change. A course's code and slug stay (links and certificates name
# them); a run's seats change only through course_run_set_capacity, its status through its
# own decisions.
COURSE_EDITABLE = {"title", "summary", "description", "provider", "mode", "hours", "fee",
                   "certificate_valid_months", "is_published"}
RUN_EDITABLE = {"starts_on", "ends_on", "venue", "enrolment_opens_at", "enrolment_closes_at",
                "promotion", "offer_hours"}


@transaction.atomic
def course_update(*, actor, course: Course, **fields) -> Course:
    _check_may_manage(actor)
    course = Course.objects.select_for_update().get(pk=course.pk)
    try:
        save_changes(actor=actor, instance=course, action="course.update", fields=fields,
                     editable=COURSE_EDITABLE)
    except ValidationError as error:
        raise _refused(error) from error
    return course


@transaction.atomic
def course_run_update(*, actor, run: CourseRun, **fields) -> CourseRun:
    _check_may_manage(actor)
    run = CourseRun.objects.select_for_update(of=("self",)).get(pk=run.pk)
    if run.status != CourseRun.Status.SCHEDULED:
        raise ApplicationError(f"The run is {run.get_status_display().lower()}: it no longer "
                               "changes.")
    try:
        save_changes(actor=actor, instance=run, action="course_run.update", fields=fields,
                     editable=RUN_EDITABLE)
    except ValidationError as error:
        raise _refused(error) from error
    return run
