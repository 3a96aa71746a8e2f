"""The person's own account pages beside allauth's: their profile and the download of their
data, their API tokens, and the way on after setting up an authenticator app."""

import json

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cluster_portal.audit.services import LocalTimeJSONEncoder
from cluster_portal.core.exceptions import ApplicationError
from cluster_portal.core.forms import PortalForm

from .forms import ProfileForm
from .middleware import AFTER_MFA_SETUP
from .permissions import has_mfa, may_act_as_staff
from .personal_data import affiliations_of, pages_about, personal_data_of
from .selectors import api_tokens_of
from .services import (
    API_TOKEN_VALID_DAYS,
    PROFILE_FIELDS,
    api_token_create,
    api_token_revoke,
    user_update_profile,
)

# --- Profile ---------------------------------------------------------------------------------


def _profile_page(request, form, *, status: int = 200):
    user = request.user
    return render(request, "account/profile.html", {
        "form": form, "affiliations": affiliations_of(user), "pages_about": pages_about(user),
        "has_mfa": has_mfa(user),
    }, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def profile(request):
    """The person's name, job title and phone, the organisations they act for, and the ways to
    their other settings and their data."""
    if request.method != "POST":
        initial = {name: getattr(request.user, name) for name in PROFILE_FIELDS}
        return _profile_page(request, ProfileForm(initial=initial))
    form = ProfileForm(request.POST)
    if form.is_valid():
        try:
            user_update_profile(actor=request.user, user=request.user, **form.cleaned_data)
        except ApplicationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, "Your profile is saved.")
            return redirect("account_profile")
    return _profile_page(request, form, status=400)


@never_cache
@login_required
@require_safe
def personal_data_download(request):
    """Everything the portal holds about the person, as one JSON file (accounts.personal_data)."""
    body = json.dumps(personal_data_of(request.user), cls=LocalTimeJSONEncoder, indent=2,
                      ensure_ascii=False)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="my-portal-data-{timezone.localdate():%Y-%m-%d}.json"')
    return response


# --- API tokens ------------------------------------------------------------------------------


class ApiTokenForm(PortalForm):
    name = forms.CharField(max_length=100, help_text="What will use it, such as “reporting "
                                                     "script”.")
    valid_days = forms.TypedChoiceField(
        label="Valid for", coerce=int, initial=90,
        choices=[(days, f"{days} days") for days in API_TOKEN_VALID_DAYS])
    with_staff_rights = forms.BooleanField(
        label="With my programme staff rights", required=False,
        help_text="Without them the token acts as you without your staff role: it reads what "
                  "you read as a partner or trainee, and approves nothing.")

    def __init__(self, *args, staff: bool, **kwargs):
        if not staff:
            self.base_fields = {k: v for k, v in self.base_fields.items()
                                if k != "with_staff_rights"}
        super().__init__(*args, **kwargs)


def _page(request, *, form=None, new_key: str = "", status: int = 200):
    staff = may_act_as_staff(request.user)
    response = render(request, "account/api_tokens.html", {
        "tokens": api_tokens_of(person=request.user), "now": timezone.now(),
        "form": form or ApiTokenForm(staff=staff), "new_key": new_key,
    }, status=status)
    return response


@never_cache  # the page that shows a new key must not be kept by any cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def api_tokens(request):
    if request.method != "POST":
        return _page(request)
    form = ApiTokenForm(request.POST, staff=may_act_as_staff(request.user))
    if not form.is_valid():
        return _page(request, form=form, status=400)
    try:
        _token, key = api_token_create(actor=request.user, **form.cleaned_data)
    except ApplicationError as error:
        form.add_service_error(error)
        return _page(request, form=form, status=error.status_code)
    # Shown in this answer only (no redirect: the key must not wait in a session or a cookie).
    return _page(request, new_key=key)


@login_required
@require_POST
def api_token_revoke_view(request, pk: int):
    token = api_tokens_of(person=request.user).filter(pk=pk).first()
    if token is None:
        raise Http404("No such token.")
    try:
        api_token_revoke(actor=request.user, token=token)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"The token “{token.name}” is revoked: it no longer works.")
    return redirect("account_api_tokens")


@login_required
@require_http_methods(["GET", "HEAD"])
def continue_after_mfa_setup(request):
    """On to the page the person was going to when they were sent to set up their app."""
    target = request.session.pop(AFTER_MFA_SETUP, "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return redirect(target)
    return redirect(settings.LOGIN_REDIRECT_URL)
