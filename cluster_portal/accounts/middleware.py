"""Sends staff without a second factor to set one up before any staff page answers them."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

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
