"""Reading the audit trail: staff only (the callers check `may_act_as_staff`)."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet

from .models import AuditEvent


def audit_events_for(*, target) -> QuerySet[AuditEvent]:
    """`target`'s history: the changes made to it, and those recorded as belonging to it (an
    organisation's invitations, people, agreements and requests to join workstreams)."""
    content_type = ContentType.objects.get_for_model(target)
    return AuditEvent.objects.filter(
        Q(target_type=content_type, target_id=target.pk)
        | Q(scope_type=content_type, scope_id=target.pk)
    ).select_related("actor")
