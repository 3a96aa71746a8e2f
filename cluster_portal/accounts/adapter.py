"""allauth hooks: staff without MFA land on its set-up page right after signing in."""

from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse

from .permissions import has_mfa, must_use_mfa


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request):
        if must_use_mfa(request.user) and not has_mfa(request.user):
            return reverse("mfa_activate_totp")
        return super().get_login_redirect_url(request)
