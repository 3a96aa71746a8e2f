"""WSGI entry point for gunicorn."""

from django.core.wsgi import get_wsgi_application

from cluster_portal.environment import use_settings_for_environment

use_settings_for_environment()
application = get_wsgi_application()
