"""Programme admins hold every model permission, as the role "everything" in docs/design.md says.

The grant comes from the group, not from per-model permission rows, so a new app's models are
covered without a data migration.
"""

from django.contrib.auth.backends import BaseBackend

from .permissions import is_programme_admin


class ProgrammeAdminPermissionBackend(BaseBackend):
    def authenticate(self, request, **credentials):
        return None

    def has_perm(self, user_obj, perm, obj=None) -> bool:
        return is_programme_admin(user_obj)

    def has_module_perms(self, user_obj, app_label) -> bool:
        return is_programme_admin(user_obj)
