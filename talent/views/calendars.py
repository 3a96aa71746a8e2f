"""A run's sessions as an .ics file for the person with a seat on it. The personal feed of every
session is the workstreams calendar feed, which this app adds its events to (talent.calendar)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from workstreams.calendars import CONTENT_TYPE

from ..calendar import CALENDAR_STATES, run_calendar
from ..models import Enrolment
from ..selectors import course_run_get_visible


@login_required
@require_safe
@cache_control(private=True)
def run_calendar_file(request, pk: int):
    run = course_run_get_visible(user=request.user, pk=pk)
    if run is None:
        raise Http404("No such course run.")
    seat = (Enrolment.objects.filter(person=request.user, run=run, status__in=CALENDAR_STATES)
            .order_by("-created_at").values_list("status", flat=True).first())
    if seat is None:
        raise PermissionDenied("The sessions' calendar is for the people with a seat on this run.")
    response = HttpResponse(run_calendar(run, seat=seat), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="{run.course.slug}-{run.starts_on:%Y-%m-%d}.ics"')
    return response
