"""Programme staff and admins must set up TOTP before any staff page or staff API action works."""

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from cluster_portal.core.api.permissions import IsProgrammeAdmin, IsProgrammeStaff
from tests.conftest import activate_totp, current_totp_code
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

MFA_SETUP = reverse("mfa_activate_totp")


def sign_in(client, user, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": user.email, "password": password})


def test_staff_without_mfa_are_sent_to_set_it_up_after_signing_in(client, staff_user):
    response = sign_in(client, staff_user)
    assert response.status_code == 302
    assert response["Location"] == MFA_SETUP


def test_a_trainee_signs_in_to_their_own_page(client, user):
    response = sign_in(client, user)
    assert response["Location"] == reverse("my_portal")


@pytest.mark.parametrize("role", ["programme_staff", "programme_admin"])
def test_staff_pages_redirect_to_mfa_setup_until_it_is_enabled(client, role):
    person = UserFactory(role=role)
    client.force_login(person)
    for path in ["/admin/", "/admin/accounts/user/", "/workstreams/queue/"]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(MFA_SETUP), path


def test_admin_sets_up_totp_through_the_real_pages_then_reaches_the_admin(client, admin_user):
    sign_in(client, admin_user)
    # Straight after signing in the set-up opens: no second password prompt.
    page = client.get(MFA_SETUP)
    assert page.status_code == 200
    secret = page.context["form"].secret
    assert client.get("/admin/").status_code == 302  # still blocked

    wrong = client.post(MFA_SETUP, {"code": "000000"})
    assert wrong.status_code == 200
    assert not Authenticator.objects.filter(user=admin_user).exists()

    response = client.post(MFA_SETUP, {"code": current_totp_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=admin_user, type=Authenticator.Type.TOTP).exists()
    # Recovery codes come with the first authenticator, for a lost phone.
    assert Authenticator.objects.filter(
        user=admin_user, type=Authenticator.Type.RECOVERY_CODES
    ).exists()

    admin_index = client.get("/admin/")
    assert admin_index.status_code == 200
    assert b"Cluster Portal administration" in admin_index.content


def test_sign_in_asks_for_the_code_once_mfa_is_on(client, admin_user):
    secret = activate_totp(admin_user)
    response = sign_in(client, admin_user)
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    response = client.post(reverse("mfa_authenticate"), {"code": current_totp_code(secret)})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(admin_user.pk)


def test_staff_with_mfa_who_are_not_admins_do_not_get_the_admin_site(client, staff_user):
    activate_totp(staff_user)
    client.force_login(staff_user)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert not response["Location"].startswith(MFA_SETUP)
    assert "/admin/login/" in response["Location"] or "/accounts/login/" in response["Location"]


def test_people_without_a_staff_role_are_not_asked_for_mfa(client, user):
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert not response["Location"].startswith(MFA_SETUP)


class StaffOnlyAction(APIView):
    permission_classes = [IsProgrammeStaff]

    def post(self, request):
        return Response({"done": True})


class AdminOnlyAction(StaffOnlyAction):
    permission_classes = [IsProgrammeAdmin]


@pytest.mark.parametrize(
    ("role", "with_mfa", "view", "expected"),
    [
        (None, False, StaffOnlyAction, 403),
        ("programme_staff", False, StaffOnlyAction, 403),
        ("programme_staff", True, StaffOnlyAction, 200),
        ("programme_admin", True, StaffOnlyAction, 200),
        ("programme_staff", True, AdminOnlyAction, 403),
        ("programme_admin", False, AdminOnlyAction, 403),
        ("programme_admin", True, AdminOnlyAction, 200),
    ],
)
def test_staff_api_actions_need_the_role_and_mfa(role, with_mfa, view, expected):
    person = UserFactory(role=role)
    if with_mfa:
        activate_totp(person)
    request = APIRequestFactory().post("/api/v1/anything/", {}, format="json")
    force_authenticate(request, user=person)
    response = view.as_view()(request)
    assert response.status_code == expected
    if role and not with_mfa:
        assert "multi-factor" in response.data["message"]


def test_a_sign_in_long_ago_asks_for_the_password_before_the_set_up(client, admin_user):
    from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY

    sign_in(client, admin_user)
    session = client.session
    records = session[AUTHENTICATION_METHODS_SESSION_KEY]
    for record in records:
        record["at"] -= 3600  # an hour ago
    session[AUTHENTICATION_METHODS_SESSION_KEY] = records
    session.save()
    page = client.get(MFA_SETUP)
    assert page["Location"].startswith(reverse("account_reauthenticate"))
