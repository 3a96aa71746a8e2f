from django.contrib import admin

from .models import Programme, ProgrammePhase, Workstream


class ProgrammePhaseInline(admin.TabularInline):
    model = ProgrammePhase
    extra = 0


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ("short_name", "name", "is_featured", "created_at")
    search_fields = ("name", "short_name")
    prepopulated_fields = {"slug": ("short_name",)}
    inlines = [ProgrammePhaseInline]


@admin.register(Workstream)
class WorkstreamAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "kind", "status", "programme", "parent", "lead")
    list_filter = ("programme", "kind", "status")
    search_fields = ("name", "code", "summary")
    list_select_related = ("programme", "parent", "lead")
    autocomplete_fields = ("lead", "parent")
    prepopulated_fields = {"slug": ("name",)}
