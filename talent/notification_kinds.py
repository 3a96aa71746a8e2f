"""What the talent app tells trainees: where they stand on a course run (a seat, a place in the
line, a seat offered, an enrolment cancelled), how the run ended for them, and their
certificates (issued, revoked, about to expire)."""

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

COURSE_COMPLETED = _kind(
    "course_completed", "You completed a course",
    "you took the course run and it has been completed")
COURSE_NOT_COMPLETED = _kind(
    "course_not_completed", "Your attendance was not enough to complete a course",
    "you had a seat on the course run and it has been completed")
CERTIFICATE_ISSUED = _kind(
    "certificate_issued", "A certificate is issued to you",
    "you completed the course or learning path it certifies")
CERTIFICATE_REVOKED = _kind(
    "certificate_revoked", "One of your certificates was revoked",
    "the certificate was issued to you")
CERTIFICATE_EXPIRING = _kind(
    "certificate_expiring", "One of your certificates expires soon",
    "the certificate was issued to you and lapses after a set time")

ALL = (ENROLMENT_CONFIRMED, ENROLMENT_WAITLISTED, SEAT_OFFERED, ENROLMENT_CANCELLED,
       COURSE_COMPLETED, COURSE_NOT_COMPLETED, CERTIFICATE_ISSUED, CERTIFICATE_REVOKED,
       CERTIFICATE_EXPIRING)
