"""How long the programme office takes to decide a registration: REGISTRATION_REVIEW_DAYS
working days, which the registrant's acknowledgement and the registration's timeline promise."""

import datetime

from django.conf import settings
from django.utils import timezone

from .models import Organisation


def working_days_after(day: datetime.date, days: int) -> datetime.date:
    """The date `days` working days (Monday to Friday) after `day`. The portal knows no public
    holidays, so a promise made across one is a day short."""
    while days > 0:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def registration_decision_expected_by(organisation: Organisation) -> datetime.date | None:
    """The day a waiting registration should be decided by; None once it is decided."""
    if organisation.status != Organisation.Status.PENDING or organisation.created_at is None:
        return None
    return working_days_after(timezone.localdate(organisation.created_at),
                              settings.REGISTRATION_REVIEW_DAYS)
