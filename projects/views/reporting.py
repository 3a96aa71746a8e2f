"""What a project reports, on its pages: the monthly status update (staff and the team) and
the contributions (staff record them; each participating organisation's people see their own)."""


from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_http_methods

from cluster_portal.core.confirmation import Confirmation, confirm_page
from cluster_portal.core.pages import Refused, act_and_redirect, paginate
from partners.models import Organisation

from .. import services
from ..forms import (
    ContributionForm,
    StatusUpdateForm,
)
from ..models import Contribution, Project
from ..permissions import (
    OPEN_STATES,
    REPORTING_STATES,
    may_post_status_update,
    may_record_contributions,
    may_see_project_contributions,
)
from ..selectors import (
    contribution_list_visible,
    contribution_totals,
)
from .manage import attempt, closed_redirect, project_or_404, project_url, signed_in
from .plan import (
    GET_AND_POST,
    form_page,
    form_status,
)

CONTRIBUTIONS_PAGE_SIZE = 25


# --- status updates ----------------------------------------------------------------------------

@require_http_methods(GET_AND_POST)
@signed_in
def status_update_create(request, code: str):
    project, _access = project_or_404(request, code)
    if not may_post_status_update(request.user, project):
        if project.status not in REPORTING_STATES:
            return closed_redirect(request, project, "status updates are posted once it is "
                                                     "approved and until it ends.")
        raise Refused("Only programme staff and the project's team post its status updates.")
    if request.method != "POST":
        form = StatusUpdateForm(initial={"period": StatusUpdateForm.this_month()})
        return form_page(request, "status_update_form.html", {"form": form, "project": project})
    form = StatusUpdateForm(request.POST)
    if form.is_valid():
        update = attempt(form, lambda: services.status_update_post(
            actor=request.user, project=project, **form.cleaned_data))
        if update is not None:
            messages.success(request, f"The status update for "
                                      f"{date_format(update.period, 'F Y')} is posted.")
            return redirect(project_url(project))
    return form_page(request, "status_update_form.html", {"form": form, "project": project},
                 status=form_status(form))


# --- contributions -----------------------------------------------------------------------------

def _contributions_url(project: Project) -> str:
    return reverse("projects:contributions", kwargs={"code": project.code})


def _contributions_page(request, project: Project, *, form=None, status=200):
    staff = may_record_contributions(request.user, project)
    if staff:
        rows = project.contributions.select_related("organisation")
    else:
        rows = contribution_list_visible(user=request.user).filter(project=project)
    rows = rows.order_by("year", "organisation__name", "kind", "pk")
    context = {
        "project": project, "staff": staff,
        "page": paginate(request, rows, per_page=CONTRIBUTIONS_PAGE_SIZE),
        "currency": Contribution.CURRENCY,
    }
    if staff:
        # Totals include every organisation's figures: only staff see them.
        context["by_organisation"] = list(contribution_totals(rows, "organisation__name"))
        context["total"] = next(iter(contribution_totals(rows, "project")), None)
        if project.status in OPEN_STATES:
            context["form"] = form or ContributionForm(
                organisations=_participating(project),
                initial={"year": timezone.localdate().year, "kind": Contribution.Kind.CASH})
    return form_page(request, "contributions.html", context, status=status)


def _participating(project: Project):
    return Organisation.objects.filter(project_participations__project=project).order_by("name")


@require_http_methods(GET_AND_POST)
@signed_in
def project_contributions(request, code: str):
    project, access = project_or_404(request, code)
    if not may_see_project_contributions(request.user, project, access):
        raise Http404("No such page.")
    if request.method != "POST":
        return _contributions_page(request, project)
    if not may_record_contributions(request.user, project):
        raise Refused("Only programme staff record contributions.")
    if project.status not in OPEN_STATES:
        return closed_redirect(request, project, "its contributions no longer change.")
    form = ContributionForm(request.POST, organisations=_participating(project))
    if form.is_valid():
        data = form.cleaned_data
        saved = attempt(form, lambda: services.contribution_record(
            actor=request.user, project=project, **data))
        if saved is not None:
            messages.success(request, f"The {saved.year} "
                                      f"{saved.get_kind_display().lower()} contribution of "
                                      f"{saved.organisation.name} is recorded.")
            return redirect(_contributions_url(project))
    return _contributions_page(request, project, form=form, status=400)


@require_http_methods(GET_AND_POST)
@signed_in
def contribution_remove(request, code: str, pk: int):
    project, _access = project_or_404(request, code)
    if not may_record_contributions(request.user, project):
        raise Http404("No such contribution.")
    contribution = project.contributions.select_related("organisation").filter(pk=pk).first()
    if contribution is None:
        raise Http404("No such contribution.")
    what = (f"the {contribution.year} {contribution.get_kind_display().lower()} contribution "
            f"of {contribution.organisation.name}")
    if request.method != "POST":
        return confirm_page(request, Confirmation(
            question=f"Remove {what} to {project.code}?",
            consequences=[f"Its figures (committed {contribution.committed_sgd:,} SGD, given "
                          f"{contribution.actual_sgd:,} SGD) leave the project's totals."],
            confirm_label="Remove the contribution", cancel_url=_contributions_url(project)))
    return act_and_redirect(
        request, lambda: services.contribution_remove(actor=request.user,
                                                      contribution=contribution),
        success=f"{what[0].upper()}{what[1:]} is removed.", to=_contributions_url(project))
