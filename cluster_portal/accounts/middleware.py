"""Sends staff without a second factor to set one up before any staff page answers them, and
sends a person whose session expired while a form was open back to that form's page."""

from urllib.parse import parse_qs, urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, resolve_url
from django.urls import reverse

from cluster_portal.core.return_to import safe_return_path

from .permissions import needs_second_factor_first

MFA_REQUIRED_MESSAGE = (
    "Programme staff must protect their account with an authenticator app before using staff "
    "pages. Set it up below; it takes a minute."
)


# Where a person sent to set up their authenticator app was going: the pages after the set-up
# (the recovery codes) offer to continue there.
AFTER_MFA_SETUP = "after_mfa_setup"


def mfa_setup_redirect(request):
    messages.warning(request, MFA_REQUIRED_MESSAGE)
    request.session[AFTER_MFA_SETUP] = request.get_full_path()
    query = urlencode({"next": request.get_full_path()})
    return redirect(f"{reverse('mfa_activate_totp')}?{query}")


class StaffMFAMiddleware:
    """Guards the staff area that is not made of views of ours: the admin site.

    Staff views and API actions ask the same rule (accounts.permissions) through their
    decorators and the API's authentication; this catches every admin page.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefixes = tuple(getattr(settings, "STAFF_PATH_PREFIXES", ("/admin/",)))

    def __call__(self, request):
        if (
            request.path.startswith(self.prefixes)
            and request.user.is_authenticated
            and needs_second_factor_first(request.user)
        ):
            return mfa_setup_redirect(request)
        return self.get_response(request)


SESSION_EXPIRED_MESSAGE = (
    "You were signed out while the form was open, so it was not sent. Sign in, and you will be "
    "back on its page to send it again.")


class SignInReturnsToTheFormMiddleware:
    """A form posted after the session expired is answered, by whichever guard refused it, with
    a redirect to sign in and `next` set to the address it was posted to. That address usually
    takes only a POST, so signing in would end on a bare 405. The page the form was on (the
    Referer, when it is a GET page of this site) is where the person wants to be instead."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (request.method in ("GET", "HEAD", "OPTIONS") or response.status_code != 302
                or request.user.is_authenticated):
            return response
        location = urlsplit(response.get("Location", ""))
        if location.path != resolve_url(settings.LOGIN_URL):
            return response
        if parse_qs(location.query).get("next", [None])[0] != request.get_full_path():
            return response
        form_page = safe_return_path(request.headers.get("Referer"),
                                     allowed_hosts={request.get_host()})
        query = urlencode({"next": form_page}) if form_page else ""
        response["Location"] = location.path + (f"?{query}" if query else "")
        messages.info(request, SESSION_EXPIRED_MESSAGE)
        return response
