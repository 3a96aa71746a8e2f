"""The course catalogue, a course and its runs, enrolling, cancelling, offers and "My
learning". Thin: they read through selectors and change through services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cluster_portal.core.confirmation import Confirmation, confirm_page
from cluster_portal.core.pages import act_and_redirect, form_refusal_text, paginate
from partners.selectors import user_organisation_roles
from workstreams.calendars import feed_url
from workstreams.models import Workstream
from workstreams.permissions import may_subscribe_to_meetings
from workstreams.selectors import meeting_calendar_feed_of, workstream_list_public

from .. import services
from ..forms import CatalogueForm, EnrolForm
from ..models import Enrolment
from ..permissions import may_answer_offer, may_cancel_enrolment, may_manage_courses
from ..selectors import (
    course_get_public,
    course_list_public,
    course_run_get_visible,
    course_runs_upcoming,
    enrolment_list_visible,
    enrolment_of,
    sponsor_choices,
)
from ..selectors import (
    my_learning as my_learning_of,
)

CATALOGUE_PAGE_SIZE = 20


@require_safe
def catalogue(request):
    workstreams = [workstream for workstream in workstream_list_public()
                   if workstream.status == Workstream.Status.ACTIVE]
    form = CatalogueForm(request.GET or None, workstreams=workstreams)
    courses = course_list_public(filters=form.filters())
    return render(request, "talent/catalogue.html", {
        "form": form, "page": paginate(request, courses, per_page=CATALOGUE_PAGE_SIZE),
        "filtered": any(value for key, value in request.GET.items() if key != "page"),
        "may_manage": may_manage_courses(request.user),
    })


@require_safe
def course_detail(request, slug: str):
    course = course_get_public(slug=slug)
    if course is None:
        raise Http404("No such course.")
    return render(request, "talent/course_detail.html", {
        "course": course, "runs": list(course_runs_upcoming(course=course)),
        "may_manage": may_manage_courses(request.user),
    })


@require_safe
def run_detail(request, pk: int):
    run = course_run_get_visible(user=request.user, pk=pk)
    if run is None:
        raise Http404("No such course run.")
    return render(request, "talent/run_detail.html", {
        "run": run, "course": run.course,
        "enrolment": enrolment_of(user=request.user, run=run),
        "form": EnrolForm(organisations=sponsor_choices(user=request.user)),
        "may_manage": may_manage_courses(request.user),
    })


def _enrolled_message(enrolment: Enrolment) -> str:
    course = enrolment.run.course
    if enrolment.status == Enrolment.Status.CONFIRMED:
        return (f"You have a seat on {course.code} {course.title}, starting "
                f"{date_format(enrolment.run.starts_on, 'j M Y')}.")
    return (f"{course.code} is full: you are number {enrolment.waitlist_position} on its "
            "waitlist. You will be told at once if a seat is freed.")


@login_required
@require_POST
def enrol(request, pk: int):
    run = course_run_get_visible(user=request.user, pk=pk)
    if run is None:
        raise Http404("No such course run.")
    form = EnrolForm(request.POST, organisations=sponsor_choices(user=request.user))
    if not form.is_valid():
        messages.error(request, form_refusal_text(form))
        return redirect(run)
    return act_and_redirect(
        request,
        lambda: services.enrolment_create(actor=request.user, run=run,
                                          sponsor=form.chosen_sponsor()),
        success=_enrolled_message, to=run.get_absolute_url())


def _enrolment_for(request, pk: int, may_act) -> Enrolment:
    """The enrolment, if the person may act on it (`may_act`); 404 otherwise, as for one that
    does not exist."""
    enrolment = enrolment_list_visible(user=request.user).filter(pk=pk).first()
    if enrolment is None or not may_act(request.user, enrolment):
        raise Http404("No such enrolment.")
    return enrolment


def _cancel_confirmation(enrolment: Enrolment, *, by_self: bool) -> Confirmation:
    course, run = enrolment.run.course, enrolment.run
    named = f"{course.code} {course.title}"
    whose = "your" if by_self else f"{enrolment.person}'s"
    if enrolment.status == Enrolment.Status.WAITLISTED:
        return Confirmation(
            question=f"Leave the waitlist of {named}?",
            consequences=[f"You give up {whose} place, number {enrolment.waitlist_position} in "
                          "line. Joining again puts you at the end."],
            confirm_label="Leave the waitlist", cancel_url=run.get_absolute_url())
    return Confirmation(
        question=f"Cancel {whose} enrolment on {named}?",
        consequences=[f"The seat on the run of {date_format(run.starts_on, 'j M Y')} goes to the "
                      "next person on the waitlist at once; enrolling again may put you on the "
                      "waitlist."],
        confirm_label="Cancel the enrolment", cancel_url=run.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def enrolment_cancel(request, pk: int):
    enrolment = _enrolment_for(request, pk, may_cancel_enrolment)
    if request.method != "POST":
        return confirm_page(request, _cancel_confirmation(
            enrolment, by_self=enrolment.person_id == request.user.pk))
    left_waitlist = enrolment.status == Enrolment.Status.WAITLISTED
    return act_and_redirect(
        request,
        lambda: services.enrolment_cancel(actor=request.user, enrolment=enrolment,
                                          reason=request.POST.get("reason", "")[:1000]),
        success=("You left the waitlist." if left_waitlist
                 else "Your enrolment is cancelled; the seat goes to the next person in line."),
        to=enrolment.run.get_absolute_url())


@login_required
@require_POST
def offer_accept(request, pk: int):
    enrolment = _enrolment_for(request, pk, may_answer_offer)
    return act_and_redirect(
        request, lambda: services.enrolment_offer_accept(actor=request.user, enrolment=enrolment),
        success="The seat is yours: your enrolment is confirmed.",
        to=enrolment.run.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def offer_decline(request, pk: int):
    enrolment = _enrolment_for(request, pk, may_answer_offer)
    if request.method != "POST":
        course = enrolment.run.course
        return confirm_page(request, Confirmation(
            question=f"Decline the seat on {course.code} {course.title}?",
            consequences=["The seat goes to the next person on the waitlist, and you leave the "
                          "waitlist."],
            confirm_label="Decline the seat", cancel_url=enrolment.run.get_absolute_url()))
    return act_and_redirect(
        request,
        lambda: services.enrolment_offer_decline(actor=request.user, enrolment=enrolment),
        success="You declined the seat; it goes to the next person in line.",
        to=enrolment.run.get_absolute_url())


@login_required
@require_safe
def my_learning(request):
    # The calendar link is the personal feed workstreams keeps: one link for meetings and
    # sessions, renewed and turned off with the same buttons as in the members' areas.
    feed = meeting_calendar_feed_of(person=request.user)
    return render(request, "talent/my_learning.html", {
        **my_learning_of(user=request.user),
        "may_subscribe": may_subscribe_to_meetings(request.user),
        "calendar_feed_url": feed_url(feed) if feed is not None else "",
        "has_organisation": bool(user_organisation_roles(request.user)),
    })
