"""The platform every domain app stands on: settings, accounts, the API core, Celery."""

from .celery import app as celery_app

__all__ = ["celery_app"]
