"""Programme staff set projects up and move them through their lifecycle: a new project with
its generated code, its details, its organisations, team and skills, and one move at a time
(the principal investigator puts a draft forward or takes it back)."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from cluster_portal.accounts.decorators import programme_staff_required
from cluster_portal.accounts.middleware import mfa_setup_redirect
from cluster_portal.accounts.permissions import needs_second_factor_first
from cluster_portal.accounts.roles import ProgrammeRole
from cluster_portal.accounts.selectors import staff_who_may_act
from cluster_portal.core.confirmation import Confirmation, confirm_page
from cluster_portal.core.exceptions import ApplicationError, Conflict, NotAllowed
from cluster_portal.core.forms import PortalForm
from cluster_portal.core.pages import Refused
from partners.models import Organisation
from workstreams.models import Workstream, WorkstreamMembership

from .. import services
from ..forms import (
    MoveForm,
    ParticipantsForm,
    ProjectCreateForm,
    ProjectEditForm,
    TeamForm,
    skill_need_formset,
    team_text,
)
from ..models import Project
from ..permissions import (
    may_edit_project,
    may_move_project,
    move_refusal,
    move_roles_of,
)
from ..selectors import person_by_email, project_get_visible, project_team
from ..services.projects import REASON_REQUIRED

GET_AND_POST = ["GET", "HEAD", "POST"]
Status = Project.Status


# --- shared by the projects' form pages (plan.py too) ----------------------------------------

def signed_in(view):
    """A visitor is sent to sign in; staff who have not set up their second factor are sent to
    do so first, as on every staff page (without it they would find no project at all)."""
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if needs_second_factor_first(request.user):
            return mfa_setup_redirect(request)
        return view(request, *args, **kwargs)

    return wrapper


def attempt(form, action):
    """Run one service for a form page: its result, or None with the refusal put on the form,
    beside the fields it names. A refusal of the person is a 403, as on every page."""
    try:
        return action()
    except NotAllowed as error:
        raise Refused(error.message) from error
    except ApplicationError as error:
        form.add_service_error(error)
        form.refusal_status = error.status_code
        return None


def project_or_404(request, code: str):
    """The project and how much of it the person sees; a project hidden from them is missing."""
    try:
        return project_get_visible(user=request.user, code=code)
    except Project.DoesNotExist:
        raise Http404("No such project.") from None


def project_url(project: Project) -> str:
    return reverse("projects:detail", kwargs={"code": project.code})


def closed_redirect(request, project: Project, what: str):
    messages.info(request, f"{project.code} is {project.get_status_display().lower()}: {what}")
    return redirect(project_url(project))


# --- choices ---------------------------------------------------------------------------------

def _active_workstreams():
    return Workstream.objects.filter(status=Workstream.Status.ACTIVE).select_related(
        "programme").order_by("display_order", "name")


def _member_organisations(workstreams):
    """Approved organisations that are members of one of these workstreams now, each with
    those memberships (to name its workstreams beside it)."""
    memberships = WorkstreamMembership.objects.filter(
        workstream__in=workstreams, until__isnull=True).select_related("workstream")
    return Organisation.objects.filter(
        Exists(memberships.filter(organisation=OuterRef("pk"))),
        status=Organisation.Status.APPROVED).prefetch_related(
        Prefetch("workstream_memberships", queryset=memberships.order_by("workstream__name"),
                 to_attr="current_memberships")).order_by("name")


def _with_workstreams(organisation) -> str:
    """A new project's organisations come from every active workstream: each names its own,
    so staff pick those of the project's workstream."""
    names = [m.workstream.name for m in getattr(organisation, "current_memberships", ())]
    return f"{organisation.name} ({', '.join(names)})" if names else organisation.name


def _officers(keep=None):
    keep = Q(pk=keep.pk) if keep is not None else Q(pk__in=[])
    staff = staff_who_may_act(role=ProgrammeRole.STAFF).values("pk")
    return get_user_model().objects.filter(Q(pk__in=staff) | keep).order_by("full_name",
                                                                             "email")


def _finder(request):
    return lambda email: person_by_email(user=request.user, email=email)


# --- a new project, its details ----------------------------------------------------------------

def _form_page(request, template: str, context: dict, *, status=200):
    return render(request, f"projects/{template}", context, status=status)


@require_http_methods(GET_AND_POST)
@programme_staff_required
def project_create(request):
    workstreams = _active_workstreams()
    data = request.POST if request.method == "POST" else None
    form = ProjectCreateForm(
        data, workstreams=workstreams, organisations=_member_organisations(workstreams),
        officers=_officers(), find_person=_finder(request),
        initial={"visibility": Project._meta.get_field("visibility").default,
                 "trl_start": 3, "trl_target": 6})
    for name in ("lead_organisation", "participants"):
        form.fields[name].label_from_instance = _with_workstreams
    skills = skill_need_formset(data)
    context = {"form": form, "skills": skills, "has_workstreams": workstreams.exists()}
    if data is None:
        return _form_page(request, "project_form.html", context)
    if all([form.is_valid(), skills.is_valid()]):
        values = dict(form.cleaned_data)
        values["officer"] = values["officer"] or request.user
        project = attempt(form, lambda: services.project_create(
            actor=request.user, skills=skills.chosen(), **values))
        if project is not None:
            messages.success(request, f"{project.code} “{project.title}” is created as a draft. "
                                      "Its principal investigator and team were told.")
            return redirect(project_url(project))
    return _form_page(request, "project_form.html", context, status=400)


def _editable_or_refuse(request, project: Project):
    if not may_edit_project(request.user, project):
        return closed_redirect(request, project, "its details no longer change.")
    return None


@require_http_methods(GET_AND_POST)
@programme_staff_required
def project_edit(request, code: str):
    project, _access = project_or_404(request, code)
    if (refusal := _editable_or_refuse(request, project)) is not None:
        return refusal
    organisations = _member_organisations([project.workstream]) | Organisation.objects.filter(
        project_participations__project=project)
    organisations = Organisation.objects.filter(
        pk__in=organisations.values("pk")).order_by("name")
    initial = {name: getattr(project, name) for name in (
        "title", "summary", "objectives", "starts_on", "ends_on", "trl_start", "trl_target",
        "trl_current", "visibility")}
    initial.update(lead_organisation=project.lead_organisation_id, officer=project.officer_id,
                   principal_investigator=project.principal_investigator.email)
    data = request.POST if request.method == "POST" else None
    form = ProjectEditForm(data, initial=initial, organisations=organisations,
                           officers=_officers(keep=project.officer),
                           find_person=_finder(request))
    context = {"form": form, "project": project}
    if data is None:
        return _form_page(request, "project_form.html", context)
    if form.is_valid():
        saved = attempt(form, lambda: services.project_update(
            actor=request.user, project=project, **form.cleaned_data))
        if saved is not None:
            messages.success(request, f"The changes to {project.code} are saved.")
            return redirect(project_url(project))
    return _form_page(request, "project_form.html", context, status=400)


# --- organisations, team and skills ------------------------------------------------------------

PEOPLE_PARTS = ("participants", "team", "skills")


@require_http_methods(GET_AND_POST)
@programme_staff_required
def project_people(request, code: str):
    """Three forms on one page, each saved on its own (its own service, its own refusal)."""
    project, _access = project_or_404(request, code)
    if (refusal := _editable_or_refuse(request, project)) is not None:
        return refusal
    part = request.POST.get("part") if request.method == "POST" else None
    if request.method == "POST" and part not in PEOPLE_PARTS:
        raise Http404("No such part of the project's people.")
    current = [p.organisation for p in project.participations.all()]
    choices = Organisation.objects.filter(
        pk__in=[o.pk for o in current] + list(
            _member_organisations([project.workstream]).values_list("pk", flat=True))
    ).order_by("name")
    participants = ParticipantsForm(
        request.POST if part == "participants" else None, organisations=choices,
        initial={"participants": [o.pk for o in current]}, auto_id="participants-%s")
    team = TeamForm(request.POST if part == "team" else None, find_person=_finder(request),
                    initial={"team": team_text(project_team(project=project))},
                    auto_id="team-%s")
    skills = skill_need_formset(request.POST if part == "skills" else None, project=project)
    skills_errors = PortalForm()  # carries a service's refusal of the skills, above them
    context = {"project": project, "participants_form": participants, "team_form": team,
               "skills": skills, "skills_errors": skills_errors}
    if part is None:
        return _form_page(request, "people.html", context)
    saved = None
    if part == "participants" and participants.is_valid():
        saved = attempt(participants, lambda: services.project_participants_set(
            actor=request.user, project=project,
            organisations=list(participants.cleaned_data["participants"])))
        done = "The participating organisations are saved."
    elif part == "team" and team.is_valid():
        saved = attempt(team, lambda: services.project_team_set(
            actor=request.user, project=project, team=team.cleaned_data["team"]))
        done = "The team is saved; anyone new on it was told."
    elif part == "skills" and skills.is_valid():
        saved = attempt(skills_errors, lambda: services.project_skill_needs_set(
            actor=request.user, project=project, skills=skills.chosen()))
        done = "The skills the project needs are saved."
    if saved is not None:
        messages.success(request, done)
        return redirect(reverse("projects:people", kwargs={"code": project.code}))
    return _form_page(request, "people.html", context, status=400)


# --- the lifecycle -----------------------------------------------------------------------------

MOVE_WORDS = {
    Status.PROPOSED: ("Propose {code} to the programme?", "Propose it",
                      "Programme staff decide whether to approve it."),
    Status.DRAFT: ("Take {code} back to draft?", "Take it back to draft",
                   "It leaves the programme's decision until it is proposed again."),
    Status.APPROVED: ("Approve {code}?", "Approve it",
                      "The participating organisations' people see it in full, and the "
                      "workstream's members as its visibility allows."),
    Status.ACTIVE: ("Start {code}?", "Start it",
                    "Its team reports on it monthly from now on."),
    Status.ON_HOLD: ("Put {code} on hold?", "Put it on hold",
                     "Its work pauses until programme staff make it active again."),
    Status.COMPLETED: ("Complete {code}?", "Complete it",
                       "Its plan, status updates and contributions no longer change. This "
                       "can't be undone."),
    Status.CANCELLED: ("Cancel {code}?", "Cancel the project",
                       "Its plan, status updates and contributions no longer change, and its "
                       "code is never given again. This can't be undone."),
}


def _move_confirmation(project: Project, to: str, form) -> Confirmation:
    question, label, consequence = MOVE_WORDS[to]
    return Confirmation(
        question=question.format(code=project.code),
        consequences=[f"“{project.title}” moves from {project.get_status_display().lower()} "
                      f"to {Status(to).label.lower()}.", consequence,
                      "Its principal investigator, team and officer are told"
                      + (", with your reason." if to in REASON_REQUIRED else ".")],
        confirm_label=label, cancel_url=project_url(project), form=form,
        cancel_label="Back to the project")


def _move_refused(request, project: Project, message: str, *, status=409):
    """The move can't be made from where the project is: the page says which moves can."""
    return render(request, "projects/move.html", {
        "project": project, "message": message,
        "moves": [(move, MOVE_WORDS[move][1])
                  for move in services.project_moves_for(actor=request.user, project=project)],
    }, status=status)


@require_http_methods(GET_AND_POST)
@signed_in
def project_move(request, code: str, to: str):
    if to not in Status.values or to not in MOVE_WORDS:
        raise Http404("No such project state.")
    project, _access = project_or_404(request, code)
    if not move_roles_of(request.user, project):
        raise Refused("Only programme staff and the project's principal investigator move a "
                      "project through its lifecycle.")
    if request.method != "POST":
        try:
            Project.MOVES.check_move(project, to, subject=project.decision_subject())
        except Conflict as error:
            return _move_refused(request, project, error.message)
        if not may_move_project(request.user, project, to):
            raise Refused(move_refusal(project, to))
        return confirm_page(request, _move_confirmation(project, to, MoveForm(to=to)))
    form = MoveForm(request.POST, to=to)
    if not form.is_valid():
        return confirm_page(request, _move_confirmation(project, to, form), status=400)
    try:
        services.project_transition(actor=request.user, project=project, to=to,
                                    reason=form.cleaned_data["reason"])
    except NotAllowed as error:
        raise Refused(error.message) from error
    except Conflict as error:
        return _move_refused(request, project, error.message)
    except ApplicationError as error:
        form.add_service_error(error)
        return confirm_page(request, _move_confirmation(project, to, form), status=400)
    messages.success(request, f"{project.code} is now {Status(to).label.lower()}. Its team "
                              "was told.")
    return redirect(project_url(project))
