from django.contrib import admin

from cluster_portal.core.service_admin import ReadOnlyAdmin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Read-only: the trail is written by services and never edited."""

    list_display = ["created_at", "actor", "description", "target_repr"]
    list_filter = ["action", "target_type"]
    search_fields = ["target_repr", "actor__email", "action"]
    list_select_related = ["actor", "target_type"]
    date_hierarchy = "created_at"
    fields = ["created_at", "actor", "description", "action", "target_type", "target_id",
              "target_repr", "scope_type", "scope_id", "changes"]
    readonly_fields = fields

    @admin.display(description="what happened")
    def description(self, event):
        return event.description
