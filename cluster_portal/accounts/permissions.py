"""Who may do what at programme level. Every "is this person staff?" question is answered here."""

from .roles import ProgrammeRole
from .selectors import user_has_authenticator_app, user_programme_roles


def is_programme_staff(user) -> bool:
    return ProgrammeRole.STAFF in user_programme_roles(user)


def is_programme_admin(user) -> bool:
    return ProgrammeRole.ADMIN in user_programme_roles(user)


def must_use_mfa(user) -> bool:
    """Programme staff and admins act on everyone's data, so their accounts need a second factor."""
    return is_programme_staff(user)


def has_mfa(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return user_has_authenticator_app(user)


def needs_second_factor_first(user) -> bool:
    """Someone whose role requires a second factor and who has not set one up: staff pages
    send them to set it up (decorators, middleware), the API refuses them with mfa_required
    (api.authentication). The one place this is decided."""
    return must_use_mfa(user) and not has_mfa(user)


def may_act_as_staff(user) -> bool:
    """Staff pages and staff API actions work only for staff who have set up MFA."""
    return is_programme_staff(user) and not needs_second_factor_first(user)


def may_act_as_admin(user) -> bool:
    """Programme admins' pages and actions (the admin site among them), with MFA set up."""
    return is_programme_admin(user) and not needs_second_factor_first(user)


may_use_admin_site = may_act_as_admin
