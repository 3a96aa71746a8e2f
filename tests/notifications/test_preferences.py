"""How each person chooses to hear about each kind: the defaults, the settings page, the API,
and what each choice does when a notification is made."""

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from cluster_portal.audit.models import AuditEvent
from cluster_portal.core.exceptions import ApplicationError
from cluster_portal.notifications.models import (
    Delivery,
    Notification,
    NotificationPreference,
    OutgoingEmail,
)
from cluster_portal.notifications.selectors import notification_preferences_for
from cluster_portal.notifications.services import (
    digests_send,
    notification_preferences_set,
    notify,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PAGE = reverse("account_notifications")
API = "/api/v1/me/notification-preferences/"
AUDIT_ACTION = "notification_preferences.set"
ROLE_CONTEXT = {"organisation": "Acme Pharma", "role": "admin"}
IMMEDIATELY, DIGEST, IN_APP = Delivery.IMMEDIATELY, Delivery.DIGEST, Delivery.IN_APP
# What is decided about the person themself: e-mailed at once unless they choose otherwise.
DECISIONS_ABOUT_YOU = ["organisation_approved", "organisation_declined", "person_request_decided",
                       "join_request_decided", "role_changed", "removed", "tier_renewal_due",
                       "tier_status_changed", "workstream_membership_ended"]


def deliveries_of(person) -> dict[str, str]:
    return {row.kind.key: row.delivery for row in notification_preferences_for(person)}


def stored(person) -> dict[str, str]:
    return dict(NotificationPreference.objects.filter(person=person)
                .values_list("kind", "delivery"))


def audits_of(person):
    return AuditEvent.objects.filter(action=AUDIT_ACTION, target_id=person.pk)


def radio(key: str, value: str) -> str:
    return f'id="delivery-{key}-{value}" value="{value}"'


# --- Defaults ----------------------------------------------------------------------------------


def test_without_a_row_each_kind_has_its_default_and_decisions_about_you_are_mailed_at_once():
    person = UserFactory()
    rows = notification_preferences_for(person)
    assert rows and all(row.is_default for row in rows)
    deliveries = deliveries_of(person)
    for key in DECISIONS_ABOUT_YOU:
        assert deliveries[key] == IMMEDIATELY, key
    assert deliveries["invitation_accepted"] == DIGEST
    assert deliveries["invitation_sent"] == IN_APP
    assert not NotificationPreference.objects.exists()


def test_a_kinds_default_decides_the_delivery_of_a_notification_without_a_row(
        django_capture_on_commit_callbacks):
    person = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        [waiting] = notify(recipients=[person], kind="invitation_accepted",
                           message="Mei Ling joined Acme Pharma.", context=ROLE_CONTEXT)
        [mailed] = notify(recipients=[person], kind="role_changed",
                          message="You are now an admin.", context=ROLE_CONTEXT)
    assert waiting.delivery == DIGEST and waiting.email is None
    assert mailed.delivery == IMMEDIATELY and mailed.email is not None
    assert [message.subject for message in mail.outbox] == [
        "[Cluster Portal] Your role in Acme Pharma changed"]


# --- The settings page -------------------------------------------------------------------------


def test_the_page_sends_an_anonymous_visitor_to_sign_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert client.post(PAGE, {"delivery-role_changed": "in_app"}).status_code == 302
    assert not NotificationPreference.objects.exists()


def test_the_page_lists_a_partners_kinds_grouped_without_programme_staff_kinds(client, user):
    client.force_login(user)
    response = client.get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    positions = [html.index(f'<legend class="h5">{group}</legend>')
                 for group in ("Your account", "Your organisations", "Workstreams")]
    assert positions == sorted(positions)
    assert "Programme office" not in html
    assert 'name="delivery-join_request_submitted"' not in html
    assert 'name="delivery-organisation_registered"' not in html
    # Each kind shows the person's current delivery, and the default is marked.
    assert f"{radio('role_changed', 'immediately')} checked" in html
    assert f"{radio('invitation_accepted', 'digest')} checked" in html
    assert "Your role in an organisation changed" in html


def test_programme_staff_are_offered_the_programme_office_kinds(client, staff_user):
    client.force_login(staff_user)
    html = client.get(PAGE).content.decode()
    assert '<legend class="h5">Programme office</legend>' in html
    assert f"{radio('join_request_submitted', 'immediately')} checked" in html
    assert f"{radio('join_request_withdrawn', 'digest')} checked" in html
    # The admins' own kinds stay theirs.
    assert 'name="delivery-organisation_registered"' not in html


def test_programme_admins_are_offered_their_kinds_too(client, admin_user):
    client.force_login(admin_user)
    html = client.get(PAGE).content.decode()
    assert f"{radio('organisation_registered', 'immediately')} checked" in html
    assert f"{radio('email_failed', 'in_app')} checked" in html


def test_security_notices_are_shown_as_always_mailed_and_cannot_be_changed(client, user):
    client.force_login(user)
    html = client.get(PAGE).content.decode()
    assert "Your password was changed, set or reset" in html
    assert html.count("Always e-mailed at once: it is a security notice.") == 4
    assert 'name="delivery-password_changed"' not in html

    # A forged post for one is ignored by the page; the rest of the post is saved.
    response = client.post(PAGE, {"delivery-password_changed": "in_app",
                                  "delivery-role_changed": "digest"})
    assert response.status_code == 302
    assert stored(user) == {"role_changed": DIGEST}
    assert deliveries_of(user)["password_changed"] == IMMEDIATELY


@pytest.mark.parametrize("delivery", [DIGEST, IN_APP])
def test_the_service_refuses_to_change_a_security_notice(user, delivery):
    with pytest.raises(ApplicationError) as refused:
        notification_preferences_set(person=user, choices={"password_changed": delivery,
                                                           "role_changed": IN_APP})
    assert "password_changed" in refused.value.fields
    assert stored(user) == {} and not audits_of(user).exists()


def test_posting_the_page_saves_redirects_with_a_message_and_is_audited(client, user):
    client.force_login(user)
    response = client.post(PAGE, {
        "delivery-role_changed": "in_app",
        "delivery-invitation_accepted": "immediately",
        "delivery-removed": "immediately",  # already so: not a change
    })
    assert response.status_code == 302 and response.url == PAGE
    assert stored(user) == {"role_changed": IN_APP, "invitation_accepted": IMMEDIATELY}
    [event] = audits_of(user)
    assert event.actor == user
    assert event.changes == {"role_changed": ["immediately", "in_app"],
                             "invitation_accepted": ["digest", "immediately"]}

    page = client.get(response.url).content.decode()
    assert "Your notification settings are saved." in page
    assert f"{radio('role_changed', 'in_app')} checked" in page
    assert f"{radio('role_changed', 'immediately')} checked" not in page

    again = client.post(PAGE, {"delivery-role_changed": "in_app"}, follow=True)
    assert "Nothing changed: these were already your settings." in again.content.decode()
    assert audits_of(user).count() == 1


def test_an_invalid_value_on_the_page_changes_nothing(client, user):
    client.force_login(user)
    response = client.post(PAGE, {"delivery-role_changed": "in_app",
                                  "delivery-removed": "carrier-pigeon"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Some notification settings are not valid. Nothing was changed." in html
    assert 'id="error-removed"' in html and "carrier-pigeon" in html
    assert stored(user) == {} and not audits_of(user).exists()


# --- What each choice does ---------------------------------------------------------------------


def tell(person, times: int = 1, kind: str = "role_changed", **extra) -> list[Notification]:
    return [notice for n in range(times)
            for notice in notify(recipients=[person], kind=kind, message=f"Change {n}.",
                                 context={**ROLE_CONTEXT, **extra})]


def test_immediately_mails_one_email_per_notification(user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notices = tell(user, times=2)
    assert [message.to for message in mail.outbox] == [[user.email], [user.email]]
    for notice in notices:
        notice.refresh_from_db()
        assert notice.delivery == IMMEDIATELY
        assert notice.email.status == OutgoingEmail.Status.SENT
    assert len({notice.email_id for notice in notices}) == 2


def test_digest_mails_nothing_at_once_and_the_notification_waits(
        user, django_capture_on_commit_callbacks):
    notification_preferences_set(person=user, choices={"role_changed": DIGEST})
    with django_capture_on_commit_callbacks(execute=True):
        [notice] = tell(user)
    assert mail.outbox == [] and not OutgoingEmail.objects.exists()
    notice.refresh_from_db()
    assert notice.delivery == DIGEST and notice.email is None

    with django_capture_on_commit_callbacks(execute=True):
        assert digests_send() == 1
    [message] = mail.outbox
    assert "Change 0." in message.body


def test_in_app_never_mails_nor_waits_for_the_digest(user, django_capture_on_commit_callbacks):
    notification_preferences_set(person=user, choices={"role_changed": IN_APP})
    with django_capture_on_commit_callbacks(execute=True):
        [notice] = tell(user)
        assert digests_send() == 0
    assert mail.outbox == [] and not OutgoingEmail.objects.exists()
    notice.refresh_from_db()
    assert notice.delivery == IN_APP and notice.email is None


@pytest.mark.parametrize("forged", [DIGEST, IN_APP])
def test_security_notices_are_mailed_at_once_whatever_a_forged_row_says(
        user, forged, django_capture_on_commit_callbacks):
    NotificationPreference.objects.create(person=user, kind="password_changed", delivery=forged)
    assert deliveries_of(user)["password_changed"] == IMMEDIATELY
    with django_capture_on_commit_callbacks(execute=True):
        [notice] = notify(recipients=[user], kind="password_changed",
                          message="Your password was changed.",
                          context={"ip": "203.0.113.9", "user_agent": "Firefox"})
    assert notice.delivery == IMMEDIATELY
    [message] = mail.outbox
    assert message.to == [user.email]
    assert message.subject == "[Cluster Portal] Your password was changed"


# --- The API -----------------------------------------------------------------------------------


def test_the_api_asks_an_anonymous_caller_to_authenticate(api_client):
    for response in (api_client.get(API),
                     api_client.put(API, {"preferences": [{"kind": "role_changed",
                                                           "delivery": "in_app"}]},
                                    format="json")):
        assert response.status_code == 401
        assert set(response.json()) == {"code", "message", "fields"}
    assert not NotificationPreference.objects.exists()


def test_the_api_lists_the_callers_kinds_with_delivery_default_and_lock(api_client, user):
    notification_preferences_set(person=user, choices={"role_changed": DIGEST})
    api_client.force_authenticate(user)
    response = api_client.get(API)
    assert response.status_code == 200
    body = response.json()
    assert body["digest_hour"] == settings.NOTIFICATION_DIGEST_HOUR
    listed = {entry["kind"]: entry for entry in body["preferences"]}
    assert list(listed) == list(deliveries_of(user))
    assert listed["role_changed"] == {
        "kind": "role_changed", "label": "Your role in an organisation changed",
        "group": "Your organisations", "delivery": "digest", "default": "immediately",
        "locked": False,
    }
    assert listed["password_changed"]["locked"] is True
    assert listed["password_changed"]["delivery"] == "immediately"
    assert listed["invitation_accepted"]["delivery"] == "digest"
    assert "join_request_submitted" not in listed


def test_the_api_changes_the_listed_kinds_only(api_client, user):
    notification_preferences_set(person=user, choices={"removed": DIGEST})
    api_client.force_authenticate(user)
    response = api_client.put(API, {"preferences": [
        {"kind": "role_changed", "delivery": "in_app"},
        {"kind": "invitation_accepted", "delivery": "immediately"},
    ]}, format="json")
    assert response.status_code == 200
    listed = {entry["kind"]: entry["delivery"] for entry in response.json()["preferences"]}
    assert listed["role_changed"] == "in_app" and listed["invitation_accepted"] == "immediately"
    assert listed["removed"] == "digest"  # left out: kept
    assert stored(user) == {"role_changed": IN_APP, "invitation_accepted": IMMEDIATELY,
                            "removed": DIGEST}
    assert audits_of(user).count() == 2


VALID = {"kind": "role_changed", "delivery": "in_app"}


@pytest.mark.parametrize("entries, field", [
    pytest.param([VALID, {"kind": "no_such_kind", "delivery": "digest"}], "no_such_kind",
                 id="unknown-kind"),
    pytest.param([VALID, {"kind": "password_changed", "delivery": "digest"}], "password_changed",
                 id="locked-kind"),
    pytest.param([VALID, {"kind": "role_changed", "delivery": "digest"}], "preferences",
                 id="kind-twice"),
    pytest.param([VALID, {"kind": "removed", "delivery": "weekly"}], "removed",
                 id="invalid-delivery"),
    pytest.param([VALID, {"kind": "join_request_submitted", "delivery": "digest"}],
                 "join_request_submitted", id="staff-kind-by-a-partner"),
    pytest.param([], "preferences", id="empty"),
])
def test_the_api_refuses_a_bad_body_and_changes_nothing(api_client, user, entries, field):
    api_client.force_authenticate(user)
    response = api_client.put(API, {"preferences": entries}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert field in body["fields"], body
    assert body["message"]
    assert stored(user) == {} and not audits_of(user).exists()


def test_programme_staff_may_choose_for_a_staff_kind_through_the_api(api_client, staff_user):
    api_client.force_authenticate(staff_user)
    response = api_client.put(API, {"preferences": [
        {"kind": "join_request_submitted", "delivery": "digest"}]}, format="json")
    assert response.status_code == 200
    assert stored(staff_user) == {"join_request_submitted": DIGEST}
