"""Attendance and the end of a run: trainers mark who was present at each session, and
programme staff complete the run, which turns each confirmed seat into completed or no-show by
the share of sessions attended.

Both take the run's row lock first, as every seat change does (services.enrolments), so a mark
can never slip in after the run was completed on the attendance that was read.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.formats import date_format

from cluster_portal.audit.services import audit_record
from cluster_portal.core.actors import is_system, person_of
from cluster_portal.core.exceptions import ApplicationError, Conflict, NotAllowed
from cluster_portal.core.transitions import apply_decision
from cluster_portal.notifications.services import notify

from .. import notification_kinds as kinds
from ..models import Attendance, CourseRun, Enrolment, Session
from ..permissions import may_manage_courses, may_train
from .enrolments import _close_the_line_behind, _free_seat, _lock_run, _run_words

Status = Enrolment.Status


def _check_run_open_for_marks(run: CourseRun) -> None:
    if run.status != CourseRun.Status.SCHEDULED:
        raise Conflict(f"The run is {run.get_status_display().lower()}: its attendance is final.",
                       code="run_closed")


@transaction.atomic
def attendance_mark(*, actor, session: Session, enrolment: Enrolment,
                    present: bool) -> Attendance:
    """Record whether the person of `enrolment` was at `session`. Only a confirmed seat on the
    session's own run is marked; the trainers of the run and programme staff mark."""
    run = _lock_run(session.run)
    if not (is_system(actor) or may_train(actor, run)):
        raise NotAllowed("Only the run's trainers and programme staff mark its attendance.")
    enrolment = Enrolment.objects.select_related("person").get(pk=enrolment.pk)
    if enrolment.run_id != run.pk:
        raise ApplicationError(
            f"{enrolment.person} is not enrolled on this run: attendance is marked on the "
            "register of the run they are enrolled on.", code="another_run")
    if enrolment.status != Status.CONFIRMED:
        status = enrolment.get_status_display().lower()
        raise Conflict(f"{enrolment.person}'s enrolment is {status}: only confirmed seats are "
                       "marked.", code="not_confirmed")
    _check_run_open_for_marks(run)
    session_day = timezone.localtime(session.starts_at).date()
    if session_day > timezone.localdate():
        raise Conflict(f"This session is on {date_format(session_day, 'j M Y')}: attendance is "
                       "marked from that day.", code="session_not_started")
    mark = (Attendance.objects.select_for_update()
            .filter(session=session, enrolment=enrolment).first())
    before = None if mark is None else mark.present
    if mark is None:
        mark = Attendance(session=session, enrolment=enrolment)
    if before != present:
        mark.present, mark.marked_by = present, person_of(actor)
        mark.save()
        audit_record(actor=actor, action="attendance.mark", target=mark, scope=run,
                     changes={"person": enrolment.person.email, "session": str(session),
                              "present": [before, present]})
    return mark


@dataclass(frozen=True)
class RunOutcome:
    """What completing a run did, for the page that reports it."""

    completed: list[Enrolment]
    no_shows: list[Enrolment]
    cancelled: list[Enrolment]


def attended_counts(run: CourseRun) -> dict[int, int]:
    """Sessions attended, by enrolment id, for the confirmed seats of `run`. One query."""
    return dict(Enrolment.objects.filter(run=run, status=Status.CONFIRMED)
                .annotate(attended=Count("attendance", filter=Q(
                    attendance__present=True, attendance__session__run=run)))
                .values_list("pk", "attended"))


def meets_threshold(attended: int, sessions: int, threshold: int) -> bool:
    """At least `threshold` percent of the sessions, exactly at the threshold included (in
    whole numbers, so 3 of 4 sessions is 75% and meets 75)."""
    return sessions > 0 and attended * 100 >= threshold * sessions


def _check_threshold(threshold) -> int:
    if not isinstance(threshold, int) or isinstance(threshold, bool) \
            or not 1 <= threshold <= 100:
        raise ApplicationError(
            "The attendance threshold is a whole percentage from 1 to 100.",
            fields={"attendance_threshold": "A whole number from 1 to 100."})
    return threshold


@transaction.atomic
def course_run_complete(*, actor, run: CourseRun, attendance_threshold: int) -> RunOutcome:
    """Close a run for good: each confirmed trainee who attended at least
    `attendance_threshold` percent of its sessions completes the course, the others are
    no-shows; anyone still waitlisted or offered a seat is cancelled. Everyone is told."""
    if not (is_system(actor) or may_manage_courses(actor)):
        raise NotAllowed("Only programme staff complete a run.")
    threshold = _check_threshold(attendance_threshold)
    run = _lock_run(run)
    CourseRun.MOVES.check_move(run, CourseRun.Status.COMPLETED, subject="This run")
    today = timezone.localdate()
    if run.ends_on > today:
        raise Conflict(f"The run ends on {date_format(run.ends_on, 'j M Y')}: complete it after "
                       "its last session.", code="run_not_over")
    sessions = run.sessions.count()
    if sessions == 0:
        raise Conflict("The run has no sessions, so there is no attendance to complete it on. "
                       "Add its sessions and mark them first.", code="no_sessions")

    attended = attended_counts(run)
    enrolments = list(Enrolment.objects.select_for_update(of=("self",))
                      .filter(run=run, status__in=(Status.CONFIRMED, Status.WAITLISTED,
                                                   Status.OFFERED))
                      .select_related("person").order_by("pk"))
    outcome = RunOutcome(completed=[], no_shows=[], cancelled=[])
    now = timezone.now()
    for enrolment in enrolments:
        was = enrolment.status
        if was == Status.CONFIRMED:
            count = attended.get(enrolment.pk, 0)
            passed = meets_threshold(count, sessions, threshold)
            to = Status.COMPLETED if passed else Status.NO_SHOW
            fields = apply_decision(enrolment, to=to, actor=actor,
                                    reason=f"Attended {count} of {sessions} sessions.")
            if passed:
                enrolment.completed_at = now
                fields.append("completed_at")
            (outcome.completed if passed else outcome.no_shows).append(enrolment)
            action = "enrolment.complete" if passed else "enrolment.no_show"
            changes = {"status": [was, to], "attended": count, "sessions": sessions}
        else:
            fields = _cancel_left_over(enrolment, run, actor=actor, now=now)
            outcome.cancelled.append(enrolment)
            action, changes = "enrolment.end_with_run", {"status": [was, Status.CANCELLED]}
        enrolment.save(update_fields=fields)
        audit_record(actor=actor, action=action, target=enrolment, scope=run, changes=changes)

    run.status, run.attendance_threshold = CourseRun.Status.COMPLETED, threshold
    run.save(update_fields=["status", "attendance_threshold"])
    audit_record(actor=actor, action="course_run.complete", target=run, changes={
        "attendance_threshold": threshold, "sessions": sessions,
        "completed": len(outcome.completed), "no_shows": len(outcome.no_shows),
        "cancelled": len(outcome.cancelled)})
    _tell_the_outcome(run, outcome, actor=actor, sessions=sessions, attended=attended)
    return outcome


def _cancel_left_over(enrolment: Enrolment, run: CourseRun, *, actor, now) -> list[str]:
    """A place on the waitlist or an unanswered offer ends with the run."""
    position = enrolment.waitlist_position
    held_seat = enrolment.holds_a_seat
    fields = apply_decision(enrolment, to=Status.CANCELLED, actor=actor,
                            reason="The run took place without a seat for this enrolment.")
    enrolment.waitlist_position, enrolment.offer_expires_at = None, None
    enrolment.cancelled_at = now
    if held_seat:
        _free_seat(run)
    elif position is not None:
        # Keeps positions 1..n on a run that has none left to give out: the one-person-per-
        # position constraint is checked row by row as the line empties.
        _close_the_line_behind(run, position)
    return [*fields, "waitlist_position", "offer_expires_at", "cancelled_at"]


def _tell_the_outcome(run: CourseRun, outcome: RunOutcome, *, actor, sessions: int,
                      attended: dict[int, int]) -> None:
    words = _run_words(run)
    url = run.get_absolute_url()
    for enrolment in outcome.completed:
        notify(recipients=[enrolment.person], kind=kinds.COURSE_COMPLETED, actor=actor,
               message=f"You completed {words['course']}.", url=url,
               context={**words, "attended": attended.get(enrolment.pk, 0),
                        "sessions": sessions})
    for enrolment in outcome.no_shows:
        notify(recipients=[enrolment.person], kind=kinds.COURSE_NOT_COMPLETED, actor=actor,
               message=f"Your attendance on {words['course']} was not enough to complete it.",
               url=url, context={**words, "attended": attended.get(enrolment.pk, 0),
                                 "sessions": sessions,
                                 "threshold": run.attendance_threshold})
    if outcome.cancelled:
        notify(recipients=[enrolment.person for enrolment in outcome.cancelled],
               kind=kinds.ENROLMENT_CANCELLED, actor=actor,
               message=f"{words['course']} has taken place without a seat for you; your place "
                       "on it has ended.", url=url,
               context={**words, "by_staff": False,
                        "reason": "The run took place without a seat for you."})
