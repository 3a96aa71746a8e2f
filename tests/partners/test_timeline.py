"""Where a registration or a request stands, for the people it concerns: the registrant's
acknowledgement (what happens next, by when), the registration's timeline on the organisation's
page, and each request to join a workstream's timeline on the organisation's workstreams tab,
all drawn by the one partial (templates/includes/timeline.html)."""

import datetime
import html

import pytest
from django.core import mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from cluster_portal.notifications.models import Notification
from partners.models import Organisation, OrganisationMembership, RenewalRequest
from partners.review_time import registration_decision_expected_by, working_days_after
from partners.services import organisation_approve, organisation_decline, organisation_register
from tests.factories import (
    JoinRequestFactory,
    OrganisationFactory,
    OrganisationMembershipFactory,
    UserFactory,
    WorkstreamFactory,
)
from tests.support.races import staff_with_mfa
from workstreams.services import join_request_decline, join_request_withdraw

pytestmark = pytest.mark.django_db

FRIDAY = datetime.date(2026, 3, 6)


def text_of(response) -> str:
    return html.unescape(response.content.decode())


def register(person, name="Tessellate Data", uen="202400008H") -> Organisation:
    return organisation_register(actor=person, name=name, uen=uen,
                                 kind=Organisation.Kind.START_UP)


@pytest.mark.parametrize("start, count, expected", [
    (FRIDAY, 5, datetime.date(2026, 3, 13)),  # a week on
    (FRIDAY, 1, datetime.date(2026, 3, 9)),  # over the weekend, to Monday
    (datetime.date(2026, 3, 7), 5, datetime.date(2026, 3, 13)),  # from a Saturday
    (datetime.date(2026, 3, 4), 1, datetime.date(2026, 3, 5)),
    (FRIDAY, 0, FRIDAY),
])
def test_working_days_after(start, count, expected):
    assert working_days_after(start, count) == expected


# --- The registrant's acknowledgement ------------------------------------------------------------


def test_the_registrant_is_mailed_what_happens_next_and_by_when(
        settings, django_capture_on_commit_callbacks):
    settings.REGISTRATION_REVIEW_DAYS = 3
    office = staff_with_mfa("programme_admin")
    registrant = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        organisation = register(registrant)
    expected_by = working_days_after(timezone.localdate(organisation.created_at), 3)

    [message] = [m for m in mail.outbox if m.to == [registrant.email]]
    assert message.subject.endswith("We received the registration of Tessellate Data")
    assert f"usually within 3 working days (by {expected_by:%A %d %B %Y})" in message.body
    assert "until then only you and the programme office can see the organisation" in message.body
    assert organisation.get_absolute_url() in message.body
    notice = Notification.objects.get(recipient=registrant)
    assert notice.kind == "registration_received" and notice.actor is None
    # The programme admins are told as before, and the registrant is told only once.
    assert Notification.objects.filter(recipient=office, kind="organisation_registered").exists()
    assert len([m for m in mail.outbox if m.to == [registrant.email]]) == 1


def test_the_expected_decision_date_is_only_for_a_waiting_registration(mfa_admin_user):
    organisation = register(UserFactory())
    assert registration_decision_expected_by(organisation) == working_days_after(
        timezone.localdate(organisation.created_at), 5)
    organisation_approve(actor=mfa_admin_user, organisation=organisation)
    assert registration_decision_expected_by(Organisation.objects.get(pk=organisation.pk)) is None


# --- The registration's timeline -----------------------------------------------------------------


def test_the_registrant_follows_the_registration_from_waiting_to_declined(client, mfa_admin_user):
    registrant = UserFactory()
    organisation = register(registrant)
    client.force_login(registrant)
    page = text_of(client.get(organisation.get_absolute_url()))
    expected_by = registration_decision_expected_by(organisation)
    assert 'aria-label="Registration of Tessellate Data"' in page
    assert "Registered" in page and 'aria-current="step"' in page
    assert (f'Decision expected by <time datetime="{expected_by:%Y-%m-%d}">'
            f"{expected_by:%-d %b %Y}</time>") in page

    organisation_decline(actor=mfa_admin_user, organisation=organisation,
                         reason="We could not verify the UEN.")
    page = text_of(client.get(organisation.get_absolute_url()))
    assert "Decision expected by" not in page
    assert "Declined" in page and "Reason: We could not verify the UEN." in page
    # The registrant is not told which programme admin decided; the programme office is.
    assert mfa_admin_user.full_name not in page
    client.force_login(mfa_admin_user)
    assert mfa_admin_user.full_name in text_of(client.get(organisation.get_absolute_url()))


def test_an_approved_registration_shows_its_decision_to_its_people_only(client, mfa_admin_user):
    registrant = UserFactory()
    organisation = register(registrant)
    organisation_approve(actor=mfa_admin_user, organisation=organisation)
    organisation = Organisation.objects.get(pk=organisation.pk)
    client.force_login(registrant)
    page = text_of(client.get(organisation.get_absolute_url()))
    assert "Approved" in page and f"{timezone.localdate():%-d %b %Y}" in page
    Organisation.objects.filter(pk=organisation.pk).update(is_listed=True)
    client.logout()
    assert "Registration of" not in text_of(client.get(organisation.get_absolute_url()))


# --- Requests to join a workstream ---------------------------------------------------------------


def test_each_request_to_join_a_workstream_shows_its_progress(client):
    organisation = OrganisationFactory(ready_to_join=True)
    admin = OrganisationMembershipFactory(
        organisation=organisation, role=OrganisationMembership.Role.ADMIN).person
    staff = staff_with_mfa()
    waiting = JoinRequestFactory(organisation=organisation, requested_by=admin,
                                 workstream=WorkstreamFactory(name="Biocatalysis"))
    declined = JoinRequestFactory(organisation=organisation, requested_by=admin,
                                  workstream=WorkstreamFactory(name="Digital Factory"))
    join_request_decline(actor=staff, join_request=declined, reason="Full this year.")
    withdrawn = JoinRequestFactory(organisation=organisation, requested_by=admin,
                                   workstream=WorkstreamFactory(name="Analytics"))
    join_request_withdraw(actor=admin, join_request=withdrawn)

    client.force_login(admin)
    page = text_of(client.get(reverse("organisation_workstreams",
                                      kwargs={"slug": organisation.slug})))
    for workstream in ("Biocatalysis", "Digital Factory", "Analytics"):
        assert f'aria-label="Request to join {workstream}"' in page
    assert page.count("Waiting for a decision") == 1
    assert "Reason: Full this year." in page
    assert "Withdrawn" in page and "Declined" in page
    assert waiting.is_pending


# --- The partial itself --------------------------------------------------------------------------


def test_the_partial_draws_any_decided_row_with_only_the_states_it_has():
    renewal_request = RenewalRequest(
        organisation=OrganisationFactory(), tier="core", status=RenewalRequest.Status.APPROVED,
        decided_at=timezone.now(), decision_reason="",
    )
    renewal_request.created_at = timezone.now()
    drawn = render_to_string("includes/timeline.html", {
        "subject": renewal_request, "label": "Request to renew", "submitted_label": "Asked"})
    assert [step in drawn for step in ("Asked", "In review", "Approved")] == [True] * 3
    assert "Decided" not in drawn and "Reason:" not in drawn and "is-current" not in drawn
    assert drawn.count("is-done") == 3
