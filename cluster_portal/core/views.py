"""Site-wide pages: the home page, /health/, privacy and terms, robots.txt, the favicon, and the
styled error pages."""

from django.conf import settings
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.templatetags.static import static
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_safe

from workstreams.selectors import programme_for_home, workstream_list_public

from . import health
from .api.errors import error_body
from .home_sections import sections_for
from .pages import Refused


@require_safe
def home(request):
    programme = programme_for_home()
    workstreams = workstream_list_public(programme=programme) if programme else []
    return render(
        request,
        "core/home.html",
        {
            "programme": programme,
            "active_workstreams": [w for w in workstreams if w.is_active],
            "planned_platforms": [w for w in workstreams if not w.is_active],
            "sections": sections_for(request.user),
        },
    )


@require_safe
def privacy(request):
    return render(request, "core/privacy.html")


@require_safe
def terms(request):
    return render(request, "core/terms.html")


# Crawlers index the public face only; the rest is for signed-in people or is the API, and an
# account or admin address in a search engine invites nothing good.
ROBOTS_DISALLOWED = ("/accounts/", "/admin/", "/api/", "/me/", "/notifications/",
                     "/workstreams/queue/", "/partners/approvals/", "/partners/mine/")


@require_safe
@cache_control(max_age=86400, public=True)
def robots_txt(request):
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in ROBOTS_DISALLOWED)]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@require_safe
@cache_control(max_age=86400, public=True)
def favicon(request):
    # Browsers ask for /favicon.ico whatever the page's <link rel="icon"> says.
    return redirect(static("img/favicon.svg"), permanent=True)


@never_cache
@require_safe
def health_check(request):
    states = health.dependency_states()
    ready = health.is_ready(states)
    all_ok = all(s["status"] in (health.OK, health.NOT_CONFIGURED) for s in states.values())
    body = {"status": "ok" if all_ok else ("degraded" if ready else "unavailable"),
            "dependencies": states}
    return JsonResponse(body, status=200 if ready else 503)


# Under /api/ the error pages answer in the API's one JSON error format, so a client never has to
# read HTML: an unknown address, a malformed id in a path, a refused request.
API_ERRORS = {
    400: ("invalid", "The request is not valid."),
    403: ("permission_denied", "You may not do this."),
    404: ("not_found", "There is nothing at this address of the API."),
    500: ("server_error", "Something went wrong on our side."),
}


def _api_error(request, status: int):
    if not request.path.startswith("/api/"):
        return None
    code, message = API_ERRORS[status]
    return JsonResponse(error_body(code=code, message=message), status=status)


def error_400(request, exception=None):
    return _api_error(request, 400) or render(request, "errors/400.html", status=400)


def error_403(request, exception=None):
    # A refusal that knows its reason says it; any other keeps the page's general words.
    reason = exception.reason if isinstance(exception, Refused) else ""
    return _api_error(request, 403) or render(request, "errors/403.html", {"reason": reason},
                                              status=403)


def error_404(request, exception=None):
    return _api_error(request, 404) or render(request, "errors/404.html", status=404)


def error_500(request):
    # Rendered without a request context on purpose: whatever broke may be in a context processor.
    return _api_error(request, 500) or HttpResponseServerError(
        loader.get_template("errors/500.html").render(
            {"programme_office_email": settings.PROGRAMME_OFFICE_EMAIL}))
