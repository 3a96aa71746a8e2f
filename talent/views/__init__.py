"""The training pages, one module per concern; urls.py names them through this package."""

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
from .skills import skills_profile
from .training_record import organisation_training, organisation_training_csv

__all__ = ["catalogue", "course_detail", "enrol", "enrolment_cancel", "my_learning",
           "offer_accept", "offer_decline", "organisation_training", "organisation_training_csv",
           "run_detail", "skills_profile"]
