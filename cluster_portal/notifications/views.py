"""A person's notifications page: what the portal has told them, newest first."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_POST, require_safe

from cluster_portal.core.pages import paginate, redirect_back

from . import selectors, services

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
