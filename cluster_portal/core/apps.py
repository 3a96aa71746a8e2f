from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "cluster_portal.core"
    label = "core"
    verbose_name = "Portal core"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from .search import register_sqlite_functions

        connection_created.connect(register_sqlite_functions,
                                   dispatch_uid="core.search.register_sqlite_functions")

        # After django.contrib.admin loaded every app's admin module (it comes earlier in
        # INSTALLED_APPS), so third-party admin pages are covered too.
        from django.contrib import admin

        from .admin_audit import audit_every_admin

        audit_every_admin(admin.site)
