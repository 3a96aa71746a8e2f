from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "cluster_portal.core"
    label = "core"
    verbose_name = "Portal core"

    def ready(self) -> None:
        # After django.contrib.admin loaded every app's admin module (it comes earlier in
        # INSTALLED_APPS), so third-party admin pages are covered too.
        from django.contrib import admin

        from .admin_audit import audit_every_admin

        audit_every_admin(admin.site)
