"""Development: an embedded SQLite database, e-mail to the console, tasks run in-process."""

from .base import *  # noqa: F403
from .base import PRIVATE_STORAGE, env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# A fixed key is safe only because these settings never serve the public; production has none.
SECRET_KEY = env("SECRET_KEY", default="local-development-key-not-for-production-use-0123456789")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
# The manifest needs collectstatic; runserver serves the files straight from the apps.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": PRIVATE_STORAGE,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
