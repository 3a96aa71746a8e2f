"""Asking for a report, following it as it is built, and downloading it."""

from django.http import Http404


def report_list(request, **kwargs):
    raise Http404  # written with the reports pages


def report_detail(request, **kwargs):
    raise Http404  # written with the reports pages


def report_download(request, **kwargs):
    raise Http404  # written with the reports pages
