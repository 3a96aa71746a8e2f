"""What the base layout needs on every page: the navigation that fits the person's roles."""

from django.conf import settings

from cluster_portal.accounts.permissions import is_programme_admin, is_programme_staff


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    return {
        "portal_name": settings.PORTAL_NAME,
        "nav": {
            "signed_in": signed_in,
            "is_staff": signed_in and is_programme_staff(user),
            "is_admin": signed_in and is_programme_admin(user),
        },
    }
