"""An organisation's people: members and roles, invitations (one by one or from a CSV),
requests to join, and the person's own organisations."""

import itertools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import HttpResponseClientRedirect

from cluster_portal.core.confirmation import Confirmation, confirm_page
from cluster_portal.core.csv_export import csv_download
from cluster_portal.core.exceptions import ApplicationError, NotFound
from cluster_portal.core.pages import (
    Refused,
    act_and_redirect,
    form_refusal_text,
    fragment_status,
    paginate,
)

from .. import services
from ..forms import (
    AskToJoinForm,
    InvitationForm,
    InvitationImportForm,
    PersonRequestDecisionForm,
    PersonRequestDeclineForm,
    RoleForm,
)
from ..models import Organisation, OrganisationMembership, PersonRequest
from ..permissions import (
    is_member_of,
    may_accept_invitation,
    may_manage_people,
    may_see_people,
)
from ..selectors import (
    invitation_import_get_visible,
    invitations_for_person,
    organisation_invitations,
    organisation_open_invitations,
    organisation_pending_person_requests,
    organisation_people,
    organisation_seats,
    organisations_of,
    person_request_list_visible,
)
from ..services.invitations import (
    IMPORT_REPORT_KEPT_FOR,
    INVITATION_VALID_FOR,
    invitation_ensure_open,
    invitation_get_by_token,
    wrong_account_error,
)
from .common import (
    GET_AND_POST,
    MEMBERS_PAGE_SIZE,
    organisation_for,
    organisation_tabs,
    people_url,
    visible_organisation,
)

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
        if invitation_id.isascii() and invitation_id.isdigit() else None
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
    if request.user.is_authenticated and not may_accept_invitation(request.user, invitation):
        # Say so before the person clicks, rather than offer a button that can only refuse.
        context["refusal"] = wrong_account_error(invitation)
    return render(request, "partners/invitation.html", context)


@login_required
@require_POST
def ask_to_join(request, slug: str):
    organisation = visible_organisation(request, slug)
    form = AskToJoinForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_refusal_text(form))
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
@require_http_methods(GET_AND_POST)
def person_request_withdraw(request, pk: int):
    person_request = person_request_list_visible(user=request.user).filter(
        pk=pk, person=request.user
    ).first()
    if person_request is None:
        raise Http404("No such request.")
    if request.method != "POST":
        name = person_request.organisation.name
        return confirm_page(request, Confirmation(
            question=f"Withdraw your request to join {name}?",
            consequences=[f"{name}'s admins will no longer see it. You can ask again later."],
            confirm_label="Withdraw the request",
            cancel_url=reverse("partners:my_organisations")))
    return act_and_redirect(
        request,
        lambda: services.person_request_withdraw(actor=request.user, person_request=person_request),
        success=f"Your request to join {person_request.organisation.name} is withdrawn.",
        to=reverse("partners:my_organisations"),
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
        "tabs": organisation_tabs(request, organisation, "people"),
        "page": paginate(request, organisation_people(organisation=organisation),
                         per_page=MEMBERS_PAGE_SIZE),
        "may_manage": manage,
        "own_membership": own_membership,
        "role_choices": OrganisationMembership.Role.choices,
    }
    if manage:
        invitations = _invitations_context(organisation)
        context.update(
            invitations,
            import_form=InvitationImportForm(auto_id="import-%s", seats=invitations["seats"]),
            person_requests=organisation_pending_person_requests(organisation=organisation),
        )
    context.update(overrides)
    return context


def _invitations_context(organisation: Organisation, **overrides) -> dict:
    return {
        "organisation": organisation,
        "invitation_form": InvitationForm(auto_id="invite-%s"),
        "open_invitations": organisation_open_invitations(organisation=organisation),
        # Said beside the invitations, so that each change (htmx swaps this region) updates it.
        "seats": organisation_seats(organisation=organisation),
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
    organisation = organisation_for(request, slug, may_see_people)
    return render(request, "partners/people.html", _people_context(request, organisation))


@login_required
@require_POST
def membership_role(request, slug: str, pk: int):
    organisation = organisation_for(request, slug, may_manage_people)
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
            return HttpResponseClientRedirect(people_url(organisation))
        return redirect(people_url(organisation))
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
    return redirect(people_url(organisation))


@login_required
@require_http_methods(GET_AND_POST)
def membership_remove(request, slug: str, pk: int):
    """An admin removes a colleague, or a person leaves (their own membership)."""
    organisation = organisation_for(request, slug, may_see_people)
    membership = _membership_of(organisation, pk)
    leaving = membership.person_id == request.user.pk
    if request.method != "POST":
        if not leaving and not may_manage_people(request.user, organisation):
            raise Refused("Only the organisation's admins remove people.")
        return confirm_page(request, _removal_confirmation(organisation, membership, leaving))
    return act_and_redirect(
        request,
        lambda: services.organisation_membership_remove(actor=request.user, membership=membership),
        success=f"You no longer act for {organisation.name}." if leaving
        else f"{membership.person} no longer acts for {organisation.name}.",
        # Someone who left may no longer see the people page.
        to=reverse("partners:my_organisations") if leaving else people_url(organisation),
    )


def _removal_confirmation(organisation: Organisation, membership: OrganisationMembership,
                          leaving: bool) -> Confirmation:
    name = organisation.name
    if leaving:
        return Confirmation(
            question=f"Leave {name}?",
            consequences=[
                f"You will no longer act for {name} on the portal: its people, its agreements "
                "and the members' areas of its workstreams close to you.",
                f"To come back, one of {name}'s partner admins invites you again.",
            ],
            confirm_label=f"Leave {name}", cancel_url=people_url(organisation))
    person = membership.person
    return Confirmation(
        question=f"Remove {person} from {name}?",
        consequences=[
            f"{person} will no longer act for {name} on the portal, and is told so.",
            "To bring them back, invite them again.",
        ],
        confirm_label=f"Remove {person}", cancel_url=people_url(organisation))


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
    return redirect(people_url(organisation))


@login_required
@require_POST
def invitation_create(request, slug: str):
    organisation = organisation_for(request, slug, may_manage_people)
    form, status = InvitationForm(request.POST, auto_id="invite-%s"), 400
    if form.is_valid():
        email = form.cleaned_data["email"]
        # Asked before: inviting the address again kills the link of its open invitation.
        replaces = organisation_open_invitations(organisation=organisation).filter(
            email__iexact=email).exists()
        try:
            sent, _token = services.invitation_create(
                actor=request.user, organisation=organisation, email=email,
                role=form.cleaned_data["role"], full_name=form.cleaned_data["full_name"],
            )
        except ApplicationError as error:  # already a member, the tier's limit reached
            form.add_service_error(error)
            status = fragment_status(error)
        else:
            return _invitations_answer(request, organisation,
                                       notice=_sent_notice(sent, replaces=replaces))
    return _invitations_answer(request, organisation, form=form, form_status=status)


@login_required
@require_http_methods(GET_AND_POST)
def invitation_revoke(request, slug: str, pk: int):
    organisation = organisation_for(request, slug, may_manage_people)
    invitation = organisation_invitations(organisation=organisation).filter(pk=pk).first()
    if invitation is None:
        raise Http404("No such invitation.")
    if request.method != "POST":
        return confirm_page(request, Confirmation(
            question=f"Revoke the invitation of {invitation.email}?",
            consequences=[
                f"The link sent to {invitation.email} stops working, and its e-mail is not "
                "sent if it has not gone yet.",
                "You can invite the address again later.",
            ],
            confirm_label="Revoke the invitation", cancel_url=people_url(organisation),
            swap_target="#invitations-region", swap="innerHTML"))
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
    organisation = organisation_for(request, slug, may_manage_people)
    """Post, redirect, get: the report is kept and shown at its own address, so reloading it
    never sends the invitations again. A file refused whole invites nobody: the people page
    comes back with the reason, said at its top and at the form."""
    form = InvitationImportForm(request.POST, request.FILES, auto_id="import-%s",
                                seats=organisation_seats(organisation=organisation))
    if form.is_valid():
        try:
            report = services.invitations_import_csv(
                actor=request.user, organisation=organisation, upload=form.cleaned_data["file"]
            )
        except ApplicationError as error:
            form.add_service_error(error)
        else:
            return redirect("partners:invitation_import_report", slug=organisation.slug,
                            pk=report.pk)
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
    organisation = organisation_for(request, slug, may_manage_people)
    person_request = _pending_request_of(request, organisation, pk)
    form = PersonRequestDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_refusal_text(form))
        return redirect(people_url(organisation))
    role = form.cleaned_data["role"] or OrganisationMembership.Role.MEMBER  # none chosen: member
    return act_and_redirect(
        request,
        lambda: services.person_request_approve(
            actor=request.user, person_request=person_request, role=role),
        success=lambda membership: f"{membership.person} now acts for {organisation.name} as "
                                   f"{membership.get_role_display().lower()}.",
        to=people_url(organisation),
    )


@login_required
@require_http_methods(GET_AND_POST)
def person_request_decline(request, slug: str, pk: int):
    organisation = organisation_for(request, slug, may_manage_people)
    person_request = _pending_request_of(request, organisation, pk)
    if request.method != "POST":
        person = person_request.person
        return confirm_page(request, Confirmation(
            question=f"Decline {person}'s request to join {organisation.name}?",
            consequences=[
                f"{person} is told the request was declined, with your reason if you give one.",
                f"They will not act for {organisation.name}; they may ask again later.",
            ],
            confirm_label=f"Decline {person}", cancel_url=people_url(organisation),
            form=PersonRequestDeclineForm(auto_id=f"decline-{person_request.pk}-%s")))
    form = PersonRequestDecisionForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return act_and_redirect(
        request,
        lambda: services.person_request_decline(
            actor=request.user, person_request=person_request, reason=reason),
        success=f"The request of {person_request.person} is declined; they are told.",
        to=people_url(organisation),
    )


# --- Sending again, the import's report, the export -----------------------------------------


def _sent_notice(invitation, *, replaces: bool) -> str:
    notice = (f"The invitation to {invitation.email} is on its way; the list below shows when "
              "its e-mail has gone. The link works once and expires in "
              f"{INVITATION_VALID_FOR.days} days, on {invitation.expires_at:%d %b %Y}.")
    if replaces:
        notice += (f" The link of the earlier invitation to {invitation.email} no longer works: "
                   "only the new e-mail's link does.")
    return notice


@login_required
@require_POST
def invitation_resend(request, slug: str, pk: int):
    """A new link to the same address and role; the old one stops working."""
    organisation = organisation_for(request, slug, may_manage_people)
    invitation = organisation_invitations(organisation=organisation).filter(pk=pk).first()
    if invitation is None:
        raise Http404("No such invitation.")
    try:
        sent = services.invitation_resend(actor=request.user, invitation=invitation)
    except ApplicationError as error:  # answered, withdrawn, sent moments ago, or too often
        return _invitations_answer(request, organisation, refusal=error)
    return _invitations_answer(request, organisation,
                               notice=_sent_notice(sent.invitation, replaces=True))


@login_required
@require_safe
def invitation_import_report(request, slug: str, pk: int):
    organisation = organisation_for(request, slug, may_manage_people)
    report = invitation_import_get_visible(user=request.user, organisation=organisation, pk=pk)
    if report is None:
        raise Http404("No such report: it is only for the person who imported the file, for "
                      f"{IMPORT_REPORT_KEPT_FOR.days} days.")
    return render(request, "partners/invitation_import_report.html", {
        "organisation": organisation, "report": report,
        "tabs": organisation_tabs(request, organisation, "people"),
        "import_form": InvitationImportForm(auto_id="import-%s",
                                            seats=organisation_seats(organisation=organisation)),
    })


@login_required
@require_safe
def people_export(request, slug: str):
    """The organisation's people and open invitations as CSV, for those who manage them. The
    first three columns are the import's (name, email, role), so the file can be edited and
    imported again. Two queries, however many rows."""
    organisation = organisation_for(request, slug, may_manage_people)
    people = ((membership.person.full_name, membership.person.email, membership.role, "member",
               f"{membership.created_at:%Y-%m-%d}", "")
              for membership in organisation_people(organisation=organisation))
    invited = ((invitation.full_name, invitation.email, invitation.role, "invited",
                f"{invitation.created_at:%Y-%m-%d}", f"{invitation.expires_at:%Y-%m-%d}")
               for invitation in organisation_open_invitations(organisation=organisation))
    return csv_download(filename=f"{organisation.slug}-people.csv",
                        header=["name", "email", "role", "status", "since",
                                "invitation expires"],
                        rows=itertools.chain(people, invited))
