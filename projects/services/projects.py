"""Projects themselves: creation with a generated code, their organisations, team and skills,
and their lifecycle (one move at a time, through the transition table)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cluster_portal.accounts.permissions import is_programme_staff
from cluster_portal.audit.services import audit_record
from cluster_portal.core.actors import is_system, person_of
from cluster_portal.core.changes import save_changes
from cluster_portal.core.exceptions import ApplicationError, NotAllowed, refuse_if_any
from cluster_portal.core.transitions import apply_decision, lock_for_decision
from cluster_portal.core.validators import implausible_dates
from cluster_portal.notifications.services import notify
from partners.models import OrganisationMembership
from workstreams.models import WorkstreamMembership

from .. import notification_kinds as kinds
from ..models import (
    Contribution,
    Project,
    ProjectCodeSequence,
    ProjectParticipant,
    ProjectSkillNeed,
    ProjectTeamMember,
    ProjectTransition,
    Visibility,
)
from ..permissions import (
    may_edit_project,
    may_manage_projects,
    may_move_project,
    move_refusal,
    move_roles_of,
)

Status = Project.Status

# What project_update changes; the code never, the status only through project_transition, the
# organisations, team and skills through their own services.
PROJECT_EDITABLE = {"title", "summary", "objectives", "starts_on", "ends_on", "trl_start",
                    "trl_target", "trl_current", "visibility", "officer",
                    "principal_investigator", "lead_organisation"}
# Moves that must say why: the people affected are told the reason.
REASON_REQUIRED = {Status.CANCELLED, Status.ON_HOLD, Status.DRAFT}


def _check_may_manage(actor) -> None:
    if not (is_system(actor) or may_manage_projects(actor)):
        raise NotAllowed("Only programme staff create and change projects.")


def _validation_errors(error: ValidationError) -> dict:
    return getattr(error, "message_dict", None) or {"__all__": error.messages}


def _names(items) -> str:
    items = [str(item) for item in items]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _next_code(workstream, year: int) -> str:
    """PROGRAMME-WORKSTREAM-YEAR-NNN. The counter's row is locked until the project is saved,
    so two projects created at once get consecutive numbers, and it only ever grows."""
    prefix = "-".join(part.replace(" ", "").upper() for part in (
        workstream.programme.short_name, workstream.code, str(year)))
    ProjectCodeSequence.objects.bulk_create([ProjectCodeSequence(prefix=prefix)],
                                            ignore_conflicts=True)
    sequence = ProjectCodeSequence.objects.select_for_update().get(prefix=prefix)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return f"{prefix}-{sequence.last_number:03d}"


def _non_member_errors(workstream, organisations) -> dict:
    """Every participant is an approved, active member of the project's workstream."""
    wanted = {organisation.pk: organisation for organisation in organisations}
    members = set(WorkstreamMembership.objects.filter(
        workstream=workstream, until__isnull=True, organisation__in=list(wanted),
        organisation__status="approved").values_list("organisation_id", flat=True))
    outside = [wanted[pk].name for pk in wanted if pk not in members]
    if not outside:
        return {}
    verb = "is not a member" if len(outside) == 1 else "are not members"
    return {"participants": f"{_names(outside)} {verb} of {workstream.name}; only its member "
                            "organisations take part in its projects."}


def _people_errors(people: dict, organisations, *, field: str) -> dict:
    """The principal investigator and the team are programme staff or people of a
    participating organisation."""
    organisation_ids = [organisation.pk for organisation in organisations]
    acting = set(OrganisationMembership.objects.filter(
        person__in=list(people), organisation__in=organisation_ids
    ).values_list("person_id", flat=True))
    outside = [person.get_full_name() or person.email for person in people
               if person.pk not in acting and not is_programme_staff(person)]
    if not outside:
        return {}
    s = "s" if len(outside) == 1 else ""
    return {field: f"{_names(outside)} neither act{s} for a participating organisation nor "
                   f"work{s} for the programme."}


def _skill_errors(skills: dict) -> dict:
    wrong = [skill.name for skill, level in skills.items() if level not in range(1, 7)]
    return {"skills": f"Give {_names(wrong)} a level from 1 to 6."} if wrong else {}


def _tell_team(project: Project, *, people, role: str, actor) -> None:
    notify(recipients=people, kind=kinds.PROJECT_TEAM_JOINED, actor=actor,
           message=f"You were named {role} of {project.code} “{project.title}”.",
           url=project.get_absolute_url(),
           context={"code": project.code, "title": project.title, "role": role,
                    "workstream": project.workstream.name})


@transaction.atomic
def project_create(
    *, actor, workstream, title: str, summary: str, lead_organisation, principal_investigator,
    starts_on: datetime.date, ends_on: datetime.date, trl_start: int, trl_target: int,
    objectives: str = "", participants=(), team: dict | None = None,
    skills: dict | None = None, visibility: str = Visibility.MEMBERS, officer=None,
) -> Project:
    """A draft project of an active workstream, with a new code. `participants` are the other
    organisations (the lead takes part too); `team` maps each person to their role; `skills`
    each talent Skill needed to its level. The officer is the staff member creating it unless
    another is named."""
    _check_may_manage(actor)
    organisations = list({o.pk: o for o in [lead_organisation, *participants] if o}.values())
    team = dict(team or {})
    project = Project(
        title=(title or "").strip(), summary=(summary or "").strip(),
        objectives=(objectives or "").strip(), workstream=workstream,
        lead_organisation=lead_organisation, principal_investigator=principal_investigator,
        officer=officer or person_of(actor), starts_on=starts_on, ends_on=ends_on,
        trl_start=trl_start, trl_target=trl_target, trl_current=trl_start,
        visibility=visibility, created_by=person_of(actor), code="pending",
    )
    errors = {}
    try:
        project.full_clean(exclude=["code"])
    except ValidationError as error:
        errors.update(_validation_errors(error))
    errors.update(_project_rule_errors(project))
    if workstream is not None and not workstream.is_active:
        errors["workstream"] = f"{workstream.name} is not active yet; projects run in active " \
                               "workstreams."
    if workstream is not None and organisations:
        errors.update(_non_member_errors(workstream, organisations))
    if principal_investigator is not None:
        errors.update(_people_errors({principal_investigator: None}, organisations,
                                     field="principal_investigator"))
    errors.update(_people_errors(team, organisations, field="team"))
    errors.update(_skill_errors(skills or {}))
    refuse_if_any(errors)
    project.code = _next_code(workstream, timezone.localdate().year)
    project.save()
    ProjectParticipant.objects.bulk_create(
        [ProjectParticipant(project=project, organisation=o) for o in organisations])
    ProjectTeamMember.objects.bulk_create(
        [ProjectTeamMember(project=project, person=person, role=(role or "Team member").strip())
         for person, role in team.items() if person.pk != principal_investigator.pk])
    ProjectSkillNeed.objects.bulk_create(
        [ProjectSkillNeed(project=project, skill=skill, level=level)
         for skill, level in (skills or {}).items()])
    audit_record(actor=actor, action="project.create", target=project, scope=workstream,
                 changes={"code": project.code, "title": project.title,
                          "participants": [o.name for o in organisations]})
    _tell_team(project, people=[principal_investigator], role="principal investigator",
               actor=actor)
    _tell_team(project, people=[p for p in team if p.pk != principal_investigator.pk],
               role="a team member", actor=actor)
    return project


def _project_rule_errors(project: Project) -> dict:
    errors = implausible_dates(starts_on=project.starts_on, ends_on=project.ends_on)
    if project.starts_on and project.ends_on and project.ends_on < project.starts_on:
        errors["ends_on"] = "The project ends on or after the day it starts."
    if project.trl_start and project.trl_target and project.trl_target < project.trl_start:
        errors["trl_target"] = (f"The target TRL is at least the TRL at start "
                                f"({project.trl_start}).")
    if project.officer_id and project.officer and not is_programme_staff(project.officer):
        errors["officer"] = "The officer is a member of the programme staff."
    return errors


def _check_may_edit(actor, project: Project) -> None:
    if is_system(actor):
        return
    if not may_manage_projects(actor):
        raise NotAllowed("Only programme staff change a project's details.")
    if not may_edit_project(actor, project):
        raise ApplicationError(
            f"{project.code} is {project.get_status_display().lower()}; its details no longer "
            "change.", code="project_closed")


def _lock(project: Project) -> Project:
    return Project.objects.select_for_update(of=("self",)).select_related(
        "workstream__programme").get(pk=project.pk)


@transaction.atomic
def project_update(*, actor, project: Project, **fields) -> Project:
    """Change the project's details (PROJECT_EDITABLE). Its milestones and deliverables stay
    inside its dates; the lead organisation is one of its participants; the principal
    investigator acts for one of them."""
    _check_may_edit(actor, project)
    project = _lock(project)
    for name in ("title", "summary", "objectives"):
        if isinstance(fields.get(name), str):
            fields[name] = fields[name].strip()
    participants = list(project.participants.all())
    errors = {}
    lead = fields.get("lead_organisation")
    if lead is not None and lead.pk not in {o.pk for o in participants}:
        errors["lead_organisation"] = f"{lead.name} does not take part in the project; add it " \
                                      "to the participants first."
    investigator = fields.get("principal_investigator")
    if investigator is not None and investigator.pk != project.principal_investigator_id:
        errors.update(_people_errors({investigator: None}, participants,
                                     field="principal_investigator"))
    starts_on, ends_on = fields.get("starts_on", project.starts_on), fields.get(
        "ends_on", project.ends_on)
    errors.update(_plan_outside_errors(project, starts_on, ends_on))
    candidate = Project(**{**{f: getattr(project, f) for f in PROJECT_EDITABLE}, **fields})
    candidate.officer_id = getattr(fields.get("officer"), "pk", project.officer_id)
    errors.update(_project_rule_errors(candidate))
    refuse_if_any(errors)
    try:
        save_changes(actor=actor, instance=project, action="project.update", fields=fields,
                     editable=PROJECT_EDITABLE)
    except ValidationError as error:
        raise ApplicationError("Some fields need correcting.",
                               fields=_validation_errors(error)) from error
    if investigator is not None and "principal_investigator" in fields:
        _tell_team(project, people=[investigator], role="principal investigator", actor=actor)
    return project


def _plan_outside_errors(project: Project, starts_on, ends_on) -> dict:
    """The project's dates may not move away from its milestones and deliverables."""
    if not (starts_on and ends_on):
        return {}
    outside = [m.title for m in project.milestones.all()
               if not starts_on <= m.due_on <= ends_on]
    outside += [d.title for d in project.deliverables.all()
                if not starts_on <= d.due_on <= ends_on]
    if not outside:
        return {}
    return {"ends_on": f"{_names(outside)} would fall outside the project's dates: move "
                       "them first."}


@transaction.atomic
def project_participants_set(*, actor, project: Project, organisations) -> Project:
    """The participating organisations, all members of the workstream. The lead organisation
    stays; an organisation with contributions recorded is not taken off."""
    _check_may_edit(actor, project)
    project = _lock(project)
    wanted = {o.pk: o for o in organisations}
    wanted.setdefault(project.lead_organisation_id, project.lead_organisation)
    current = {p.organisation_id: p for p in project.participations.select_related(
        "organisation")}
    errors = _non_member_errors(project.workstream, [o for pk, o in wanted.items()
                                                     if pk not in current])
    removed = [current[pk] for pk in current if pk not in wanted]
    contributing = set(Contribution.objects.filter(
        project=project, organisation__in=[p.organisation_id for p in removed]
    ).values_list("organisation__name", flat=True))
    if contributing:
        errors["participants"] = (f"{_names(sorted(contributing))} ha"
                                  f"{'s' if len(contributing) == 1 else 've'} contributions "
                                  "recorded; remove those first.")
    stranded = _people_left_without_a_participant(project, kept=set(wanted))
    if stranded and "participants" not in errors:
        errors["participants"] = (f"{_names(stranded)} would be on the project without acting "
                                  "for a participating organisation; change the team or the "
                                  "principal investigator first.")
    refuse_if_any(errors)
    ProjectParticipant.objects.filter(pk__in=[p.pk for p in removed]).delete()
    added = [o for pk, o in wanted.items() if pk not in current]
    ProjectParticipant.objects.bulk_create(
        [ProjectParticipant(project=project, organisation=o) for o in added])
    if added or removed:
        audit_record(actor=actor, action="project.participants_set", target=project,
                     scope=project.workstream,
                     changes={"added": [o.name for o in added],
                              "removed": [p.organisation.name for p in removed]})
    return project


def _people_left_without_a_participant(project: Project, *, kept: set[int]) -> list[str]:
    """The principal investigator and team members who would act for none of the `kept`
    organisations (programme staff excepted): a team keeps its rights only through a
    participating organisation."""
    people = [project.principal_investigator, *[m.person for m in project.team.select_related(
        "person")]]
    acting = set(OrganisationMembership.objects.filter(
        person__in=people, organisation__in=kept).values_list("person_id", flat=True))
    return [person.get_full_name() or person.email for person in people
            if person.pk not in acting and not is_programme_staff(person)]


@transaction.atomic
def project_team_set(*, actor, project: Project, team: dict) -> Project:
    """The team besides the principal investigator: {person: role}."""
    _check_may_edit(actor, project)
    project = _lock(project)
    team = {person: (role or "Team member").strip() for person, role in team.items()
            if person.pk != project.principal_investigator_id}
    current = {m.person_id: m for m in project.team.select_related("person")}
    new_people = {p: r for p, r in team.items() if p.pk not in current}
    errors = _people_errors(new_people, list(project.participants.all()), field="team")
    too_long = [role for role in team.values() if len(role) > 80]
    if too_long:
        errors["team"] = "Keep each role to 80 characters."
    refuse_if_any(errors)
    wanted = {person.pk for person in team}
    removed = [m for pk, m in current.items() if pk not in wanted]
    ProjectTeamMember.objects.filter(pk__in=[m.pk for m in removed]).delete()
    changed = []
    for person, role in team.items():
        member = current.get(person.pk)
        if member is None:
            ProjectTeamMember.objects.create(project=project, person=person, role=role)
        elif member.role != role:
            member.role = role
            member.save(update_fields=["role"])
            changed.append(person.email)
    if new_people or removed or changed:
        audit_record(actor=actor, action="project.team_set", target=project,
                     scope=project.workstream,
                     changes={"added": [p.email for p in new_people],
                              "removed": [m.person.email for m in removed],
                              "role_changed": changed})
    _tell_team(project, people=list(new_people), role="a team member", actor=actor)
    return project


@transaction.atomic
def project_skill_needs_set(*, actor, project: Project, skills: dict) -> Project:
    """The skills the project needs, each at a level (1 to 6): {Skill: level}."""
    _check_may_edit(actor, project)
    refuse_if_any(_skill_errors(skills))
    before = {n.skill.name: n.level for n in project.skill_needs.select_related("skill")}
    project.skill_needs.all().delete()
    ProjectSkillNeed.objects.bulk_create(
        [ProjectSkillNeed(project=project, skill=skill, level=level)
         for skill, level in skills.items()])
    after = {skill.name: level for skill, level in skills.items()}
    if before != after:
        audit_record(actor=actor, action="project.skill_needs_set", target=project,
                     scope=project.workstream, changes={"before": before, "after": after})
    return project


def project_moves_for(*, actor, project: Project) -> list[str]:
    """The moves this person may make now: what pages and the API offer."""
    return [to for to in Project.MOVES.next_states(project)
            if is_system(actor) or may_move_project(actor, project, to)]


@transaction.atomic
def project_transition(*, actor, project: Project, to: str, reason: str = "") -> Project:
    """Move the project one step of its lifecycle (Project.MOVES), as MOVE_ROLES allow: a move
    its state does not allow is a 409 naming the allowed ones, one the person may not make a
    403 naming who may. Recorded as a ProjectTransition and audited; its team and officer are
    told."""
    if to not in Status.values:
        raise ApplicationError(f"“{to}” is not a project state.",
                               fields={"to": f"Choose one of {', '.join(Status.values)}."})
    if not (is_system(actor) or move_roles_of(actor, project)):
        # Someone who moves no project this way is refused as such, whatever its state.
        raise NotAllowed("Only programme staff and the project's principal investigator move a "
                         "project through its lifecycle.")
    project = lock_for_decision(Project, project, to=to,
                                with_related=["workstream__programme"])
    if not (is_system(actor) or may_move_project(actor, project, to)):
        raise NotAllowed(move_refusal(project, to))
    reason = (reason or "").strip()
    if to in REASON_REQUIRED and not reason:
        raise ApplicationError("Say why.", fields={
            "reason": f"Say why the project is {Status(to).label.lower()}; its team is told."})
    if len(reason) > 2000:
        raise ApplicationError("Keep the reason to 2,000 characters.",
                               fields={"reason": "Keep the reason to 2,000 characters."})
    from_status = project.status
    fields = apply_decision(project, to=to, actor=actor, reason=reason)
    project.save(update_fields=[*fields, "updated_at"])
    ProjectTransition.objects.create(project=project, from_status=from_status, to_status=to,
                                     by=person_of(actor), reason=reason)
    audit_record(actor=actor, action="project.transition", target=project,
                 scope=project.workstream,
                 changes={"status": [from_status, to], "reason": reason})
    by = person_of(actor)
    notify(recipients=[project.principal_investigator, project.officer,
                       *[m.person for m in project.team.select_related("person")]],
           kind=kinds.PROJECT_STATUS_CHANGED, actor=actor,
           message=f"{project.code} is now {Status(to).label.lower()}.",
           url=project.get_absolute_url(),
           context={"code": project.code, "title": project.title,
                    "from_status": Status(from_status).label.lower(),
                    "status": Status(to).label.lower(), "reason": reason,
                    "by": by.get_full_name() if by else "The programme"})
    return project
