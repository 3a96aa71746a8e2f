"""Writes of the talent app. Every state change goes through a function here."""

from .enrolments import (
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
    "course_run_set_capacity",
    "enrolment_cancel",
    "enrolment_create",
    "enrolment_offer_accept",
    "enrolment_offer_decline",
    "enrolment_offers_expire",
    "missing_prerequisites",
    "prerequisite_waive",
]
