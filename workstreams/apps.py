from django.apps import AppConfig


class WorkstreamsConfig(AppConfig):
    name = "workstreams"
    verbose_name = "Programmes and workstreams"

    def ready(self) -> None:
        from cluster_portal.audit.descriptions import register as register_phrases
        from cluster_portal.notifications.kinds import register
        from partners.participation import register as register_participation

        from . import audit_phrases, notification_kinds
        from .participation import PARTICIPATION

        register(*notification_kinds.ALL)
        register_phrases(audit_phrases.PHRASES)
        register_participation(PARTICIPATION)
