"""Every change made in the admin reaches the portal's audit trail, whichever app's admin page
made it (ours, allauth's, Celery beat's): the admin's own log entries ("LogEntry") are also
recorded as audit events, with the changed fields' names but never their values."""

from django.contrib import admin

from cluster_portal.audit.services import audit_record


class AdminChangesAudited:
    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        audit_record(actor=request.user, action="admin.add", target=obj,
                     changes={"admin": message})
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        audit_record(actor=request.user, action="admin.change", target=obj,
                     changes={"admin": message})
        return entry

    def log_deletions(self, request, queryset):
        for obj in queryset:
            audit_record(actor=request.user, action="admin.delete", target=obj)
        return super().log_deletions(request, queryset)


def audit_every_admin(site: admin.AdminSite) -> None:
    """Give every registered model admin the audit, once the admin modules are all loaded."""
    for model, model_admin in list(site._registry.items()):
        if isinstance(model_admin, AdminChangesAudited):
            continue
        base = type(model_admin)
        audited = type(f"Audited{base.__name__}", (AdminChangesAudited, base),
                       {"__module__": base.__module__, "__doc__": base.__doc__})
        site._registry[model] = audited(model, site)
