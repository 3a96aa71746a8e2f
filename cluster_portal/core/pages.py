"""What HTML views share: paging lists, and going back where a form was posted from.

A page may hold several lists, so each names its own query parameter, and its links keep every
other parameter (filters, the other lists' places).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from .exceptions import ApplicationError, NotAllowed


def paginate(request, items, *, per_page: int, parameter: str = "page") -> Page:
    page = Paginator(items, per_page).get_page(request.GET.get(parameter))
    others = request.GET.copy()
    others.pop(parameter, None)
    page.parameter, page.other_query = parameter, others.urlencode()
    return page


def redirect_back(request, default: str, *args, **kwargs):
    """To the form's `next` when it points into this site (never elsewhere: no open redirect),
    else to `default` (a URL or a URL name with its arguments)."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(default, *args, **kwargs)


# base.html has htmx swap 400 and 409 answers as well as successful ones, so a fragment that
# explains a refusal keeps its true status. A 403/404 from a service reaches a fragment only when
# someone changed the object since the page was drawn (the view checked access first); it
# is answered as the conflict with the current state that it is, so the explanation still shows.
HTMX_SWAPPED_REFUSALS = frozenset({400, 409})


def fragment_status(error) -> int:
    return error.status_code if error.status_code in HTMX_SWAPPED_REFUSALS else 409


# --- Refusals on pages --------------------------------------------------------------------------
# cluster_portal.core.api maps ApplicationError to JSON for the API; these are the pages'
# counterparts, so a refusal reads the same on every page of every app.


class Refused(PermissionDenied):
    """A 403 whose message is written for the person refused: the error page shows it instead
    of its general words, so the page says the real reason ("Acme is not a member of this
    workstream"), not a role the person may well have. Django's and other libraries' own
    PermissionDenied messages are not meant for people and are never shown."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason



def act_and_redirect(request, action, *, success, to: str):
    """Run one service call for a plain form POST, then go to `to`, telling the person what
    happened: `success` (text, or a function of the result) or the service's own refusal. A
    refusal of the person (NotAllowed) is a 403, as in the API: the service decides who may,
    so the view need not ask first."""
    try:
        result = action()
    except NotAllowed as error:
        raise Refused(error.message) from error
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success(result) if callable(success) else success)
    return redirect(to)


def form_messages(form) -> list[str]:
    """Every error of a form, field by field, as the person should read them."""
    return [str(message) for errors in form.errors.values() for message in errors]


def form_refusal_text(form) -> str:
    return " ".join(form_messages(form))
