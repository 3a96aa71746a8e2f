from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "cluster_portal.audit"
    label = "audit"
    verbose_name = "Audit trail"
