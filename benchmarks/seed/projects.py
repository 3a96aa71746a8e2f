"""The benchmark dataset: projects with their milestones and status updates, and the work
around them: lifecycle moves, teams, skill needs, contributions, deliverables and history."""

import datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from cluster_portal.audit.models import AuditEvent
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
    StatusUpdate,
)
from talent.models import (
    Skill,
)

from .common import (
    BATCH,
    NOUNS,
    PROGRAMME_SHORT_NAME,
    RAGS,
    WORDS,
    add_months,
    at_noon,
    backdate,
    bulk,
    split,
)


class ProjectsSection:
    """A section of BenchSeeder (benchmarks.seed)."""

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
