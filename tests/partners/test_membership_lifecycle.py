"""The programme membership's term: new, current, grace and expired on chosen days, the renewal
reminders once each per term (tests/partners/test_renewals.py has each of them), and the daily
Celery task that keeps it all current."""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from cluster_portal.audit.models import AuditEvent
from cluster_portal.celery import app as celery_app
from cluster_portal.core.actors import SYSTEM
from cluster_portal.notifications.models import Notification
from partners.entitlements import entitlements_of
from partners.models import Organisation, OrganisationMembership
from partners.services import organisation_set_tier, organisation_tier_statuses_refresh
from partners.tasks import refresh_tier_statuses
from tests.factories import OrganisationFactory, OrganisationMembershipFactory

pytestmark = pytest.mark.django_db

Status = Organisation.TierStatus
STARTS, ENDS = datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)


def on(month: int, day: int, year: int = 2026) -> datetime.date:
    return datetime.date(year, month, day)


@pytest.fixture
def organisation():
    organisation = OrganisationFactory(tier="core", tier_starts_on=STARTS, tier_ends_on=ENDS,
                                       tier_status=Status.NONE)
    OrganisationMembershipFactory(organisation=organisation,
                                  role=OrganisationMembership.Role.ADMIN)
    return organisation


def status_of(organisation) -> str:
    return Organisation.objects.get(pk=organisation.pk).tier_status


@pytest.mark.parametrize("today, expected", [
    (on(1, 1), Status.NEW),
    (on(3, 31), Status.NEW),  # 89 days in
    (on(4, 1), Status.CURRENT),  # 90 days in
    (on(12, 31), Status.CURRENT),  # the last day of the term
    (on(1, 1, 2027), Status.GRACE),
    (on(1, 30, 2027), Status.GRACE),  # the 30th day of grace
    (on(1, 31, 2027), Status.EXPIRED),
])
def test_the_status_on_a_chosen_day(organisation, today, expected):
    organisation_tier_statuses_refresh(today=today)
    assert status_of(organisation) == expected


def test_each_change_of_status_is_audited_and_told_to_the_organisations_admins(organisation):
    admin = organisation.memberships.get().person
    for today in (on(1, 15), on(5, 1), on(1, 10, 2027), on(2, 15, 2027)):
        organisation_tier_statuses_refresh(today=today)
    events = AuditEvent.objects.filter(action="organisation.tier_status").order_by("pk")
    assert [event.changes["after"] for event in events] == ["new", "current", "grace", "expired"]
    assert all(event.actor is None for event in events)
    notices = Notification.objects.filter(recipient=admin,
                                          kind="tier_status_changed")
    # The move into grace is told by the notice that the term ended: one e-mail, not two.
    assert notices.count() == 3
    assert "expired" in notices.first().message  # newest first
    lapsed = Notification.objects.get(recipient=admin, kind="tier_lapsed")
    assert "ended on 31 Dec 2026" in lapsed.message


def test_entitlements_follow_the_status(organisation):
    organisation_tier_statuses_refresh(today=on(1, 10, 2027))
    assert entitlements_of(Organisation.objects.get(pk=organisation.pk)).workstream_kinds
    organisation_tier_statuses_refresh(today=on(2, 15, 2027))
    assert not entitlements_of(Organisation.objects.get(pk=organisation.pk)).workstream_kinds


def test_the_sweep_is_idempotent(organisation):
    first = organisation_tier_statuses_refresh(today=on(12, 1))
    assert first == {"changed": 1, "reminded": 1}
    counts = (Notification.objects.count(), AuditEvent.objects.count())
    assert organisation_tier_statuses_refresh(today=on(12, 1)) == {"changed": 0,
                                                                         "reminded": 0}
    assert (Notification.objects.count(), AuditEvent.objects.count()) == counts


def test_the_renewal_reminder_is_sent_once_per_term(organisation):
    admin = organisation.memberships.get().person
    reminders = Notification.objects.filter(recipient=admin,
                                            kind="tier_renewal_due")
    organisation_tier_statuses_refresh(today=on(10, 31))  # 61 days before the end
    assert not reminders.exists()
    organisation_tier_statuses_refresh(today=on(11, 1))  # 60 days before
    assert reminders.count() == 1
    assert "31 Dec 2026" in reminders.get().message
    for today in (on(11, 2), on(11, 30)):  # before the next reminder's day
        organisation_tier_statuses_refresh(today=today)
    assert reminders.count() == 1
    assert Organisation.objects.get(pk=organisation.pk).renewal_reminder_sent_on == on(11, 1)

    # A renewed term gets its own reminder before it ends.
    organisation_set_tier(actor=SYSTEM, organisation=Organisation.objects.get(pk=organisation.pk),
                          tier="core", starts_on=on(1, 1, 2027), ends_on=on(12, 31, 2027))
    organisation_tier_statuses_refresh(today=on(11, 15, 2027))
    assert reminders.count() == 2


def test_organisations_without_a_tier_or_approval_are_left_alone():
    untiered = OrganisationFactory(tier="", tier_starts_on=None, tier_ends_on=None,
                                   tier_status=Status.NONE)
    pending = OrganisationFactory(status=Organisation.Status.PENDING, tier_starts_on=STARTS,
                                  tier_ends_on=ENDS, tier_status=Status.NONE)
    assert organisation_tier_statuses_refresh(today=on(12, 1)) == {"changed": 0,
                                                                         "reminded": 0}
    assert status_of(untiered) == status_of(pending) == Status.NONE


def test_the_daily_task_runs_the_sweep_for_today():
    today = timezone.localdate()
    lapsed = OrganisationFactory(
        tier="member", tier_starts_on=today - datetime.timedelta(days=500),
        tier_ends_on=today - datetime.timedelta(days=40), tier_status=Status.CURRENT)
    result = refresh_tier_statuses.apply().get()
    assert result["changed"] == 1
    assert status_of(lapsed) == Status.EXPIRED
    assert refresh_tier_statuses.apply().get() == {"changed": 0, "reminded": 0}


def test_beat_runs_the_task_every_day():
    entry = settings.CELERY_BEAT_SCHEDULE["refresh-membership-statuses"]
    assert entry["task"] == "partners.tasks.refresh_tier_statuses"
    assert entry["task"] in celery_app.tasks
    assert entry["schedule"].hour == {0} and entry["schedule"].day_of_week == set(range(7))
