from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "cluster_portal.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from . import checks, notification_kinds  # noqa: F401 (checks register themselves)
        from .kinds import register

        register(*notification_kinds.ALL)

        from cluster_portal.audit.descriptions import register as register_phrases

        register_phrases({"outgoing_email.resend": "sent an e-mail again",
                          "suppressed_address.lift": "let mail go to an address again"})
