from django.contrib import admin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "kind", "message", "read_at"]
    list_filter = ["kind", ("read_at", admin.EmptyFieldListFilter)]
    search_fields = ["recipient__email", "message"]
    list_select_related = ["recipient"]
    readonly_fields = ["recipient", "kind", "message", "url", "actor", "created_at", "read_at"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False
