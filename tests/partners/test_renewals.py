"""Renewing the programme membership: the reminders before the term ends (60, 30 and 7 days,
once each per term) and the notice when it ends, a partner admin's request to renew (or to change
tier), the programme office renewing it (which starts the next term and approves the request),
its renewals page, the membership page, the API and the admin, and two renewals at once."""

import datetime
import html

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from cluster_portal.accounts.models import User
from cluster_portal.audit.models import AuditEvent
from cluster_portal.core.actors import SYSTEM
from cluster_portal.core.exceptions import ApplicationError, Conflict, NotAllowed
from cluster_portal.notifications.models import Notification, OutgoingEmail
from partners.models import Organisation, OrganisationMembership, RenewalRequest
from partners.services import (
    organisation_renew,
    organisation_set_tier,
    organisation_tier_statuses_refresh,
    renewal_request_create,
    renewal_request_decline,
    renewal_request_withdraw,
)
from partners.services.renewals import next_term
from tests.factories import OrganisationFactory, OrganisationMembershipFactory
from tests.support.api import assert_error, client_for
from tests.support.queries import queries_of_get
from tests.support.races import conflicts, fresh, race, staff_with_mfa, unexpected

pytestmark = pytest.mark.django_db

ADMIN = OrganisationMembership.Role.ADMIN
PENDING = RenewalRequest.Status.PENDING
STARTS, ENDS = datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)
RENEWALS = reverse("partners:renewals")


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def reload(organisation) -> Organisation:
    return Organisation.objects.get(pk=organisation.pk)


def member(*, ends_in: int | None = None, ends_on=None, tier="member", **fields):
    """An approved organisation with a term ending `ends_in` days from today (or on `ends_on`),
    and its partner admin."""
    today = timezone.localdate()
    ends_on = ends_on or today + days(ends_in)
    organisation = OrganisationFactory(tier=tier, tier_starts_on=ends_on - days(364),
                                       tier_ends_on=ends_on, **fields)
    admin = OrganisationMembershipFactory(organisation=organisation, role=ADMIN).person
    return organisation, admin


@pytest.fixture
def office(db):
    return staff_with_mfa("programme_admin")


# --- Reminders before the end, and the notice once it has ended --------------------------------


@pytest.fixture
def term():
    organisation = OrganisationFactory(tier="core", tier_starts_on=STARTS, tier_ends_on=ENDS,
                                       tier_status=Organisation.TierStatus.CURRENT)
    admin = OrganisationMembershipFactory(organisation=organisation, role=ADMIN).person
    return organisation, admin


def notices(person) -> list[str]:
    """The renewal notices the person got, oldest first: "due" or "lapsed"."""
    kinds = {"tier_renewal_due": "due", "tier_lapsed": "lapsed"}
    return [kinds[kind] for kind in Notification.objects.filter(
        recipient=person, kind__in=kinds).order_by("pk").values_list("kind", flat=True)]


def sweep(*days_of_2026_or_later):
    for today in days_of_2026_or_later:
        organisation_tier_statuses_refresh(today=today)


def test_reminders_go_60_30_and_7_days_before_the_end_and_once_when_it_has_ended(term):
    organisation, admin = term
    sweep(ENDS - days(61))
    assert notices(admin) == []
    sweep(ENDS - days(60), ENDS - days(59), ENDS - days(31))
    assert notices(admin) == ["due"]
    sweep(ENDS - days(30), ENDS - days(8))
    assert notices(admin) == ["due", "due"]
    sweep(ENDS - days(7), ENDS)
    assert notices(admin) == ["due", "due", "due"]
    sweep(ENDS + days(1), ENDS + days(2), ENDS + days(29))
    assert notices(admin) == ["due", "due", "due", "lapsed"]
    messages = list(Notification.objects.filter(recipient=admin).order_by("pk")
                    .values_list("message", flat=True))
    assert any("ended on 31 Dec 2026" in message for message in messages)
    assert reload(organisation).renewal_reminder_sent_on == ENDS + days(1)


def test_the_daily_task_run_twice_a_day_sends_each_notice_once(term):
    _organisation, admin = term
    for today in (ENDS - days(30), ENDS - days(7), ENDS + days(1)):
        first = organisation_tier_statuses_refresh(today=today)
        assert first["reminded"] == 1
        assert organisation_tier_statuses_refresh(today=today) == {"changed": 0, "reminded": 0}
    assert notices(admin) == ["due", "due", "lapsed"]


def test_a_missed_reminder_day_is_made_up_the_next_day_and_missed_ones_send_only_the_nearest(
        term):
    organisation, admin = term
    sweep(ENDS - days(59))  # the 60-day run was missed: the reminder goes a day late
    assert notices(admin) == ["due"]
    sweep(ENDS - days(5))  # the 30- and 7-day runs both missed: one reminder, not two
    assert notices(admin) == ["due", "due"]
    assert reload(organisation).renewal_reminder_sent_on == ENDS - days(5)
    sweep(ENDS - days(4), ENDS)
    assert notices(admin) == ["due", "due"]


def test_no_notice_that_the_term_ended_once_its_grace_is_over(term):
    organisation, admin = term
    sweep(ENDS + days(31))  # the sweep was down for the whole grace period
    assert notices(admin) == []
    assert reload(organisation).tier_status == Organisation.TierStatus.EXPIRED
    assert Notification.objects.filter(recipient=admin, kind="tier_status_changed").exists()


def test_the_end_of_the_term_is_one_email_the_lapse_notice_not_also_the_status_change(term):
    organisation, admin = term
    sweep(ENDS + days(1))
    assert reload(organisation).tier_status == Organisation.TierStatus.GRACE
    assert notices(admin) == ["lapsed"]
    assert not Notification.objects.filter(recipient=admin, kind="tier_status_changed").exists()
    assert AuditEvent.objects.filter(action="organisation.tier_status", target_id=organisation.pk,
                                     changes__after="grace").exists()


def test_a_new_term_gets_its_own_reminders(term, office):
    organisation, admin = term
    sweep(ENDS - days(60), ENDS - days(30), ENDS - days(7))
    organisation_set_tier(actor=SYSTEM, organisation=reload(organisation), tier="core",
                          starts_on=STARTS, ends_on=ENDS + days(365))
    assert reload(organisation).renewal_reminder_sent_on is None
    sweep(ENDS + days(365 - 60))
    assert notices(admin) == ["due", "due", "due", "due"]


def test_reminders_and_the_lapse_notice_are_emailed_through_the_outbox(
        term, django_capture_on_commit_callbacks):
    organisation, admin = term
    with django_capture_on_commit_callbacks(execute=True):
        sweep(ENDS - days(7))
    [reminder] = mail.outbox
    assert reminder.to == [admin.email]
    assert "ends on 31 December 2026" in reminder.subject
    assert "ask on the organisation's Membership page" in reminder.body
    assert reverse("partners:membership", kwargs={"slug": organisation.slug}) in reminder.body
    with django_capture_on_commit_callbacks(execute=True):
        sweep(ENDS + days(2), ENDS + days(2))
    assert len(mail.outbox) == 2
    assert mail.outbox[1].subject.endswith(f"{organisation.name}'s programme membership has ended")
    assert "A grace period of a month follows" in mail.outbox[1].body
    assert OutgoingEmail.objects.filter(kind__in=["tier_renewal_due", "tier_lapsed"],
                                        status=OutgoingEmail.Status.SENT).count() == 2


# --- The next term ------------------------------------------------------------------------------


@pytest.mark.parametrize("ends_on, today, expected", [
    # Running, or in grace: the same start, the end a year later, whatever day it is renewed.
    (ENDS, ENDS - days(80), (STARTS, datetime.date(2027, 12, 31))),
    (ENDS, ENDS + days(30), (STARTS, datetime.date(2027, 12, 31))),
    # Expired: a fresh year from today.
    (ENDS, ENDS + days(31), (ENDS + days(31), ENDS + days(31) + days(364))),
    # A term ending on 29 February renews to 28 February.
    (datetime.date(2028, 2, 29), datetime.date(2028, 2, 1),
     (STARTS, datetime.date(2029, 2, 28))),
])
def test_the_next_term(ends_on, today, expected):
    organisation = Organisation(tier="core", tier_starts_on=STARTS, tier_ends_on=ends_on)
    assert next_term(organisation, today=today) == expected


# --- Asking to renew ----------------------------------------------------------------------------


def test_a_partner_admin_asks_to_renew_in_another_tier_and_the_programme_admins_are_told(office):
    organisation, admin = member(ends_in=40)
    renewal_request = renewal_request_create(actor=admin, organisation=organisation,
                                             tier="core", message="Moving up. PO 4500-118.")
    assert renewal_request.status == PENDING and renewal_request.tier == "core"
    assert renewal_request.term_ends_on == organisation.tier_ends_on
    assert renewal_request.requested_by == admin
    notice = Notification.objects.get(recipient=office, kind="renewal_requested")
    assert organisation.name in notice.message and notice.url == RENEWALS
    assert AuditEvent.objects.filter(action="renewal_request.create",
                                     scope_id=organisation.pk).exists()
    # The current tier when none is named.
    renewal_request_withdraw(actor=admin, renewal_request=renewal_request)
    again = renewal_request_create(actor=reload_admin(admin), organisation=organisation)
    assert again.tier == "member"


def reload_admin(person) -> User:
    return User.objects.get(pk=person.pk)  # a fresh object: roles are read again


def test_one_request_to_renew_waits_at_a_time():
    organisation, admin = member(ends_in=40)
    renewal_request_create(actor=admin, organisation=organisation)
    with pytest.raises(Conflict) as refused:
        renewal_request_create(actor=admin, organisation=organisation, tier="core")
    assert refused.value.code == "already_requested"
    assert "Withdraw it" in refused.value.message


@pytest.mark.parametrize("who", ["member", "other_admin", "office"])
def test_only_the_organisations_admins_ask_to_renew(who, office):
    organisation, _admin = member(ends_in=40)
    actor = {
        "member": lambda: OrganisationMembershipFactory(organisation=organisation).person,
        "other_admin": lambda: member(ends_in=40)[1],
        "office": lambda: office,
    }[who]()
    with pytest.raises(NotAllowed):
        renewal_request_create(actor=actor, organisation=organisation)
    assert not RenewalRequest.objects.exists()


def test_nothing_to_renew_without_a_tier_or_an_end():
    untiered, admin = member(ends_in=40, tier="")
    with pytest.raises(Conflict, match="sets its tier first") as refused:
        renewal_request_create(actor=admin, organisation=untiered)
    assert refused.value.code == "nothing_to_renew"
    open_ended = OrganisationFactory(tier_ends_on=None)
    open_admin = OrganisationMembershipFactory(organisation=open_ended, role=ADMIN).person
    with pytest.raises(Conflict, match="no end date"):
        renewal_request_create(actor=open_admin, organisation=open_ended)


def test_a_message_with_control_characters_is_refused_in_words():
    organisation, admin = member(ends_in=40)
    with pytest.raises(ApplicationError) as refused:
        renewal_request_create(actor=admin, organisation=organisation, message="PO\x00 1")
    assert "control characters" in refused.value.fields["message"][0]


def test_declining_needs_a_reason_tells_the_admins_and_leaves_the_term(office):
    organisation, admin = member(ends_in=40)
    renewal_request = renewal_request_create(actor=admin, organisation=organisation)
    with pytest.raises(ApplicationError, match="Say why"):
        renewal_request_decline(actor=office, renewal_request=renewal_request, reason=" ")
    declined = renewal_request_decline(actor=office, renewal_request=renewal_request,
                                       reason="The invoice for this year is still open.")
    assert declined.status == RenewalRequest.Status.DECLINED
    assert declined.decided_by == office and declined.decided_at is not None
    assert reload(organisation).tier_ends_on == organisation.tier_ends_on
    notice = Notification.objects.get(recipient=admin, kind="renewal_declined")
    assert "The invoice for this year is still open." in notice.message
    with pytest.raises(Conflict) as again:
        renewal_request_withdraw(actor=admin, renewal_request=declined)
    assert again.value.code == "already_decided"


def test_only_programme_admins_decline_a_request_to_renew():
    organisation, admin = member(ends_in=40)
    renewal_request = renewal_request_create(actor=admin, organisation=organisation)
    for actor in (admin, staff_with_mfa("programme_staff")):
        with pytest.raises(NotAllowed):
            renewal_request_decline(actor=actor, renewal_request=renewal_request, reason="No.")


# --- Renewing ------------------------------------------------------------------------------------


def test_renewing_starts_the_next_term_approves_the_request_and_tells_the_admins(office):
    organisation, admin = member(ends_in=20)
    old_start, old_end = organisation.tier_starts_on, organisation.tier_ends_on
    renewal_request = renewal_request_create(actor=admin, organisation=organisation, tier="core")
    organisation_tier_statuses_refresh()  # the 30-day reminder: a new term clears it

    renewed = organisation_renew(actor=office, organisation=organisation, term_ends_on=old_end)

    assert renewed.tier == "core"  # the tier the request asked for
    assert (renewed.tier_starts_on, renewed.tier_ends_on) == (
        old_start, old_end.replace(year=old_end.year + 1))
    assert renewed.tier_status == Organisation.TierStatus.CURRENT
    assert renewed.renewal_reminder_sent_on is None
    renewal_request.refresh_from_db()
    assert renewal_request.status == RenewalRequest.Status.APPROVED
    assert renewal_request.decided_by == office
    event = AuditEvent.objects.get(action="organisation.renew")
    assert event.actor == office and event.changes["renewal_request"] == renewal_request.pk
    assert event.changes["before"][2] == old_end.isoformat()
    notice = Notification.objects.get(recipient=admin, kind="tier_renewed")
    assert f"until {renewed.tier_ends_on:%d %b %Y}" in notice.message


def test_renewing_an_expired_membership_starts_a_year_from_today(office):
    today = timezone.localdate()
    organisation, _admin = member(ends_in=-90, tier_status=Organisation.TierStatus.EXPIRED)
    renewed = organisation_renew(actor=office, organisation=organisation,
                                 term_ends_on=organisation.tier_ends_on)
    assert renewed.tier_starts_on == today
    assert renewed.tier_ends_on == next_term(organisation, today=today)[1]
    assert renewed.tier_status == Organisation.TierStatus.NEW


def test_renewing_a_term_renewed_meanwhile_is_refused_rather_than_adding_a_second_year(office):
    organisation, _admin = member(ends_in=20)
    seen_end = organisation.tier_ends_on
    organisation_renew(actor=office, organisation=organisation, term_ends_on=seen_end)
    with pytest.raises(Conflict) as refused:
        organisation_renew(actor=office, organisation=organisation, term_ends_on=seen_end)
    assert refused.value.code == "already_renewed"
    assert reload(organisation).tier_ends_on == seen_end.replace(year=seen_end.year + 1)


def test_a_chosen_end_must_come_after_the_current_one(office):
    organisation, _admin = member(ends_in=20)
    with pytest.raises(ApplicationError) as refused:
        organisation_renew(actor=office, organisation=organisation,
                           term_ends_on=organisation.tier_ends_on,
                           ends_on=organisation.tier_ends_on)
    assert "ends_on" in refused.value.fields
    assert reload(organisation).tier_ends_on == organisation.tier_ends_on


def test_only_programme_admins_renew():
    organisation, admin = member(ends_in=20)
    for actor in (admin, staff_with_mfa("programme_staff")):
        with pytest.raises(NotAllowed):
            organisation_renew(actor=actor, organisation=organisation,
                               term_ends_on=organisation.tier_ends_on)
    assert reload(organisation).tier_ends_on == organisation.tier_ends_on


# --- Two at once -------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_admins_renewing_at_once_add_one_year_and_approve_the_request_once():
    organisation, admin = member(ends_in=20)
    renewal_request = renewal_request_create(actor=admin, organisation=organisation)
    seen_end = organisation.tier_ends_on
    first, second = staff_with_mfa("programme_admin"), staff_with_mfa("programme_admin")

    outcomes = race(*[
        lambda pk=person.pk: organisation_renew(
            actor=fresh(User, pk), organisation=fresh(Organisation, organisation.pk),
            term_ends_on=seen_end)
        for person in (first, second)
    ])

    assert not unexpected(outcomes)
    [conflict] = conflicts(outcomes)
    assert conflict.code == "already_renewed"
    assert reload(organisation).tier_ends_on == seen_end.replace(year=seen_end.year + 1)
    assert AuditEvent.objects.filter(action="organisation.renew").count() == 1
    renewal_request.refresh_from_db()
    assert renewal_request.status == RenewalRequest.Status.APPROVED
    assert Notification.objects.filter(recipient=admin, kind="tier_renewed").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_request_to_renew_sent_twice_at_once_makes_one_request():
    organisation, admin = member(ends_in=20)
    colleague = OrganisationMembershipFactory(organisation=organisation, role=ADMIN).person

    outcomes = race(*[
        lambda pk=person.pk: renewal_request_create(
            actor=fresh(User, pk), organisation=fresh(Organisation, organisation.pk))
        for person in (admin, colleague)
    ])

    assert not unexpected(outcomes)
    assert RenewalRequest.objects.filter(organisation=organisation).count() == 1
    [conflict] = conflicts(outcomes)
    assert conflict.code == "already_requested"


# --- The programme office's renewals page --------------------------------------------------------


def test_the_renewals_page_lists_requests_terms_ending_within_90_days_and_ended_ones(
        client, office):
    soon, soon_admin = member(ends_in=10, name="Soon Bio")
    later, _ = member(ends_in=80, name="Later Bio")
    member(ends_in=120, name="Far Bio")  # not due yet
    grace, _ = member(ends_in=-5, name="Grace Bio")
    expired, _ = member(ends_in=-200, name="Expired Bio")
    asked, asked_admin = member(ends_in=300, name="Asked Bio")  # a tier change mid-term
    renewal_request_create(actor=soon_admin, organisation=soon, tier="core")
    renewal_request_create(actor=asked_admin, organisation=asked, tier="associate")
    OrganisationFactory(status=Organisation.Status.PENDING, tier_ends_on=timezone.localdate())

    client.force_login(office)
    response = client.get(RENEWALS)
    assert response.status_code == 200
    assert [row.organisation for row in response.context["waiting"]] == [soon, asked]
    assert list(response.context["due"]) == [soon, later]
    assert list(response.context["lapsed"]) == [grace, expired]
    [soon_row, _later_row] = response.context["due_rows"]
    assert soon_row["pending"].tier == "core"
    assert soon_row["renew_form"].initial["tier"] == "core"
    assert soon_row["renew_form"].initial["term_ends_on"] == soon.tier_ends_on
    page = response.content.decode()
    assert "Renew Soon Bio" in page
    # Declining asks first: a link to its confirmation (tests/core/test_confirmation.py).
    assert 'data-confirm>Decline<span class="visually-hidden"> the request of Asked Bio' in page


def test_programme_staff_see_the_renewals_page_and_only_programme_admins_renew_from_it(client):
    member(ends_in=10, name="Soon Bio")
    client.force_login(staff_with_mfa("programme_staff"))
    response = client.get(RENEWALS)
    assert response.status_code == 200
    assert "Renew Soon Bio" not in response.content.decode()
    client.force_login(member(ends_in=10)[1])
    assert client.get(RENEWALS).status_code == 403


def test_renewing_from_the_renewals_page_comes_back_to_it(client, office):
    organisation, _admin = member(ends_in=10, name="Soon Bio")
    client.force_login(office)
    next_end = next_term(organisation, today=timezone.localdate())[1]
    response = client.post(reverse("partners:renew", kwargs={"slug": organisation.slug}), {
        "term_ends_on": organisation.tier_ends_on.isoformat(), "tier": "member",
        "ends_on": next_end.isoformat(), "next": f"{RENEWALS}?due_page=1",
    })
    assert response.status_code == 302 and response["Location"] == f"{RENEWALS}?due_page=1"
    assert reload(organisation).tier_ends_on == next_end
    # The same form sent again (a double click, a second tab): refused, not a second year.
    response = client.post(reverse("partners:renew", kwargs={"slug": organisation.slug}), {
        "term_ends_on": organisation.tier_ends_on.isoformat(), "tier": "member",
        "ends_on": (next_end + days(365)).isoformat(), "next": "https://elsewhere.example/",
    }, follow=True)
    assert response.redirect_chain[0][0] == RENEWALS  # never to another site
    assert "was renewed meanwhile" in response.content.decode()
    assert reload(organisation).tier_ends_on == next_end


def test_the_renewals_page_costs_the_same_queries_for_more_rows(client, office):
    def add(count):
        for n in range(count):
            soon, admin = member(ends_in=5 + n)
            renewal_request_create(actor=admin, organisation=soon)
            member(ends_in=-3 - n)

    client.force_login(office)
    add(2)
    few = queries_of_get(client, RENEWALS)
    add(4)
    assert queries_of_get(client, RENEWALS) == few


def test_the_membership_page_costs_the_same_queries_for_more_requests(client):
    organisation, admin = member(ends_in=30)

    def add(count):
        for _ in range(count):
            renewal_request = renewal_request_create(actor=reload_admin(admin),
                                                     organisation=organisation)
            renewal_request_withdraw(actor=reload_admin(admin), renewal_request=renewal_request)

    client.force_login(admin)
    path = reverse("partners:membership", kwargs={"slug": organisation.slug})
    add(1)
    few = queries_of_get(client, path)
    add(3)
    assert queries_of_get(client, path) == few


# --- The organisation's membership page ----------------------------------------------------------


def test_a_partner_admin_asks_to_renew_and_withdraws_from_the_membership_page(client):
    organisation, admin = member(ends_in=25)
    client.force_login(admin)
    path = reverse("partners:membership", kwargs={"slug": organisation.slug})
    page = client.get(path).content.decode()
    assert "Ask to renew the membership" in page
    assert "reminded by e-mail 60, 30, 7 days before the term ends" in page

    response = client.post(reverse("partners:renewal_request_create",
                                   kwargs={"slug": organisation.slug}),
                           {"tier": "core", "message": "Moving up."})
    assert response.status_code == 302 and response["Location"] == path
    renewal_request = RenewalRequest.objects.get()
    assert renewal_request.tier == "core"
    page = client.get(path).content.decode()
    assert "Ask to renew the membership" not in page  # one waits
    assert "Withdraw the request to renew" in page and "In review" in page

    response = client.post(reverse("partners:renewal_request_withdraw", kwargs={
        "slug": organisation.slug, "pk": renewal_request.pk}))
    assert response.status_code == 302
    renewal_request.refresh_from_db()
    assert renewal_request.status == RenewalRequest.Status.WITHDRAWN
    assert "Withdrawn" in client.get(path).content.decode()


def test_a_member_sees_the_term_but_does_not_ask_to_renew(client):
    organisation, _admin = member(ends_in=25)
    colleague = OrganisationMembershipFactory(organisation=organisation).person
    client.force_login(colleague)
    path = reverse("partners:membership", kwargs={"slug": organisation.slug})
    page = client.get(path).content.decode()
    assert organisation.get_tier_display() in page
    assert "Ask to renew the membership" not in page
    response = client.post(reverse("partners:renewal_request_create",
                                   kwargs={"slug": organisation.slug}), {"tier": "member"})
    assert response.status_code == 403
    assert not RenewalRequest.objects.exists()


def test_a_programme_admin_declines_a_request_on_the_membership_page(client, office):
    organisation, admin = member(ends_in=25)
    renewal_request = renewal_request_create(actor=admin, organisation=organisation)
    client.force_login(office)
    path = reverse("partners:membership", kwargs={"slug": organisation.slug})
    assert "Decline the request to renew" in client.get(path).content.decode()
    decline = reverse("partners:renewal_request_decline",
                      kwargs={"slug": organisation.slug, "pk": renewal_request.pk})
    response = client.post(decline, {"reason": "", "next": path}, follow=True)
    assert "Give the organisation's admins a reason." in html.unescape(
        response.content.decode())
    response = client.post(decline, {"reason": "Not this year.", "next": path})
    assert response["Location"] == path
    renewal_request.refresh_from_db()
    assert renewal_request.status == RenewalRequest.Status.DECLINED
    assert renewal_request.decision_reason == "Not this year."


# --- The API ------------------------------------------------------------------------------------


def test_the_api_asks_withdraws_declines_and_renews(office):
    organisation, admin = member(ends_in=25)
    partner = client_for(admin)
    response = partner.post("/api/v1/renewal-requests/",
                            {"organisation": organisation.slug, "tier": "core"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "pending" and body["tier"] == "core"
    assert body["term_ends_on"] == organisation.tier_ends_on.isoformat()
    assert_error(partner.post("/api/v1/renewal-requests/", {"organisation": organisation.slug},
                              format="json"), 409, "already_requested")
    response = partner.post(f"/api/v1/renewal-requests/{body['id']}/withdraw/")
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"

    again = partner.post("/api/v1/renewal-requests/", {"organisation": organisation.slug},
                         format="json").json()
    staff = client_for(office)
    assert_error(staff.post(f"/api/v1/renewal-requests/{again['id']}/decline/", {},
                            format="json"), 400)
    assert_error(partner.post(f"/api/v1/organisations/{organisation.slug}/renew/",
                              {"term_ends_on": organisation.tier_ends_on.isoformat()},
                              format="json"), 403)
    response = staff.post(f"/api/v1/organisations/{organisation.slug}/renew/",
                          {"term_ends_on": organisation.tier_ends_on.isoformat()}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["tier_ends_on"] == reload(organisation).tier_ends_on.isoformat()
    assert RenewalRequest.objects.get(pk=again["id"]).status == RenewalRequest.Status.APPROVED
    assert_error(staff.post(f"/api/v1/organisations/{organisation.slug}/renew/",
                            {"term_ends_on": organisation.tier_ends_on.isoformat()},
                            format="json"), 409, "already_renewed")


def test_the_api_lists_only_the_callers_organisations_requests(office):
    mine, admin = member(ends_in=25)
    theirs, other_admin = member(ends_in=25)
    renewal_request_create(actor=admin, organisation=mine)
    renewal_request_create(actor=other_admin, organisation=theirs)
    rows = client_for(admin).get("/api/v1/renewal-requests/").json()["results"]
    assert [row["organisation"]["slug"] for row in rows] == [mine.slug]
    rows = client_for(office).get("/api/v1/renewal-requests/?status=pending").json()["results"]
    assert {row["organisation"]["slug"] for row in rows} == {mine.slug, theirs.slug}


# --- The admin ----------------------------------------------------------------------------------


def test_the_admin_renews_selected_organisations_and_filters_terms_ending_soon(client, office):
    soon, _ = member(ends_in=10)
    far, _ = member(ends_in=200)
    client.force_login(office)
    changelist = reverse("admin:partners_organisation_changelist")
    listed = client.get(changelist, {"renewal": "due"}).context["cl"].result_list
    assert soon in listed and far not in listed
    response = client.post(changelist, {"action": "renew_selected",
                                        "_selected_action": [soon.pk]})
    assert response.status_code == 302
    assert reload(soon).tier_ends_on == soon.tier_ends_on.replace(year=soon.tier_ends_on.year + 1)


def test_the_admin_renews_or_declines_requests_and_refuses_a_decided_one(client, office):
    organisation, admin = member(ends_in=10)
    renewal_request = renewal_request_create(actor=admin, organisation=organisation)
    client.force_login(office)
    changelist = reverse("admin:partners_renewalrequest_changelist")
    client.post(changelist, {"action": "renew_selected", "_selected_action": [renewal_request.pk]})
    renewal_request.refresh_from_db()
    assert renewal_request.status == RenewalRequest.Status.APPROVED
    renewed_end = reload(organisation).tier_ends_on
    response = client.post(changelist, {"action": "renew_selected",
                                        "_selected_action": [renewal_request.pk]}, follow=True)
    assert "was already approved" in response.content.decode()
    assert reload(organisation).tier_ends_on == renewed_end
