"""The training pages, one module per concern; urls.py names them through this package."""

from .attendance import run_attendance, session_attendance
from .calendars import run_calendar_file
from .catalogue import (
    catalogue,
    course_detail,
    enrol,
    enrolment_cancel,
    my_learning,
    offer_accept,
    offer_decline,
    run_detail,
)
from .certificates import (
    certificate,
    certificate_credential,
    certificate_pdf,
    certificate_revoke,
    credential_check,
    my_certificates,
    run_certificates,
    run_complete,
    signing_keys,
)
from .skills import skills_profile, skills_profile_pdf
from .staff import (
    manage_course,
    manage_course_create,
    manage_course_update,
    manage_courses,
    manage_enrol,
    manage_enrolment_cancel,
    manage_run,
    manage_run_cancel,
    manage_run_create,
    manage_run_update,
    manage_session_create,
    manage_session_remove,
    manage_session_update,
    manage_skill_create,
    manage_skill_need_remove,
    manage_skill_needs,
    manage_waive,
)
from .training_record import organisation_training, organisation_training_csv

__all__ = ["catalogue", "certificate", "certificate_credential", "certificate_pdf",
           "certificate_revoke", "course_detail", "credential_check", "enrol",
           "enrolment_cancel", "manage_course", "manage_course_create", "manage_course_update",
           "manage_courses", "manage_enrol", "manage_enrolment_cancel", "manage_run",
           "manage_run_cancel", "manage_run_create", "manage_run_update",
           "manage_session_create", "manage_session_remove", "manage_session_update",
           "manage_skill_create", "manage_skill_need_remove", "manage_skill_needs",
           "manage_waive", "my_certificates",
           "my_learning", "offer_accept", "offer_decline", "organisation_training",
           "organisation_training_csv", "run_attendance", "run_calendar_file", "run_certificates",
           "run_complete", "run_detail", "session_attendance", "signing_keys", "skills_profile",
           "skills_profile_pdf"]
