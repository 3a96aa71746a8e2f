"""Recording audit events. Services call `audit_record` in the same transaction as the change,
so a change and its record commit or roll back together."""

import json

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder

from .models import AuditEvent


def audit_record(*, actor, action: str, target, changes: dict | None = None) -> AuditEvent:
    # Round-trip through Django's encoder so dates, decimals and UUIDs are stored as JSON.
    plain_changes = json.loads(json.dumps(changes or {}, cls=DjangoJSONEncoder))
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        target_type=ContentType.objects.get_for_model(target),
        target_id=target.pk,
        target_repr=str(target)[:300],
        changes=plain_changes,
    )
