"""A person's notifications page, their notification settings, and the signed link in every
e-mail that changes one setting without signing in."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cluster_portal.core.exceptions import ApplicationError
from cluster_portal.core.pages import paginate, redirect_back

from . import selectors, services
from .models import Delivery
from .unsubscribe import DIGEST, unsubscribe_token_read

PAGE_SIZE = 25


@login_required
@require_safe
def notification_list(request):
    notifications = selectors.notification_list(recipient=request.user)
    page = paginate(request, notifications, per_page=PAGE_SIZE)
    return render(request, "notifications/notification_list.html", {"page": page})


@login_required
@require_POST
def mark_read(request):
    """Marks the notifications whose ids are posted as `notification` read, or all of them when
    none is posted. Ids of other people's notifications change nothing (the service only
    touches the person's own)."""
    posted = request.POST.getlist("notification")
    try:
        ids = [int(value) for value in posted] if posted else None
    except ValueError:
        messages.error(request, "That notification could not be found.")
    else:
        marked = services.notifications_mark_read(recipient=request.user, notification_ids=ids)
        if ids is None:
            messages.success(request, "All notifications are marked as read.")
        elif marked:
            messages.success(request, f"Marked {marked} notification{'s' if marked > 1 else ''} "
                                      "as read.")
    return redirect_back(request, "notifications:list")


# Browsers tell where a request came from (Fetch Metadata). A link followed from the portal
# itself is same-origin; one typed, bookmarked or opened from a mail program is "none".
OWN_NAVIGATION = frozenset({"same-origin", "none"})


def _opened_by_the_person(request) -> bool:
    """A navigation the person made here, not another site's, nor a browser fetching ahead."""
    prefetch = "prefetch" in request.headers.get("Sec-Purpose", request.headers.get("Purpose", ""))
    return (request.method == "GET" and not prefetch
            and request.headers.get("Sec-Fetch-Site", "none") in OWN_NAVIGATION)


@login_required
@require_safe
def notification_open(request, pk: int):
    """Opening a notification from the list: marks it read, then goes where it points.

    A GET, so the notice stays a real link (a new tab, a copied address). It is safe as a GET:
    it reads only the person's own notifications (anyone else's is a 404, as if there were
    none), marking one read again changes nothing, and a request another site started
    (Sec-Fetch-Site: cross-site or same-site) is only redirected, never marks anything; nor
    does one from an image or a script elsewhere, which carries no session cookie (SameSite
    Lax). The target is the notification's own address on this site, never another host."""
    notification = selectors.notification_list(recipient=request.user).filter(pk=pk).first()
    if notification is None:
        raise Http404("No such notification.")
    if _opened_by_the_person(request):
        services.notifications_mark_read(recipient=request.user, notification_ids=[pk])
    target = notification.url
    if not target or not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        target = reverse("notifications:list")
    return redirect(target)


def _grouped(rows, errors: dict) -> list[tuple[str, list]]:
    """[(group, [(row, its error messages)])] in the order of `rows`."""
    groups: dict[str, list] = {}
    for row in rows:
        groups.setdefault(row.kind.group, []).append((row, errors.get(row.kind.key, [])))
    return list(groups.items())


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def preferences(request):
    """How the person hears about each kind: one radio group per kind; security notices are
    shown but can't be changed."""
    rows = selectors.notification_preferences_for(request.user)
    errors, status = {}, 200
    if request.method == "POST":
        choices = {row.kind.key: request.POST[f"delivery-{row.kind.key}"] for row in rows
                   if not row.kind.locked and f"delivery-{row.kind.key}" in request.POST}
        try:
            changed = services.notification_preferences_set(person=request.user, choices=choices)
        except ApplicationError as error:
            errors, status = error.fields, 400
            messages.error(request, error.message)
        else:
            messages.success(request, "Your notification settings are saved." if changed else
                             "Nothing changed: these were already your settings.")
            return redirect("account_notifications")
    return render(request, "notifications/preferences.html", {
        "groups": _grouped(rows, errors), "deliveries": Delivery.choices, "errors": errors,
        "digest_hour": settings.NOTIFICATION_DIGEST_HOUR,
    }, status=status)


def _masked(address: str) -> str:
    local, _, domain = address.partition("@")
    return f"{local[:1]}…@{domain}"


# The signed link is the credential, not a session: mail programs post the one-click
# unsubscribe (RFC 8058, "List-Unsubscribe=One-Click") with no CSRF token and no cookie.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token: str):
    try:
        person, key = unsubscribe_token_read(token)
    except ApplicationError as error:
        return render(request, "notifications/unsubscribe.html", {"refusal": error.message},
                      status=400)
    rows = selectors.notification_preferences_for(person)
    context = {"address": _masked(person.email), "is_digest": key == DIGEST,
               "signed_in_as_other": request.user.is_authenticated and request.user != person}
    if key == DIGEST:
        context["kinds"] = [row.kind for row in rows if row.delivery == Delivery.DIGEST]
    else:
        context["row"] = next((row for row in rows if row.kind.key == key), None)
    if request.method == "POST":
        one_click = request.POST.get("List-Unsubscribe") == "One-Click"
        delivery = Delivery.IN_APP if one_click else request.POST.get("delivery", "")
        try:
            _person, kinds = services.notification_unsubscribe(token=token, delivery=delivery)
        except ApplicationError as error:
            context["refusal"] = error.message
            return render(request, "notifications/unsubscribe.html", context, status=400)
        context.update(done=True, changed=kinds, delivery=Delivery(delivery).label)
    return render(request, "notifications/unsubscribe.html", context)
