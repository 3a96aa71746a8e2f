"""Writes of the talent app. Every state change goes through a function here."""

from .attendance import RunOutcome, attendance_mark, course_run_complete
from .certificates import (
    certificate_batch_run,
    certificate_batch_start,
    certificate_expiry_reminders_send,
    certificate_issue,
    certificate_revoke,
)
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
    workstream_skill_need_remove,
    workstream_skill_need_set,
)
from .credential_keys import credential_signing_key_active, credential_signing_key_rotate
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
    "RunOutcome",
    "attendance_mark",
    "certificate_batch_run",
    "certificate_batch_start",
    "certificate_expiry_reminders_send",
    "certificate_issue",
    "certificate_revoke",
    "course_create",
    "course_run_cancel",
    "course_run_complete",
    "course_run_create",
    "course_run_set_capacity",
    "course_run_update",
    "course_update",
    "credential_signing_key_active",
    "credential_signing_key_rotate",
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
    "workstream_skill_need_remove",
    "workstream_skill_need_set",
]
