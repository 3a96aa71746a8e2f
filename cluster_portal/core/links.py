"""Absolute addresses of the portal's pages, for what is read outside a request (e-mails)."""

from django.conf import settings


def portal_url(path: str = "/") -> str:
    """`path` (a site-relative address such as reverse() gives) on the public PORTAL_BASE_URL.
    An address that is already absolute is returned as it is."""
    if path.startswith(("http://", "https://")):
        return path
    return settings.PORTAL_BASE_URL.rstrip("/") + "/" + path.lstrip("/")
