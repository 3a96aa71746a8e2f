"""View guards for staff pages; they ask accounts.permissions and nothing else."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from .middleware import mfa_setup_redirect
from .permissions import is_programme_admin, is_programme_staff, needs_second_factor_first


def _guard(role_check):
    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not role_check(user):
                raise PermissionDenied
            if needs_second_factor_first(user):
                return mfa_setup_redirect(request)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


programme_staff_required = _guard(is_programme_staff)
programme_admin_required = _guard(is_programme_admin)
