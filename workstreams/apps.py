from django.apps import AppConfig


class WorkstreamsConfig(AppConfig):
    name = "workstreams"
    verbose_name = "Programmes and workstreams"

    def ready(self) -> None:
        from cluster_portal.notifications.kinds import register

        from . import notification_kinds

        register(*notification_kinds.ALL)
