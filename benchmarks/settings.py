"""The portal as production runs it (cluster_portal.settings.production, DEBUG off), for the
benchmark: plain HTTP on loopback, the harness's reference endpoints beside the portal's own, and
rate limits out of the way of a load generator that is one client asking thousands of times.

Only what a loopback benchmark needs differs from production; everything else is its values.
"""

import os

for name, value in {
    "SECRET_KEY": "benchmark-only-secret-key-not-for-any-deployment-0123456789",
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "PORTAL_BASE_URL": "http://127.0.0.1:8000",
    "PROGRAMME_OFFICE_EMAIL": "programme-office@bench.example.org",
    # The load generator talks plain HTTP to gunicorn directly, with no proxy in front.
    "SECURE_SSL_REDIRECT": "False",
    "TRUSTED_PROXY_COUNT": "0",
    # The rate limits stay on, counted as production counts them (one counter per client and
    # minute), but out of reach of wrk, one client asking hundreds of times a second.
    "API_ANON_RATE": "1000000/minute",
    "API_USER_RATE": "1000000/minute",
    # Cache and broker in a Redis database of the benchmark's own, as production has both.
    "REDIS_URL": "redis://127.0.0.1:6379/8",
}.items():
    os.environ.setdefault(name, value)

from cluster_portal.settings.production import *  # noqa: E402, F403

ROOT_URLCONF = "benchmarks.urls"
# Cookies go over plain HTTP here; production sends them only over HTTPS.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
