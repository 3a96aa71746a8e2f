"""The test run: the real PostgreSQL and Redis on localhost, unless DATABASE_URL/REDIS_URL say."""

import os
from urllib.parse import urlsplit, urlunsplit

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cluster_portal")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")

from .base import *  # noqa: F403
from .base import CACHES, DATABASES, REDIS_URL, env

# Two test runs at once on one machine (a developer's beside CI's) must not share a test
# database: each run names its own, after the pytest-xdist run (its workers add _gw0, _gw1...)
# or the process. pytest-django drops it when the run ends.
_RUN = os.environ.get("PYTEST_XDIST_TESTRUNUID", "")[:8] or str(os.getpid())
DATABASES["default"].setdefault("TEST", {})["NAME"] = (
    f"test_{DATABASES['default']['NAME']}_{_RUN}")

DEBUG = False
SECRET_KEY = "test-only-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGH"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# In memory, unless a test process of its own is pointed at an SMTP server it started.
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "private": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# The cache is the real Redis, as in production, so a test sees what a Redis outage does. Each
# pytest-xdist worker has a database of its own (1 + its number; the broker uses 15), so one
# worker clearing its cache between tests never touches another's rate-limit counters; the
# same worker's test queue keeps real workers started by different test processes apart.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
_worker_number = int(XDIST_WORKER.removeprefix("gw")) + 1 if XDIST_WORKER else 0
if REDIS_URL:
    _redis = urlsplit(REDIS_URL)
    CACHES["default"]["LOCATION"] = urlunsplit(_redis._replace(path=f"/{1 + _worker_number}"))
    # A loaded test machine may keep Redis waiting longer than production's half second; a
    # slow answer must not be taken for an outage (the outage tests stop a Redis of their own,
    # which refuses at once).
    CACHES["default"]["OPTIONS"] = {"SOCKET_CONNECT_TIMEOUT": 5, "SOCKET_TIMEOUT": 5}
CELERY_TASK_DEFAULT_QUEUE = f"cluster-portal-test-{XDIST_WORKER or 'main'}"

# Tasks run in the test process unless a test starts a real worker (tests/core/test_worker.py).
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
TESTING = True
# Static files come from the apps' folders, as under runserver; no collectstatic before tests.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
