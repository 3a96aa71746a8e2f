"""Behind a proxy, rate limits count the client the proxy names in X-Forwarded-For (the last
entry it appends), not the proxy itself (everyone locked out together) and not whatever a
client writes into the header itself (anyone escaping the limits)."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"  # every request reaches the portal from the proxy's address


@pytest.fixture
def low_api_rates(monkeypatch):
    # DRF reads the rates into its throttle classes when first imported, so they are told too.
    from cluster_portal.core.api.throttling import WindowRateThrottle

    monkeypatch.setattr(WindowRateThrottle, "THROTTLE_RATES",
                        {"anon": "3/minute", "user": "600/minute"})


@pytest.fixture
def behind_one_proxy(settings, low_api_rates):
    settings.TRUSTED_PROXY_COUNT = settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "3/m/ip"}


def via_proxy(client, path, client_address, spoofed="", method="get", data=None):
    forwarded = f"{spoofed}, {client_address}" if spoofed else client_address
    return getattr(client, method)(path, data or {}, REMOTE_ADDR=PROXY,
                                   HTTP_X_FORWARDED_FOR=forwarded)


def test_the_api_throttles_each_client_not_the_proxy(client, behind_one_proxy):
    for _ in range(3):
        assert via_proxy(client, "/api/v1/workstreams/", "203.0.113.1").status_code == 200
    assert via_proxy(client, "/api/v1/workstreams/", "203.0.113.1").status_code == 429
    assert via_proxy(client, "/api/v1/workstreams/", "203.0.113.2").status_code == 200


def test_a_client_cannot_escape_the_api_throttle_by_writing_the_header(client, behind_one_proxy):
    codes = [via_proxy(client, "/api/v1/workstreams/", "203.0.113.1",
                       spoofed=f"198.51.100.{n}").status_code for n in range(4)]
    assert codes == [200, 200, 200, 429]


def test_failed_logins_lock_out_the_client_that_failed_not_everyone(client, behind_one_proxy):
    wrong = {"login": UserFactory().email, "password": "wrong-guess"}
    other = UserFactory()
    for n in range(3):
        via_proxy(client, reverse("account_login"), "203.0.113.1", spoofed=f"198.51.100.{n}",
                  method="post", data=wrong)
    blocked = via_proxy(client, reverse("account_login"), "203.0.113.1", method="post",
                        data={"login": other.email, "password": "wrong-again"})
    assert b"Too many failed login attempts" in blocked.content
    fine = via_proxy(client, reverse("account_login"), "203.0.113.9", method="post",
                     data={"login": other.email, "password": "wrong-again"})
    assert b"Too many failed login attempts" not in fine.content  # not locked out with the first
    assert b"are not correct" in fine.content


def test_without_a_proxy_the_header_is_ignored(client, low_api_rates):
    codes = [client.get("/api/v1/workstreams/", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
             .status_code for n in range(4)]
    assert codes == [200, 200, 200, 429]


def test_production_trusts_one_proxy_by_default():
    import os
    import subprocess
    import sys

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "cluster_portal.settings.production",
           "SECRET_KEY": "x" * 60, "ALLOWED_HOSTS": "portal.example.org",
           "DATABASE_URL": "sqlite:///:memory:", "PORTAL_BASE_URL": "https://portal.example.org",
           "PROGRAMME_OFFICE_EMAIL": "office@portal.example.org"}
    env.pop("TRUSTED_PROXY_COUNT", None)
    out = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.conf import settings;"
         " print(settings.ALLAUTH_TRUSTED_PROXY_COUNT, settings.REST_FRAMEWORK['NUM_PROXIES'])"],
        env=env, capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.split() == ["1", "1"]
