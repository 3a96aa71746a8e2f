"""DRF permission classes that ask the accounts permission module, never decide themselves.

Staff without a second factor are refused by the API's authentication first, with the reason
(403, mfa_required); these say the same if they are reached another way."""

from rest_framework.permissions import BasePermission

from cluster_portal.accounts.permissions import (
    may_act_as_admin,
    may_act_as_staff,
    needs_second_factor_first,
)

SECOND_FACTOR_FIRST = ("Set up multi-factor authentication (an authenticator app) on your "
                       "account before using staff actions.")


class IsProgrammeStaff(BasePermission):
    may_act = staticmethod(may_act_as_staff)
    message = "This action is for programme staff."

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if self.may_act(user):
            return True
        if needs_second_factor_first(user):
            self.message = SECOND_FACTOR_FIRST
        return False


class IsProgrammeAdmin(IsProgrammeStaff):
    may_act = staticmethod(may_act_as_admin)
    message = "This action is for programme admins."
