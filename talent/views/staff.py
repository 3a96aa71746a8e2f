"""Programme staff's pages for the course catalogue (staff are not users of the admin site):
every course, published or not, with its runs; courses, runs and sessions made and changed
through the services; a run's roster, where staff place people, cancel enrolments and waive
prerequisites; cancelling a run. For staff with a second factor: the decorator sends staff
without one to set it up, and the selectors show nothing to anyone else."""

import datetime

from django.contrib import messages
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cluster_portal.accounts.decorators import programme_staff_required
from cluster_portal.core.confirmation import Confirmation, confirm_page
from cluster_portal.core.csv_export import list_export
from cluster_portal.core.exceptions import ApplicationError, NotAllowed
from cluster_portal.core.pages import Refused, act_and_redirect, form_refusal_text, paginate
from partners.models import Organisation
from partners.selectors import organisation_list_visible
from workstreams.models import Workstream
from workstreams.selectors import workstream_list_public

from .. import list_exports, services
from ..forms import (
    CourseForm,
    ReasonForm,
    RunForm,
    SessionForm,
    SkillForm,
    SkillNeedForm,
    StaffCourseFilterForm,
    StaffEnrolForm,
    WaiverForm,
    course_skill_formset,
)
from ..models import Course, CourseRun, Enrolment, Session, WorkstreamSkillNeed
from ..selectors import (
    course_get_for_staff,
    course_list_for_staff,
    course_run_get_visible,
    course_run_roster,
    course_runs_for_staff,
    enrolment_list_visible,
    person_by_email,
    session_get_for_staff,
    trainer_candidates,
)

GET_AND_POST = ["GET", "HEAD", "POST"]
COURSES_PAGE_SIZE = 25
RUNS_PAGE_SIZE = 20
ROSTER_PAGE_SIZE = 50
# The roster's lists, in the order the run's page shows them: (key, heading, when empty).
ROSTER_SECTIONS = (
    ("seats", "Seats", "Nobody has a seat yet."),
    ("offered", "Seats offered", "No seat is waiting for an answer."),
    ("waitlist", "Waitlist", "Nobody is waiting."),
    ("cancelled", "Cancelled", "No enrolment was cancelled."),
)


def _attempt(form, action):
    """Run one service for a form page: its result, or None with the refusal put on the form,
    beside the fields it names. A refusal of the person is a 403, as on every page."""
    try:
        return action()
    except NotAllowed as error:
        raise Refused(error.message) from error
    except ApplicationError as error:
        form.add_service_error(error)
        return None


def _course_or_404(request, slug: str) -> Course:
    course = course_get_for_staff(user=request.user, slug=slug)
    if course is None:
        raise Http404("No such course.")
    return course


def _run_or_404(request, pk: int) -> CourseRun:
    run = course_run_get_visible(user=request.user, pk=pk)
    if run is None:
        raise Http404("No such course run.")
    return run


def _manage_run_url(run: CourseRun) -> str:
    return reverse("talent:manage_run", kwargs={"pk": run.pk})


def _run_dates(run: CourseRun) -> str:
    dates = date_format(run.starts_on, "j M Y")
    if run.ends_on != run.starts_on:
        dates += f" to {date_format(run.ends_on, 'j M Y')}"
    return dates


# --- courses ---------------------------------------------------------------------------------


@require_safe
@programme_staff_required
def manage_courses(request):
    form = StaffCourseFilterForm(request.GET or None, workstreams=list(workstream_list_public()))
    courses = course_list_for_staff(user=request.user, filters=form.filters())
    return render(request, "talent/staff/courses.html", {
        "form": form, "page": paginate(request, courses, per_page=COURSES_PAGE_SIZE),
        "filtered": any(value for key, value in request.GET.items() if key != "page"),
    })


def _course_forms(request, course: Course | None = None):
    """The course's form and its skills rows. A course keeps its provider and workstreams in
    the choices even once they are no longer approved or active."""
    data = request.POST if request.method == "POST" else None
    keep_provider = Q(pk=course.provider_id) if course and course.provider_id else Q(pk__in=[])
    keep_workstreams = (Q(pk__in=[workstream.pk for workstream in course.workstreams.all()])
                        if course else Q(pk__in=[]))
    providers = organisation_list_visible(user=request.user).filter(
        Q(status=Organisation.Status.APPROVED) | keep_provider).order_by("name")
    workstreams = workstream_list_public().filter(
        Q(status=Workstream.Status.ACTIVE) | keep_workstreams)
    initial = None
    if course is not None and data is None:
        initial = {name: getattr(course, name) for name in (
            "title", "summary", "description", "mode", "hours", "fee",
            "certificate_valid_months", "is_published")}
        initial.update(provider=course.provider_id,
                       workstreams=[workstream.pk for workstream in course.workstreams.all()],
                       prerequisites=[prerequisite.pk for prerequisite in
                                      course.prerequisites.all()])
    form = CourseForm(data, initial=initial, course=course, providers=providers,
                      workstreams=workstreams)
    return form, course_skill_formset(data, course=course)


def _course_form_page(request, form, skills, *, course=None, status=200):
    return render(request, "talent/staff/course_form.html",
                  {"form": form, "skills": skills, "course": course}, status=status)


@require_http_methods(GET_AND_POST)
@programme_staff_required
def manage_course_create(request):
    form, skills = _course_forms(request)
    if request.method != "POST":
        return _course_form_page(request, form, skills)
    if all([form.is_valid(), skills.is_valid()]):
        course = _attempt(form, lambda: services.course_create(
            actor=request.user, skills=skills.chosen(), **form.cleaned_data))
        if course is not None:
            shown = ("It is in the catalogue." if course.is_published
                     else "It is not published yet.")
            messages.success(request, f"{course.code} {course.title} is created. {shown} "
                                      "Schedule its first run here.")
            return redirect("talent:manage_course", slug=course.slug)
    return _course_form_page(request, form, skills, status=400)


@require_safe
@programme_staff_required
def manage_course(request, slug: str):
    course = _course_or_404(request, slug)
    return render(request, "talent/staff/course.html", {
        "course": course,
        "runs": paginate(request, course_runs_for_staff(course=course), per_page=RUNS_PAGE_SIZE,
                         parameter="runs"),
    })


@require_http_methods(GET_AND_POST)
@programme_staff_required
def manage_course_update(request, slug: str):
    course = _course_or_404(request, slug)
    form, skills = _course_forms(request, course)
    if request.method != "POST":
        return _course_form_page(request, form, skills, course=course)
    if all([form.is_valid(), skills.is_valid()]):
        saved = _attempt(form, lambda: services.course_update(
            actor=request.user, course=course, skills=skills.chosen(), **form.cleaned_data))
        if saved is not None:
            messages.success(request, f"The changes to {saved.code} are saved.")
            return redirect("talent:manage_course", slug=saved.slug)
    return _course_form_page(request, form, skills, course=course, status=400)


# --- runs ------------------------------------------------------------------------------------


def _run_form_page(request, form, *, course: Course, run=None, status=200):
    return render(request, "talent/staff/run_form.html",
                  {"form": form, "course": course, "run": run}, status=status)


@require_http_methods(GET_AND_POST)
@programme_staff_required
def manage_run_create(request, slug: str):
    course = _course_or_404(request, slug)
    candidates = trainer_candidates(course=course)
    if request.method != "POST":
        form = RunForm(candidates=candidates, initial={
            "capacity": 20, "promotion": CourseRun.Promotion.CONFIRM, "offer_hours": 48})
        return _run_form_page(request, form, course=course)
    form = RunForm(request.POST, candidates=candidates)
    if form.is_valid():
        run = _attempt(form, lambda: services.course_run_create(
            actor=request.user, course=course, **form.cleaned_data))
        if run is not None:
            messages.success(request, f"The run of {_run_dates(run)} is scheduled. Add its "
                                      "sessions below.")
            return redirect(_manage_run_url(run))
    return _run_form_page(request, form, course=course, status=400)


def _run_saved_message(run: CourseRun) -> str:
    promoted = len(getattr(run, "promoted", ()))
    if not promoted:
        return "The run's changes are saved."
    people = "1 person" if promoted == 1 else f"{promoted} people"
    verb = "was" if promoted == 1 else "were"
    given = ("offered a seat, to accept in time" if run.promotion == CourseRun.Promotion.OFFER
             else "given a seat")
    return (f"The run's changes are saved. The new seats went to the waitlist at once: "
            f"{people} {verb} {given}, and told.")


@require_http_methods(GET_AND_POST)
@programme_staff_required
def manage_run_update(request, pk: int):
    run = _run_or_404(request, pk)
    if run.status != CourseRun.Status.SCHEDULED:
        messages.info(request, f"This run is {run.get_status_display().lower()}: it no longer "
                               "changes.")
        return redirect(_manage_run_url(run))
    candidates = trainer_candidates(course=run.course)
    if request.method != "POST":
        initial = {name: getattr(run, name) for name in (
            "starts_on", "ends_on", "venue", "capacity", "enrolment_opens_at",
            "enrolment_closes_at", "promotion", "offer_hours")}
        initial["trainers"] = [trainer.pk for trainer in run.trainers.all()]
        form = RunForm(initial=initial, candidates=candidates, run=run)
        return _run_form_page(request, form, course=run.course, run=run)
    form = RunForm(request.POST, candidates=candidates, run=run)
    if form.is_valid():
        saved = _attempt(form, lambda: services.course_run_update(
            actor=request.user, run=run, **form.cleaned_data))
        if saved is not None:
            messages.success(request, _run_saved_message(saved))
            return redirect(_manage_run_url(run))
    return _run_form_page(request, form, course=run.course, run=run, status=400)


def _run_page(request, run: CourseRun, *, enrol_form=None, waive_form=None, status=200):
    roster = course_run_roster(user=request.user, run=run)
    sections = [{"key": key, "title": title, "empty": empty,
                 "page": paginate(request, roster[key], per_page=ROSTER_PAGE_SIZE,
                                  parameter=key)}
                for key, title, empty in ROSTER_SECTIONS]
    return render(request, "talent/staff/run.html", {
        "run": run, "course": run.course, "sections": sections,
        "prerequisites": list(run.course.prerequisites.all()),
        "scheduled": run.status == CourseRun.Status.SCHEDULED,
        "enrol_form": enrol_form or StaffEnrolForm(auto_id="enrol-%s"),
        "waive_form": waive_form or WaiverForm(auto_id="waive-%s"),
    }, status=status)


@require_safe
@programme_staff_required
def manage_run(request, pk: int):
    return _run_page(request, _run_or_404(request, pk))


@require_safe
@programme_staff_required
def manage_run_enrolments_csv(request, pk: int):
    """The run's roster as its page lists it: streamed, or, when it is too long to stream, a
    report job the person is sent to follow."""
    run = _run_or_404(request, pk)
    course = run.course
    return list_export(
        request, queryset=list_exports.roster_enrolments(request.user, run),
        header=list_exports.ROSTER_HEADER, row=list_exports.roster_row,
        filename=f"{slugify(course.code)}-{run.starts_on.isoformat()}-enrolments.csv",
        kind=list_exports.ROSTER_KIND, filters=list_exports.roster_filters(run),
        list_url=_manage_run_url(run))


def _cancel_run_confirmation(run: CourseRun, form) -> Confirmation:
    course = run.course
    held = f"{run.seats_taken} {'seat' if run.seats_taken == 1 else 'seats'} taken"
    waiting = f"{run.waitlisted} on the waitlist"
    return Confirmation(
        question=f"Cancel the run of {course.code} {course.title} of {_run_dates(run)}?",
        consequences=[
            f"Every enrolment on it is cancelled ({held}, {waiting}), and each person is told, "
            "with your reason.",
            "A cancelled run is not scheduled again: to offer the course on other dates, "
            "schedule a new run."],
        confirm_label="Cancel the run", cancel_url=_manage_run_url(run), form=form)


@require_http_methods(GET_AND_POST)
@programme_staff_required
def manage_run_cancel(request, pk: int):
    run = _run_or_404(request, pk)
    if request.method != "POST":
        return confirm_page(request, _cancel_run_confirmation(run, ReasonForm()))
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return confirm_page(request, _cancel_run_confirmation(run, form), status=400)
    return act_and_redirect(
        request, lambda: services.course_run_cancel(actor=request.user, run=run,
                                                    reason=form.cleaned_data["reason"]),
        success="The run is cancelled. Everyone enrolled on it was told, with your reason.",
        to=_manage_run_url(run))


# --- sessions --------------------------------------------------------------------------------


def _session_or_404(request, pk: int) -> Session:
    session = session_get_for_staff(user=request.user, pk=pk)
    if session is None:
        raise Http404("No such session.")
    return session


def _session_form_page(request, form, *, run: CourseRun, session=None, status=200):
    return render(request, "talent/staff/session_form.html",
                  {"form": form, "run": run, "course": run.course, "session": session},
                  status=status)


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@require_http_methods(GET_AND_POST)
@programme_staff_required
def manage_session_create(request, pk: int):
    run = _run_or_404(request, pk)
    if request.method != "POST":
        form = SessionForm(initial={"starts_at": _at(run.starts_on, 9),
                                    "ends_at": _at(run.starts_on, 17)})
        return _session_form_page(request, form, run=run)
    form = SessionForm(request.POST)
    if form.is_valid():
        session = _attempt(form, lambda: services.session_create(
            actor=request.user, run=run, **form.cleaned_data))
        if session is not None:
            when = date_format(timezone.localtime(session.starts_at), "j M Y, H:i")
            messages.success(request, f"The session of {when} is on the timetable.")
            return redirect(_manage_run_url(run))
    return _session_form_page(request, form, run=run, status=400)


@require_http_methods(GET_AND_POST)
@programme_staff_required
def manage_session_update(request, pk: int):
    session = _session_or_404(request, pk)
    run = session.run
    if request.method != "POST":
        form = SessionForm(initial={"title": session.title, "starts_at": session.starts_at,
                                    "ends_at": session.ends_at})
        return _session_form_page(request, form, run=run, session=session)
    form = SessionForm(request.POST)
    if form.is_valid():
        saved = _attempt(form, lambda: services.session_update(
            actor=request.user, session=session, **form.cleaned_data))
        if saved is not None:
            messages.success(request, "The session's changes are saved.")
            return redirect(_manage_run_url(run))
    return _session_form_page(request, form, run=run, session=session, status=400)


@require_http_methods(GET_AND_POST)
@programme_staff_required
def manage_session_remove(request, pk: int):
    session = _session_or_404(request, pk)
    run = session.run
    when = date_format(timezone.localtime(session.starts_at), "j M Y, H:i")
    if request.method != "POST":
        return confirm_page(request, Confirmation(
            question=f"Remove the session of {when} from the run of {run.course.code}?",
            consequences=["It leaves the run's timetable, on its page and in the register of "
                          "attendance. A session whose attendance was marked stays."],
            confirm_label="Remove the session", cancel_url=_manage_run_url(run)))
    return act_and_redirect(
        request, lambda: services.session_delete(actor=request.user, session=session),
        success=f"The session of {when} is removed from the timetable.",
        to=_manage_run_url(run))


# --- the roster: placing people, waiving prerequisites, cancelling ----------------------------


def _placed_message(enrolment: Enrolment) -> str:
    person = enrolment.person
    if enrolment.status == Enrolment.Status.CONFIRMED:
        return f"{person} has a seat on the run, and was told."
    return (f"The run is full: {person} is number {enrolment.waitlist_position} on its "
            "waitlist, and was told.")


def _person_for(request, form):
    person = person_by_email(user=request.user, email=form.cleaned_data["email"])
    if person is None:
        form.add_error("email", "No active account uses this address. Ask the person to "
                                "create an account on the portal first.")
    return person


@require_POST
@programme_staff_required
def manage_enrol(request, pk: int):
    run = _run_or_404(request, pk)
    form = StaffEnrolForm(request.POST, auto_id="enrol-%s")
    if form.is_valid() and (person := _person_for(request, form)) is not None:
        # Staff may place someone outside the enrolment window (a late replacement).
        enrolment = _attempt(form, lambda: services.enrolment_create(
            actor=request.user, run=run, person=person))
        if enrolment is not None:
            messages.success(request, _placed_message(enrolment))
            return redirect(_manage_run_url(run))
    return _run_page(request, run, enrol_form=form, status=400)


@require_POST
@programme_staff_required
def manage_waive(request, pk: int):
    run = _run_or_404(request, pk)
    form = WaiverForm(request.POST, auto_id="waive-%s")
    if form.is_valid() and (person := _person_for(request, form)) is not None:
        waiver = _attempt(form, lambda: services.prerequisite_waive(
            actor=request.user, person=person, course=run.course,
            reason=form.cleaned_data["reason"]))
        if waiver is not None:
            messages.success(request, f"The prerequisites of {run.course.code} are waived for "
                                      f"{person}: you can enrol them now.")
            return redirect(_manage_run_url(run))
    return _run_page(request, run, waive_form=form, status=400)


def _cancel_enrolment_confirmation(enrolment: Enrolment, form) -> Confirmation:
    run, person = enrolment.run, enrolment.person
    if enrolment.status == Enrolment.Status.WAITLISTED:
        what = (f"{person} leaves the waitlist, where they are number "
                f"{enrolment.waitlist_position}; those behind move up.")
    elif enrolment.holds_a_seat:
        what = f"{person}'s seat goes to the next person on the waitlist at once."
    else:
        what = f"{person}'s enrolment is {enrolment.get_status_display().lower()}."
    return Confirmation(
        question=f"Cancel {person}'s enrolment on {run.course.code} of {_run_dates(run)}?",
        consequences=[what, f"{person} is told, with your reason."],
        confirm_label="Cancel the enrolment", cancel_url=_manage_run_url(run), form=form)


@require_http_methods(GET_AND_POST)
@programme_staff_required
def manage_enrolment_cancel(request, pk: int):
    enrolment = enrolment_list_visible(user=request.user).filter(pk=pk).first()
    if enrolment is None:
        raise Http404("No such enrolment.")
    if request.method != "POST":
        return confirm_page(request, _cancel_enrolment_confirmation(enrolment, ReasonForm()))
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return confirm_page(request, _cancel_enrolment_confirmation(enrolment, form),
                            status=400)
    return act_and_redirect(
        request, lambda: services.enrolment_cancel(actor=request.user, enrolment=enrolment,
                                                   reason=form.cleaned_data["reason"]),
        success=f"{enrolment.person}'s enrolment is cancelled, and they were told.",
        to=_manage_run_url(enrolment.run))


# --- What each workstream needs ---------------------------------------------------------------


def _active_workstreams():
    return Workstream.objects.filter(status=Workstream.Status.ACTIVE).order_by(
        "display_order", "name")


@programme_staff_required
@require_http_methods(GET_AND_POST)
def manage_skill_needs(request):
    """The skills each active workstream needs, at which level: shown on the workstream's page
    and against each trainee's skills profile."""
    workstreams = _active_workstreams()
    form = SkillNeedForm(request.POST or None, workstreams=workstreams)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            return act_and_redirect(
                request, lambda: services.workstream_skill_need_set(
                    actor=request.user, workstream=data["workstream"], skill=data["skill"],
                    level=data["level"]),
                success=f"{data['workstream'].name} needs {data['skill'].name} at level "
                        f"{data['level']}.",
                to=reverse("talent:manage_skill_needs"))
        status = 400
    else:
        status = 200
    needs = (WorkstreamSkillNeed.objects.filter(workstream__in=workstreams)
             .select_related("workstream", "skill")
             .order_by("workstream__display_order", "workstream__name", "skill__name"))
    return render(request, "talent/staff/skill_needs.html",
                  {"form": form, "needs": list(needs), "skill_form": SkillForm(auto_id="skill-%s")},
                  status=status)


@programme_staff_required
@require_POST
def manage_skill_create(request):
    form = SkillForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_refusal_text(form))
        return redirect("talent:manage_skill_needs")
    data = form.cleaned_data
    return act_and_redirect(
        request, lambda: services.skill_create(actor=request.user, name=data["name"],
                                               category=data["category"],
                                               description=data["description"]),
        success=lambda skill: f"{skill.name} is in the skills framework.",
        to=reverse("talent:manage_skill_needs"))


@programme_staff_required
@require_http_methods(GET_AND_POST)
def manage_skill_need_remove(request, pk: int):
    need = WorkstreamSkillNeed.objects.select_related("workstream", "skill").filter(
        pk=pk).first()
    if need is None:
        raise Http404("No such skill need.")
    if request.method != "POST":
        return confirm_page(request, Confirmation(
            question=f"Remove {need.skill.name} from what {need.workstream.name} needs?",
            consequences=["Its page and its members' skills profiles stop showing it."],
            confirm_label="Remove the skill",
            cancel_url=reverse("talent:manage_skill_needs")))
    return act_and_redirect(
        request, lambda: services.workstream_skill_need_remove(actor=request.user, need=need),
        success=f"{need.workstream.name} no longer lists {need.skill.name}.",
        to=reverse("talent:manage_skill_needs"))
