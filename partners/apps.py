from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = "Partners"

    def ready(self) -> None:
        from cluster_portal.notifications.kinds import register

        from . import notification_kinds

        register(*notification_kinds.ALL)
