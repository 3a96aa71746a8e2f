"""A project's plan: milestones, deliverables and each deliverable's acceptance (draft,
submit with its file, approve or return with comments)."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from cluster_portal.accounts.roles import ProgrammeRole
from cluster_portal.accounts.selectors import staff_who_may_act
from cluster_portal.audit.services import audit_record
from cluster_portal.core.actors import is_system, person_of
from cluster_portal.core.changes import save_changes
from cluster_portal.core.exceptions import ApplicationError, Conflict, NotAllowed, refuse_if_any
from cluster_portal.core.transitions import decide, lock_for_decision
from cluster_portal.core.validators import DOCUMENT_SIGNATURES, ZIP, validate_upload
from cluster_portal.notifications.services import notify

from .. import notification_kinds as kinds
from ..models import Deliverable, Milestone, Project
from ..permissions import (
    may_plan,
    may_review_deliverable,
    may_submit_deliverable,
    may_work_on_deliverable,
)

MILESTONE_EDITABLE = {"title", "description", "due_on"}
DELIVERABLE_EDITABLE = {"title", "kind", "due_on", "milestone"}

# A deliverable's file: the documents partners share, plus archives (software, datasets),
# JSON and images (a prototype's photographs).
PNG, JPEG = b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff"
DELIVERABLE_SIGNATURES = {**DOCUMENT_SIGNATURES, "zip": ZIP, "json": None, "png": PNG,
                          "jpg": JPEG, "jpeg": JPEG}
DELIVERABLE_KINDS_TEXT = ("PDF, Word, Excel, PowerPoint, OpenDocument, plain text, CSV, JSON, "
                          "ZIP, PNG or JPEG")


def deliverable_max_bytes() -> int:
    return settings.PROJECT_DELIVERABLE_MAX_MB * 1024 * 1024


def _day(value: datetime.date) -> str:
    return date_format(value, "j M Y")


def _check_may_plan(actor, project: Project) -> None:
    if is_system(actor) or may_plan(actor, project):
        return
    if project.status in (Project.Status.COMPLETED, Project.Status.CANCELLED):
        raise ApplicationError(f"{project.code} is {project.get_status_display().lower()}; "
                               "its plan no longer changes.", code="project_closed")
    raise NotAllowed("Only programme staff and the project's team plan its work.")


def _due_errors(project: Project, due_on, *, field: str = "due_on") -> dict:
    if due_on is None:
        return {field: "Give the date it is due."}
    if not project.starts_on <= due_on <= project.ends_on:
        return {field: f"Set a date within the project, from {_day(project.starts_on)} to "
                       f"{_day(project.ends_on)}."}
    return {}


def _cleaned(instance) -> dict:
    try:
        instance.full_clean(exclude=["project", "milestone"])
    except ValidationError as error:
        return getattr(error, "message_dict", None) or {"__all__": error.messages}
    return {}


# --- milestones ----------------------------------------------------------------------------------

@transaction.atomic
def milestone_create(*, actor, project: Project, title: str, due_on: datetime.date,
                     description: str = "") -> Milestone:
    _check_may_plan(actor, project)
    milestone = Milestone(project=project, title=(title or "").strip(), due_on=due_on,
                          description=(description or "").strip())
    refuse_if_any({**_cleaned(milestone), **_due_errors(project, due_on)})
    milestone.save()
    audit_record(actor=actor, action="milestone.create", target=milestone, scope=project,
                 changes={"title": milestone.title, "due_on": due_on})
    return milestone


@transaction.atomic
def milestone_update(*, actor, milestone: Milestone, **fields) -> Milestone:
    project = milestone.project
    _check_may_plan(actor, project)
    if "due_on" in fields:
        refuse_if_any(_due_errors(project, fields["due_on"]))
    for name in ("title", "description"):
        if isinstance(fields.get(name), str):
            fields[name] = fields[name].strip()
    try:
        save_changes(actor=actor, instance=milestone, action="milestone.update", fields=fields,
                     editable=MILESTONE_EDITABLE)
    except ValidationError as error:
        raise ApplicationError("Some fields need correcting.",
                               fields=error.message_dict) from error
    return milestone


@transaction.atomic
def milestone_complete(*, actor, milestone: Milestone,
                       completed_on: datetime.date | None = None) -> Milestone:
    """Mark the milestone reached (today unless another day is given, never in the future)."""
    _check_may_plan(actor, milestone.project)
    completed_on = completed_on or timezone.localdate()
    if completed_on > timezone.localdate():
        raise ApplicationError("A milestone is reached today or earlier.",
                               fields={"completed_on": "Give today or an earlier day."})
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if milestone.completed_on:
        raise Conflict(f"“{milestone.title}” was already reached on "
                       f"{_day(milestone.completed_on)}.", code="already_decided")
    milestone.completed_on = completed_on
    milestone.save(update_fields=["completed_on"])
    audit_record(actor=actor, action="milestone.complete", target=milestone,
                 scope=milestone.project, changes={"completed_on": completed_on})
    return milestone


@transaction.atomic
def milestone_reopen(*, actor, milestone: Milestone) -> Milestone:
    _check_may_plan(actor, milestone.project)
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if milestone.completed_on is None:
        raise Conflict(f"“{milestone.title}” is not reached yet.", code="not_allowed_now")
    before, milestone.completed_on = milestone.completed_on, None
    milestone.save(update_fields=["completed_on"])
    audit_record(actor=actor, action="milestone.reopen", target=milestone,
                 scope=milestone.project, changes={"completed_on": [before, None]})
    return milestone


@transaction.atomic
def milestone_delete(*, actor, milestone: Milestone) -> None:
    """Its deliverables stay, no longer tied to it."""
    project = milestone.project
    _check_may_plan(actor, project)
    audit_record(actor=actor, action="milestone.delete", target=milestone, scope=project,
                 changes={"title": milestone.title, "due_on": milestone.due_on})
    milestone.delete()


# --- deliverables --------------------------------------------------------------------------------

def _milestone_errors(project: Project, milestone) -> dict:
    if milestone is not None and milestone.project_id != project.pk:
        return {"milestone": "Choose a milestone of this project."}
    return {}


@transaction.atomic
def deliverable_create(*, actor, project: Project, title: str, kind: str, due_on: datetime.date,
                       milestone: Milestone | None = None) -> Deliverable:
    _check_may_plan(actor, project)
    deliverable = Deliverable(project=project, title=(title or "").strip(), kind=kind,
                              due_on=due_on, milestone=milestone)
    refuse_if_any({**_cleaned(deliverable), **_due_errors(project, due_on),
                **_milestone_errors(project, milestone)})
    deliverable.save()
    audit_record(actor=actor, action="deliverable.create", target=deliverable, scope=project,
                 changes={"title": deliverable.title, "kind": kind, "due_on": due_on})
    return deliverable


@transaction.atomic
def deliverable_update(*, actor, deliverable: Deliverable, **fields) -> Deliverable:
    """Change what is planned; a deliverable handed over or accepted keeps its terms."""
    project = deliverable.project
    _check_may_plan(actor, project)
    if not deliverable.is_open:
        raise Conflict(f"“{deliverable.title}” is {deliverable.get_status_display().lower()}; "
                       "its terms no longer change.", code="not_allowed_now")
    errors = {}
    if "due_on" in fields:
        errors.update(_due_errors(project, fields["due_on"]))
    if "milestone" in fields:
        errors.update(_milestone_errors(project, fields["milestone"]))
    if "kind" in fields and fields["kind"] not in Deliverable.Kind.values:
        errors["kind"] = f"Choose one of {', '.join(Deliverable.Kind.labels).lower()}."
    refuse_if_any(errors)
    if isinstance(fields.get("title"), str):
        fields["title"] = fields["title"].strip()
    try:
        save_changes(actor=actor, instance=deliverable, action="deliverable.update",
                     fields=fields, editable=DELIVERABLE_EDITABLE)
    except ValidationError as error:
        raise ApplicationError("Some fields need correcting.",
                               fields=error.message_dict) from error
    return deliverable


@transaction.atomic
def deliverable_delete(*, actor, deliverable: Deliverable) -> None:
    """Only a deliverable nobody has worked on yet (pending, without a file) goes away."""
    project = deliverable.project
    _check_may_plan(actor, project)
    if deliverable.status != Deliverable.Status.PENDING or deliverable.file:
        raise Conflict(f"“{deliverable.title}” has been worked on; it stays in the record.",
                       code="not_allowed_now")
    audit_record(actor=actor, action="deliverable.delete", target=deliverable, scope=project,
                 changes={"title": deliverable.title})
    deliverable.delete()


def _file_errors(upload) -> dict:
    try:
        validate_upload(upload, signatures=DELIVERABLE_SIGNATURES,
                        kinds_text=DELIVERABLE_KINDS_TEXT, max_bytes=deliverable_max_bytes())
    except ValidationError as error:
        return {"file": " ".join(error.messages)}
    return {}


def _lock_deliverable(deliverable: Deliverable, *, to: str) -> Deliverable:
    locked = lock_for_decision(Deliverable, deliverable, to=to)
    locked.project = deliverable.project
    return locked


@transaction.atomic
def deliverable_save_draft(*, actor, deliverable: Deliverable, file) -> Deliverable:
    """Upload a draft of the deliverable's file; it is not handed over yet."""
    if not (is_system(actor) or may_work_on_deliverable(actor, deliverable)):
        raise NotAllowed("Only the project's team and its lead organisation's people work on "
                         "its deliverables.")
    refuse_if_any(_file_errors(file))
    Status = Deliverable.Status
    if deliverable.status == Status.DRAFT:
        deliverable = Deliverable.objects.select_for_update().get(pk=deliverable.pk)
        if deliverable.status != Status.DRAFT:
            raise Conflict("The deliverable changed meanwhile; open it again.",
                           code="not_allowed_now")
        fields = []
    else:
        project = deliverable.project
        deliverable = _lock_deliverable(deliverable, to=Status.DRAFT)
        deliverable.project = project
        deliverable.status = Status.DRAFT
        fields = ["status"]
    deliverable.file = file
    deliverable.save(update_fields=[*fields, "file"])
    audit_record(actor=actor, action="deliverable.save_draft", target=deliverable,
                 scope=deliverable.project, changes={"file": deliverable.file.name})
    return deliverable


def _reviewers(project: Project) -> list:
    """The project's officer; every staff member who may act when it has none."""
    if project.officer_id and project.officer.is_active:
        return [project.officer]
    return list(staff_who_may_act(role=ProgrammeRole.STAFF))


@transaction.atomic
def deliverable_submit(*, actor, deliverable: Deliverable, file=None,
                       late_justification: str = "") -> Deliverable:
    """Hand the deliverable over for acceptance, with its file (this one, or the draft already
    uploaded). Only the lead organisation's people submit; after the due date they say why it
    is late."""
    if not (is_system(actor) or may_submit_deliverable(actor, deliverable)):
        raise NotAllowed(f"Only the people of {deliverable.project.lead_organisation.name}, "
                         "the lead organisation, submit the project's deliverables.")
    project = deliverable.project
    late_justification = (late_justification or "").strip()
    errors = _file_errors(file) if file else {}
    if not file and not deliverable.file:
        errors["file"] = "Attach the deliverable's file."
    late = timezone.localdate() > deliverable.due_on
    if late and not late_justification:
        errors["late_justification"] = (f"It was due on {_day(deliverable.due_on)}: say why it "
                                        "is late.")
    if len(late_justification) > 2000:
        errors["late_justification"] = "Keep the justification to 2,000 characters."
    refuse_if_any(errors)
    deliverable = _lock_deliverable(deliverable, to=Deliverable.Status.SUBMITTED)
    if file:
        deliverable.file = file
    deliverable.status = Deliverable.Status.SUBMITTED
    deliverable.submitted_at, deliverable.submitted_by = timezone.now(), person_of(actor)
    deliverable.late_justification = late_justification if late else ""
    deliverable.save(update_fields=["file", "status", "submitted_at", "submitted_by",
                                    "late_justification"])
    audit_record(actor=actor, action="deliverable.submit", target=deliverable, scope=project,
                 changes={"file": deliverable.file.name, "late": late,
                          "late_justification": deliverable.late_justification})
    notify(recipients=_reviewers(project), kind=kinds.DELIVERABLE_SUBMITTED, actor=actor,
           message=f"{project.code}: “{deliverable.title}” was submitted for acceptance.",
           url=project.get_absolute_url(),
           context={"code": project.code, "title": project.title,
                    "deliverable": deliverable.title, "late": late,
                    "due_on": _day(deliverable.due_on),
                    "late_justification": deliverable.late_justification})
    return deliverable


def _tell_decision(deliverable: Deliverable, *, actor, decision: str, comments: str) -> None:
    project = deliverable.project
    notify(recipients=[deliverable.submitted_by, project.principal_investigator],
           kind=kinds.DELIVERABLE_DECIDED, actor=actor,
           message=f"{project.code}: “{deliverable.title}” was {decision}.",
           url=project.get_absolute_url(),
           context={"code": project.code, "title": project.title,
                    "deliverable": deliverable.title, "decision": decision,
                    "comments": comments})


@transaction.atomic
def deliverable_approve(*, actor, deliverable: Deliverable, comments: str = "") -> Deliverable:
    if not (is_system(actor) or may_review_deliverable(actor, deliverable)):
        raise NotAllowed("Only programme staff accept deliverables.")
    project = deliverable.project
    deliverable = _lock_deliverable(deliverable, to=Deliverable.Status.APPROVED)
    decide(deliverable, to=Deliverable.Status.APPROVED, actor=actor, reason=comments or "")
    audit_record(actor=actor, action="deliverable.approve", target=deliverable, scope=project,
                 changes={"comments": deliverable.decision_reason})
    _tell_decision(deliverable, actor=actor, decision="approved",
                   comments=deliverable.decision_reason)
    return deliverable


@transaction.atomic
def deliverable_return(*, actor, deliverable: Deliverable, comments: str) -> Deliverable:
    """Send it back to the team with comments (required: they say what to change)."""
    if not (is_system(actor) or may_review_deliverable(actor, deliverable)):
        raise NotAllowed("Only programme staff accept deliverables.")
    if not (comments or "").strip():
        raise ApplicationError("Say what to change.", fields={
            "comments": "Say what the team should change before submitting it again."})
    project = deliverable.project
    deliverable = _lock_deliverable(deliverable, to=Deliverable.Status.RETURNED)
    decide(deliverable, to=Deliverable.Status.RETURNED, actor=actor, reason=comments)
    audit_record(actor=actor, action="deliverable.return", target=deliverable, scope=project,
                 changes={"comments": deliverable.decision_reason})
    _tell_decision(deliverable, actor=actor, decision="returned with comments",
                   comments=deliverable.decision_reason)
    return deliverable
