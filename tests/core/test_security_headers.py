"""Security headers on every kind of answer: pages, the API, its documentation; and in
production, HSTS and cookies that travel only over HTTPS."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db

ADDRESSES = ["/", "/partners/", "/accounts/login/", "/api/v1/", "/api/v1/workstreams/",
             "/api/docs/", "/api/schema/", "/health/", "/no-such-page/"]


@pytest.mark.parametrize("path", ADDRESSES)
def test_every_answer_carries_the_security_headers(client, path):
    response = client.get(path)
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    policy = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in policy


PRODUCTION_PROBE = """
import json
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.conf import settings
from django.test import Client
from django.test.utils import override_settings
# Static files' manifest is made by collectstatic at deploy; a plain storage stands in for it.
plain = {**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
client = Client()
with override_settings(STORAGES=plain):
    health = client.get("/health/", secure=True)
    login = client.get("/accounts/login/", secure=True)
    insecure = client.get("/accounts/login/")
print(json.dumps({
    "hsts": health.get("Strict-Transport-Security", ""),
    "cookies": {name: bool(morsel["secure"]) for name, morsel in login.cookies.items()},
    "insecure_status": insecure.status_code,
}))
"""


def test_production_sends_hsts_and_secure_cookies_and_redirects_plain_http():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "cluster_portal.settings.production",
           "SECRET_KEY": "x" * 60, "ALLOWED_HOSTS": "testserver",
           "DATABASE_URL": "sqlite:///:memory:", "PORTAL_BASE_URL": "https://testserver",
           "PROGRAMME_OFFICE_EMAIL": "office@example.org"}
    result = subprocess.run([sys.executable, "-c", PRODUCTION_PROBE], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert "max-age=31536000" in seen["hsts"] and "includeSubDomains" in seen["hsts"]
    assert seen["cookies"] and all(seen["cookies"].values()), seen["cookies"]
    assert seen["insecure_status"] == 301
