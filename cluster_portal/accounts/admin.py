"""The admin pages of people and their second factors.

Programme admins manage people here, but only superusers change what makes someone a
superuser, admin-site user, group member or permission holder; programme roles are granted and
removed with actions that call the accounts services, which audit them. No secret is shown: a
second factor's data (its TOTP secret, its recovery-code seed) never appears.
"""

import allauth.mfa.admin  # noqa: F401 (registers allauth's page first, replaced below)
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

from cluster_portal.core.service_admin import ReadOnlyAdmin, run_for_each

from .models import ApiToken, User
from .roles import ProgrammeRole
from .services import (
    api_token_revoke,
    authenticators_reset,
    user_grant_programme_role,
    user_revoke_programme_role,
)

# Fields that decide what a person may do in the admin and beyond: superusers' only.
SUPERUSER_FIELDS = ("is_staff", "is_superuser", "groups", "user_permissions")


class PortalUserChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"


class PortalUserCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("email", "full_name")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = PortalUserChangeForm
    add_form = PortalUserCreationForm
    ordering = ("email",)
    list_display = ("email", "full_name", "is_active", "is_staff", "date_joined", "last_login")
    list_filter = ("is_active", "is_staff", "is_superuser", "groups")
    search_fields = ("email", "full_name")
    readonly_fields = ("date_joined", "last_login")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("full_name", "job_title", "phone")}),
        ("Roles", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),
    )
    filter_horizontal = ("groups",)
    actions = ["grant_programme_staff", "grant_programme_admin", "revoke_programme_staff",
               "revoke_programme_admin", "reset_two_factor"]

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if request.user.is_superuser:
            return fields
        return (*fields, *SUPERUSER_FIELDS)

    # A superuser's account is a superuser's to change: a programme admin who could set its
    # password (UserAdmin's password page asks has_change_permission) or delete it would take
    # or end superuser rights. They still see it.
    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    def _grant(self, request, queryset, role: ProgrammeRole, label: str):
        run_for_each(self, request, queryset,
                     lambda person: user_grant_programme_role(user=person, role=role,
                                                              actor=request.user),
                     done=f"{{count}} person(s) are now {label}.")

    def _revoke(self, request, queryset, role: ProgrammeRole, label: str):
        run_for_each(self, request, queryset,
                     lambda person: user_revoke_programme_role(user=person, role=role,
                                                               actor=request.user),
                     done=f"{{count}} person(s) are no longer {label}.")

    @admin.action(description="Make the selected people programme staff")
    def grant_programme_staff(self, request, queryset):
        self._grant(request, queryset, ProgrammeRole.STAFF, "programme staff")

    @admin.action(description="Make the selected people programme admins")
    def grant_programme_admin(self, request, queryset):
        self._grant(request, queryset, ProgrammeRole.ADMIN, "programme admins")

    @admin.action(description="Remove the programme staff role")
    def revoke_programme_staff(self, request, queryset):
        self._revoke(request, queryset, ProgrammeRole.STAFF, "programme staff")

    @admin.action(description="Remove the programme admin role")
    def revoke_programme_admin(self, request, queryset):
        self._revoke(request, queryset, ProgrammeRole.ADMIN, "programme admins")

    @admin.action(description="Reset two-factor authentication (a lost phone)")
    def reset_two_factor(self, request, queryset):
        run_for_each(self, request, queryset,
                     lambda person: authenticators_reset(actor=request.user, person=person),
                     done="The two-factor authentication of {count} person(s) was reset.")


admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(ReadOnlyAdmin):
    """Which second factors people have; never their secrets."""

    list_display = ("user", "type", "created_at", "last_used_at")
    list_filter = ("type", "created_at", "last_used_at")
    search_fields = ("user__email",)
    list_select_related = ("user",)
    fields = ("user", "type", "created_at", "last_used_at")
    readonly_fields = fields
    actions = ["reset_two_factor"]

    @admin.action(description="Reset the two-factor authentication of these people")
    def reset_two_factor(self, request, queryset):
        people = User.objects.filter(pk__in=queryset.values("user_id"))
        run_for_each(self, request, people,
                     lambda person: authenticators_reset(actor=request.user, person=person),
                     done="The two-factor authentication of {count} person(s) was reset.")


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    """People's API tokens, for revoking a leaked one; the key is never stored, its digest never
    shown."""

    list_display = ("person", "name", "prefix", "with_staff_rights", "created_at", "expires_at",
                    "last_used_at", "revoked_at")
    list_filter = ("with_staff_rights", ("revoked_at", admin.EmptyFieldListFilter))
    search_fields = ("person__email", "name", "prefix")
    list_select_related = ("person",)
    fields = list_display
    readonly_fields = fields
    actions = ["revoke"]

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        run_for_each(self, request, queryset,
                     lambda token: api_token_revoke(actor=request.user, token=token),
                     done="{count} token(s) revoked.")
