"""Placeholder views; the partners pages replace them."""

from django.http import Http404


def directory(request, *args, **kwargs):
    raise Http404


def register(request, *args, **kwargs):
    raise Http404


def my_organisations(request, *args, **kwargs):
    raise Http404


def approvals(request, *args, **kwargs):
    raise Http404


def invitation(request, *args, **kwargs):
    raise Http404


def person_request_withdraw(request, *args, **kwargs):
    raise Http404


def detail(request, *args, **kwargs):
    raise Http404


def edit(request, *args, **kwargs):
    raise Http404


def approve(request, *args, **kwargs):
    raise Http404


def decline(request, *args, **kwargs):
    raise Http404


def ask_to_join(request, *args, **kwargs):
    raise Http404


def people(request, *args, **kwargs):
    raise Http404


def membership_role(request, *args, **kwargs):
    raise Http404


def membership_remove(request, *args, **kwargs):
    raise Http404


def invitation_create(request, *args, **kwargs):
    raise Http404


def invitation_import(request, *args, **kwargs):
    raise Http404


def invitation_revoke(request, *args, **kwargs):
    raise Http404


def person_request_approve(request, *args, **kwargs):
    raise Http404


def person_request_decline(request, *args, **kwargs):
    raise Http404


def agreements(request, *args, **kwargs):
    raise Http404


def workstreams(request, *args, **kwargs):
    raise Http404
