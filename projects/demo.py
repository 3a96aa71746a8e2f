"""The projects the demo portal shows: ten across the active workstreams, one or more in every
state of the lifecycle, with their organisations, teams, skills, plans (some work overdue, some
done), deliverables in every acceptance state, monthly status updates and contributions.

Made through the services, as the people of the demo would make them: the principal
investigators report and plan, the lead organisations' people submit. What only staff with a
second factor may do (create, move, review, record contributions) the portal itself does, since
the demo staff set up their authenticator on first sign-in. Dates are relative to the day of the
seed. Idempotent: a project whose title exists in its workstream is left as it is.
"""

import datetime
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.text import slugify

from cluster_portal.accounts.models import User
from cluster_portal.core.actors import SYSTEM
from partners.models import Organisation
from talent.models import Skill
from workstreams.models import Programme

from .models import Contribution, Deliverable, Project, Rag, Visibility
from .services import (
    contribution_record,
    deliverable_approve,
    deliverable_create,
    deliverable_return,
    deliverable_save_draft,
    deliverable_submit,
    milestone_complete,
    milestone_create,
    project_create,
    project_transition,
    status_update_post,
)

S, D = Project.Status, Deliverable.Status
MERIDIAN, AURORA, HELIX = "Meridian Pharma Asia", "Aurora Therapeutics", "Helix Biologics"
STRAITS, QUANTIX = "Straits Process Engineering", "Quantix Automation"
IPCE = "Institute of Process Chemistry and Engineering"
# Who acts for each lead organisation (submits its deliverables): its demo partner admin.
SUBMITTER = {MERIDIAN: "partner.admin@example.org", AURORA: "contact@aurora.example.org",
             HELIX: "contact@helix.example.org", STRAITS: "contact@straits.example.org",
             QUANTIX: "contact@quantix.example.org", IPCE: "contact@ipce.example.org"}
OFFICER = "staff@example.org"

# The moves from a draft to each state, with the reason given where one is required.
PATH_TO = {
    S.DRAFT: [],
    S.PROPOSED: [(S.PROPOSED, "")],
    S.APPROVED: [(S.PROPOSED, ""), (S.APPROVED, "")],
    S.ACTIVE: [(S.PROPOSED, ""), (S.APPROVED, ""), (S.ACTIVE, "")],
    S.ON_HOLD: [(S.PROPOSED, ""), (S.APPROVED, ""), (S.ACTIVE, ""),
                (S.ON_HOLD, "The pilot granulator is out of service until its rebuild; work "
                            "resumes when it is requalified.")],
    S.COMPLETED: [(S.PROPOSED, ""), (S.APPROVED, ""), (S.ACTIVE, ""), (S.COMPLETED, "")],
    S.CANCELLED: [(S.PROPOSED, ""),
                  (S.CANCELLED, "The partners chose to fold the work into an existing "
                                "biocatalysis project instead.")],
}
# Moves made once the project's work is in place (a project on hold or completed was active).
LAST_MOVES = {S.ON_HOLD, S.COMPLETED}
# The RAG pattern of the monthly updates, oldest first, per project (repeated as needed).
RAG_PATTERNS = {
    "green": [Rag.GREEN, Rag.GREEN, Rag.AMBER, Rag.GREEN],
    "slipping": [Rag.GREEN, Rag.AMBER, Rag.AMBER, Rag.RED],
    "recovering": [Rag.AMBER, Rag.RED, Rag.AMBER, Rag.GREEN],
}
MONTHS_REPORTED = 6
DEMO_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
            b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
            b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
            b"trailer<</Root 1 0 R>>\n%%EOF\n")
LATE = "The last runs took longer than planned, and the report waited for their results."


@dataclass
class DemoProject:
    workstream: str
    title: str
    summary: str
    lead: str
    partners: list[str]
    investigator: str
    team: dict[str, str]
    starts_in: int        # days from the seed
    lasts: int            # days
    trl: tuple[int, int]  # at start, target
    status: str
    visibility: str = Visibility.MEMBERS
    skills: dict[str, int] = field(default_factory=dict)
    # (title, due in days from the seed, reached (days from the seed) or None)
    milestones: list[tuple[str, int, int | None]] = field(default_factory=list)
    # (title, kind, due in days, the acceptance state it reaches, the milestone it serves)
    deliverables: list[tuple[str, str, int, str, str | None]] = field(default_factory=list)
    rag: str = "green"
    # {organisation: (cash per year, in kind per year)} committed; actual follows the years gone
    contributions: dict[str, tuple[int, int]] = field(default_factory=dict)


PROJECTS = [
    DemoProject(
        "CM", "End-to-end continuous line for an oral solid dose",
        "A pilot-scale line from API crystallisation to coated tablets, run continuously under "
        "one control strategy.", MERIDIAN, [IPCE, AURORA], "partner.member@example.org",
        {"partner.admin@example.org": "Project manager",
         "contact@ipce.example.org": "Process modelling lead"},
        -420, 720, (4, 7), S.ACTIVE, Visibility.PUBLIC,
        {"continuous-processing": 4, "pat": 3, "process-modelling": 3},
        [("Line design frozen", -300, -305), ("Pilot line commissioned", -60, None),
         ("First 72-hour campaign", 90, None), ("Tech transfer to the plant", 280, None)],
        [("Line design report", "report", -290, D.APPROVED, "Line design frozen"),
         ("Control strategy", "report", -30, D.RETURNED, None),
         ("Pilot campaign data set", "dataset", 120, D.DRAFT, "First 72-hour campaign"),
         ("Tech transfer package", "report", 290, D.PENDING, "Tech transfer to the plant")],
        "slipping", {MERIDIAN: (250000, 120000), IPCE: (0, 180000), AURORA: (80000, 40000)}),
    DemoProject(
        "CM", "Continuous crystallisation control with PAT",
        "In-line Raman and FBRM models that hold particle size steady in a continuous "
        "crystalliser.", IPCE, [MERIDIAN, STRAITS], "contact@ipce.example.org",
        {"partner.member@example.org": "Crystallisation engineer",
         "contact@straits.example.org": "Skid design"},
        -300, 730, (3, 6), S.ACTIVE, Visibility.MEMBERS,
        {"crystallisation": 4, "pat": 4, "data-analytics": 2},
        [("Probe selection", -200, -210), ("Calibration models built", -45, None),
         ("Closed-loop trial", 150, None)],
        [("PAT model validation report", "report", -100, D.SUBMITTED, None),
         ("Crystallisation PAT model", "software", -40, D.PENDING, "Calibration models built"),
         ("Closed-loop trial report", "report", 200, D.PENDING, "Closed-loop trial")],
        "recovering", {IPCE: (0, 150000), MERIDIAN: (120000, 60000), STRAITS: (0, 50000)}),
    DemoProject(
        "BC", "Enzyme cascade for a chiral amine intermediate",
        "A transaminase and ketoreductase cascade that replaces a metal-catalysed step and two "
        "protecting groups.", HELIX, [IPCE], "contact@helix.example.org",
        {"contact@ipce.example.org": "Enzyme engineering"},
        -200, 730, (2, 5), S.ACTIVE, Visibility.PARTICIPANTS,
        {"biocatalysis": 4, "green-chemistry": 3},
        [("Enzyme panel screened", -90, -95), ("Cascade at gram scale", 60, None)],
        [("Enzyme screening report", "report", -80, D.APPROVED, "Enzyme panel screened"),
         ("Gram-scale cascade protocol", "report", 90, D.PENDING, "Cascade at gram scale")],
        "green", {HELIX: (90000, 60000), IPCE: (0, 120000)}),
    DemoProject(
        "DF", "Digital twin of a continuous granulation line",
        "A hybrid model of twin-screw granulation that stays in step with the plant and "
        "predicts granule size.", QUANTIX, [MERIDIAN], "contact@quantix.example.org",
        {"partner.member@example.org": "Plant data owner"},
        -250, 730, (3, 6), S.ON_HOLD, Visibility.MEMBERS,
        {"digital-twins": 4, "process-modelling": 3, "automation": 2},
        [("Historian data connected", -150, -160), ("First model fitted", -20, None)],
        [("Data model specification", "report", -140, D.APPROVED, "Historian data connected"),
         ("Granulation twin, first release", "software", -15, D.PENDING, "First model fitted")],
        "slipping", {QUANTIX: (0, 100000), MERIDIAN: (150000, 30000)}),
    DemoProject(
        "PE", "Spray-dried amorphous dispersions at pilot scale",
        "Spray-drying conditions that keep a poorly soluble API amorphous and stable through "
        "scale-up.", AURORA, [IPCE], "contact@aurora.example.org",
        {"contact@ipce.example.org": "Solid-state analysis"},
        -760, 730, (4, 6), S.COMPLETED, Visibility.PUBLIC,
        {"particle-engineering": 4, "solid-state": 3},
        [("Formulation screen", -600, -610), ("Pilot campaign", -200, -190),
         ("Stability at six months", -60, -40)],
        [("Formulation screen report", "report", -590, D.APPROVED, "Formulation screen"),
         ("Final report", "report", -45, D.APPROVED, None)],
        "green", {AURORA: (200000, 80000), IPCE: (0, 140000)}),
    DemoProject(
        "PO", "Solvent recovery for multi-product plants",
        "Shared distillation and membrane units that recover solvents across products without "
        "cross-contamination.", STRAITS, [AURORA], "contact@straits.example.org",
        {"contact@aurora.example.org": "Plant sponsor"},
        30, 700, (5, 7), S.APPROVED, Visibility.PUBLIC,
        {"equipment-design": 3, "green-chemistry": 3, "gmp": 2},
        [("Solvent inventory", 120, None)],
        [("Recovery options study", "report", 150, D.PENDING, "Solvent inventory")],
        "green", {STRAITS: (0, 60000), AURORA: (100000, 20000)}),
    DemoProject(
        "CM", "Real-time release testing case study",
        "A worked case for releasing a continuous product on process data, prepared with the "
        "regulator.", AURORA, [MERIDIAN], "contact@aurora.example.org",
        {"partner.admin@example.org": "Quality lead"},
        60, 730, (5, 7), S.PROPOSED, Visibility.MEMBERS,
        {"regulatory-submissions": 4, "pat": 3, "quality-risk-management": 3}),
    DemoProject(
        "DF", "Manufacturing data platform for the partners",
        "Common data models and a shared platform for the partners' batch and continuous "
        "records.", MERIDIAN, [QUANTIX], "partner.member@example.org", {},
        90, 730, (3, 6), S.DRAFT, Visibility.MEMBERS,
        {"data-integrity": 3, "manufacturing-execution": 3}),
    DemoProject(
        "BC", "Immobilised transaminases in flow",
        "Packed-bed transaminases for continuous amine synthesis.", IPCE, [HELIX],
        "contact@ipce.example.org", {}, 30, 600, (2, 4), S.CANCELLED, Visibility.MEMBERS,
        {"biocatalysis": 3, "flow-chemistry": 3}),
    DemoProject(
        "PO", "Cleaning validation with in-line analytics",
        "Rinse-water spectroscopy that shortens changeovers in shared equipment.", STRAITS,
        [QUANTIX], "contact@straits.example.org", {"contact@quantix.example.org": "Analytics"},
        45, 540, (3, 6), S.PROPOSED, Visibility.PUBLIC,
        {"analytical-chemistry": 3, "validation": 3}),
]


def seed_projects(*, programme: Programme) -> list[Project]:
    workstreams = {workstream.code: workstream for workstream in programme.workstreams.all()}
    organisations = {organisation.name: organisation
                     for organisation in Organisation.objects.all()}
    people = {person.email: person for person in User.objects.filter(email__in={
        OFFICER, *SUBMITTER.values(), *(p.investigator for p in PROJECTS),
        *(email for p in PROJECTS for email in p.team)})}
    skills = {skill.code: skill for skill in Skill.objects.all()}
    projects = []
    for demo in PROJECTS:
        workstream = workstreams[demo.workstream]
        project = workstream.projects.filter(title=demo.title).first()
        if project is None:
            project = _seed_project(demo, workstream=workstream, organisations=organisations,
                                    people=people, skills=skills)
        projects.append(project)
    return projects


def _day(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def _seed_project(demo: DemoProject, *, workstream, organisations, people, skills) -> Project:
    starts_on = _day(demo.starts_in)
    project = project_create(
        actor=SYSTEM, workstream=workstream, title=demo.title, summary=demo.summary,
        objectives=demo.summary, lead_organisation=organisations[demo.lead],
        participants=[organisations[name] for name in demo.partners],
        principal_investigator=people[demo.investigator],
        team={people[email]: role for email, role in demo.team.items()},
        skills={skills[code]: level for code, level in demo.skills.items()},
        starts_on=starts_on, ends_on=starts_on + datetime.timedelta(days=demo.lasts),
        trl_start=demo.trl[0], trl_target=demo.trl[1], visibility=demo.visibility,
        officer=people[OFFICER])
    moves = PATH_TO[demo.status]
    kept_for_last = moves[-1:] if demo.status in LAST_MOVES else []
    for to, reason in moves[:len(moves) - len(kept_for_last)]:
        project = project_transition(actor=SYSTEM, project=project, to=to, reason=reason)
    investigator = people[demo.investigator]
    _seed_plan(project, demo, investigator=investigator,
               submitter=people[SUBMITTER[demo.lead]])
    if project.status in (S.ACTIVE, S.ON_HOLD) or kept_for_last:
        _seed_updates(project, demo, investigator=investigator)
    _seed_contributions(project, demo, organisations=organisations)
    for to, reason in kept_for_last:
        project = project_transition(actor=SYSTEM, project=project, to=to, reason=reason)
    _date_the_moves(project)
    return project


# When each move of the lifecycle happened, relative to the project's start, so a demo
# project's timeline reads as a history rather than as a day of moves.
MOVE_DAYS_FROM_START = {S.PROPOSED: -75, S.DRAFT: -70, S.APPROVED: -30, S.ACTIVE: 0}


def _date_the_moves(project: Project) -> None:
    """The services record each move as made now; the demo dates them back as they would have
    happened (moves that stop a project stay on today). Only the time of the demo's own rows
    changes."""
    now = timezone.now()
    for move in project.transitions.all():
        days = MOVE_DAYS_FROM_START.get(move.to_status)
        if days is None:
            continue
        at = timezone.make_aware(datetime.datetime.combine(
            project.starts_on + datetime.timedelta(days=days), datetime.time(10, 0)))
        if at < now:
            type(move).objects.filter(pk=move.pk).update(at=at)


def _seed_plan(project: Project, demo: DemoProject, *, investigator, submitter) -> None:
    """The team plans; what was reached is marked on its day; each deliverable is taken to its
    acceptance state by the people who would (the lead organisation submits, the programme
    decides)."""
    milestones = {}
    for title, due_in, reached_in in demo.milestones:
        milestone = milestone_create(actor=investigator, project=project, title=title,
                                     due_on=_day(due_in))
        if reached_in is not None:
            milestone_complete(actor=investigator, milestone=milestone,
                               completed_on=_day(min(reached_in, 0)))
        milestones[title] = milestone
    for title, kind, due_in, state, serves in demo.deliverables:
        due_on = _day(due_in)
        deliverable = deliverable_create(
            actor=investigator, project=project, title=title, kind=kind, due_on=due_on,
            milestone=milestones[serves] if serves else None)
        if state == D.PENDING:
            continue
        file = ContentFile(DEMO_PDF, name=f"{slugify(title)}.pdf")
        if state == D.DRAFT:
            deliverable_save_draft(actor=investigator, deliverable=deliverable, file=file)
            continue
        deliverable = deliverable_submit(
            actor=submitter, deliverable=deliverable, file=file,
            late_justification=LATE if due_on < timezone.localdate() else "")
        if state == D.APPROVED:
            deliverable_approve(actor=SYSTEM, deliverable=deliverable,
                                comments="Accepted as it stands.")
        elif state == D.RETURNED:
            deliverable_return(actor=SYSTEM, deliverable=deliverable, comments=(
                "Add the failure modes of the feeders and how the control strategy handles "
                "each, then submit it again."))


def _months_reported(project: Project) -> list[datetime.date]:
    """The last months up to the previous one (this month's update is still to come), from the
    project's first month, and not after it ended."""
    last = min(timezone.localdate(), project.ends_on).replace(day=1)
    if project.ends_on >= timezone.localdate():
        last = (last - datetime.timedelta(days=1)).replace(day=1)
    months = []
    while last >= project.starts_on.replace(day=1) and len(months) < MONTHS_REPORTED:
        months.append(last)
        last = (last - datetime.timedelta(days=1)).replace(day=1)
    return list(reversed(months))


def _seed_updates(project: Project, demo: DemoProject, *, investigator) -> None:
    pattern = RAG_PATTERNS[demo.rag]
    months = _months_reported(project)
    # The TRL rises in steps over the months reported: to the target for a project that ends
    # with them, one short of it for one still running.
    rise = demo.trl[1] - demo.trl[0] - (0 if demo.status == S.COMPLETED else 1)
    reached = demo.trl[0]
    for number, period in enumerate(months):
        overall = pattern[number % len(pattern)]
        level = demo.trl[0] + (number + 1) * rise // len(months)
        trl, reached = (level if level > reached else None), max(level, reached)
        status_update_post(
            actor=investigator, project=project, period=period, overall=overall,
            schedule=overall, budget=Rag.GREEN if overall != Rag.RED else Rag.AMBER,
            narrative=_narrative(overall, period), trl=trl)


def _narrative(overall: str, period: datetime.date) -> str:
    month = f"{period:%B %Y}"
    if overall == Rag.GREEN:
        return (f"{month}: work went to plan. Runs completed as scheduled and the results "
                "match the models. Next: the campaign planned for next month.")
    if overall == Rag.AMBER:
        return (f"{month}: some slippage. A supplier delivered a probe three weeks late; the "
                "plan absorbs it if next month's runs go ahead.")
    return (f"{month}: behind plan. Equipment downtime stopped the runs for most of the month; "
            "a recovery plan goes to the steering committee.")


def _seed_contributions(project: Project, demo: DemoProject, *, organisations) -> None:
    """Committed every year of the project; given in full for the years gone by, half of this
    year's, nothing yet for the years to come."""
    this_year = timezone.localdate().year
    for name, (cash, in_kind) in demo.contributions.items():
        for year in range(project.starts_on.year, project.ends_on.year + 1):
            share = 1 if year < this_year else 0.5 if year == this_year else 0
            for kind, amount in ((Contribution.Kind.CASH, cash),
                                 (Contribution.Kind.IN_KIND, in_kind)):
                if amount:
                    contribution_record(
                        actor=SYSTEM, project=project, organisation=organisations[name],
                        year=year, kind=kind, committed_sgd=amount,
                        actual_sgd=int(amount * share))
