"""The programme's dashboard for staff and admins."""

from django.http import Http404


def dashboard(request, **kwargs):
    raise Http404  # written with the dashboard


def dashboard_csv(request, **kwargs):
    raise Http404  # written with the dashboard
