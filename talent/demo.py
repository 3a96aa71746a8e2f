"""The training the demo portal shows: the skills framework, a dozen courses across the
workstreams, runs past and to come, one full run with a waitlist, and past runs completed from
their registers, with certificates (and a learning path's).
Made through the services, and idempotent: a course whose code exists is left as it is."""

import datetime

from django.utils import timezone

from cluster_portal.core.actors import SYSTEM
from partners.models import Organisation
from workstreams.models import Programme

from .models import Course, CourseRun, LearningPath, LearningPathStep, Skill
from .services import (
    attendance_mark,
    certificate_issue,
    course_create,
    course_run_complete,
    course_run_create,
    enrolment_create,
    skills_framework_load,
)

# code, title, summary, workstream codes, mode, hours, fee, {skill code: level}, prerequisite,
# certificate valid for (months), provider
COURSES = [
    ("CM-101", "Continuous manufacturing fundamentals",
     "Why and how plants move from batch to flow: equipment, control and quality.",
     ["CM"], "classroom", 14, 600, {"continuous-processing": 2, "flow-chemistry": 2}, None,
     None, "Institute of Process Chemistry and Engineering"),
    ("CM-201", "Designing continuous crystallisation",
     "Mixed-suspension and plug-flow crystallisers, from lab data to a pilot design.",
     ["CM", "PE"], "blended", 21, 1200, {"crystallisation": 3, "process-modelling": 2}, "CM-101",
     None, "Institute of Process Chemistry and Engineering"),
    ("CM-301", "Real-time release testing in practice",
     "Control strategies that release product on process data, with the regulator's view.",
     ["CM"], "classroom", 14, 1500, {"pat": 4, "regulatory-submissions": 3}, "PAT-101", None,
     "Aurora Therapeutics"),
    ("PAT-101", "Process analytical technology: the essentials",
     "Spectroscopic probes, chemometric models and how to keep them valid.",
     ["CM", "DF"], "blended", 18, 900, {"pat": 2, "data-analytics": 2}, None, None,
     "Quantix Automation"),
    ("BC-101", "Biocatalysis for process chemists",
     "Choosing, screening and scaling enzymes for active-ingredient routes.",
     ["BC"], "classroom", 21, 1100, {"biocatalysis": 3, "green-chemistry": 2}, None, None,
     "Institute of Process Chemistry and Engineering"),
    ("BC-201", "Enzyme immobilisation and flow biocatalysis",
     "Immobilised enzymes in packed beds: activity, stability and reuse.",
     ["BC", "CM"], "classroom", 14, 1300, {"biocatalysis": 4, "continuous-processing": 3},
     "BC-101", None, "Helix Biologics"),
    ("DF-101", "Data analytics for manufacturing",
     "From historian data to insight: statistics, multivariate methods and dashboards.",
     ["DF"], "online", 12, 450, {"data-analytics": 3}, None, None, "Quantix Automation"),
    ("DF-201", "Building a digital twin of a unit operation",
     "Hybrid models that stay in step with the plant, and what they are good for.",
     ["DF", "CM"], "blended", 24, 1600, {"digital-twins": 3, "process-modelling": 3}, "DF-101",
     None, "Institute of Process Chemistry and Engineering"),
    ("PE-101", "Particle engineering basics",
     "Milling, granulation and drying, and the powder properties they decide.",
     ["PE"], "classroom", 14, 700, {"particle-engineering": 2, "solid-state": 2}, None, None,
     "Crystalline Solutions"),
    ("PO-101", "Lean operations in a GMP plant",
     "Flow, standard work and visual management without compromising compliance.",
     ["PO"], "classroom", 7, 350, {"lean-operations": 2, "gmp": 2}, None, None,
     "Straits Process Engineering"),
    ("GMP-100", "GMP annual refresher",
     "The year's changes in GMP expectations and the most frequent inspection findings.",
     ["PO", "CM"], "online", 4, 0, {"gmp": 2, "data-integrity": 2}, None, 12,
     "Biomanufacturing Development Agency"),
    ("AUT-101", "Automation for process engineers",
     "PLCs, DCS and the control loops of a pharmaceutical plant.",
     ["PO", "DF"], "classroom", 21, 1000, {"automation": 2, "advanced-process-control": 1},
     None, None, "Quantix Automation"),
]

# The upcoming run that every demo person wants: full, with the trainee on its waitlist.
FULL_COURSE = "PAT-101"
# Runs relative to today: (course code, starts in days, length in days, capacity, venue).
RUNS = [
    ("CM-101", -60, 2, 16, "Biopolis, Singapore"),
    ("CM-101", 21, 2, 16, "Biopolis, Singapore"),
    ("CM-201", 45, 3, 12, "Tuas Biomedical Park"),
    ("PAT-101", -30, 3, 20, "Online and Biopolis"),
    ("PAT-101", 14, 3, 2, "Online and Biopolis"),
    ("BC-101", 30, 3, 14, "Institute of Process Chemistry and Engineering"),
    ("DF-101", 7, 2, 40, ""),
    ("PE-101", 60, 2, 12, "Crystalline Solutions, Jurong"),
    ("PO-101", 10, 1, 20, "Straits Process Engineering, Tuas"),
    ("GMP-100", 5, 1, 100, ""),
    ("AUT-101", 75, 3, 10, "Quantix Automation training centre"),
]


def _sessions(starts_on: datetime.date, days: int) -> list[tuple]:
    def at(day: datetime.date, hour: int) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))

    return [(at(starts_on + datetime.timedelta(days=day), 9),
             at(starts_on + datetime.timedelta(days=day), 17), f"Day {day + 1}")
            for day in range(days)]


def seed_courses(*, programme: Programme) -> dict[str, object]:
    skills_framework_load(actor=SYSTEM)
    skills = {skill.code: skill for skill in Skill.objects.all()}
    workstreams = {workstream.code: workstream for workstream in programme.workstreams.all()}
    providers = {organisation.name: organisation for organisation in Organisation.objects.all()}
    courses = {}
    for (code, title, summary, streams, mode, hours, fee, taught, prerequisite, valid_for,
         provider) in COURSES:
        course = Course.objects.filter(code=code).first()
        if course is None:
            course = course_create(
                actor=SYSTEM, code=code, title=title, summary=summary, mode=mode, hours=hours,
                fee=fee, provider=providers.get(provider),
                workstreams=[workstreams[stream] for stream in streams if stream in workstreams],
                skills={skills[skill]: level for skill, level in taught.items()},
                prerequisites=[courses[prerequisite]] if prerequisite in courses else [],
                certificate_valid_months=valid_for)
        courses[code] = course
    return courses


# A learning path through two courses with past runs: their completions give its certificate.
LEARNING_PATH = ("continuous-manufacturing-foundations", "Continuous manufacturing foundations",
                 "The principles of flow manufacturing and the analytics that control it.",
                 ["CM-101", "PAT-101"])


def _seed_learning_path(courses: dict) -> None:
    """Reference content, like the skills framework: a plain row and its steps."""
    slug, name, summary, codes = LEARNING_PATH
    path, created = LearningPath.objects.get_or_create(
        slug=slug, defaults={"name": name, "summary": summary})
    if created:
        for order, code in enumerate(codes, start=1):
            LearningPathStep.objects.create(path=path, course=courses[code], order=order)


def seed_runs(*, courses: dict, trainer, trainees: list) -> None:
    if CourseRun.objects.exists():
        return
    _seed_learning_path(courses)
    today, now = timezone.localdate(), timezone.now()
    for code, starts_in, days, capacity, venue in RUNS:
        starts_on = today + datetime.timedelta(days=starts_in)
        # Enrolment closes two days before the run and opened two months before that.
        closes = timezone.make_aware(datetime.datetime.combine(
            starts_on - datetime.timedelta(days=2), datetime.time(23, 59)))
        opens = min(closes - datetime.timedelta(days=60), now - datetime.timedelta(days=1))
        run = course_run_create(
            actor=SYSTEM, course=courses[code], starts_on=starts_on,
            ends_on=starts_on + datetime.timedelta(days=days - 1), capacity=capacity,
            enrolment_opens_at=opens, enrolment_closes_at=closes, venue=venue,
            trainers=[trainer], sessions=_sessions(starts_on, days))
        if starts_in < 0:
            _completed(run, trainees)
        elif code == FULL_COURSE:
            for person in reversed(trainees):  # every seat taken, the trainee next in line
                enrolment_create(actor=SYSTEM, run=run, person=person)
    for code in ("CM-101", "DF-101", "GMP-100"):
        upcoming = courses[code].runs.filter(starts_on__gte=today).first()
        enrolment_create(actor=SYSTEM, run=upcoming, person=trainees[0])


def _completed(run: CourseRun, trainees: list) -> None:
    """People who took a past run: enrolled by the programme office (the window is over), their
    attendance marked on each session's register, the run completed at 75% and the
    certificates of those who completed it issued. The last of them missed the first day, and
    is a no-show."""
    enrolments = [enrolment_create(actor=SYSTEM, run=run, person=person) for person in trainees]
    missed_a_day = enrolments[-1] if len(enrolments) > 1 else None
    for number, session in enumerate(run.sessions.order_by("starts_at")):
        for enrolment in enrolments:
            attendance_mark(actor=SYSTEM, session=session, enrolment=enrolment,
                            present=not (enrolment is missed_a_day and number == 0))
    outcome = course_run_complete(actor=SYSTEM, run=run, attendance_threshold=75)
    for enrolment in outcome.completed:
        certificate_issue(actor=SYSTEM, enrolment=enrolment)
