"""Enrolments with exact capacity (design rule 3): enrol, join and leave the waitlist, cancel,
answer an offered seat, let offers lapse, change a run's capacity.

Every change to who holds a seat on a run happens under that run's row lock, taken first; the
run's `seats_taken` counter moves in the same transaction, and the database refuses a counter
above the capacity (talent_run_never_overbooked), so no interleaving can overbook a run. A
person's own row is locked before the run when they enrol, so two enrolments of one person
(two runs of the same course at once) are decided one after the other.
"""

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.formats import date_format

from cluster_portal.audit.services import audit_record
from cluster_portal.core.actors import SYSTEM, is_system, person_of
from cluster_portal.core.exceptions import ApplicationError, Conflict, NotAllowed
from cluster_portal.core.transitions import apply_decision
from cluster_portal.notifications.services import notify

from .. import notification_kinds as kinds
from ..models import ACTIVE_ENROLMENT_STATES, CourseRun, Enrolment, PrerequisiteWaiver
from ..permissions import (
    may_answer_offer,
    may_cancel_enrolment,
    may_enrol,
    may_manage_courses,
    may_sponsor,
)

Status = Enrolment.Status
# Positions move out of the way by this much while the line closes up behind someone who left:
# PostgreSQL checks the one-person-per-position constraint row by row, not at the end.
_OUT_OF_THE_WAY = 1_000_000_000


def _lock_run(run: CourseRun) -> CourseRun:
    return CourseRun.objects.select_for_update(of=("self",)).select_related("course").get(
        pk=run.pk)


def _run_words(run: CourseRun) -> dict:
    dates = date_format(run.starts_on, "j M Y")
    if run.ends_on != run.starts_on:
        dates += f" to {date_format(run.ends_on, 'j M Y')}"
    return {"course": f"{run.course.code} {run.course.title}", "dates": dates,
            "venue": run.venue}


def _check_takes_enrolments(run: CourseRun) -> None:
    if run.status != CourseRun.Status.SCHEDULED:
        raise Conflict(f"This run is {run.get_status_display().lower()}: it takes no "
                       "enrolments.", code="run_closed")


def _check_enrolment_window(run: CourseRun, now: datetime.datetime) -> None:
    if now < run.enrolment_opens_at:
        opens = date_format(timezone.localtime(run.enrolment_opens_at), "j M Y, H:i")
        raise Conflict(f"Enrolment for this run opens on {opens}.", code="enrolment_not_open")
    if now >= run.enrolment_closes_at:
        raise Conflict("Enrolment for this run has closed.", code="enrolment_closed")


def _check_not_enrolled_already(person, run: CourseRun, *, by_self: bool) -> None:
    """`by_self`: the person enrols themself, and is told "you"; staff read the person's name."""
    active = Enrolment.objects.filter(person=person, status__in=ACTIVE_ENROLMENT_STATES)
    who, has = ("You are", "You have") if by_self else (f"{person} is", f"{person} has")
    same_run = active.filter(run=run).first()
    if same_run is not None:
        where = ("on its waitlist" if same_run.status == Status.WAITLISTED
                 else "offered a seat" if same_run.status == Status.OFFERED else "enrolled")
        raise Conflict(f"{who} already {where} for this run.", code="already_enrolled")
    overlapping = active.filter(
        run__course_id=run.course_id, run__starts_on__lte=run.ends_on,
        run__ends_on__gte=run.starts_on).exclude(run=run).select_related("run").first()
    if overlapping is not None:
        raise Conflict(
            f"{has} already a place on the run of {run.course.code} from "
            f"{date_format(overlapping.run.starts_on, 'j M Y')}, which overlaps this one. "
            "Cancel that enrolment first.", code="overlapping_run")


def missing_prerequisites(*, person, course) -> list:
    """The prerequisite courses of `course` that `person` has not completed, unless staff
    waived them for this person."""
    required = list(course.prerequisites.all())
    if not required:
        return []
    if PrerequisiteWaiver.objects.filter(person=person, course=course).exists():
        return []
    completed = set(Enrolment.objects.filter(
        person=person, status=Status.COMPLETED,
        run__course__in=required).values_list("run__course_id", flat=True))
    return [prerequisite for prerequisite in required if prerequisite.pk not in completed]


def _check_prerequisites(person, run: CourseRun, *, by_self: bool) -> None:
    missing = missing_prerequisites(person=person, course=run.course)
    if missing:
        names = "; ".join(f"{course.code} {course.title}" for course in missing)
        then = ("If you have equivalent experience, ask the programme office to waive the "
                "prerequisite." if by_self else
                f"If {person} has equivalent experience, waive the prerequisite for them first.")
        raise ApplicationError(f"This course needs {names} completed first. {then}",
                               code="prerequisite_missing")


def _next_waitlist_position(run: CourseRun) -> int:
    last = Enrolment.objects.filter(run=run, status=Status.WAITLISTED).aggregate(
        last=Max("waitlist_position"))["last"]
    return (last or 0) + 1


def _close_the_line_behind(run: CourseRun, position: int) -> None:
    """Everyone behind `position` moves up one, so positions stay 1..n without a gap."""
    behind = Enrolment.objects.filter(run=run, status=Status.WAITLISTED)
    behind.filter(waitlist_position__gt=position).update(
        waitlist_position=F("waitlist_position") + _OUT_OF_THE_WAY)
    behind.filter(waitlist_position__gt=_OUT_OF_THE_WAY).update(
        waitlist_position=F("waitlist_position") - _OUT_OF_THE_WAY - 1)


def _take_seat(run: CourseRun) -> None:
    run.seats_taken += 1
    run.save(update_fields=["seats_taken"])


def _free_seat(run: CourseRun) -> None:
    run.seats_taken -= 1
    run.save(update_fields=["seats_taken"])


@transaction.atomic
def enrolment_create(*, actor, run: CourseRun, person=None, sponsor=None) -> Enrolment:
    """Enrol `person` (the actor, unless staff enrol someone else) on `run`: a confirmed seat if
    one is left, else the end of the waitlist."""
    person = person or person_of(actor)
    if not (is_system(actor) or may_enrol(actor, person)):
        raise NotAllowed("You may enrol only yourself.")
    if not (is_system(actor) or may_sponsor(actor, sponsor)):
        raise NotAllowed("You can name as sponsor only an approved organisation you act for.",
                         fields={"sponsor": "Not an organisation you act for."})
    get_user_model().objects.select_for_update().filter(pk=person.pk).first()
    run = _lock_run(run)
    now = timezone.now()
    _check_takes_enrolments(run)
    if not (is_system(actor) or may_manage_courses(actor)):
        # Staff may place someone outside the window (a late replacement); trainees may not.
        _check_enrolment_window(run, now)
    by_self = person_of(actor) == person
    _check_not_enrolled_already(person, run, by_self=by_self)
    _check_prerequisites(person, run, by_self=by_self)

    enrolment = Enrolment(person=person, run=run, sponsor=sponsor)
    if run.seats_taken < run.capacity:
        _take_seat(run)
        enrolment.status, enrolment.confirmed_at = Status.CONFIRMED, now
    else:
        enrolment.status = Status.WAITLISTED
        enrolment.waitlist_position = _next_waitlist_position(run)
    enrolment.save()

    audit_record(actor=actor, action="enrolment.create", target=enrolment, scope=run,
                 changes={"status": enrolment.status, "person": person.email,
                          "waitlist_position": enrolment.waitlist_position,
                          "sponsor": sponsor.name if sponsor else None})
    words = _run_words(run)
    # The trainee is told even of their own enrolment (notify leaves the actor out): the
    # e-mail is their receipt, with the dates and venue.
    if enrolment.status == Status.CONFIRMED:
        notify(recipients=[person], kind=kinds.ENROLMENT_CONFIRMED, actor=SYSTEM,
               message=f"You are confirmed on {words['course']} ({words['dates']}).",
               url=run.get_absolute_url(), context=words)
    else:
        notify(recipients=[person], kind=kinds.ENROLMENT_WAITLISTED, actor=SYSTEM,
               message=f"{words['course']} is full: you are number "
                       f"{enrolment.waitlist_position} on its waitlist.",
               url=run.get_absolute_url(),
               context={**words, "position": enrolment.waitlist_position})
    return enrolment


def _promote_from_waitlist(run: CourseRun, *, actor) -> list[Enrolment]:
    """Give every free seat of the locked `run` to the first in line, at once and once each:
    confirmed, or offered for the run's offer time, as the run chose."""
    promoted = []
    now = timezone.now()
    while run.seats_taken < run.capacity:
        first = (Enrolment.objects.select_for_update(of=("self",))
                 .filter(run=run, status=Status.WAITLISTED)
                 .order_by("waitlist_position").select_related("person").first())
        if first is None:
            break
        position = first.waitlist_position
        first.waitlist_position = None
        if run.promotion == CourseRun.Promotion.OFFER:
            first.status = Status.OFFERED
            first.offer_expires_at = now + datetime.timedelta(hours=run.offer_hours)
        else:
            first.status, first.confirmed_at = Status.CONFIRMED, now
        first.save(update_fields=["status", "waitlist_position", "offer_expires_at",
                                  "confirmed_at"])
        _take_seat(run)
        _close_the_line_behind(run, position)
        audit_record(actor=actor, action=f"enrolment.promote_{first.status}", target=first,
                     scope=run, changes={"from_position": position})
        promoted.append(first)
    _tell_the_promoted(run, promoted, actor=actor)
    return promoted


def _tell_the_promoted(run: CourseRun, promoted: list[Enrolment], *, actor) -> None:
    words = _run_words(run)
    for enrolment in promoted:
        if enrolment.status == Status.OFFERED:
            expires = date_format(timezone.localtime(enrolment.offer_expires_at), "j M Y, H:i")
            notify(recipients=[enrolment.person], kind=kinds.SEAT_OFFERED, actor=actor,
                   message=f"A seat on {words['course']} is yours if you accept it by "
                           f"{expires}.",
                   url=run.get_absolute_url(), context={**words, "expires": expires})
        else:
            notify(recipients=[enrolment.person], kind=kinds.ENROLMENT_CONFIRMED, actor=actor,
                   message=f"A seat opened up: you are confirmed on {words['course']} "
                           f"({words['dates']}).",
                   url=run.get_absolute_url(), context={**words, "promoted": True})


def _release(enrolment: Enrolment, run: CourseRun, *, actor, to: str, reason: str) -> None:
    """Move a locked enrolment out of the run (cancelled), freeing its seat or its place in
    line, and promote from the waitlist into a freed seat."""
    held_seat = enrolment.holds_a_seat
    position = enrolment.waitlist_position
    fields = apply_decision(enrolment, to=to, actor=actor, reason=reason)
    enrolment.waitlist_position, enrolment.offer_expires_at = None, None
    enrolment.cancelled_at = timezone.now()
    enrolment.save(update_fields=[*fields, "waitlist_position", "offer_expires_at",
                                  "cancelled_at"])
    if held_seat:
        _free_seat(run)
        _promote_from_waitlist(run, actor=actor)
    elif position is not None:
        _close_the_line_behind(run, position)


def _lock_enrolment(enrolment: Enrolment, *, to: str) -> tuple[Enrolment, CourseRun]:
    """The run first, then the enrolment: the one lock order of every seat change."""
    run = _lock_run(enrolment.run)
    locked = (Enrolment.objects.select_for_update(of=("self",)).select_related("person")
              .get(pk=enrolment.pk))
    Enrolment.MOVES.check_move(locked, to, subject="This enrolment")
    return locked, run


@transaction.atomic
def enrolment_cancel(*, actor, enrolment: Enrolment, reason: str = "") -> Enrolment:
    """Cancel a seat, an offer or a place on the waitlist (leaving the waitlist is this too).
    A trainee may cancel until the run starts; staff at any time before it is completed."""
    if not (is_system(actor) or may_cancel_enrolment(actor, enrolment)):
        raise NotAllowed("You may cancel only your own enrolments.")
    enrolment, run = _lock_enrolment(enrolment, to=Status.CANCELLED)
    by_staff = not is_system(actor) and person_of(actor) != enrolment.person
    if not by_staff and run.starts_on <= timezone.localdate():
        raise Conflict("The run has started: to withdraw now, write to the programme office.",
                       code="run_started")
    was = enrolment.status
    _release(enrolment, run, actor=actor, to=Status.CANCELLED, reason=reason)
    audit_record(actor=actor, action="enrolment.cancel", target=enrolment, scope=run,
                 changes={"status": [was, Status.CANCELLED], "reason": reason})
    if by_staff or is_system(actor):
        notify(recipients=[enrolment.person], kind=kinds.ENROLMENT_CANCELLED, actor=actor,
               message=f"Your enrolment on {run.course.code} {run.course.title} was cancelled.",
               url=run.get_absolute_url(),
               context={**_run_words(run), "reason": reason, "by_staff": by_staff})
    return enrolment


@transaction.atomic
def enrolment_offer_accept(*, actor, enrolment: Enrolment) -> Enrolment:
    if not may_answer_offer(actor, enrolment):
        raise NotAllowed("Only the person offered the seat can accept it.")
    enrolment, run = _lock_enrolment(enrolment, to=Status.CONFIRMED)
    if enrolment.status == Status.OFFERED and enrolment.offer_expires_at <= timezone.now():
        raise Conflict("The offer has expired: the seat went to the next person in line.",
                       code="offer_expired")
    if enrolment.status != Status.OFFERED:
        raise Conflict("There is no seat offered to you on this run.", code="not_offered")
    fields = apply_decision(enrolment, to=Status.CONFIRMED, actor=actor)
    enrolment.offer_expires_at, enrolment.confirmed_at = None, timezone.now()
    enrolment.save(update_fields=[*fields, "offer_expires_at", "confirmed_at"])
    audit_record(actor=actor, action="enrolment.accept_offer", target=enrolment, scope=run)
    return enrolment


@transaction.atomic
def enrolment_offer_decline(*, actor, enrolment: Enrolment) -> Enrolment:
    if not may_answer_offer(actor, enrolment):
        raise NotAllowed("Only the person offered the seat can decline it.")
    enrolment, run = _lock_enrolment(enrolment, to=Status.CANCELLED)
    if enrolment.status != Status.OFFERED:
        raise Conflict("There is no seat offered to you on this run.", code="not_offered")
    _release(enrolment, run, actor=actor, to=Status.CANCELLED, reason="Declined the offer.")
    audit_record(actor=actor, action="enrolment.decline_offer", target=enrolment, scope=run)
    return enrolment


def enrolment_offers_expire(*, now: datetime.datetime | None = None) -> int:
    """Offers not answered in time pass to the next in line (a periodic task). Each offer in
    its own transaction, so one run's trouble never holds up another's."""
    now = now or timezone.now()
    expired = list(Enrolment.objects.filter(status=Status.OFFERED, offer_expires_at__lte=now)
                   .values_list("pk", flat=True))
    lapsed = 0
    for pk in expired:
        with transaction.atomic():
            enrolment = Enrolment.objects.select_related("run").get(pk=pk)
            run = _lock_run(enrolment.run)
            enrolment = Enrolment.objects.select_for_update(of=("self",)).get(pk=pk)
            if enrolment.status != Status.OFFERED or enrolment.offer_expires_at > now:
                continue  # answered meanwhile
            _release(enrolment, run, actor=SYSTEM, to=Status.CANCELLED,
                     reason="The offer expired without an answer.")
            audit_record(actor=SYSTEM, action="enrolment.offer_expired", target=enrolment,
                         scope=run)
            lapsed += 1
    return lapsed


@transaction.atomic
def course_run_set_capacity(*, actor, run: CourseRun, capacity: int) -> CourseRun:
    """Change how many seats a run has: never below the seats already held; more seats go to
    the waitlist at once. The run returned carries `promoted`, the enrolments they went to."""
    if not (is_system(actor) or may_manage_courses(actor)):
        raise NotAllowed("Only programme staff change a run's seats.")
    if capacity < 1:
        raise ApplicationError("A run has at least one seat.",
                               fields={"capacity": "At least 1."})
    run = _lock_run(run)
    if capacity < run.seats_taken:
        raise Conflict(
            f"{run.seats_taken} seats are already taken; the run cannot have fewer. Cancel "
            "enrolments first if the room is smaller.", code="below_seats_taken",
            fields={"capacity": f"At least {run.seats_taken}, the seats already taken."})
    before = run.capacity
    run.capacity = capacity
    run.save(update_fields=["capacity"])
    audit_record(actor=actor, action="course_run.set_capacity", target=run,
                 changes={"capacity": [before, capacity]})
    run.promoted = _promote_from_waitlist(run, actor=actor) if capacity > before else []
    return run


@transaction.atomic
def course_run_cancel(*, actor, run: CourseRun, reason: str) -> CourseRun:
    """Cancel a scheduled run: every enrolment still active on it (seats, offers, the
    waitlist) is cancelled with the reason, its person told, and no seat is held any more."""
    if not (is_system(actor) or may_manage_courses(actor)):
        raise NotAllowed("Only programme staff cancel a run.")
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("Say why the run is cancelled: the people enrolled are told.",
                               fields={"reason": "Required: the people enrolled read it."})
    run = _lock_run(run)
    CourseRun.MOVES.check_move(run, CourseRun.Status.CANCELLED,
                               subject=f"The run of {run.course.code}")
    active = list(Enrolment.objects.select_for_update(of=("self",))
                  .filter(run=run, status__in=ACTIVE_ENROLMENT_STATES)
                  .select_related("person").order_by("pk"))
    now = timezone.now()
    was = {}
    for enrolment in active:
        was[enrolment.pk] = enrolment.status
        apply_decision(enrolment, to=Status.CANCELLED, actor=actor, reason=reason)
        enrolment.waitlist_position = enrolment.offer_expires_at = None
        enrolment.cancelled_at = now
    Enrolment.objects.bulk_update(active, ["status", "decided_by", "decided_at",
                                           "decision_reason", "waitlist_position",
                                           "offer_expires_at", "cancelled_at"])
    run.status, run.seats_taken = CourseRun.Status.CANCELLED, 0
    run.save(update_fields=["status", "seats_taken"])
    for enrolment in active:
        audit_record(actor=actor, action="enrolment.cancel", target=enrolment, scope=run,
                     changes={"status": [was[enrolment.pk], Status.CANCELLED],
                              "reason": reason, "run_cancelled": True})
    audit_record(actor=actor, action="course_run.cancel", target=run,
                 changes={"status": [CourseRun.Status.SCHEDULED, CourseRun.Status.CANCELLED],
                          "reason": reason, "enrolments_cancelled": len(active)})
    words = _run_words(run)
    notify(recipients=[enrolment.person for enrolment in active],
           kind=kinds.ENROLMENT_CANCELLED, actor=actor,
           message=f"The run of {words['course']} ({words['dates']}) is cancelled, and your "
                   f"enrolment with it: {reason}",
           url=run.get_absolute_url(), context={**words, "reason": reason, "by_staff": True})
    return run


@transaction.atomic
def prerequisite_waive(*, actor, person, course, reason: str) -> PrerequisiteWaiver:
    if not (is_system(actor) or may_manage_courses(actor)):
        raise NotAllowed("Only programme staff waive prerequisites.")
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("Say why the prerequisite is waived.",
                               fields={"reason": "Required."})
    waiver, created = PrerequisiteWaiver.objects.get_or_create(
        person=person, course=course,
        defaults={"reason": reason, "waived_by": person_of(actor)})
    if created:
        audit_record(actor=actor, action="prerequisite.waive", target=waiver,
                     changes={"person": person.email, "course": course.code,
                              "reason": reason})
    return waiver
