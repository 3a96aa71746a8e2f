"""The Celery application. Configuration lives in Django settings under the CELERY_ prefix."""

from celery import Celery

from cluster_portal.environment import use_settings_for_environment

use_settings_for_environment()

app = Celery("cluster_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
