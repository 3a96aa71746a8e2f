"""DRF permission classes that ask the accounts permission module, never decide themselves."""

from rest_framework.permissions import BasePermission

from cluster_portal.accounts.permissions import has_mfa, is_programme_admin, is_programme_staff


class _ProgrammeRoleWithMFA(BasePermission):
    role_check = staticmethod(is_programme_staff)
    message = "This action is for programme staff."

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and self.role_check(user)):
            return False
        if not has_mfa(user):
            self.message = (
                "Set up multi-factor authentication (an authenticator app) on your account "
                "before using staff actions."
            )
            return False
        return True


class IsProgrammeStaff(_ProgrammeRoleWithMFA):
    pass


class IsProgrammeAdmin(_ProgrammeRoleWithMFA):
    role_check = staticmethod(is_programme_admin)
    message = "This action is for programme admins."
