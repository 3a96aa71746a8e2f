from django.contrib import admin

from .models import Organisation, OrganisationMembership


class OrganisationMembershipInline(admin.TabularInline):
    model = OrganisationMembership
    extra = 0
    autocomplete_fields = ("person",)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "uen", "kind", "tier", "status", "is_listed", "country")
    list_filter = ("status", "kind", "tier", "is_listed", "country")
    search_fields = ("name", "uen")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [OrganisationMembershipInline]
