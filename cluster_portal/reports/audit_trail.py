"""The audit trail as a report (CSV): who changed what and when, narrowed by period, by whose
actions and by the kind of object. Staff read the trail (design rule 7)."""

import json

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from cluster_portal.audit.models import AuditEvent

from .kinds import ReportKind, ReportParameters, Table

HEADER = ("when", "who", "action", "object type", "object", "object id", "changes")


def _events(parameters: ReportParameters):
    events = AuditEvent.objects.select_related("actor", "target_type").order_by("created_at",
                                                                              "pk")
    if parameters.date_from:
        events = events.filter(created_at__date__gte=parameters.date_from)
    if parameters.date_to:
        events = events.filter(created_at__date__lte=parameters.date_to)
    if parameters.actor:
        events = events.filter(actor__email__iexact=parameters.actor)
    if parameters.object_type:
        app_label, _, model = parameters.object_type.partition(".")
        kind = ContentType.objects.filter(app_label=app_label, model=model).first()
        events = events.filter(target_type=kind) if kind else events.none()
    return events


def _rows(events):
    for event in events.iterator(chunk_size=2000):
        yield (timezone.localtime(event.created_at).replace(tzinfo=None, microsecond=0),
               event.actor.email if event.actor else "the portal", event.action,
               f"{event.target_type.app_label}.{event.target_type.model}", event.target_repr,
               event.target_id, json.dumps(event.changes, ensure_ascii=False, sort_keys=True))


def tables(actor, parameters: ReportParameters):
    events = _events(parameters)
    yield Table(title="Audit trail", header=HEADER, rows=_rows(events), count=events.count())


KIND = ReportKind(
    key="audit_trail", label="Audit trail",
    description="Every recorded change: when, who, what and to which object, for a period, a "
                "person or a kind of object.",
    formats=("csv",), audience="staff", tables=tables,
    extra_parameters=("actor", "object_type"), order=90)

