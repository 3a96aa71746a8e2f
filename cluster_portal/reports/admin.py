from django.contrib import admin

from cluster_portal.core.service_admin import ReadOnlyAdmin

from .models import ReportJob


@admin.register(ReportJob)
class ReportJobAdmin(ReadOnlyAdmin):
    """Read-only: jobs are asked for on the reports pages and built by a task; their files are
    downloaded only through the reports pages (never a link to storage here)."""

    list_display = ["created_at", "kind", "format", "requester", "status", "progress", "rows",
                    "expires_at", "expired_at"]
    list_filter = ["status", "kind", "format"]
    search_fields = ["requester__email", "kind", "file_name"]
    list_select_related = ["requester"]
    date_hierarchy = "created_at"
    fields = ["kind", "format", "parameters", "requester", "status", "progress", "rows",
              "file_name", "error", "created_at", "started_at", "finished_at", "expires_at",
              "expired_at"]
    readonly_fields = fields
