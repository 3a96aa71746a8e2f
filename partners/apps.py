from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = "Partners"

    def ready(self) -> None:
        from cluster_portal.accounts.personal_data import register as register_personal_data
        from cluster_portal.audit.descriptions import register as register_phrases
        from cluster_portal.core.my_portal import register as register_panels
        from cluster_portal.notifications.kinds import register

        from . import audit_phrases, notification_kinds
        from .my_portal import PANEL
        from .personal_data import PERSONAL_DATA

        register(*notification_kinds.ALL)
        register_phrases(audit_phrases.PHRASES)
        register_personal_data(self.label, PERSONAL_DATA)
        register_panels(PANEL)

        from . import dashboard, list_exports, reports

        reports.register()
        dashboard.register()
        list_exports.register()
