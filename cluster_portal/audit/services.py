"""Recording audit events. Services call `audit_record` in the same transaction as the change,
so a change and its record commit or roll back together."""

import datetime
import json

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from .models import AuditEvent


class LocalTimeJSONEncoder(DjangoJSONEncoder):
    """Times in the changes read as the portal shows every time: in Singapore time."""

    def default(self, o):
        if isinstance(o, datetime.datetime) and timezone.is_aware(o):
            o = timezone.localtime(o)
        return super().default(o)


def audit_record(*, actor, action: str, target, changes: dict | None = None,
                 scope=None) -> AuditEvent:
    """`scope`: what the change belongs to when that is not `target` itself (the organisation
    of an invitation), so that it appears in that object's history too."""
    # Round-trip through the encoder so dates, decimals and UUIDs are stored as JSON.
    plain_changes = json.loads(json.dumps(changes or {}, cls=LocalTimeJSONEncoder))
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        target_type=ContentType.objects.get_for_model(target),
        target_id=target.pk,
        target_repr=str(target)[:300],
        scope_type=ContentType.objects.get_for_model(scope) if scope is not None else None,
        scope_id=scope.pk if scope is not None else None,
        changes=plain_changes,
    )
