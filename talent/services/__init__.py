"""Writes of the talent app. Every state change goes through a function here."""

from .courses import (
    RESERVED_SLUGS,
    course_create,
    course_run_create,
    course_run_update,
    course_update,
    session_create,
    session_delete,
    session_update,
    skills_framework_load,
)
from .enrolments import (
    course_run_cancel,
    course_run_set_capacity,
    enrolment_cancel,
    enrolment_create,
    enrolment_offer_accept,
    enrolment_offer_decline,
    enrolment_offers_expire,
    missing_prerequisites,
    prerequisite_waive,
)

__all__ = [
    "RESERVED_SLUGS",
    "course_create",
    "course_run_cancel",
    "course_run_create",
    "course_run_set_capacity",
    "course_run_update",
    "course_update",
    "enrolment_cancel",
    "enrolment_create",
    "enrolment_offer_accept",
    "enrolment_offer_decline",
    "enrolment_offers_expire",
    "missing_prerequisites",
    "prerequisite_waive",
    "session_create",
    "session_delete",
    "session_update",
    "skills_framework_load",
]
