"""What the talent app tells trainees: where they stand on a course run (a seat, a place in the
line, a seat offered, an enrolment cancelled)."""

from functools import partial

from cluster_portal.notifications.kinds import NotificationKind

TRAINING = "Training"

_kind = partial(NotificationKind, app="talent", group=TRAINING)

ENROLMENT_CONFIRMED = _kind(
    "enrolment_confirmed", "You have a seat on a course",
    "you enrolled on the course, or were next on its waitlist")
ENROLMENT_WAITLISTED = _kind(
    "enrolment_waitlisted", "You are on a course's waitlist",
    "you enrolled on a course run that was full")
SEAT_OFFERED = _kind(
    "seat_offered", "A seat on a course is offered to you",
    "you were next on the course's waitlist")
ENROLMENT_CANCELLED = _kind(
    "enrolment_cancelled", "Your enrolment on a course was cancelled",
    "you were enrolled on the course run")

ALL = (ENROLMENT_CONFIRMED, ENROLMENT_WAITLISTED, SEAT_OFFERED, ENROLMENT_CANCELLED)
