"""Site-wide answers that no single view owns."""

from django.shortcuts import render

from .return_to import safe_return_path


class MethodNotAllowedPageMiddleware:
    """A form-only address opened in the browser (a bookmark, a link copied from the address
    bar, an old `next`) answers Django's empty 405: this gives it a page that says what
    happened and leads back. The API keeps its own JSON answer."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (response.status_code != 405 or request.method != "GET" or response.content
                or request.path.startswith("/api/")):
            return response
        back = safe_return_path(request.headers.get("Referer"),
                                allowed_hosts={request.get_host()})
        page = render(request, "errors/405.html", {"back": back}, status=405)
        page["Allow"] = response.get("Allow", "")
        return page
