"""The partner directory, organisation profiles, registration and the programme office's
approvals, and an organisation's agreements (its workstreams tab is the workstreams app's:
workstreams.views.organisation_workstreams)."""


import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_countries import countries

from cluster_portal.accounts.decorators import programme_admin_required
from cluster_portal.audit.selectors import audit_events_for
from cluster_portal.core.exceptions import ApplicationError
from cluster_portal.core.pages import form_refusal_text, fragment_status, paginate

from .. import participation, services
from ..forms import (
    ApprovalForm,
    AskToJoinForm,
    DeclineForm,
    DirectoryFilterForm,
    ProfileForm,
    RegistrationForm,
)
from ..models import Organisation, PersonRequest
from ..permissions import (
    is_member_of,
    may_ask_to_join,
    may_decide_organisations,
    may_edit_profile,
    may_oversee_organisations,
    may_see_agreements,
    may_see_membership_terms,
    may_see_people,
)
from ..selectors import (
    organisation_agreements,
    organisation_directory,
    organisation_directory_countries,
    organisation_people,
    organisations_pending_approval,
    person_request_list_visible,
)
from .common import (
    DIRECTORY_PAGE_SIZE,
    GET_AND_POST,
    LIST_PAGE_SIZE,
    PEOPLE_PREVIEW,
    organisation_for,
    organisation_tabs,
    visible_organisation,
)

# --- Directory and profile -------------------------------------------------------------------


@require_safe
def directory(request):
    filter_form = DirectoryFilterForm(
        request.GET or None, workstream_choices=participation.workstream_choices(),
        country_codes=organisation_directory_countries(user=request.user),
    )
    filters = filter_form.filters() if request.GET else {}
    organisations = organisation_directory(user=request.user, **filters)
    page = paginate(request, organisations, per_page=DIRECTORY_PAGE_SIZE)
    for organisation in page:
        organisation.country_name = countries.name(organisation.country) or organisation.country
    return render(request, "partners/directory.html", {
        "filter_form": filter_form,
        "filtered": any(filters.values()),
        "page": page,
    })


HISTORY_LENGTH = 20


@require_safe
@cache_control(private=True, max_age=3600)
def logo(request, slug: str):
    """The logo, to those who may see the organisation: an unlisted organisation's logo is as
    hidden as its name."""
    organisation = visible_organisation(request, slug)
    if not organisation.logo:
        raise Http404("No logo.")
    try:
        handle = organisation.logo.open("rb")
    except (ValueError, OSError):
        raise Http404("No logo.") from None
    content_type = mimetypes.guess_type(organisation.logo.name)[0] or "application/octet-stream"
    return FileResponse(handle, content_type=content_type)


@require_safe
def detail(request, slug: str):
    organisation = visible_organisation(request, slug)
    user = request.user
    context = {
        "organisation": organisation,
        "tabs": organisation_tabs(request, organisation, "detail"),
        "workstream_memberships": participation.memberships_of(organisation),
        "is_member": is_member_of(user, organisation),
        "may_see_people": may_see_people(user, organisation),
        "may_edit_profile": may_edit_profile(user, organisation),
        "may_see_agreements": may_see_agreements(user, organisation),
        "may_see_terms": may_see_membership_terms(user, organisation),
        "may_oversee": may_oversee_organisations(user),
        "may_decide": may_decide_organisations(user),
        "may_ask_to_join": may_ask_to_join(user, organisation),
    }
    if context["may_see_people"]:
        people = list(organisation_people(organisation=organisation)[:PEOPLE_PREVIEW + 1])
        context["people"] = people[:PEOPLE_PREVIEW]
        context["more_people"] = len(people) > PEOPLE_PREVIEW
    if context["may_oversee"]:
        # Who changed this organisation and when (DESIGN.md rule 7), for programme staff.
        context["history"] = audit_events_for(target=organisation)[:HISTORY_LENGTH]
    if context["may_ask_to_join"]:
        context["pending_request"] = person_request_list_visible(user=user).filter(
            organisation=organisation, person=user, status=PersonRequest.Status.PENDING
        ).first()
        context["ask_form"] = AskToJoinForm(auto_id="ask-%s")
    return render(request, "partners/detail.html", context)


@login_required
@require_http_methods(GET_AND_POST)
def register(request):
    if request.method != "POST":
        return render(request, "partners/register.html", {"form": RegistrationForm()})
    form = RegistrationForm(request.POST)
    if form.is_valid():
        try:
            organisation = services.organisation_register(actor=request.user, **form.cleaned_data)
        except ApplicationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                f"{organisation.name} is registered. A programme admin will review it; until "
                "then only you and the programme office can see it.",
            )
            return redirect(organisation)
    return render(request, "partners/register.html", {"form": form}, status=400)


@login_required
@require_http_methods(GET_AND_POST)
def edit(request, slug: str):
    organisation = organisation_for(request, slug, may_edit_profile)
    if request.method != "POST":
        form = ProfileForm(initial={
            "name": organisation.name, "kind": organisation.kind,
            "website": organisation.website, "country": organisation.country,
            "description": organisation.description, "is_listed": organisation.is_listed,
        })
        return render(request, "partners/edit.html", {
            "organisation": organisation, "form": form,
            "tabs": organisation_tabs(request, organisation, "edit"),
        })
    form = ProfileForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            organisation = services.organisation_update_profile(
                actor=request.user, organisation=organisation,
                logo=form.cleaned_data["logo"] or None,
                remove_logo=form.cleaned_data["remove_logo"], **form.profile_changes(),
            )
        except ApplicationError as error:
            form.add_service_error(error)
            # The service set the refused values on the instance; show the stored profile.
            organisation = visible_organisation(request, slug)
        else:
            messages.success(request, f"{organisation.name}'s profile is saved.")
            return redirect(organisation)
    return render(request, "partners/edit.html", {
        "organisation": organisation, "form": form,
        "tabs": organisation_tabs(request, organisation, "edit"),
    }, status=400)


# --- Programme office: approving registrations -----------------------------------------------


def _approval_forms(organisation: Organisation, data=None, *, bound: str = ""):
    """The approve and decline forms of one queue row; `bound` says which one `data` fills.
    Ids carry the organisation's id, as the queue shows a pair of forms per organisation."""
    pk = organisation.pk
    return {
        "approve_form": ApprovalForm(data if bound == "approve" else None,
                                     auto_id=f"approve-{pk}-%s"),
        "decline_form": DeclineForm(data if bound == "decline" else None,
                                    auto_id=f"decline-{pk}-%s"),
    }


@programme_admin_required
@require_safe
def approvals(request):
    page = paginate(request, organisations_pending_approval(), per_page=LIST_PAGE_SIZE)
    rows = [{"organisation": organisation, **_approval_forms(organisation)}
            for organisation in page]
    return render(request, "partners/approvals.html", {"page": page, "rows": rows})


def _decide_organisation(request, slug: str, *, decision: str, decide, outcome):
    """Approve or decline from the queue. htmx gets the row back, showing the outcome, the
    form's errors (400) or the service's refusal (409 when already decided); a plain POST is
    redirected to the queue with a message."""
    organisation = visible_organisation(request, slug)
    forms = _approval_forms(organisation, request.POST, bound=decision)
    form = forms[f"{decision}_form"]
    row, status = {"organisation": organisation, **forms}, 400
    if form.is_valid():
        try:
            decided = decide(organisation, form.cleaned_data)
        except ApplicationError as error:
            status = fragment_status(error)
            if error.fields:
                form.add_service_error(error)
            else:  # already decided by someone else: nothing left to do in this row
                row["refusal"] = error
        else:
            row.update(organisation=decided, outcome=outcome(decided))
            status = 200
    if request.htmx:
        return render(request, "partners/partials/approval_row.html", {"row": row},
                      status=status)
    if "outcome" in row:
        messages.success(request, row["outcome"])
    elif "refusal" in row:
        messages.error(request, row["refusal"].message)
    else:
        messages.error(request, f"{organisation.name} was not {decision}d: "
                                f"{form_refusal_text(form)}")
    return redirect("partners:approvals")


@programme_admin_required
@require_POST
def approve(request, slug: str):
    def decide(organisation, data):
        return services.organisation_approve(
            actor=request.user, organisation=organisation, tier=data["tier"],
            tier_starts_on=data["tier_starts_on"], tier_ends_on=data["tier_ends_on"],
        )

    def outcome(organisation):
        tier = (f" with the {organisation.get_tier_display().lower()} tier" if organisation.tier
                else "")
        listed = ("It is now in the partner directory." if organisation.is_listed
                  else "It chose not to be listed in the directory.")
        return f"{organisation.name} is approved{tier}. {listed}"

    return _decide_organisation(request, slug, decision="approve", decide=decide,
                                outcome=outcome)


@programme_admin_required
@require_POST
def decline(request, slug: str):
    def decide(organisation, data):
        return services.organisation_decline(
            actor=request.user, organisation=organisation, reason=data["reason"]
        )

    return _decide_organisation(
        request, slug, decision="decline", decide=decide,
        outcome=lambda organisation: f"{organisation.name} is declined; its registrant is told "
                                     "why.",
    )


# --- Agreements --------------------------------------------------------------


@login_required
@require_safe
def agreements(request, slug: str):
    organisation = organisation_for(request, slug, may_see_agreements)
    return render(request, "partners/agreements.html", {
        "organisation": organisation,
        "tabs": organisation_tabs(request, organisation, "agreements"),
        "page": paginate(request, organisation_agreements(organisation=organisation),
                         per_page=LIST_PAGE_SIZE),
    })




