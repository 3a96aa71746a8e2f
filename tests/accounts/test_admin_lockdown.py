"""The admin pages of people: only superusers change superuser status, admin-site access,
groups and permissions; programme roles and two-factor resets go through audited services; no
second factor's secret is ever shown or stored in clear; staff keep their authenticator."""

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from cluster_portal.accounts.models import User
from cluster_portal.accounts.permissions import is_programme_admin, is_programme_staff
from cluster_portal.audit.models import AuditEvent
from cluster_portal.notifications.models import Notification
from tests.conftest import activate_totp, current_totp_code
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(client, mfa_admin_user):
    client.force_login(mfa_admin_user)
    return client


def change_url(person) -> str:
    return reverse("admin:accounts_user_change", args=[person.pk])


def test_a_programme_admin_cannot_make_anyone_a_superuser_or_staff(office):
    person = UserFactory()
    page = office.get(change_url(person)).content.decode()
    assert 'name="is_superuser"' not in page and 'name="is_staff"' not in page
    assert 'name="groups"' not in page
    office.post(change_url(person), {
        "email": person.email, "full_name": person.full_name, "is_active": "on",
        "is_superuser": "on", "is_staff": "on", "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
    })
    person.refresh_from_db()
    assert not person.is_superuser and not person.is_staff


def test_a_programme_admin_cannot_set_a_superusers_password_or_delete_the_account(office):
    superuser = UserFactory(is_superuser=True, is_staff=True)
    password_page = reverse("admin:auth_user_password_change", args=[superuser.pk])
    assert office.get(password_page).status_code == 403
    office.post(password_page, {"password1": "a-new-Passw0rd!", "password2": "a-new-Passw0rd!",
                                "usable_password": "true"})
    delete_page = reverse("admin:accounts_user_delete", args=[superuser.pk])
    assert office.get(delete_page).status_code == 403
    office.post(delete_page, {"post": "yes"})
    superuser.refresh_from_db()
    assert superuser.check_password(PASSWORD) and superuser.is_superuser
    # They still see who the superusers are, read-only.
    page = office.get(change_url(superuser))
    assert page.status_code == 200 and 'name="full_name"' not in page.content.decode()


def test_a_superuser_still_can(client):
    superuser = UserFactory(is_superuser=True, is_staff=True)
    activate_totp(superuser)
    client.force_login(superuser)
    page = client.get(change_url(UserFactory())).content.decode()
    assert 'name="is_superuser"' in page and 'name="groups"' in page


def test_programme_roles_are_granted_and_removed_by_audited_actions(office, mfa_admin_user):
    person = UserFactory()
    changelist = reverse("admin:accounts_user_changelist")
    office.post(changelist, {"action": "grant_programme_admin", "_selected_action": [person.pk]})
    person = User.objects.get(pk=person.pk)
    assert is_programme_admin(person) and person.is_staff
    event = AuditEvent.objects.get(action="user.grant_role", actor=mfa_admin_user)
    assert (event.actor, event.target_id, event.changes) == (
        mfa_admin_user, person.pk, {"role": "programme_admin"})
    office.post(changelist, {"action": "revoke_programme_admin", "_selected_action": [person.pk]})
    person = User.objects.get(pk=person.pk)
    assert not is_programme_admin(person) and not person.is_staff
    assert AuditEvent.objects.filter(action="user.revoke_role", actor=mfa_admin_user).exists()


def test_every_change_made_in_the_admin_reaches_the_audit_trail(office, mfa_admin_user):
    person = UserFactory(full_name="Tan Mei Ling")
    office.post(change_url(person), {
        "email": person.email, "full_name": "Tan Mei-Ling", "is_active": "on",
        "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00",
    })
    event = AuditEvent.objects.get(action="admin.change", target_id=person.pk)
    assert event.actor == mfa_admin_user
    assert event.changes == {"admin": [{"changed": {"fields": ["Full name"]}}]}  # no values


def test_every_registered_admin_page_is_audited():
    from django.contrib import admin

    from cluster_portal.core.admin_audit import AdminChangesAudited

    assert all(isinstance(model_admin, AdminChangesAudited)
               for model_admin in admin.site._registry.values())


def test_a_second_factors_secret_is_encrypted_and_never_shown(office):
    person = UserFactory()
    secret = activate_totp(person)
    stored = Authenticator.objects.get(user=person).data["secret"]
    assert secret not in stored and stored.startswith("enc1:")
    authenticator = Authenticator.objects.get(user=person)
    page = office.get(reverse("admin:mfa_authenticator_change", args=[authenticator.pk]))
    assert page.status_code == 200
    assert secret not in page.content.decode() and "enc1:" not in page.content.decode()


def test_an_admin_resets_a_lost_second_factor_and_the_person_is_told(office, mfa_admin_user):
    person = UserFactory(role="programme_staff")
    activate_totp(person)
    office.post(reverse("admin:accounts_user_changelist"),
                {"action": "reset_two_factor", "_selected_action": [person.pk]})
    assert not Authenticator.objects.filter(user=person).exists()
    assert AuditEvent.objects.get(action="mfa.reset").actor == mfa_admin_user
    assert Notification.objects.filter(recipient=person, kind="second_factor_changed").exists()


def test_staff_cannot_remove_their_only_authenticator(client):
    person = UserFactory(role="programme_staff")
    secret = activate_totp(person)
    client.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})
    client.post(reverse("mfa_authenticate"), {"code": current_totp_code(secret)})
    response = client.post(reverse("mfa_deactivate_totp"))
    if response.status_code == 302 and "reauthenticate" in response["Location"]:
        client.post(response["Location"], {"password": PASSWORD})
        response = client.post(reverse("mfa_deactivate_totp"))
    assert Authenticator.objects.filter(user=person, type="totp").exists()
    assert "Programme staff keep their authenticator app" in response.content.decode()


def test_a_trainee_may_remove_theirs(client):
    person = UserFactory()
    secret = activate_totp(person)
    client.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})
    client.post(reverse("mfa_authenticate"), {"code": current_totp_code(secret)})
    response = client.post(reverse("mfa_deactivate_totp"))
    if response.status_code == 302 and "reauthenticate" in response["Location"]:
        client.post(response["Location"], {"password": PASSWORD})
        client.post(reverse("mfa_deactivate_totp"))
    assert not Authenticator.objects.filter(user=person, type="totp").exists()
    assert AuditEvent.objects.filter(action="mfa.totp_deactivated", actor=person).exists()
    assert is_programme_staff(person) is False
