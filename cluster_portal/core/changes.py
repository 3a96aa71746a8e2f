"""Changing the descriptive fields of a row through a service: only the fields the service
allows, validated, saved and audited with their before and after values."""

from cluster_portal.audit.services import audit_record

from .exceptions import ApplicationError


def save_changes(*, actor, instance, action: str, fields: dict, editable: set[str],
                 related: dict | None = None) -> dict:
    """Set `fields` on `instance`, validate, save what changed and audit it (before, after).
    Only the `editable` fields may be given: anything else is refused in words, not a 500.
    `related` is what the caller changed beside the row ({name: [before, after]} of its
    many-to-many sets), recorded in the same event, so one edit reads as one change.
    Returns {field: [before, after]} of what changed on the row."""
    refused = set(fields) - editable
    if refused:
        raise ApplicationError(f"These can't be changed here: {', '.join(sorted(refused))}.")
    changes = {name: [getattr(instance, name), value] for name, value in fields.items()
               if getattr(instance, name) != value}
    for name, (_, value) in changes.items():
        setattr(instance, name, value)
    if changes:
        instance.full_clean()
        instance.save(update_fields=list(changes))
    if changes or related:
        audit_record(actor=actor, action=action, target=instance,
                     changes={**{name: [str(before), str(after)]
                                 for name, (before, after) in changes.items()},
                              **(related or {})})
    return changes
