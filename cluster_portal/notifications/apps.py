from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "cluster_portal.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from . import checks, notification_kinds  # noqa: F401 (checks register themselves)
        from .kinds import register

        register(*notification_kinds.ALL)
