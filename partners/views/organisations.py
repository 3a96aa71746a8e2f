"""The partner directory, organisation profiles, registration and the programme office's
approvals, an organisation's agreements and its programme membership with its renewal, and the
programme office's renewals (its workstreams tab is the workstreams app's:
workstreams.views.organisation_workstreams)."""


import mimetypes
import posixpath
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_countries import countries

from cluster_portal.accounts.decorators import programme_admin_required, programme_staff_required
from cluster_portal.audit.selectors import audit_events_for
from cluster_portal.core.confirmation import Confirmation, confirm_page
from cluster_portal.core.csv_export import list_export, list_export_filters
from cluster_portal.core.exceptions import ApplicationError
from cluster_portal.core.pages import (
    Refused,
    act_and_redirect,
    form_refusal_text,
    fragment_status,
    paginate,
)

from .. import list_exports, participation, services
from ..forms import (
    AgreementConfirmForm,
    ApprovalForm,
    AskToJoinForm,
    DeclineForm,
    ProfileForm,
    RegistrationForm,
    RenewalDeclineForm,
    RenewalRequestForm,
    RenewForm,
    SignedAgreementForm,
)
from ..models import Agreement, Organisation, PersonRequest, RenewalRequest
from ..permissions import (
    is_member_of,
    may_ask_to_join,
    may_decide_organisations,
    may_edit_profile,
    may_oversee_organisations,
    may_request_renewal,
    may_see_agreements,
    may_see_membership_terms,
    may_see_people,
    may_sign_agreements,
)
from ..selectors import (
    RENEWAL_WINDOW_DAYS,
    organisation_agreements,
    organisation_people,
    organisations_pending_approval,
    person_request_list_visible,
    renewal_request_list_visible,
    renewal_requests_waiting,
    renewals_due,
    renewals_lapsed,
)
from ..services.organisations import RENEWAL_REMINDER_DAYS
from ..services.renewals import next_term
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
    filter_form = list_exports.directory_form(request.user, request.GET)
    filters = filter_form.filters() if request.GET else {}
    organisations = list_exports.directory_organisations(request.user, filter_form)
    page = paginate(request, organisations, per_page=DIRECTORY_PAGE_SIZE)
    for organisation in page:
        organisation.country_name = countries.name(organisation.country) or organisation.country
    export_filters = list_export_filters(request.GET, filter_form.fields)
    return render(request, "partners/directory.html", {
        "filter_form": filter_form,
        "filtered": any(filters.values()),
        "page": page,
        "may_export": may_oversee_organisations(request.user),
        "export_query": urlencode(export_filters),
    })


@require_safe
@programme_staff_required
def directory_csv(request):
    """The directory as it lists organisations to programme staff, with its filters: streamed,
    or, when it is too long to stream, a report job the person is sent to follow."""
    filter_form = list_exports.directory_form(request.user, request.GET)
    organisations = list_exports.directory_organisations(request.user, filter_form)
    filters = list_export_filters(request.GET, filter_form.fields)
    list_url = reverse("partners:directory") + (f"?{urlencode(filters)}" if filters else "")
    return list_export(
        request, queryset=organisations, header=list_exports.DIRECTORY_HEADER,
        row=list_exports.directory_row,
        filename=f"partner-directory-{timezone.localdate().isoformat()}.csv",
        kind=list_exports.DIRECTORY_KIND, filters=filters, list_url=list_url)


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
        # Who changed this organisation and when (design rule 7), for programme staff.
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
        except services.organisations.AlreadyActsFor as already:
            # The form sent again (Back, then Send): to the organisation it registered.
            messages.info(request, already.message)
            return redirect(already.organisation)
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
@require_http_methods(GET_AND_POST)
def decline(request, slug: str):
    if request.method != "POST":
        organisation = visible_organisation(request, slug)
        return confirm_page(request, Confirmation(
            question=f"Decline the registration of {organisation.name}?",
            consequences=[
                f"{organisation.name}'s registrant is told, with your reason. It does not join "
                "the programme and stays out of the directory.",
                "A decline is final on the portal: the registration can't be approved later.",
            ],
            confirm_label=f"Decline {organisation.name}",
            cancel_url=reverse("partners:approvals"),
            form=DeclineForm(auto_id=f"decline-{organisation.pk}-%s"),
            swap_target=f"#approval-{organisation.pk}"))

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


def _agreements_url(organisation: Organisation) -> str:
    return reverse("partners:agreements", kwargs={"slug": organisation.slug})


def _agreement_of(organisation: Organisation, pk: int) -> Agreement:
    agreement = organisation_agreements(organisation=organisation).filter(pk=pk).first()
    if agreement is None:
        raise Http404("No such agreement.")
    return agreement


@login_required
@require_safe
def agreements(request, slug: str):
    """The organisation's agreements: each one's state, the agreement to sign and the signed
    copy to download, the upload of the signed copy (its admins) and the confirmation (the
    programme office)."""
    organisation = organisation_for(request, slug, may_see_agreements)
    user = request.user
    page = paginate(request, organisation_agreements(organisation=organisation),
                    per_page=LIST_PAGE_SIZE)
    may_sign, may_confirm = may_sign_agreements(user, organisation), may_decide_organisations(user)
    rows = []
    for agreement in page:
        sent = agreement.status == Agreement.Status.SENT
        rows.append({
            "agreement": agreement,
            "upload_form": SignedAgreementForm(auto_id=f"upload-{agreement.pk}-%s")
            if may_sign and sent else None,
            "confirm_form": AgreementConfirmForm(
                auto_id=f"confirm-{agreement.pk}-%s",
                initial={"signed_on": timezone.localdate(agreement.signed_copy_uploaded_at)
                         if agreement.signed_copy_uploaded_at else None},
            ) if may_confirm and agreement.awaits_confirmation else None,
        })
    return render(request, "partners/agreements.html", {
        "organisation": organisation,
        "tabs": organisation_tabs(request, organisation, "agreements"),
        "page": page,
        "rows": rows,
        "may_sign": may_sign,
    })


def _agreement_file(request, slug: str, pk: int, field: str):
    """An agreement's file, as a download, to those who may see the organisation's agreements:
    the files are private and never served from a media URL."""
    organisation = organisation_for(request, slug, may_see_agreements)
    stored = getattr(_agreement_of(organisation, pk), field)
    if not stored:
        raise Http404("No such file.")
    try:
        handle = stored.open("rb")
    except (ValueError, OSError):
        raise Http404("No such file.") from None
    return FileResponse(handle, as_attachment=True, content_type="application/pdf",
                        filename=posixpath.basename(stored.name))


@login_required
@require_safe
@cache_control(private=True)
def agreement_document(request, slug: str, pk: int):
    return _agreement_file(request, slug, pk, "document")


@login_required
@require_safe
@cache_control(private=True)
def agreement_signed_copy(request, slug: str, pk: int):
    return _agreement_file(request, slug, pk, "signed_copy")


@login_required
@require_POST
def agreement_upload(request, slug: str, pk: int):
    organisation = organisation_for(request, slug, may_see_agreements)
    agreement = _agreement_of(organisation, pk)
    form = SignedAgreementForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, form_refusal_text(form))
        return redirect(_agreements_url(organisation))
    return act_and_redirect(
        request,
        lambda: services.agreement_upload_signed_copy(
            actor=request.user, agreement=agreement, upload=form.cleaned_data["file"]),
        success=f"The signed {agreement.get_kind_display().lower()} is uploaded. The programme "
                "office checks it and confirms it; you will be told.",
        to=_agreements_url(organisation),
    )


@programme_admin_required
@require_POST
def agreement_confirm(request, slug: str, pk: int):
    organisation = visible_organisation(request, slug)
    agreement = _agreement_of(organisation, pk)
    form = AgreementConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_refusal_text(form))
        return redirect(_agreements_url(organisation))
    return act_and_redirect(
        request,
        lambda: services.agreement_confirm(actor=request.user, agreement=agreement,
                                           **form.cleaned_data),
        success=f"The {agreement.get_kind_display().lower()} of {organisation.name} is signed; "
                "its admins are told.",
        to=_agreements_url(organisation),
    )


# --- The programme membership and its renewal -------------------------------------------------


def _membership_url(organisation: Organisation) -> str:
    return reverse("partners:membership", kwargs={"slug": organisation.slug})


def _back_to(request, default: str) -> str:
    """The page the form was sent from (`next`, when it is one of ours), else `default`."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


def _renew_form(organisation: Organisation, *, today, tier: str = "",
                prefix: str = "renew") -> RenewForm:
    """The form that renews the organisation, filled in with the next term. `prefix` keeps its
    ids apart from another form for the same organisation on the page."""
    _starts_on, ends_on = next_term(organisation, today=today)
    return RenewForm(auto_id=f"{prefix}-{organisation.pk}-%s", initial={
        "term_ends_on": organisation.tier_ends_on, "tier": tier or organisation.tier,
        "ends_on": ends_on,
    })


@login_required
@require_safe
def membership(request, slug: str):
    """The organisation's programme membership: its tier and term, when it ends and what the
    reminders will say, its requests to renew (each with its progress), and asking to renew;
    for programme admins, renewing it."""
    organisation = organisation_for(request, slug, may_see_membership_terms)
    user, today = request.user, timezone.localdate()
    requests = renewal_request_list_visible(user=user).filter(organisation=organisation)
    pending = requests.filter(status=RenewalRequest.Status.PENDING).first()
    may_request = may_request_renewal(user, organisation)
    renewable = bool(organisation.is_approved and organisation.tier and organisation.tier_ends_on)
    may_renew = renewable and may_decide_organisations(user)
    days_left = (organisation.tier_ends_on - today).days if organisation.tier_ends_on else None
    context = {
        "organisation": organisation,
        "tabs": organisation_tabs(request, organisation, "membership"),
        "page": paginate(request, requests, per_page=LIST_PAGE_SIZE),
        "pending": pending,
        "renewable": renewable,
        "days_left": days_left,
        "days_ago": -days_left if days_left is not None else None,
        "reminder_days": RENEWAL_REMINDER_DAYS,
        "may_request": may_request,
        "request_form": RenewalRequestForm(initial={"tier": organisation.tier})
        if may_request and renewable and pending is None else None,
        "renew_form": _renew_form(organisation, today=today,
                                  tier=pending.tier if pending else "") if may_renew else None,
        "decline_form": RenewalDeclineForm(auto_id="decline-%s")
        if may_renew and pending is not None else None,
    }
    return render(request, "partners/membership.html", context)


@login_required
@require_POST
def renewal_request_create(request, slug: str):
    organisation = organisation_for(request, slug, may_see_membership_terms)
    form = RenewalRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_refusal_text(form))
        return redirect(_membership_url(organisation))
    return act_and_redirect(
        request,
        lambda: services.renewal_request_create(actor=request.user, organisation=organisation,
                                                **form.cleaned_data),
        success="You asked the programme office to renew the membership. It will renew it or "
                "say why not; you will be told.",
        to=_membership_url(organisation),
    )


def _renewal_request_of(request, organisation: Organisation, pk: int) -> RenewalRequest:
    renewal_request = renewal_request_list_visible(user=request.user).filter(
        organisation=organisation, pk=pk).first()
    if renewal_request is None:
        raise Http404("No such request.")
    return renewal_request


@login_required
@require_http_methods(GET_AND_POST)
def renewal_request_withdraw(request, slug: str, pk: int):
    organisation = organisation_for(request, slug, may_see_membership_terms)
    renewal_request = _renewal_request_of(request, organisation, pk)
    if request.method != "POST":
        if not may_request_renewal(request.user, organisation):
            raise Refused("Only the organisation's admins withdraw its request to renew.")
        return confirm_page(request, Confirmation(
            question=f"Withdraw {organisation.name}'s request to renew?",
            consequences=["The programme office will no longer act on it. You can ask again."],
            confirm_label="Withdraw the request", cancel_url=_membership_url(organisation)))
    return act_and_redirect(
        request,
        lambda: services.renewal_request_withdraw(actor=request.user,
                                                  renewal_request=renewal_request),
        success="The request to renew is withdrawn.",
        to=_membership_url(organisation),
    )


@programme_admin_required
@require_http_methods(GET_AND_POST)
def renewal_request_decline(request, slug: str, pk: int):
    organisation = visible_organisation(request, slug)
    renewal_request = _renewal_request_of(request, organisation, pk)
    if request.method != "POST":
        return confirm_page(request, Confirmation(
            question=f"Decline {organisation.name}'s request to renew?",
            consequences=[f"{organisation.name}'s admins are told, with your reason. The "
                          "membership is not renewed; they may ask again."],
            confirm_label=f"Decline the request of {organisation.name}",
            cancel_url=reverse("partners:renewals"),
            form=RenewalDeclineForm(auto_id=f"decline-renewal-{renewal_request.pk}-%s")))
    back = _back_to(request, reverse("partners:renewals"))
    form = RenewalDeclineForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_refusal_text(form))
        return redirect(back)
    return act_and_redirect(
        request,
        lambda: services.renewal_request_decline(
            actor=request.user, renewal_request=renewal_request,
            reason=form.cleaned_data["reason"]),
        success=f"The request of {organisation.name} to renew is declined; its admins are told "
                "why.",
        to=back,
    )


@programme_admin_required
@require_POST
def renew(request, slug: str):
    organisation = visible_organisation(request, slug)
    back = _back_to(request, reverse("partners:renewals"))
    form = RenewForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"{organisation.name} was not renewed: "
                                f"{form_refusal_text(form)}")
        return redirect(back)
    return act_and_redirect(
        request,
        lambda: services.organisation_renew(actor=request.user, organisation=organisation,
                                            **form.cleaned_data),
        success=lambda renewed: f"{renewed.name}'s membership is renewed until "
                                f"{renewed.tier_ends_on:%d %b %Y}; its admins are told.",
        to=back,
    )


def _renewal_rows(organisations, *, today, may_renew: bool) -> list[dict]:
    rows = []
    for organisation in organisations:
        pending = organisation.pending_renewals[0] if organisation.pending_renewals else None
        rows.append({
            "organisation": organisation, "pending": pending,
            "days": (organisation.tier_ends_on - today).days,
            "renew_form": _renew_form(organisation, today=today,
                                      tier=pending.tier if pending else "")
            if may_renew else None,
        })
    return rows


@programme_staff_required
@require_safe
def renewals(request):
    """The programme office's renewals: requests waiting, memberships ending within
    RENEWAL_WINDOW_DAYS and those that have lapsed, each renewed with one action."""
    today = timezone.localdate()
    may_renew = may_decide_organisations(request.user)
    waiting = paginate(request, renewal_requests_waiting(), per_page=LIST_PAGE_SIZE,
                       parameter="requests_page")
    due = paginate(request, renewals_due(on=today), per_page=LIST_PAGE_SIZE,
                   parameter="due_page")
    lapsed = paginate(request, renewals_lapsed(on=today), per_page=LIST_PAGE_SIZE,
                      parameter="lapsed_page")
    return render(request, "partners/renewals.html", {
        "waiting": waiting,
        "waiting_rows": [{
            "renewal_request": renewal_request,
            "renew_form": _renew_form(renewal_request.organisation, today=today,
                                      tier=renewal_request.tier, prefix="request")
            if may_renew else None,
            "decline_form": RenewalDeclineForm(auto_id=f"decline-{renewal_request.pk}-%s")
            if may_renew else None,
        } for renewal_request in waiting],
        "due": due, "due_rows": _renewal_rows(due, today=today, may_renew=may_renew),
        "lapsed": lapsed,
        "lapsed_rows": _renewal_rows(lapsed, today=today, may_renew=may_renew),
        "window_days": RENEWAL_WINDOW_DAYS,
        "may_renew": may_renew,
    })
