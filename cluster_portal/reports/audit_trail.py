"""The audit trail as a report (CSV): who changed what and when, narrowed by period, by whose
actions and by the kind of object. Staff read the trail (design rule 7)."""

import json

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import timezone

from cluster_portal.audit.models import AuditEvent

from .kinds import REGISTRY, ReportKind, ReportParameters, Table

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
    if parameters.programme or parameters.workstream:
        events = events.filter(_belonging_to_scope(parameters))
    if parameters.object_type:
        app_label, _, model = parameters.object_type.partition(".")
        kind = ContentType.objects.filter(app_label=app_label, model=model).first()
        events = events.filter(target_type=kind) if kind else events.none()
    return events


def _belonging_to_scope(parameters: ReportParameters) -> Q:
    """Events of the objects that belong to the programme or workstream named (each app says
    which of its objects do), as their target or as what they were recorded under."""
    belonging = Q(pk__in=[])
    for scope in REGISTRY.audit_scopes:
        for model, ids in scope(parameters):
            kind = ContentType.objects.get_for_model(model)
            belonging |= Q(target_type=kind, target_id__in=ids) | Q(scope_type=kind,
                                                                    scope_id__in=ids)
    return belonging


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
                "person, a kind of object, or what belongs to a programme or a workstream.",
    formats=("csv",), audience="staff", tables=tables,
    extra_parameters=("actor", "object_type"), order=90)

