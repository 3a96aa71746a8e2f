"""Settings shared by every environment. Values come from the environment, read here once.

local.py, test.py and production.py differ only in defaults and in what they require.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# A developer's .env is read when present; real environment variables always win.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# --- Core -------------------------------------------------------------------------------------

DEBUG = env.bool("DJANGO_DEBUG", default=False)
# The portal's name in pages, e-mails and their subjects.
PORTAL_NAME = "Cluster Portal"
# Where people write when the portal says "contact the programme office": every page's footer
# and every e-mail name it.
PROGRAMME_OFFICE_EMAIL = env("PROGRAMME_OFFICE_EMAIL", default="programme.office@example.org")
# Working days (Monday to Friday) within which the programme office decides a registration: the
# registrant's acknowledgement and the organisation's timeline promise it.
REGISTRATION_REVIEW_DAYS = env.int("REGISTRATION_REVIEW_DAYS", default=5)
# Reports: how many days a built report's file is kept; how long a report may take before its
# job is marked failed; how many rows a list page exports at once (more go to a report job).
REPORT_FILES_KEEP_DAYS = env.int("REPORT_FILES_KEEP_DAYS", default=7)
REPORT_JOB_TIME_LIMIT_SECONDS = env.int("REPORT_JOB_TIME_LIMIT_SECONDS", default=1800)
LIST_EXPORT_MAX_ROWS = env.int("LIST_EXPORT_MAX_ROWS", default=10000)
# The largest file a project deliverable may be (a dataset or a software archive), in MB.
PROJECT_DELIVERABLE_MAX_MB = env.int("PROJECT_DELIVERABLE_MAX_MB", default=50)
SECRET_KEY = env("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "cluster_portal.accounts",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "django_htmx",
    "bootstrap",
    "csp",
    "cluster_portal.core",
    "cluster_portal.notifications",
    "cluster_portal.audit",
    "cluster_portal.reports",
    "partners",
    "workstreams",
    "projects",
    "talent",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "cluster_portal.accounts.middleware.StaffMFAMiddleware",
    "cluster_portal.accounts.middleware.SignInReturnsToTheFormMiddleware",
    "cluster_portal.core.middleware.MethodNotAllowedPageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "cluster_portal.urls"
WSGI_APPLICATION = "cluster_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cluster_portal.core.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # `make run`'s SQLite behaves like PostgreSQL under a few people at once: readers do not
    # block the writer (WAL), a writer waits for the other instead of failing at once with
    # "database is locked" (timeout), and a transaction takes the write lock when it begins
    # (IMMEDIATE), so two that read then write cannot deadlock each other half-way.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        **DATABASES["default"].get("OPTIONS", {}),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")

# Redis is the cache and the broker; when it is down every page still answers (design rule 4).
# The cache then falls back to each process's memory for the moment (cluster_portal/core/
# cache.py), within the short timeouts below, so throttles and login rate limits keep working.
# Sessions live in the database, so nobody is signed out by a Redis outage.
CACHE_SOCKET_TIMEOUT = env.float("CACHE_SOCKET_TIMEOUT", default=0.5)
# A Redis of its own for the cache, when given: it may then evict (allkeys-lru) while the
# broker's Redis keeps every queued task (noeviction). Default: REDIS_URL, both in one.
CACHE_REDIS_URL = env("CACHE_REDIS_URL", default=REDIS_URL)
if CACHE_REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "cluster_portal.core.cache.RedisWithLocalFallback",
            "LOCATION": CACHE_REDIS_URL,
            "KEY_PREFIX": "cluster-portal",
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": CACHE_SOCKET_TIMEOUT,
                "SOCKET_TIMEOUT": CACHE_SOCKET_TIMEOUT,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Sessions are kept in the database, and read from the cache: a signed-in request reads its
# session from Redis, not with a query (the cache's own fallback covers Redis being down, and
# a session the cache lost is read from the database).
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# --- Accounts ---------------------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "allauth.account.auth_backends.AuthenticationBackend",
    "cluster_portal.accounts.backends.ProgrammeAdminPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
# The person's own page; allauth still sends a person to the `next` they came with first.
LOGIN_REDIRECT_URL = "my_portal"

ACCOUNT_ADAPTER = "cluster_portal.accounts.adapter.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "cluster_portal.accounts.forms.SignupDetailsForm"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{PORTAL_NAME}] "
# allauth tells a person when their password, e-mail address or second factor changes; the
# adapter turns each into a security notice of the notifications service (always e-mailed).
ACCOUNT_EMAIL_NOTIFICATIONS = True
# Failed logins are limited per address and per account; allauth keeps the counters in the cache.
ACCOUNT_RATE_LIMITS = {
    "login_failed": env("LOGIN_FAILED_RATE_LIMIT", default="10/m/ip,5/5m/key"),
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
}
# How many proxies in front of the portal append to X-Forwarded-For (a TLS proxy: 1). Rate limits
# count the address that many places from the end; 0 ignores the header, since anyone can send
# it. Production's default is 1 (compose puts a TLS proxy in front).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_ADAPTER = "cluster_portal.accounts.mfa_adapter.MFAAdapter"
MFA_TOTP_ISSUER = env("MFA_TOTP_ISSUER", default="Cluster Portal")

# --- E-mail -----------------------------------------------------------------------------------

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
# Seconds for each step of an SMTP conversation: a hung server fails the attempt (it is tried
# again later) instead of holding a worker past its time limit.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
# The site's public address, for links in e-mails sent outside a request (by Celery tasks).
PORTAL_BASE_URL = env("PORTAL_BASE_URL", default="http://127.0.0.1:8000")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Cluster Portal <portal@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Notifications and the e-mail outbox ------------------------------------------------------

# A worker's claim on an e-mail it sends lasts this long. It must outlast the send task's hard
# time limit (120 s), so a live sender is never doubled; a dead one's mail goes again after it.
OUTBOX_LEASE_SECONDS = env.int("OUTBOX_LEASE_SECONDS", default=5 * 60)
# The sweeper hands out again what is still unsent this long after it was due: the hand-off
# made at commit normally takes it long before.
OUTBOX_SWEEP_GRACE_SECONDS = env.int("OUTBOX_SWEEP_GRACE_SECONDS", default=60)
OUTBOX_SWEEP_EVERY_SECONDS = env.int("OUTBOX_SWEEP_EVERY_SECONDS", default=60)
# The daily digest goes out at this hour, Singapore time (TIME_ZONE).
NOTIFICATION_DIGEST_HOUR = env.int("NOTIFICATION_DIGEST_HOUR", default=8)

# --- Internationalisation ---------------------------------------------------------------------

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Asia/Singapore"
USE_I18N = True
USE_TZ = True

# --- Static and media files -------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Members-only files (workstream documents) live outside MEDIA_ROOT, so no /media/ route or
# proxy can ever serve them; only the access-checked download views read them.
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=BASE_DIR / "private_media")
PRIVATE_STORAGE = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": PRIVATE_STORAGE,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Security headers, in every environment so that development shows what production does ----

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Browser features the portal never uses are switched off for it and anything it could embed.
PERMISSIONS_POLICY = {feature: [] for feature in (
    "accelerometer", "autoplay", "camera", "display-capture", "encrypted-media", "fullscreen",
    "geolocation", "gyroscope", "magnetometer", "microphone", "midi", "payment",
    "picture-in-picture", "publickey-credentials-get", "screen-wake-lock", "usb",
    "xr-spatial-tracking",
)}
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # data: only for the MFA set-up QR code, which allauth renders as an inline SVG image.
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

# --- REST API ---------------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so an anonymous call is told 401 with a WWW-Authenticate challenge.
        "cluster_portal.accounts.api.authentication.ApiTokenAuthentication",
        "cluster_portal.accounts.api.authentication.PortalSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_RENDERER_CLASSES": [
        "cluster_portal.core.api.renderers.PortalJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "cluster_portal.core.api.parsers.PortalJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "cluster_portal.core.api.pagination.PortalPageNumberPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_FILTER_BACKENDS": [
        "cluster_portal.core.api.filters.FilterSetBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "cluster_portal.core.api.throttling.AnonymousRateThrottle",
        "cluster_portal.core.api.throttling.PersonRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_ANON_RATE", default="60/minute"),
        "user": env("API_USER_RATE", default="600/minute"),
        # The public verification of certificates, per caller: enough for an employer checking
        # a stack of them, too few to sweep the serials.
        "certificate_verify": env("API_CERTIFICATE_VERIFY_RATE", default="30/minute"),
    },
    "EXCEPTION_HANDLER": "cluster_portal.core.api.errors.portal_exception_handler",
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    # drf-spectacular's, documenting also the errors every operation can answer.
    "DEFAULT_SCHEMA_CLASS": "cluster_portal.core.api.openapi.PortalAutoSchema",
    "DEFAULT_VERSIONING_CLASS": None,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Cluster Portal API",
    "DESCRIPTION": (
        "The portal's REST API: workstreams and requests to join them, partner organisations "
        "and their people, the caller's notifications, notification settings and API tokens. "
        "Every list is paginated (page, page_size up to 100); every error is JSON with a "
        "message per field. Authenticate with a session or `Authorization: Token <key>` (make "
        "a key on your account's API tokens page)."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Without deep links: each operation's summary is a button, and a link inside a button is
    # a control screen readers cannot reach (axe: nested-interactive).
    "SWAGGER_UI_SETTINGS": {"deepLinking": False, "persistAuthorization": False},
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # A name of its own for an enum whose field name ("status") other enums use too.
    "ENUM_NAME_OVERRIDES": {"CertificateStatusEnum": ["valid", "revoked", "expired"]},
}

# --- Celery -----------------------------------------------------------------------------------

# Without a broker (make run), tasks run in-process; with REDIS_URL they go to Redis.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=REDIS_URL or None)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# A task is acknowledged only when it has finished, and handed back if its worker dies,
# so a crash re-runs it instead of losing it. Tasks are written to be idempotent for this.
# A task whose run keeps killing its worker is dropped after a few deliveries (PortalTask in
# cluster_portal/celery.py), so this cannot loop for ever.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 5 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 4 * 60
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_EXPIRES = timedelta(days=1)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis hands an unacknowledged message to another worker after the visibility timeout. It must
# be longer than the longest task (5 min) and any countdown (the portal schedules retries in the
# database, not with countdowns), yet short, so a task of a killed worker is back in minutes.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 15 * 60,
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
}
# Sending a task when Redis is down must fail fast: the request goes on and the work waits for
# its sweep (cluster_portal/core/queue.py).
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2,
}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"retry_policy": CELERY_TASK_PUBLISH_RETRY_POLICY}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "clear-expired-sessions": {
        "task": "cluster_portal.core.tasks.clear_expired_sessions",
        "schedule": crontab(hour=3, minute=15),
    },
    # The entry keeps its first name: the database scheduler holds a row per name, and a renamed
    # entry would leave the old row calling a task that no longer exists.
    "refresh-membership-statuses": {
        "task": "partners.tasks.refresh_tier_statuses",
        "schedule": crontab(hour=0, minute=30),
    },
    "sweep-outbox": {
        "task": "cluster_portal.notifications.tasks.sweep_outbox",
        "schedule": timedelta(seconds=OUTBOX_SWEEP_EVERY_SECONDS),
        # A sweep still waiting when the next is due is dropped: sweeps never pile up behind a
        # backlog and then run in a burst.
        "options": {"expires": OUTBOX_SWEEP_EVERY_SECONDS},
    },
    "tidy-outbox": {
        "task": "cluster_portal.notifications.tasks.tidy_outbox",
        "schedule": crontab(hour=3, minute=45),
    },
    "send-daily-digests": {
        "task": "cluster_portal.notifications.tasks.send_daily_digests",
        "schedule": crontab(hour=NOTIFICATION_DIGEST_HOUR, minute=0),
    },
    # An offered seat lapses at most this long after its time is up.
    "expire-seat-offers": {
        "task": "talent.tasks.expire_seat_offers",
        "schedule": timedelta(minutes=10),
        "options": {"expires": 600},
    },
    # Holders of a certificate that lapses within a month are reminded, once each.
    "remind-expiring-certificates": {
        "task": "talent.tasks.remind_expiring_certificates",
        "schedule": crontab(hour=7, minute=30),
    },
    # Principal investigators hear of their projects' overdue milestones and deliverables on
    # Monday mornings.
    # Report files past their days are deleted, jobs whose worker died marked failed, and
    # jobs whose task a broker outage lost sent again.
    "tidy-reports": {
        "task": "cluster_portal.reports.tasks.tidy_reports",
        "schedule": timedelta(minutes=5),
        "options": {"expires": 300},
    },
    # Last month's programme report for the programme admins, on the first of the month.
    "monthly-programme-report": {
        "task": "cluster_portal.reports.tasks.request_monthly_programme_report",
        "schedule": crontab(day_of_month="1", hour=6, minute=0),
    },
    "remind-overdue-project-work": {
        "task": "projects.tasks.remind_overdue_project_work",
        "schedule": crontab(day_of_week="mon", hour=8, minute=0),
    },
}

# --- Logging ----------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"refusals_without_traceback": {
        "()": "cluster_portal.core.logging.RefusalsWithoutTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {"django.request": {"filters": ["refusals_without_traceback"]}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}

