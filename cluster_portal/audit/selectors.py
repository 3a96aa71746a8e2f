"""Reading the audit trail: staff only (the callers check `may_act_as_staff`); and the mark of
the data's version that figures kept in the cache are filed under."""

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


def audit_latest_event_id() -> int:
    """The newest audit event's id (one look at the primary key's index). Every change to the
    programme's data is made by a service, and every service records it here (the admin's edits
    too), so a figure kept in the cache under an older id is out of date. It can miss a change
    whose event got a lower id because its transaction committed later: what is kept by it also
    keeps a short time limit."""
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
