from django.apps import AppConfig


class TalentConfig(AppConfig):
    name = "talent"
    verbose_name = "Talent and training"

    def ready(self) -> None:
        from cluster_portal.audit.descriptions import register as register_phrases
        from cluster_portal.core.home_sections import register as register_home_sections
        from cluster_portal.core.my_portal import register as register_panels
        from cluster_portal.notifications.kinds import register
        from workstreams.calendars import register_feed_source
        from workstreams.page_sections import register as register_workstream_sections

        from . import (
            audit_phrases,
            calendar,
            home,
            my_portal,
            notification_kinds,
            workstream_page,
        )

        register(*notification_kinds.ALL)
        register_phrases(audit_phrases.PHRASES)
        register_home_sections(home.SECTION)
        register_panels(my_portal.PANEL)
        register_feed_source(calendar.FEED_SOURCE)
        register_workstream_sections(workstream_page.SECTION)

        from . import dashboard, list_exports, reports

        reports.register()
        dashboard.register()
        list_exports.register()
