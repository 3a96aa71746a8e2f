"""Journey: a member of programme staff opens a staff page for the first time, signs in, is
asked to set up an authenticator app (and told why), does so, and lands where they were going."""

import pytest
from allauth.mfa.models import Authenticator

from tests.conftest import current_totp_code
from tests.factories import UserFactory, WorkstreamFactory

pytestmark = pytest.mark.browser


def test_staff_first_sign_in_sets_up_mfa_and_lands_where_they_were_going(visitor):
    WorkstreamFactory(name="Continuous Manufacturing", status="active")
    staff = UserFactory(role="programme_staff", email="lim.weijie@example.org",
                        full_name="Lim Wei Jie")
    tab = visitor("staff")

    tab.go("/workstreams/queue/", label="queue asks to sign in")
    assert "/accounts/login/" in tab.page.url and "next=" in tab.page.url
    tab.page.fill("input[name=login]", staff.email)
    tab.page.fill("input[name=password]", "correct-horse-battery-staple")
    tab.submit()

    # Straight to the set-up, with the reason, and no second password prompt.
    assert "/accounts/2fa/totp/activate/" in tab.page.url, tab.page.url
    tab.check("set up the authenticator app")
    assert "Programme staff must use an authenticator app" in tab.page.content()
    secret = tab.page.input_value("#authenticator_secret")
    tab.page.fill("input[name=code]", current_totp_code(secret))
    tab.submit()
    assert Authenticator.objects.filter(user=staff, type="totp").exists()

    # The recovery codes, then on to the page that was asked for.
    tab.check("recovery codes")
    tab.page.get_by_role("link", name="Continue to the page you were going to").click()
    tab.page.wait_for_load_state("networkidle")
    assert tab.page.url.endswith("/workstreams/queue/"), tab.page.url
    tab.check("the queue")
    assert "Join requests" in tab.page.content()
