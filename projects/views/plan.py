"""A project's plan: milestones, deliverables and their acceptance. Staff and the project's team
plan; the lead organisation's people submit deliverables; staff review them. Every lookup goes
through the selectors, so a project (or its plan) hidden from someone is missing for them."""

import posixpath

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cluster_portal.core.confirmation import Confirmation, confirm_page
from cluster_portal.core.exceptions import ApplicationError, NotAllowed
from cluster_portal.core.pages import Refused, act_and_redirect, form_refusal_text

from .. import services
from ..forms import (
    DeliverableForm,
    DraftForm,
    MilestoneCompleteForm,
    MilestoneForm,
    ReviewForm,
    SubmitForm,
)
from ..models import Deliverable, Milestone, Project
from ..permissions import (
    OPEN_STATES,
    Access,
    may_download_deliverable,
    may_plan,
    may_review_deliverable,
    may_submit_deliverable,
    may_work_on_deliverable,
)
from ..selectors import (
    deliverable_get_visible,
    milestone_get_visible,
)
from .manage import attempt, closed_redirect, project_or_404, project_url, signed_in

GET_AND_POST = ["GET", "HEAD", "POST"]
PLAN_REFUSAL = "Only programme staff and the project's team plan its work."


def _day(value) -> str:
    return date_format(value, "j M Y")


def _milestone_or_404(request, code: str, pk: int) -> Milestone:
    try:
        milestone, _access = milestone_get_visible(user=request.user, project_code=code, pk=pk)
    except (Project.DoesNotExist, Milestone.DoesNotExist):
        raise Http404("No such milestone.") from None
    return milestone


def _deliverable_or_404(request, code: str, pk: int) -> tuple[Deliverable, Access]:
    try:
        return deliverable_get_visible(user=request.user, project_code=code, pk=pk)
    except (Project.DoesNotExist, Deliverable.DoesNotExist):
        raise Http404("No such deliverable.") from None


def _check_may_plan(request, project: Project):
    """None when the person may plan; a redirect with the reason when the project is closed;
    a 403 for someone who never plans it."""
    if may_plan(request.user, project):
        return None
    if project.status not in OPEN_STATES:
        return closed_redirect(request, project, "its plan no longer changes.")
    raise Refused(PLAN_REFUSAL)


def form_page(request, template: str, context: dict, *, status=200):
    return render(request, f"projects/{template}", context, status=status)


def form_status(form) -> int:
    """400 for input to correct; 409 when the state of what it acts on refused it."""
    return getattr(form, "refusal_status", 400)


def _plan_url(project: Project) -> str:
    return project_url(project) + "#plan"


# --- milestones --------------------------------------------------------------------------------

def _milestone_page(request, form, *, project, milestone=None, status=200):
    return form_page(request, "milestone_form.html",
                 {"form": form, "project": project, "milestone": milestone}, status=status)


@require_http_methods(GET_AND_POST)
@signed_in
def milestone_create(request, code: str):
    project, _access = project_or_404(request, code)
    if (refusal := _check_may_plan(request, project)) is not None:
        return refusal
    if request.method != "POST":
        return _milestone_page(request, MilestoneForm(), project=project)
    form = MilestoneForm(request.POST)
    if form.is_valid():
        milestone = attempt(form, lambda: services.milestone_create(
            actor=request.user, project=project, **form.cleaned_data))
        if milestone is not None:
            messages.success(request, f"The milestone “{milestone.title}” is due on "
                                      f"{_day(milestone.due_on)}.")
            return redirect(_plan_url(project))
    return _milestone_page(request, form, project=project, status=400)


@require_http_methods(GET_AND_POST)
@signed_in
def milestone_edit(request, code: str, pk: int):
    milestone = _milestone_or_404(request, code, pk)
    project = milestone.project
    if (refusal := _check_may_plan(request, project)) is not None:
        return refusal
    if request.method != "POST":
        form = MilestoneForm(initial={"title": milestone.title, "due_on": milestone.due_on,
                                      "description": milestone.description})
        return _milestone_page(request, form, project=project, milestone=milestone)
    form = MilestoneForm(request.POST)
    if form.is_valid():
        saved = attempt(form, lambda: services.milestone_update(
            actor=request.user, milestone=milestone, **form.cleaned_data))
        if saved is not None:
            messages.success(request, f"The changes to “{saved.title}” are saved.")
            return redirect(_plan_url(project))
    return _milestone_page(request, form, project=project, milestone=milestone, status=400)


def _complete_confirmation(milestone: Milestone, form) -> Confirmation:
    return Confirmation(
        question=f"Mark “{milestone.title}” reached?",
        consequences=[f"It was due on {_day(milestone.due_on)}. It no longer counts as open or "
                      "overdue; you can reopen it if this was a mistake."],
        confirm_label="Mark it reached", cancel_url=_plan_url(milestone.project), form=form)


@require_http_methods(GET_AND_POST)
@signed_in
def milestone_complete(request, code: str, pk: int):
    milestone = _milestone_or_404(request, code, pk)
    if (refusal := _check_may_plan(request, milestone.project)) is not None:
        return refusal
    if request.method != "POST":
        return confirm_page(request, _complete_confirmation(milestone, MilestoneCompleteForm()))
    form = MilestoneCompleteForm(request.POST)
    if form.is_valid():
        done = attempt(form, lambda: services.milestone_complete(
            actor=request.user, milestone=milestone,
            completed_on=form.cleaned_data["completed_on"]))
        if done is not None:
            messages.success(request, f"“{done.title}” was reached on "
                                      f"{_day(done.completed_on)}.")
            return redirect(_plan_url(milestone.project))
    return confirm_page(request, _complete_confirmation(milestone, form),
                        status=form_status(form))


@require_http_methods(GET_AND_POST)
@signed_in
def milestone_reopen(request, code: str, pk: int):
    milestone = _milestone_or_404(request, code, pk)
    project = milestone.project
    if (refusal := _check_may_plan(request, project)) is not None:
        return refusal
    if request.method != "POST":
        return confirm_page(request, Confirmation(
            question=f"Reopen “{milestone.title}”?",
            consequences=["It counts as not reached again"
                          + (f", and as overdue: it was due on {_day(milestone.due_on)}."
                             if milestone.due_on < timezone.localdate() else ".")],
            confirm_label="Reopen it", cancel_url=_plan_url(project)))
    return act_and_redirect(
        request, lambda: services.milestone_reopen(actor=request.user, milestone=milestone),
        success=f"“{milestone.title}” is open again.", to=_plan_url(project))


@require_http_methods(GET_AND_POST)
@signed_in
def milestone_delete(request, code: str, pk: int):
    milestone = _milestone_or_404(request, code, pk)
    project = milestone.project
    if (refusal := _check_may_plan(request, project)) is not None:
        return refusal
    if request.method != "POST":
        tied = milestone.deliverables.count()
        return confirm_page(request, Confirmation(
            question=f"Delete the milestone “{milestone.title}”?",
            consequences=["It leaves the project's plan and timeline."]
            + ([f"Its {tied} deliverable{'s' if tied != 1 else ''} stay{'' if tied != 1 else 's'}"
                ", no longer tied to a milestone."] if tied else []),
            confirm_label="Delete the milestone", cancel_url=_plan_url(project)))
    return act_and_redirect(
        request, lambda: services.milestone_delete(actor=request.user, milestone=milestone),
        success=f"The milestone “{milestone.title}” is deleted.", to=_plan_url(project))


# --- deliverables: planning --------------------------------------------------------------------

def _deliverable_form_page(request, form, *, project, deliverable=None, status=200):
    return form_page(request, "deliverable_form.html",
                 {"form": form, "project": project, "deliverable": deliverable},
                 status=status)


def _deliverable_url(deliverable: Deliverable) -> str:
    return reverse("projects:deliverable",
                   kwargs={"code": deliverable.project.code, "pk": deliverable.pk})


@require_http_methods(GET_AND_POST)
@signed_in
def deliverable_create(request, code: str):
    project, _access = project_or_404(request, code)
    if (refusal := _check_may_plan(request, project)) is not None:
        return refusal
    if request.method != "POST":
        return _deliverable_form_page(request, DeliverableForm(project=project), project=project)
    form = DeliverableForm(request.POST, project=project)
    if form.is_valid():
        deliverable = attempt(form, lambda: services.deliverable_create(
            actor=request.user, project=project, **form.cleaned_data))
        if deliverable is not None:
            messages.success(request, f"The deliverable “{deliverable.title}” is due on "
                                      f"{_day(deliverable.due_on)}.")
            return redirect(_plan_url(project))
    return _deliverable_form_page(request, form, project=project, status=400)


@require_http_methods(GET_AND_POST)
@signed_in
def deliverable_edit(request, code: str, pk: int):
    deliverable, _access = _deliverable_or_404(request, code, pk)
    project = deliverable.project
    if (refusal := _check_may_plan(request, project)) is not None:
        return refusal
    if not deliverable.is_open:
        messages.info(request, f"“{deliverable.title}” is "
                               f"{deliverable.get_status_display().lower()}; its terms no "
                               "longer change.")
        return redirect(_deliverable_url(deliverable))
    if request.method != "POST":
        form = DeliverableForm(project=project, initial={
            "title": deliverable.title, "kind": deliverable.kind, "due_on": deliverable.due_on,
            "milestone": deliverable.milestone_id})
        return _deliverable_form_page(request, form, project=project, deliverable=deliverable)
    form = DeliverableForm(request.POST, project=project)
    if form.is_valid():
        saved = attempt(form, lambda: services.deliverable_update(
            actor=request.user, deliverable=deliverable, **form.cleaned_data))
        if saved is not None:
            messages.success(request, f"The changes to “{saved.title}” are saved.")
            return redirect(_deliverable_url(deliverable))
    return _deliverable_form_page(request, form, project=project, deliverable=deliverable,
                                  status=400)


@require_http_methods(GET_AND_POST)
@signed_in
def deliverable_delete(request, code: str, pk: int):
    deliverable, _access = _deliverable_or_404(request, code, pk)
    project = deliverable.project
    if (refusal := _check_may_plan(request, project)) is not None:
        return refusal
    if request.method != "POST":
        return confirm_page(request, Confirmation(
            question=f"Delete the deliverable “{deliverable.title}”?",
            consequences=["It leaves the project's plan and timeline. Only a deliverable "
                          "nobody has worked on yet can be deleted."],
            confirm_label="Delete the deliverable", cancel_url=_deliverable_url(deliverable)))
    try:
        services.deliverable_delete(actor=request.user, deliverable=deliverable)
    except NotAllowed as error:
        raise Refused(error.message) from error
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect(_deliverable_url(deliverable))
    messages.success(request, f"The deliverable “{deliverable.title}” is deleted.")
    return redirect(_plan_url(project))


# --- deliverables: the work and its acceptance -------------------------------------------------

def _deliverable_page(request, deliverable: Deliverable, access: Access, *, draft_form=None,
                      submit_form=None, review_form=None, status=200):
    user = request.user
    may_draft = may_work_on_deliverable(user, deliverable) and deliverable.is_open
    may_submit = (may_submit_deliverable(user, deliverable)
                  and Deliverable.MOVES.may_move(deliverable, Deliverable.Status.SUBMITTED))
    may_review = (may_review_deliverable(user, deliverable)
                  and deliverable.status == Deliverable.Status.SUBMITTED)
    project = deliverable.project
    refused = next((form for form in (draft_form, submit_form, review_form)
                    if form is not None and form_status(form) == 409), None)
    return form_page(request, "deliverable.html", {
        # A clash with its state now: said above the page, as the form may no longer show.
        "refusal": form_refusal_text(refused) if refused else "",
        "project": project, "deliverable": deliverable, "access": access,
        "full": access >= Access.FULL,
        "may_plan": may_plan(user, project) and deliverable.is_open,
        "may_delete": (may_plan(user, project)
                       and deliverable.status == Deliverable.Status.PENDING
                       and not deliverable.file),
        "may_download": bool(deliverable.file) and may_download_deliverable(user, deliverable),
        "filename": posixpath.basename(deliverable.file.name) if deliverable.file else "",
        "draft_form": (draft_form or DraftForm(auto_id="draft-%s")) if may_draft else None,
        "submit_form": ((submit_form or SubmitForm(deliverable=deliverable,
                                                   auto_id="submit-%s"))
                        if may_submit else None),
        "review_form": (review_form or ReviewForm(auto_id="review-%s")) if may_review else None,
        "lead_only": (deliverable.is_open and not may_submit
                      and Deliverable.MOVES.may_move(deliverable,
                                                     Deliverable.Status.SUBMITTED)),
        "late": deliverable.is_open and timezone.localdate() > deliverable.due_on,
        "kinds_text": services.DELIVERABLE_KINDS_TEXT,
        "max_mb": services.deliverable_max_bytes() // (1024 * 1024),
    }, status=status)


@require_safe
def deliverable_detail(request, code: str, pk: int):
    deliverable, access = _deliverable_or_404(request, code, pk)
    return _deliverable_page(request, deliverable, access)


@require_POST
@signed_in
def deliverable_draft(request, code: str, pk: int):
    deliverable, access = _deliverable_or_404(request, code, pk)
    if not may_work_on_deliverable(request.user, deliverable):
        raise Refused("Only the project's team and its lead organisation's people work on its "
                      "deliverables.")
    form = DraftForm(request.POST, request.FILES, auto_id="draft-%s")
    if form.is_valid():
        saved = attempt(form, lambda: services.deliverable_save_draft(
            actor=request.user, deliverable=deliverable, file=form.cleaned_data["file"]))
        if saved is not None:
            messages.success(request, "The draft is uploaded. It is not submitted yet.")
            return redirect(_deliverable_url(deliverable))
    return _deliverable_page(request, deliverable, access, draft_form=form,
                             status=form_status(form))


@require_POST
@signed_in
def deliverable_submit(request, code: str, pk: int):
    deliverable, access = _deliverable_or_404(request, code, pk)
    if not may_submit_deliverable(request.user, deliverable):
        raise Refused(f"Only the people of {deliverable.project.lead_organisation.name}, the "
                      "lead organisation, submit the project's deliverables.")
    form = SubmitForm(request.POST, request.FILES, deliverable=deliverable,
                      auto_id="submit-%s")
    if form.is_valid():
        saved = attempt(form, lambda: services.deliverable_submit(
            actor=request.user, deliverable=deliverable, file=form.cleaned_data["file"],
            late_justification=form.cleaned_data.get("late_justification", "")))
        if saved is not None:
            messages.success(request, f"“{saved.title}” is submitted. Programme staff review "
                                      "it and you are told of their decision.")
            return redirect(_deliverable_url(deliverable))
    return _deliverable_page(request, deliverable, access, submit_form=form,
                             status=form_status(form))


@require_POST
@signed_in
def deliverable_review(request, code: str, pk: int):
    deliverable, access = _deliverable_or_404(request, code, pk)
    if not may_review_deliverable(request.user, deliverable):
        raise Refused("Only programme staff accept deliverables.")
    form = ReviewForm(request.POST, auto_id="review-%s")
    if form.is_valid():
        comments = form.cleaned_data["comments"]
        if form.cleaned_data["decision"] == "approve":
            saved = attempt(form, lambda: services.deliverable_approve(
                actor=request.user, deliverable=deliverable, comments=comments))
            done = "approved"
        else:
            saved = attempt(form, lambda: services.deliverable_return(
                actor=request.user, deliverable=deliverable, comments=comments))
            done = "returned with your comments"
        if saved is not None:
            messages.success(request, f"“{saved.title}” is {done}. Its submitter and the "
                                      "principal investigator were told.")
            return redirect(_deliverable_url(deliverable))
    return _deliverable_page(request, deliverable, access, review_form=form,
                             status=form_status(form))


@require_safe
@cache_control(private=True)
def deliverable_file(request, code: str, pk: int):
    """The file, as an attachment, only through this view: it lives in private storage."""
    deliverable, _access = _deliverable_or_404(request, code, pk)
    if not deliverable.file or not may_download_deliverable(request.user, deliverable):
        raise Http404("No such file.")
    try:
        handle = deliverable.file.open("rb")
    except (ValueError, OSError):
        raise Http404("No such file.") from None
    return FileResponse(handle, as_attachment=True,
                        filename=posixpath.basename(deliverable.file.name))
