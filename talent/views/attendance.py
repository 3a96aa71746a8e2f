"""Attendance: a run's sessions and how much of it each trainee attended, and one session's
register, whose present and absent buttons save at once (htmx, one row at a time) or, without
JavaScript, post the form and come back. For the run's trainers and programme staff; anyone
else finds no such run."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from cluster_portal.accounts.middleware import mfa_setup_redirect
from cluster_portal.accounts.permissions import needs_second_factor_first
from cluster_portal.core.exceptions import ApplicationError, NotAllowed
from cluster_portal.core.pages import Refused, fragment_status

from .. import services
from ..attendance_selectors import (
    course_run_get_for_training,
    register_row,
    run_attendance_summary,
    session_counts,
    session_get_for_training,
    session_register,
)
from ..forms import AttendanceMarkForm
from ..models import CourseRun
from ..permissions import may_manage_courses


def _not_trained(request):
    """A run the person does not train is not found; staff who have not set up their second
    factor are sent to do so first, as on every staff page."""
    if needs_second_factor_first(request.user):
        return mfa_setup_redirect(request)
    raise Http404("No such course run.")


@login_required
@require_safe
def run_attendance(request, pk: int):
    run = course_run_get_for_training(user=request.user, pk=pk)
    if run is None:
        return _not_trained(request)
    sessions = list(run.sessions.all())
    is_open, today = run.status == CourseRun.Status.SCHEDULED, timezone.localdate()
    for session in sessions:
        session.register_open = is_open and timezone.localtime(session.starts_at).date() <= today
    return render(request, "talent/run_attendance.html", {
        "run": run, "course": run.course, "sessions": sessions,
        "trainees": run_attendance_summary(run=run, sessions=len(sessions)),
        "may_manage": may_manage_courses(request.user), "is_open": is_open,
    })


def _register_context(request, session) -> dict:
    return {"session": session, "run": session.run, "course": session.run.course,
            "is_open": session.run.status == CourseRun.Status.SCHEDULED,
            "has_started": timezone.localtime(session.starts_at).date()
            <= timezone.localdate()}


@login_required
@require_http_methods(["GET", "POST"])
def session_attendance(request, pk: int):
    session = session_get_for_training(user=request.user, pk=pk)
    if session is None:
        return _not_trained(request)
    if request.method != "POST":
        return render(request, "talent/session_attendance.html", {
            **_register_context(request, session), "register": session_register(session=session),
            "counts": session_counts(session=session),
        })
    return _mark(request, session)


def _mark(request, session):
    """One person marked present or absent: the row again (htmx), or back to the register."""
    form = AttendanceMarkForm(request.POST)
    if not form.is_valid():
        if request.htmx:
            return render(request, "talent/partials/register_row.html", {
                **_register_context(request, session), "error": "Choose present or absent.",
                "enrolment": None}, status=400)
        messages.error(request, "Choose present or absent.")
        return redirect(reverse("talent:session_attendance", kwargs={"pk": session.pk}))
    enrolment = register_row(session=session, enrolment_pk=form.cleaned_data["enrolment"])
    if enrolment is None:
        raise Http404("No such enrolment on this run.")
    row, status = {}, 200
    try:
        services.attendance_mark(actor=request.user, session=session, enrolment=enrolment,
                                 present=form.cleaned_data["present"])
    except NotAllowed as error:
        raise Refused(error.message) from error
    except ApplicationError as error:
        row["error"], status = error.message, fragment_status(error)
    name = enrolment.person.full_name or enrolment.person.email
    if request.htmx:
        enrolment = register_row(session=session, enrolment_pk=enrolment.pk)
        # The register's totals above the list follow the change (an out-of-band swap).
        return render(request, "talent/partials/register_row.html", {
            **_register_context(request, session), "enrolment": enrolment, **row,
            "counts": session_counts(session=session)}, status=status)
    if "error" in row:
        messages.error(request, row["error"])
    else:
        messages.success(request, f"{name} is marked "
                                  f"{'present' if form.cleaned_data['present'] else 'absent'}.")
    return redirect(reverse("talent:session_attendance", kwargs={"pk": session.pk})
                    + f"#enrolment-{enrolment.pk}")
