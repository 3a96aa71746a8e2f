"""Which settings module a process uses, decided once for manage.py, WSGI and Celery."""

import os

SETTINGS_BY_ENVIRONMENT = {
    "local": "cluster_portal.settings.local",
    "development": "cluster_portal.settings.local",
    "test": "cluster_portal.settings.test",
    "production": "cluster_portal.settings.production",
}


def use_settings_for_environment() -> None:
    """Point DJANGO_SETTINGS_MODULE at the module DJANGO_ENV names, unless it is already set."""
    environment = os.environ.get("DJANGO_ENV", "local").strip().lower()
    try:
        module = SETTINGS_BY_ENVIRONMENT[environment]
    except KeyError:
        known = ", ".join(sorted(SETTINGS_BY_ENVIRONMENT))
        raise SystemExit(f"DJANGO_ENV={environment!r} is not one of: {known}") from None
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", module)
