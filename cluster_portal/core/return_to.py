"""Where a person may be sent back to after signing in, signing up or verifying their address:
a page of this site that opens with a GET. A `next` naming a form-only address would end on a
bare 405 after a successful sign-in, and one naming another site is an open redirect."""

from urllib.parse import urlsplit

from django.urls import Resolver404, resolve
from django.utils.http import url_has_allowed_host_and_scheme


def opens_with_get(path: str) -> bool:
    """Whether the view at `path` answers a GET. Views that take only a form are wrapped in
    Django's require_http_methods (require_POST): its wrapper keeps the allowed methods in
    its closure, which is read here rather than a second list kept by hand beside each view."""
    try:
        match = resolve(path)
    except Resolver404:
        return False
    view = match.func
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        return "get" in view_class.http_method_names and hasattr(view_class, "get")
    while view is not None:
        code, cells = getattr(view, "__code__", None), getattr(view, "__closure__", None)
        if code is not None and cells and "request_method_list" in code.co_freevars:
            allowed = cells[code.co_freevars.index("request_method_list")].cell_contents
            if "GET" not in allowed:
                return False
        view = getattr(view, "__wrapped__", None)
    return True


def safe_return_path(url: str | None, *, allowed_hosts: set[str]) -> str | None:
    """`url` as a site-relative path if it is a GET page of this site, else None."""
    if not url or not url_has_allowed_host_and_scheme(url, allowed_hosts=allowed_hosts,
                                                      require_https=False):
        return None
    parts = urlsplit(url)
    path = parts.path or "/"
    if not path.startswith("/") or path.startswith("//") or not opens_with_get(path):
        return None
    return path + (f"?{parts.query}" if parts.query else "")
