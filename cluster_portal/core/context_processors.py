"""What the base layout needs on every page: the navigation that fits the person's roles."""

from functools import cache

from django.conf import settings

from cluster_portal.accounts.permissions import is_programme_admin, is_programme_staff
from cluster_portal.notifications.selectors import notification_unread_count


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    nav = {
        "signed_in": signed_in,
        "is_staff": signed_in and is_programme_staff(user),
        "is_admin": signed_in and is_programme_admin(user),
    }
    if signed_in:
        # A callable the template calls: the count costs one query, and only when the layout's
        # navigation is drawn (htmx fragments never ask for it).
        nav["unread_notifications"] = cache(
            lambda: notification_unread_count(recipient=user)
        )
    return {"portal_name": settings.PORTAL_NAME, "nav": nav,
            "programme_office_email": settings.PROGRAMME_OFFICE_EMAIL}
