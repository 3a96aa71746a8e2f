from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    # Named for what it holds, projects and the calls that start them: a "programmes" app beside
    # workstreams.Programme (PIPS and any later programme) would send readers to the wrong one.
    name = "projects"
    verbose_name = "Projects"

    def ready(self) -> None:
        from cluster_portal.audit.descriptions import register as register_phrases
        from cluster_portal.core.my_portal import register as register_panels
        from cluster_portal.notifications.kinds import register
        from workstreams.page_sections import register as register_workstream_sections

        from . import audit_phrases, my_portal, notification_kinds, workstream_page

        register(*notification_kinds.ALL)
        register_phrases(audit_phrases.PHRASES)
        register_panels(my_portal.PANEL)
        register_workstream_sections(workstream_page.SECTION)

        from . import dashboard, list_exports, reports

        reports.register()
        dashboard.register()
        list_exports.register()
