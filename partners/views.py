"""The partners pages: the directory, an organisation's profile and people, registration and
approval, invitations and requests to join.

Views parse the request, call one selector or service, and present the result. Who may see or
do what is asked of partners.permissions; a service's refusal (an ApplicationError) is shown in
its own words, as a form error, a message or an error page (see "Refusals" below).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import HttpResponseClientRedirect

from cluster_portal.accounts.decorators import programme_admin_required
from cluster_portal.core.exceptions import ApplicationError, NotFound
from cluster_portal.core.pages import paginate
from workstreams.models import JoinRequest, Workstream
from workstreams.permissions import may_withdraw_join_request
from workstreams.selectors import (
    join_request_list_visible,
    organisation_workstream_memberships,
    workstream_list_public,
)

from . import services
from .entitlements import entitlements_of
from .forms import (
    ApprovalForm,
    AskToJoinForm,
    DeclineForm,
    DirectoryFilterForm,
    InvitationForm,
    InvitationImportForm,
    PersonRequestDecisionForm,
    ProfileForm,
    RegistrationForm,
    RoleForm,
)
from .models import Organisation, OrganisationMembership, PersonRequest
from .permissions import (
    is_member_of,
    may_ask_to_join,
    may_decide_organisations,
    may_edit_profile,
    may_manage_people,
    may_oversee_organisations,
    may_request_workstreams,
    may_see_agreements,
    may_see_membership_terms,
    may_see_people,
    may_view_organisation,
)
from .selectors import (
    invitations_for_person,
    organisation_agreements,
    organisation_directory,
    organisation_has_signed_consortium_agreement,
    organisation_invitations,
    organisation_list_visible,
    organisation_open_invitations,
    organisation_pending_person_requests,
    organisation_people,
    organisations_of,
    organisations_pending_approval,
    person_request_list_visible,
)
from .services.people import (
    INVITATION_VALID_FOR,
    invitation_ensure_open,
    invitation_get_by_token,
)

DIRECTORY_PAGE_SIZE = 24
MEMBERS_PAGE_SIZE = 50
LIST_PAGE_SIZE = 25
PEOPLE_PREVIEW = 8
GET_AND_POST = ["GET", "HEAD", "POST"]


# --- Finding the organisation ----------------------------------------------------------------


def _visible_organisation(request, slug: str) -> Organisation:
    """The organisation named in the URL, if the person may see it. One answer, 404, for "no
    such organisation" and "not yours to see", so a hidden organisation's slug reveals nothing."""
    organisation = organisation_list_visible(user=request.user).filter(slug=slug).first()
    if organisation is None or not may_view_organisation(request.user, organisation):
        raise Http404("No such organisation.")
    return organisation


def _organisation_for(request, slug: str, permission) -> Organisation:
    organisation = _visible_organisation(request, slug)
    if not permission(request.user, organisation):
        raise PermissionDenied
    return organisation


def _people_url(organisation: Organisation) -> str:
    return reverse("partners:people", kwargs={"slug": organisation.slug})


ORGANISATION_TABS = [
    ("detail", "Profile", may_view_organisation),
    ("people", "People", may_see_people),
    ("workstreams", "Workstreams", may_see_membership_terms),
    ("agreements", "Agreements", may_see_agreements),
    ("edit", "Edit profile", may_edit_profile),
]


def _organisation_tabs(request, organisation: Organisation, current: str) -> list[dict]:
    """The organisation's pages this person may open; shown only when there is more than one."""
    tabs = [
        {"label": label, "url": reverse(f"partners:{name}", kwargs={"slug": organisation.slug}),
         "current": name == current}
        for name, label, permission in ORGANISATION_TABS
        if permission(request.user, organisation)
    ]
    return tabs if len(tabs) > 1 else []


# --- Refusals --------------------------------------------------------------------------------
# cluster_portal.core maps ApplicationError to JSON for the API only; these are the HTML
# counterparts, used by every view below so a refusal reads the same wherever it happens.


def act_and_redirect(request, action, *, success, to: str):
    """Run one service call for a plain form POST, then go to `to`, telling the person what
    happened: `success` (text, or a function of the result) or the service's own refusal."""
    try:
        result = action()
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success(result) if callable(success) else success)
    return redirect(to)


# base.html has htmx swap 400 and 409 answers as well as successful ones, so a fragment that
# explains a refusal keeps its true status. A 403/404 from a service reaches a fragment only when
# someone changed the organisation since the page was drawn (the view checked access first); it
# is answered as the conflict with the current state that it is, so the explanation still shows.
HTMX_SWAPPED_REFUSALS = frozenset({400, 409})


def fragment_status(error: ApplicationError) -> int:
    return error.status_code if error.status_code in HTMX_SWAPPED_REFUSALS else 409


def _form_refusal_text(form) -> str:
    return " ".join(str(message) for errors in form.errors.values() for message in errors)


# --- Directory and profile -------------------------------------------------------------------


@require_safe
def directory(request):
    workstreams = workstream_list_public()
    filter_form = DirectoryFilterForm(request.GET or None, workstreams=workstreams)
    filters = filter_form.filters() if request.GET else {}
    organisations = organisation_directory(user=request.user, **filters)
    return render(request, "partners/directory.html", {
        "filter_form": filter_form,
        "filtered": any(filters.values()),
        "page": paginate(request, organisations, per_page=DIRECTORY_PAGE_SIZE),
    })


@require_safe
def detail(request, slug: str):
    organisation = _visible_organisation(request, slug)
    user = request.user
    context = {
        "organisation": organisation,
        "tabs": _organisation_tabs(request, organisation, "detail"),
        "workstream_memberships": organisation_workstream_memberships(organisation=organisation),
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
    organisation = _organisation_for(request, slug, may_edit_profile)
    if request.method != "POST":
        form = ProfileForm(initial={
            "name": organisation.name, "kind": organisation.kind,
            "website": organisation.website, "country": organisation.country,
            "description": organisation.description, "is_listed": organisation.is_listed,
        })
        return render(request, "partners/edit.html", {
            "organisation": organisation, "form": form,
            "tabs": _organisation_tabs(request, organisation, "edit"),
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
            organisation = _visible_organisation(request, slug)
        else:
            messages.success(request, f"{organisation.name}'s profile is saved.")
            return redirect(organisation)
    return render(request, "partners/edit.html", {
        "organisation": organisation, "form": form,
        "tabs": _organisation_tabs(request, organisation, "edit"),
    }, status=400)


# --- The person's own organisations, invitations and requests ---------------------------------


@login_required
@require_http_methods(GET_AND_POST)
def my_organisations(request):
    """The person's organisations and what awaits them. POST accepts one of the invitations
    listed here: the database keeps only a digest of each e-mailed link, so the list accepts by
    invitation, and the service checks the person holds the invited address."""
    if request.method == "POST":
        return _accept_listed_invitation(request)
    user = request.user
    return render(request, "partners/my_organisations.html", {
        "memberships": organisations_of(user=user),
        "invitations": invitations_for_person(user=user),
        "pending_requests": person_request_list_visible(user=user).filter(
            person=user, status=PersonRequest.Status.PENDING
        ).order_by("-created_at"),
    })


def _accept_listed_invitation(request):
    invitation_id = request.POST.get("invitation", "")
    invitation = (
        invitations_for_person(user=request.user).filter(pk=invitation_id).first()
        if invitation_id.isdigit() else None
    )
    if invitation is None:
        messages.error(request, "This invitation is no longer open to you.")
        return redirect("partners:my_organisations")
    return act_and_redirect(
        request,
        lambda: services.invitation_accept(actor=request.user, invitation=invitation),
        success=lambda membership: f"You now act for {membership.organisation.name} as "
                                   f"{membership.get_role_display().lower()}.",
        to=reverse("partners:detail", kwargs={"slug": invitation.organisation.slug}),
    )


@require_http_methods(GET_AND_POST)
def invitation(request, token: str):
    """The e-mailed link. Anyone holding it sees what it offers; accepting needs the account
    with the invited address. A link that no longer works says why and changes nothing."""
    try:
        invitation = invitation_get_by_token(token=token)
    except NotFound as error:
        return render(request, "partners/invitation.html", {"refusal": error}, status=404)
    context = {"invitation": invitation, "organisation": invitation.organisation}
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.path)
        try:
            membership = services.invitation_accept(actor=request.user, token=token)
        except ApplicationError as error:
            return render(request, "partners/invitation.html", {**context, "refusal": error},
                          status=error.status_code)
        messages.success(request, f"You now act for {membership.organisation.name} as "
                                  f"{membership.get_role_display().lower()}.")
        return redirect(membership.organisation)
    try:
        invitation_ensure_open(invitation=invitation)
    except ApplicationError as error:
        return render(request, "partners/invitation.html", {**context, "refusal": error},
                      status=error.status_code)
    return render(request, "partners/invitation.html", context)


@login_required
@require_POST
def ask_to_join(request, slug: str):
    organisation = _visible_organisation(request, slug)
    form = AskToJoinForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_refusal_text(form))
        return redirect(organisation)
    return act_and_redirect(
        request,
        lambda: services.person_request_create(
            actor=request.user, organisation=organisation, message=form.cleaned_data["message"]
        ),
        success=f"You asked to join {organisation.name}. Its admins will decide; you will be "
                "told here when they do.",
        to=organisation.get_absolute_url(),
    )


@login_required
@require_POST
def person_request_withdraw(request, pk: int):
    person_request = person_request_list_visible(user=request.user).filter(
        pk=pk, person=request.user
    ).first()
    if person_request is None:
        raise Http404("No such request.")
    return act_and_redirect(
        request,
        lambda: services.person_request_withdraw(actor=request.user, request=person_request),
        success=f"Your request to join {person_request.organisation.name} is withdrawn.",
        to=reverse("partners:my_organisations"),
    )


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
    organisation = _visible_organisation(request, slug)
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
                                f"{_form_refusal_text(form)}")
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


# --- An organisation's people ----------------------------------------------------------------


def _people_context(request, organisation: Organisation, **overrides) -> dict:
    user = request.user
    manage = may_manage_people(user, organisation)
    own_membership = (
        organisation_people(organisation=organisation).filter(person=user).first()
        if is_member_of(user, organisation) else None
    )
    context = {
        "organisation": organisation,
        "tabs": _organisation_tabs(request, organisation, "people"),
        "page": paginate(request, organisation_people(organisation=organisation),
                         per_page=MEMBERS_PAGE_SIZE),
        "may_manage": manage,
        "own_membership": own_membership,
        "role_choices": OrganisationMembership.Role.choices,
    }
    if manage:
        context.update(
            _invitations_context(organisation),
            import_form=InvitationImportForm(auto_id="import-%s"),
            person_requests=organisation_pending_person_requests(organisation=organisation),
        )
    context.update(overrides)
    return context


def _invitations_context(organisation: Organisation, **overrides) -> dict:
    return {
        "organisation": organisation,
        "invitation_form": InvitationForm(auto_id="invite-%s"),
        "open_invitations": organisation_open_invitations(organisation=organisation),
        "valid_days": INVITATION_VALID_FOR.days,
        **overrides,
    }


def _membership_of(organisation: Organisation, pk: int) -> OrganisationMembership:
    membership = organisation_people(organisation=organisation).filter(pk=pk).first()
    if membership is None:
        raise Http404("That person does not act for this organisation.")
    return membership


@login_required
@require_safe
def people(request, slug: str):
    organisation = _organisation_for(request, slug, may_see_people)
    return render(request, "partners/people.html", _people_context(request, organisation))


@login_required
@require_POST
def membership_role(request, slug: str, pk: int):
    organisation = _organisation_for(request, slug, may_manage_people)
    membership = _membership_of(organisation, pk)
    form = RoleForm(request.POST)
    row, status = {"membership": membership}, 200
    if not form.is_valid():
        row["error"], status = "Choose a role: partner admin or partner member.", 400
    else:
        try:
            membership = services.organisation_membership_change_role(
                actor=request.user, membership=membership, role=form.cleaned_data["role"]
            )
        except ApplicationError as error:  # such as demoting the last admin
            row["error"], status = error.message, fragment_status(error)
        else:
            row.update(membership=membership, notice=f"{membership.person} is now "
                                                     f"{membership.get_role_display().lower()}.")
    if "notice" in row and membership.person_id == request.user.pk:
        # Demoting oneself changes what the whole page offers: reload it rather than one row.
        messages.success(request, row["notice"])
        if request.htmx:
            return HttpResponseClientRedirect(_people_url(organisation))
        return redirect(_people_url(organisation))
    if request.htmx:
        return render(request, "partners/partials/member_row.html", {
            "organisation": organisation, "may_manage": True, "row": row,
            "membership": row["membership"],
            "role_choices": OrganisationMembership.Role.choices,
        }, status=status)
    if "notice" in row:
        messages.success(request, row["notice"])
    else:
        messages.error(request, row["error"])
    return redirect(_people_url(organisation))


@login_required
@require_POST
def membership_remove(request, slug: str, pk: int):
    """An admin removes a colleague, or a person leaves (their own membership)."""
    organisation = _organisation_for(request, slug, may_see_people)
    membership = _membership_of(organisation, pk)
    leaving = membership.person_id == request.user.pk
    if not leaving and not may_manage_people(request.user, organisation):
        raise PermissionDenied
    return act_and_redirect(
        request,
        lambda: services.organisation_membership_remove(actor=request.user, membership=membership),
        success=f"You no longer act for {organisation.name}." if leaving
        else f"{membership.person} no longer acts for {organisation.name}.",
        # Someone who left may no longer see the people page.
        to=reverse("partners:my_organisations") if leaving else _people_url(organisation),
    )


def _invitations_answer(request, organisation: Organisation, *, notice: str = "",
                        refusal: ApplicationError | None = None, form=None,
                        form_status: int = 400):
    """The invitations region after a change: htmx gets the region itself; a plain POST goes
    back to the people page with a message, or sees the page again with the form's errors."""
    if request.htmx:
        overrides = {"notice": notice, "refusal": refusal.message if refusal else ""}
        status = fragment_status(refusal) if refusal else 200
        if form is not None:
            overrides["invitation_form"], status = form, form_status
        return render(request, "partners/partials/invitations.html",
                      _invitations_context(organisation, **overrides), status=status)
    if form is not None:
        return render(request, "partners/people.html",
                      _people_context(request, organisation, invitation_form=form),
                      status=form_status)
    if notice:
        messages.success(request, notice)
    if refusal:
        messages.error(request, refusal.message)
    return redirect(_people_url(organisation))


@login_required
@require_POST
def invitation_create(request, slug: str):
    organisation = _organisation_for(request, slug, may_manage_people)
    form, status = InvitationForm(request.POST, auto_id="invite-%s"), 400
    if form.is_valid():
        try:
            sent, _token = services.invitation_create(
                actor=request.user, organisation=organisation, email=form.cleaned_data["email"],
                role=form.cleaned_data["role"], full_name=form.cleaned_data["full_name"],
            )
        except ApplicationError as error:  # already a member, the tier's limit reached
            form.add_service_error(error)
            status = fragment_status(error)
        else:
            return _invitations_answer(
                request, organisation,
                notice=f"An invitation link was e-mailed to {sent.email}. It works once and "
                       f"expires in {INVITATION_VALID_FOR.days} days, on "
                       f"{sent.expires_at:%d %b %Y}.",
            )
    return _invitations_answer(request, organisation, form=form, form_status=status)


@login_required
@require_POST
def invitation_revoke(request, slug: str, pk: int):
    organisation = _organisation_for(request, slug, may_manage_people)
    invitation = organisation_invitations(organisation=organisation).filter(pk=pk).first()
    if invitation is None:
        raise Http404("No such invitation.")
    try:
        services.invitation_revoke(actor=request.user, invitation=invitation)
    except ApplicationError as error:
        return _invitations_answer(request, organisation, refusal=error)
    return _invitations_answer(
        request, organisation, notice=f"The invitation of {invitation.email} is revoked; its "
                                      "link no longer works.",
    )


@login_required
@require_POST
def invitation_import(request, slug: str):
    organisation = _organisation_for(request, slug, may_manage_people)
    form = InvitationImportForm(request.POST, request.FILES, auto_id="import-%s")
    if form.is_valid():
        try:
            report = services.invitations_import_csv(
                actor=request.user, organisation=organisation, upload=form.cleaned_data["file"]
            )
        except ApplicationError as error:
            form.add_service_error(error)
        else:
            invited = sum(1 for row in report if row.outcome == "invited")
            return render(request, "partners/people.html", _people_context(
                request, organisation, import_report=report, import_invited=invited,
                import_refused=len(report) - invited,
            ))
    return render(request, "partners/people.html",
                  _people_context(request, organisation, import_form=form), status=400)


def _pending_request_of(request, organisation: Organisation, pk: int) -> PersonRequest:
    person_request = person_request_list_visible(user=request.user).filter(
        organisation=organisation, pk=pk
    ).first()
    if person_request is None:
        raise Http404("No such request.")
    return person_request


@login_required
@require_POST
def person_request_approve(request, slug: str, pk: int):
    organisation = _organisation_for(request, slug, may_manage_people)
    person_request = _pending_request_of(request, organisation, pk)
    form = PersonRequestDecisionForm(request.POST)
    role = form.cleaned_data["role"] if form.is_valid() else ""
    return act_and_redirect(
        request,
        lambda: services.person_request_approve(
            actor=request.user, request=person_request,
            role=role or OrganisationMembership.Role.MEMBER),
        success=lambda membership: f"{membership.person} now acts for {organisation.name} as "
                                   f"{membership.get_role_display().lower()}.",
        to=_people_url(organisation),
    )


@login_required
@require_POST
def person_request_decline(request, slug: str, pk: int):
    organisation = _organisation_for(request, slug, may_manage_people)
    person_request = _pending_request_of(request, organisation, pk)
    form = PersonRequestDecisionForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return act_and_redirect(
        request,
        lambda: services.person_request_decline(
            actor=request.user, request=person_request, reason=reason),
        success=f"The request of {person_request.person} is declined; they are told.",
        to=_people_url(organisation),
    )


# --- Agreements and workstreams --------------------------------------------------------------


@login_required
@require_safe
def agreements(request, slug: str):
    organisation = _organisation_for(request, slug, may_see_agreements)
    return render(request, "partners/agreements.html", {
        "organisation": organisation,
        "tabs": _organisation_tabs(request, organisation, "agreements"),
        "page": paginate(request, organisation_agreements(organisation=organisation),
                         per_page=LIST_PAGE_SIZE),
    })


@login_required
@require_safe
def workstreams(request, slug: str):
    """The organisation's workstreams, its requests to join more, and what its tier and
    agreements allow, so an admin can see beforehand why a request would be refused."""
    organisation = _organisation_for(request, slug, may_see_membership_terms)
    user = request.user
    memberships = list(organisation_workstream_memberships(organisation=organisation))
    entitlements = entitlements_of(organisation)
    context = {
        "organisation": organisation,
        "tabs": _organisation_tabs(request, organisation, "workstreams"),
        "memberships": memberships,
        "entitlements": entitlements,
        "entitled_kinds": [label for value, label in Workstream.Kind.choices
                           if value in entitlements.workstream_kinds],
        "has_consortium_agreement": organisation_has_signed_consortium_agreement(
            organisation=organisation),
        "may_request": may_request_workstreams(user, organisation),
        "sees_requests": may_request_workstreams(user, organisation)
        or may_oversee_organisations(user),
    }
    if context["sees_requests"]:
        requests = join_request_list_visible(user=user).filter(organisation=organisation)
        page = paginate(request, requests, per_page=LIST_PAGE_SIZE)
        context["requests_page"] = page
        context["withdrawable"] = {
            join_request.pk for join_request in page
            if join_request.is_pending and may_withdraw_join_request(user, join_request)
        }
    if context["may_request"]:
        context["open_workstreams"] = _open_workstreams_for(
            user, organisation, memberships, entitlements)
    return render(request, "partners/workstreams.html", context)


def _open_workstreams_for(user, organisation, memberships, entitlements) -> list[dict]:
    """Each active workstream with what stands between the organisation and joining it."""
    member_of = {membership.workstream_id for membership in memberships}
    requested = set(
        join_request_list_visible(user=user).filter(
            organisation=organisation, status=JoinRequest.Status.PENDING
        ).values_list("workstream_id", flat=True)
    )
    rows = []
    for workstream in workstream_list_public().filter(status=Workstream.Status.ACTIVE):
        if workstream.pk in member_of:
            state = "member"
        elif workstream.pk in requested:
            state = "requested"
        elif workstream.kind not in entitlements.workstream_kinds:
            state = "not_covered"
        else:
            state = "open"
        rows.append({"workstream": workstream, "state": state})
    return rows

