from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "cluster_portal.reports"
    label = "reports"
    verbose_name = "Reports"

    def ready(self) -> None:
        from cluster_portal.audit.descriptions import register as register_phrases
        from cluster_portal.notifications.kinds import register

        from . import audit_trail, kinds, notification_kinds

        register(*notification_kinds.ALL)
        register_phrases({
            "report_job.request": "asked for a report",
            "report_job.download": "downloaded a report",
        })
        kinds.register(audit_trail.KIND, kinds.PROGRAMME_REPORT)
