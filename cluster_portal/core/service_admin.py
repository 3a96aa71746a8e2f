"""What the apps' admin pages share: the admin is an adapter, so its saves and actions call
services, and a service's refusal is shown to the programme admin rather than raised."""

from django.contrib import admin, messages
from django.db import models
from django.http import HttpResponseRedirect

from .exceptions import ApplicationError


def describe_error(error: ApplicationError) -> str:
    details = [message for messages_ in error.fields.values() for message in messages_]
    return " ".join([error.message, *details])


def adopt_saved(obj, saved) -> None:
    """Give the admin's unsaved instance the state of the row a service saved, so the admin's
    log entry and redirect point at it."""
    for field in obj._meta.concrete_fields:
        setattr(obj, field.attname, getattr(saved, field.attname))
    obj._state.adding, obj._state.db = False, saved._state.db


def run_for_each(model_admin, request, queryset, call, *, done: str) -> None:
    """Call a service for every selected row; each refusal is reported against its row."""
    succeeded = 0
    for obj in queryset:
        try:
            call(obj)
        except ApplicationError as error:
            model_admin.message_user(request, f"{obj}: {describe_error(error)}", messages.ERROR)
        else:
            succeeded += 1
    if succeeded:
        model_admin.message_user(request, done.format(count=succeeded), messages.SUCCESS)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows that services write and nobody edits (the audit trail, the e-mail outbox): the
    admin only shows them. Actions, which call services, still run."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DecidedByActionsAdmin(admin.ModelAdmin):
    """Requests decided through the list's actions, which call the services (approve,
    decline, renew): nothing is added or deleted here, and a row's own page only shows it.
    The actions still need the change permission, which the list keeps."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    """Rows shown on their parent's page for reading, each with a link to its own page, where
    its services change it."""

    extra = 0
    show_change_link = True

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ServiceBackedAdmin(admin.ModelAdmin):
    """A model admin whose `save_model` calls services.

    The forms check what they can, so a refusal is rare; when a service still refuses (another
    person decided first, a limit was reached), the change form's transaction is rolled back and
    the service's message is shown on the same page instead of an error page.
    """

    # Addresses typed without a scheme are taken as https (Django 6's default, chosen now).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ApplicationError as error:
            self.message_user(request, describe_error(error), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
