from django.apps import AppConfig


class WorkstreamsConfig(AppConfig):
    name = "workstreams"
    verbose_name = "Programmes and workstreams"

    def ready(self) -> None:
        from cluster_portal.accounts.personal_data import register as register_personal_data
        from cluster_portal.audit.descriptions import register as register_phrases
        from cluster_portal.core.my_portal import register as register_panels
        from cluster_portal.notifications.kinds import register
        from partners.participation import register as register_participation

        from . import audit_phrases, notification_kinds
        from .my_portal import PANEL
        from .participation import PARTICIPATION
        from .personal_data import PERSONAL_DATA

        register(*notification_kinds.ALL)
        register_phrases(audit_phrases.PHRASES)
        register_participation(PARTICIPATION)
        register_personal_data(self.label, PERSONAL_DATA)
        register_panels(PANEL)

        from . import dashboard, list_exports, reports

        reports.register()
        dashboard.register()
        list_exports.register()
