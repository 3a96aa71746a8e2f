"""allauth hooks: staff without MFA land on its set-up page right after signing in, and the
account's mail speaks for the portal and goes through its outbox.

- Mail a person asks for (verification, password reset) is rendered from allauth's templates
  (overridden in templates/account/email/ with the portal's name and address), wrapped in the
  portal's e-mail layout, and queued sealed: it carries a one-time link or code.
- allauth's notices of a changed password, address or second factor become security notices of
  the notifications service: in the portal, and always e-mailed at once.
"""

import time
from types import SimpleNamespace
from urllib.parse import quote, urlencode, urlsplit

from allauth.account import app_settings as allauth_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from django.conf import settings
from django.urls import reverse

from cluster_portal.audit.services import audit_record
from cluster_portal.core.links import portal_url
from cluster_portal.core.return_to import opens_with_get
from cluster_portal.notifications.drafts import EmailDraft
from cluster_portal.notifications.rendering import layout
from cluster_portal.notifications.services import (
    notify,
    outgoing_email_queue,
    suppressed_address_confirmed,
)
from cluster_portal.notifications.services.outbox import ACCOUNT_KIND

from . import notification_kinds as kinds
from .permissions import may_act_as_staff, needs_second_factor_first

# allauth's notice templates → the portal's kind and what the notice says.
SECURITY_NOTICES = {
    "account/email/password_changed": (kinds.PASSWORD_CHANGED, "Your password was changed."),
    "account/email/password_set": (kinds.PASSWORD_CHANGED, "A password was set for your account."),
    "account/email/password_reset": (kinds.PASSWORD_CHANGED, "Your password was reset."),
    "account/email/email_changed": (
        kinds.EMAIL_ADDRESS_CHANGED,
        "The e-mail address of your account was changed from {from_email} to {to_email}."),
    "account/email/email_confirm": (
        kinds.EMAIL_ADDRESS_CHANGED, "An e-mail address of your account was confirmed."),
    "account/email/email_deleted": (
        kinds.EMAIL_ADDRESS_CHANGED, "The address {deleted_email} was removed from your account."),
    "mfa/email/totp_activated": (
        kinds.SECOND_FACTOR_CHANGED, "An authenticator app was set up for your account."),
    "mfa/email/totp_deactivated": (
        kinds.SECOND_FACTOR_CHANGED,
        "The authenticator app of your account was removed: signing in no longer asks for its "
        "code."),
    "mfa/email/recovery_codes_generated": (
        kinds.SECOND_FACTOR_CHANGED,
        "New recovery codes were made for your account; the earlier ones no longer work."),
    "mfa/email/webauthn_added": (
        kinds.SECOND_FACTOR_CHANGED, "A security key was added to your account."),
    "mfa/email/webauthn_removed": (
        kinds.SECOND_FACTOR_CHANGED, "A security key was removed from your account."),
}


# The link each of allauth's mails is for, shown as the e-mail's button too.
MAIN_LINKS = {
    "account/email/email_confirmation_signup": ("activate_url", "Confirm your e-mail address"),
    "account/email/email_confirmation": ("activate_url", "Confirm your e-mail address"),
    "account/email/password_reset_key": ("password_reset_url", "Choose a new password"),
    "account/email/account_already_exists": ("password_reset_url", "Reset your password"),
    "account/email/unknown_account": ("signup_url", "Create an account"),
}


# Pages a person reaches right after signing in without being asked for the password again.
RIGHT_AFTER_SIGN_IN = frozenset({"mfa_activate_totp", "mfa_view_recovery_codes"})


def portal_site() -> SimpleNamespace:
    """What allauth's templates call the current site: the portal's name and public host,
    whatever host the request came in by."""
    return SimpleNamespace(name=settings.PORTAL_NAME,
                           domain=urlsplit(settings.PORTAL_BASE_URL).netloc)


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request):
        if needs_second_factor_first(request.user):
            return reverse("mfa_activate_totp")
        if may_act_as_staff(request.user):
            # Staff and admins start from the programme's dashboard; a `next` given at sign-in
            # is honoured before this is asked.
            return reverse("dashboard")
        return super().get_login_redirect_url(request)

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """allauth counts only an explicit re-authentication as recent. For setting up an
        authenticator app and reading the recovery codes that come with it, a sign-in moments
        ago proves as much: staff are sent there straight after signing in, and a second
        password prompt only puzzles them. Removing a second factor or making new codes still
        asks again."""
        if not super().is_reauthentication_required(app=app, **kwargs):
            return False
        request = self.request
        user = getattr(request, "user", None)
        match = getattr(request, "resolver_match", None)
        if (user is None or not user.is_authenticated
                or match is None or match.url_name not in RIGHT_AFTER_SIGN_IN):
            return True
        records = get_authentication_records(request, user)
        latest = max((record.get("at", 0) for record in records), default=0)
        return time.time() - latest >= allauth_settings.REAUTHENTICATION_TIMEOUT

    def is_safe_url(self, url: str) -> bool:
        """Every `next` allauth accepts passes here: besides being on this site, it must name a
        page that opens with a GET (cluster_portal.core.return_to)."""
        if not super().is_safe_url(url):
            return False
        return opens_with_get(urlsplit(url).path or "/")

    # --- Links in mail: on the public address, not the host the request named ----------------

    def get_email_confirmation_url(self, request, emailconfirmation):
        """The link carries where the person was going when they signed up, so that confirming
        the address leads there, even from a phone that never saw the sign-up's session."""
        url = portal_url(reverse("account_confirm_email", args=[emailconfirmation.key]))
        going_to = self._next_of(request)
        return f"{url}?{urlencode({'next': going_to})}" if going_to else url

    def _next_of(self, request) -> str | None:
        if request is None:
            return None
        going_to = request.POST.get("next") or request.GET.get("next")
        if not going_to or not going_to.startswith("/") or not self.is_safe_url(going_to):
            return None
        return going_to

    def get_reset_password_from_key_url(self, key):
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return portal_url(path.replace("UID-KEY", quote(key)))

    # --- Mail ---------------------------------------------------------------------------------

    def send_account_already_exists_mail(self, email):
        self.send_mail("account/email/account_already_exists", email, {
            "signup_url": portal_url(reverse("account_signup")),
            "password_reset_url": portal_url(reverse("account_reset_password")),
        })

    def send_mail(self, template_prefix, email, context):
        context = {"email": email, "current_site": portal_site(),
                   "portal_name": settings.PORTAL_NAME, "portal_url": portal_url("/"), **context}
        if "signup_url" in context:  # allauth builds it from the request's host
            context["signup_url"] = portal_url(reverse("account_signup"))
        message = self.render_mail(template_prefix, email, context)
        user = context.get("user")
        person_name = getattr(user, "full_name", "") if user is not None else ""
        link_name, link_label = MAIN_LINKS.get(template_prefix, ("", ""))
        text, html = layout(
            subject=message.subject, person_name=person_name, content=message.body,
            action_url=context.get(link_name, ""), action_label=link_label,
            footer_lines=[f"You received this e-mail because of a request made on "
                          f"{settings.PORTAL_NAME} with this address. If it was not you, "
                          "ignore it: nothing changes unless its link is used."],
        )
        outgoing_email_queue(draft=EmailDraft(
            to=email, subject=message.subject, body_text=text, body_html=html,
            kind=ACCOUNT_KIND, recipient=user if getattr(user, "pk", None) else None,
            sealed=True,
        ))

    def send_notification_mail(self, template_prefix, user, context=None, email=None):
        if not allauth_settings.EMAIL_NOTIFICATIONS:
            return
        kind, words = SECURITY_NOTICES.get(
            template_prefix, (kinds.ACCOUNT_CHANGED, "A change was made to how you sign in."))
        context = dict(context or {})
        request = self.request
        details = {
            "ip": self.get_client_ip(request) if request is not None else "",
            "user_agent": (self.get_http_user_agent(request)[:200] if request is not None
                           else ""),
        }
        # "mfa/email/totp_deactivated" → "mfa.totp_deactivated": the trail keeps every change
        # to how a person signs in, with the addresses concerned (never a secret).
        audit_record(actor=user, action=template_prefix.replace("/email/", "."), target=user,
                     changes={**context, "ip": details["ip"]})
        notify(recipients=[user], kind=kind, message=words.format_map(_Blank(context)),
               url=reverse("account_email"), context={**context, **details}, address=email)

    def confirm_email(self, request, email_address):
        confirmed = super().confirm_email(request, email_address)
        if confirmed:
            # The person opened the link mailed to it: the address works, whatever bounced.
            suppressed_address_confirmed(person=email_address.user, address=email_address.email)
        return confirmed


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return "—"
