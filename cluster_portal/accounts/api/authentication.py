"""API authentication by a person's own token: `Authorization: Token <key>` (or `Bearer`)."""

from django.core.cache import cache
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import (
    BaseAuthentication,
    SessionAuthentication,
    get_authorization_header,
)
from rest_framework.throttling import BaseThrottle

from ..permissions import needs_second_factor_first
from ..selectors import api_token_for_key
from ..services import api_token_touch

KEYWORDS = {b"token", b"bearer"}
# What staff without a second factor may still ask: who they are (and that MFA is missing),
# and the API's description, which is public.
OPEN_TO_STAFF_WITHOUT_MFA = ("/api/v1/me/", "/api/schema/", "/api/docs/")


class SecondFactorRequired(exceptions.PermissionDenied):
    default_code = "mfa_required"
    default_detail = ("Programme staff use the API only with two-factor authentication. Set up "
                      "an authenticator app on your account first (Account → Two-factor "
                      "authentication).")


def refuse_staff_without_mfa(request, person) -> None:
    """Staff without a second factor are told why, on every API call, rather than answered as
    if they were nobody in particular (an empty list of join requests says nothing)."""
    if needs_second_factor_first(person) and request.path not in OPEN_TO_STAFF_WITHOUT_MFA:
        raise SecondFactorRequired()


class PortalSessionAuthentication(SessionAuthentication):
    def authenticate(self, request):
        authenticated = super().authenticate(request)
        if authenticated is not None:
            refuse_staff_without_mfa(request, authenticated[0])
        return authenticated
# Wrong keys from one client address: at most this many in the window, then 429 until it ends.
FAILURES_ALLOWED, FAILURE_WINDOW_SECONDS = 20, 10 * 60


class ApiTokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() not in KEYWORDS:
            return None  # not a token: the session authentication decides
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Send the token as: Authorization: Token <key>.")
        client = BaseThrottle().get_ident(request)  # the proxy-aware client address
        failures_key = f"api-token-failures:{client}"
        if (cache.get(failures_key) or 0) >= FAILURES_ALLOWED:
            raise exceptions.Throttled(wait=FAILURE_WINDOW_SECONDS,
                                       detail="Too many wrong tokens from this address.")
        token = api_token_for_key(header[1].decode(errors="replace"))
        if token is None:
            cache.add(failures_key, 0, timeout=FAILURE_WINDOW_SECONDS)
            try:
                cache.incr(failures_key)
            except ValueError:  # expired between add and incr: count afresh
                cache.set(failures_key, 1, timeout=FAILURE_WINDOW_SECONDS)
            raise exceptions.AuthenticationFailed("This token is not valid: revoked, expired or "
                                                  "mistyped.")
        api_token_touch(token=token)
        person = token.person
        person.api_token = token  # the roles it carries: accounts.selectors.user_programme_roles
        refuse_staff_without_mfa(request, person)
        return person, token

    def authenticate_header(self, request) -> str:
        return "Token"


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema describes the token (and names it as before: tokenAuth)."""

    target_class = ApiTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "Token authentication: `Authorization: Token <key>`. Make a key "
                               "on your account's API tokens page."}


class PortalSessionScheme(OpenApiAuthenticationExtension):
    target_class = PortalSessionAuthentication
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}
