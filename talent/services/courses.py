"""The skills framework, courses, runs and sessions: what programme staff set up."""

import csv
import datetime
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify

from cluster_portal.audit.services import audit_record
from cluster_portal.core.actors import is_system, person_of
from cluster_portal.core.changes import save_changes
from cluster_portal.core.exceptions import ApplicationError, Conflict, NotAllowed

from ..models import (
    Course,
    CourseRun,
    CourseSkill,
    ProficiencyLevel,
    Session,
    Skill,
    WorkstreamSkillNeed,
)
from ..permissions import may_manage_courses
from ..selectors import trainer_candidates
from .enrolments import course_run_set_capacity

# Words the talent URLs use before "<slug>/"; no course may take them as its slug.
RESERVED_SLUGS = frozenset({"mine", "runs", "enrolments", "sessions", "certificates", "manage",
                            "new", "skill-needs"})
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


def _names(items) -> str:
    names = [str(item) for item in items]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _provider_errors(provider, *, current=None) -> dict:
    if provider is None or provider == current or provider.is_approved:
        return {}
    return {"provider": f"{provider.name} is not an approved organisation of the programme; "
                        "only approved organisations provide courses."}


def _workstream_errors(workstreams, *, current=()) -> dict:
    # A course keeps a workstream that has stopped being active; it is not given a new one.
    kept = {workstream.pk for workstream in current}
    inactive = [workstream for workstream in workstreams
                if workstream.pk not in kept and not workstream.is_active]
    if not inactive:
        return {}
    verb = "is" if len(inactive) == 1 else "are"
    return {"workstreams": f"{_names(workstream.name for workstream in inactive)} {verb} not "
                           "active: courses are listed under active workstreams only."}


def _prerequisite_errors(course: Course, prerequisites) -> dict:
    """A course may not require itself, nor a course that already requires it (the two could
    then never be taken)."""
    if course.pk is None:
        return {}
    chosen = {prerequisite.pk: prerequisite for prerequisite in prerequisites}
    problems = []
    if course.pk in chosen:
        problems.append(f"{course.code} cannot be a prerequisite of itself.")
    requiring = Course.prerequisites.through.objects.filter(
        to_course=course, from_course__in=chosen).values_list("from_course", flat=True)
    for pk in sorted(requiring, key=lambda pk: chosen[pk].code):
        problems.append(f"{chosen[pk].code} already requires {course.code}, so it cannot be a "
                        "prerequisite of it too: neither could ever be taken.")
    return {"prerequisites": problems} if problems else {}


def _skill_errors(skills: dict) -> dict:
    wrong = [skill.name for skill, level in skills.items() if level not in ProficiencyLevel.values]
    if not wrong:
        return {}
    return {"skills": f"Give {_names(wrong)} a level from 1 to 6."}


def _refuse_if(errors: dict) -> None:
    if errors:
        raise ApplicationError("Some fields need correcting.", fields=errors)


@transaction.atomic
def course_create(*, actor, code: str, title: str, summary: str, hours, mode: str = "classroom",
                  description: str = "", fee=0, provider=None, workstreams=(),
                  skills: dict | None = None, prerequisites=(),
                  certificate_valid_months: int | None = None,
                  is_published: bool = True) -> Course:
    """A course; `skills` maps each Skill it builds to the level reached. Its provider is an
    approved organisation, its workstreams active ones."""
    _check_may_manage(actor)
    course = Course(code=code.strip().upper(), slug=_unique_slug(code), title=title.strip(),
                    summary=summary.strip(), description=description.strip(), hours=hours,
                    fee=fee, mode=mode, provider=provider,
                    certificate_valid_months=certificate_valid_months,
                    is_published=is_published)
    errors = {**_provider_errors(provider), **_workstream_errors(workstreams),
              **_skill_errors(skills or {})}
    try:
        course.full_clean()
    except ValidationError as error:
        errors = {**error.message_dict, **errors}
    _refuse_if(errors)
    course.save()
    course.workstreams.set(workstreams)
    course.prerequisites.set(prerequisites)
    for skill, level in (skills or {}).items():
        CourseSkill.objects.create(course=course, skill=skill, level=level)
    audit_record(actor=actor, action="course.create", target=course,
                 changes={"code": course.code, "title": course.title})
    return course


def _sessions_outside(run: CourseRun, starts_on: datetime.date, ends_on: datetime.date) -> dict:
    """The run's dates may not move away from its sessions."""
    outside = [session for session in run.sessions.all()
               if timezone.localdate(session.starts_at) < starts_on
               or timezone.localdate(session.ends_at) > ends_on]
    if not outside:
        return {}
    when = _names(date_format(timezone.localtime(session.starts_at), "j M Y")
                  for session in outside)
    return {"starts_on" if timezone.localdate(outside[0].starts_at) < starts_on else "ends_on":
            f"The sessions of {when} would fall outside the run's dates: move or remove them "
            "first."}


def _run_date_errors(*, starts_on, ends_on, enrolment_opens_at, enrolment_closes_at) -> dict:
    errors = {}
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = "The run ends on or after the day it starts."
    if enrolment_opens_at and enrolment_closes_at and enrolment_closes_at <= enrolment_opens_at:
        errors["enrolment_closes_at"] = "Enrolment closes after it opens."
    return errors


def _trainer_errors(course: Course, trainers, *, current=()) -> dict:
    """Trainers are programme staff, or people acting for the course's provider. Someone
    already training the run stays, even after leaving the provider."""
    kept = {trainer.pk for trainer in current}
    added = {trainer.pk: trainer for trainer in trainers if trainer.pk not in kept}
    if not added:
        return {}
    allowed = set(trainer_candidates(course=course).filter(pk__in=added)
                  .values_list("pk", flat=True))
    refused = [trainer for pk, trainer in added.items() if pk not in allowed]
    if not refused:
        return {}
    who = "programme staff"
    if course.provider is not None:
        who += f" or people acting for {course.provider.name}"
    names = _names(trainer.full_name or trainer.email for trainer in refused)
    return {"trainers": f"{names} cannot train this run: its trainers are {who}."}


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
    errors = {**_run_date_errors(starts_on=starts_on, ends_on=ends_on,
                                 enrolment_opens_at=enrolment_opens_at,
                                 enrolment_closes_at=enrolment_closes_at),
              **_trainer_errors(course, trainers)}
    try:
        run.full_clean(exclude=["seats_taken"], validate_constraints=False)
    except ValidationError as error:
        errors.update({name: messages for name, messages in error.message_dict.items()
                       if name not in errors})
    if not errors:
        for starts_at, ends_at, _title in sessions:
            errors.update(_session_errors(run, starts_at, ends_at))
    _refuse_if(errors)
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


def _replace_set(manager, wanted, *, name_of) -> list | None:
    """Make a many-to-many set exactly `wanted`; [before, after] by name when it changed."""
    before = list(manager.all())
    if {item.pk for item in before} == {item.pk for item in wanted}:
        return None
    manager.set(wanted)
    return [sorted(name_of(item) for item in before), sorted(name_of(item) for item in wanted)]


def _replace_skills(course: Course, skills: dict) -> list | None:
    before = {taught.skill_id: taught for taught in course.skills_taught.select_related("skill")}
    if {pk: taught.level for pk, taught in before.items()} == {
            skill.pk: level for skill, level in skills.items()}:
        return None
    course.skills_taught.exclude(skill__in=list(skills)).delete()
    for skill, level in skills.items():
        CourseSkill.objects.update_or_create(course=course, skill=skill,
                                             defaults={"level": level})
    return [sorted(f"{taught.skill.name}: level {taught.level}" for taught in before.values()),
            sorted(f"{skill.name}: level {level}" for skill, level in skills.items())]


@transaction.atomic
def course_update(*, actor, course: Course, workstreams=None, prerequisites=None,
                  skills: dict | None = None, **fields) -> Course:
    """Change a course's descriptive `fields` (COURSE_EDITABLE) and, when given, its
    workstreams, prerequisites and skills (each the whole new set; None leaves it as it is),
    recorded as one audit event of what changed."""
    _check_may_manage(actor)
    course = Course.objects.select_for_update().get(pk=course.pk)
    errors = {}
    if "provider" in fields:
        errors.update(_provider_errors(fields["provider"], current=course.provider))
    if workstreams is not None:
        errors.update(_workstream_errors(workstreams, current=course.workstreams.all()))
    if prerequisites is not None:
        errors.update(_prerequisite_errors(course, prerequisites))
    if skills is not None:
        errors.update(_skill_errors(skills))
    _refuse_if(errors)
    related = {}
    if workstreams is not None:
        related["workstreams"] = _replace_set(course.workstreams, workstreams,
                                              name_of=lambda workstream: workstream.name)
    if prerequisites is not None:
        related["prerequisites"] = _replace_set(course.prerequisites, prerequisites,
                                                name_of=lambda prerequisite: prerequisite.code)
    if skills is not None:
        related["skills"] = _replace_skills(course, skills)
    try:
        save_changes(actor=actor, instance=course, action="course.update", fields=fields,
                     editable=COURSE_EDITABLE,
                     related={name: change for name, change in related.items() if change})
    except ValidationError as error:
        raise _refused(error) from error
    return course


def _lock_scheduled_run(run: CourseRun, *, what: str) -> CourseRun:
    run = (CourseRun.objects.select_for_update(of=("self",)).select_related("course__provider")
           .get(pk=run.pk))
    if run.status != CourseRun.Status.SCHEDULED:
        raise Conflict(f"The run is {run.get_status_display().lower()}: {what} no longer "
                       "changes.", code="run_not_scheduled")
    return run


@transaction.atomic
def course_run_update(*, actor, run: CourseRun, trainers=None, capacity: int | None = None,
                      **fields) -> CourseRun:
    """Change a scheduled run's `fields` (RUN_EDITABLE) and, when given, its trainers (the
    whole new set) and its seats. Seats change through course_run_set_capacity, in the same
    transaction: never fewer than are taken, and new seats go to the waitlist at once. The run
    returned carries `promoted`, the enrolments those new seats went to."""
    _check_may_manage(actor)
    run = _lock_scheduled_run(run, what="it")
    after = {name: fields.get(name, getattr(run, name)) for name in RUN_EDITABLE}
    errors = _run_date_errors(**{name: after[name] for name in (
        "starts_on", "ends_on", "enrolment_opens_at", "enrolment_closes_at")})
    if not errors and (after["starts_on"], after["ends_on"]) != (run.starts_on, run.ends_on):
        errors.update(_sessions_outside(run, after["starts_on"], after["ends_on"]))
    current_trainers = list(run.trainers.all())
    if trainers is not None:
        errors.update(_trainer_errors(run.course, trainers, current=current_trainers))
    _refuse_if(errors)
    related = {}
    if trainers is not None:
        related["trainers"] = _replace_set(
            run.trainers, trainers, name_of=lambda trainer: trainer.full_name or trainer.email)
    try:
        save_changes(actor=actor, instance=run, action="course_run.update", fields=fields,
                     editable=RUN_EDITABLE,
                     related={name: change for name, change in related.items() if change})
    except ValidationError as error:
        raise _refused(error) from error
    if capacity is not None and capacity != run.capacity:
        return course_run_set_capacity(actor=actor, run=run, capacity=capacity)
    run.promoted = []
    return run


# --- sessions ----------------------------------------------------------------------------------

SESSION_EDITABLE = {"title", "starts_at", "ends_at"}


def _session_errors(run: CourseRun, starts_at, ends_at) -> dict:
    """A session ends after it starts, and lies within the run's dates."""
    if ends_at <= starts_at:
        return {"ends_at": "A session ends after it starts."}
    dates = date_format(run.starts_on, "j M Y")
    if run.ends_on != run.starts_on:
        dates += f" to {date_format(run.ends_on, 'j M Y')}"
    errors = {}
    within = f"Within the run's dates, {dates}."
    if not run.starts_on <= timezone.localdate(starts_at) <= run.ends_on:
        errors["starts_at"] = within
    if not run.starts_on <= timezone.localdate(ends_at) <= run.ends_on:
        errors["ends_at"] = within
    return errors


@transaction.atomic
def session_create(*, actor, run: CourseRun, starts_at: datetime.datetime,
                   ends_at: datetime.datetime, title: str = "") -> Session:
    _check_may_manage(actor)
    run = _lock_scheduled_run(run, what="its timetable")
    session = Session(run=run, starts_at=starts_at, ends_at=ends_at, title=title.strip())
    errors = _session_errors(run, starts_at, ends_at)
    try:
        session.full_clean(validate_constraints=False)
    except ValidationError as error:
        errors = {**error.message_dict, **errors}
    _refuse_if(errors)
    session.save()
    audit_record(actor=actor, action="session.create", target=session, scope=run,
                 changes={"starts_at": starts_at, "ends_at": ends_at, "title": session.title})
    return session


@transaction.atomic
def session_update(*, actor, session: Session, **fields) -> Session:
    """Change a session's title or times (SESSION_EDITABLE), still within the run's dates."""
    _check_may_manage(actor)
    run = _lock_scheduled_run(session.run, what="its timetable")
    session = Session.objects.select_for_update().get(pk=session.pk)
    refused = set(fields) - SESSION_EDITABLE
    if refused:
        raise ApplicationError(f"These can't be changed here: {', '.join(sorted(refused))}.")
    if "title" in fields:
        fields["title"] = fields["title"].strip()
    changes = {name: [getattr(session, name), value] for name, value in fields.items()
               if getattr(session, name) != value}
    for name, (_, value) in changes.items():
        setattr(session, name, value)
    errors = _session_errors(run, session.starts_at, session.ends_at)
    try:
        session.full_clean(validate_constraints=False)
    except ValidationError as error:
        errors = {**error.message_dict, **errors}
    _refuse_if(errors)
    if changes:
        session.save(update_fields=list(changes))
        audit_record(actor=actor, action="session.update", target=session, scope=run,
                     changes=changes)
    return session


@transaction.atomic
def session_delete(*, actor, session: Session) -> None:
    """Remove a session from a scheduled run's timetable, unless attendance was marked at it
    (the record of who came stays)."""
    _check_may_manage(actor)
    run = _lock_scheduled_run(session.run, what="its timetable")
    session = Session.objects.select_for_update().get(pk=session.pk)
    if session.attendance.exists():
        raise Conflict("Attendance was marked at this session, so it stays on the timetable: "
                       "the record of who came is kept.", code="session_has_attendance")
    audit_record(actor=actor, action="session.delete", target=session, scope=run,
                 changes={"starts_at": session.starts_at, "ends_at": session.ends_at,
                          "title": session.title})
    session.delete()


@transaction.atomic
def workstream_skill_need_set(*, actor, workstream, skill: Skill, level: int):
    """A workstream needs `skill` at `level` (added, or its level changed); audited."""
    _check_may_manage(actor)
    if level not in range(1, 7):
        raise ApplicationError("A level is 1 to 6.", fields={"level": "Choose 1 to 6."})
    need, created = WorkstreamSkillNeed.objects.select_for_update().get_or_create(
        workstream=workstream, skill=skill, defaults={"level": level})
    if not created and need.level == level:
        return need
    before = None if created else need.level
    if not created:
        need.level = level
        need.save(update_fields=["level"])
    audit_record(actor=actor, action="workstream_skill_need.set", target=need,
                 scope=workstream, changes={"skill": skill.name, "level": [before, level]})
    return need


@transaction.atomic
def workstream_skill_need_remove(*, actor, need) -> None:
    _check_may_manage(actor)
    audit_record(actor=actor, action="workstream_skill_need.remove", target=need,
                 scope=need.workstream, changes={"skill": need.skill.name, "level": need.level})
    need.delete()


@transaction.atomic
def skill_create(*, actor, name: str, category: str, description: str = "") -> Skill:
    """A skill the framework lacks, added by programme staff; its code is made from its name."""
    _check_may_manage(actor)
    name = " ".join((name or "").split())
    code = slugify(name)[:60]
    if Skill.objects.filter(code=code).exists() or Skill.objects.filter(
            name__iexact=name).exists():
        raise ApplicationError("The framework has this skill already.",
                               fields={"name": "A skill of this name exists."})
    skill = Skill(code=code, name=name, category=category, description=description.strip())
    try:
        skill.full_clean()
    except ValidationError as error:
        raise _refused(error) from error
    skill.save()
    audit_record(actor=actor, action="skill.create", target=skill,
                 changes={"name": name, "category": category})
    return skill
