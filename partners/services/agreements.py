"""Agreements (consortium agreement, NDA) that the programme office records per organisation."""

from django.core.exceptions import ValidationError
from django.db import transaction

from cluster_portal.audit.services import audit_record
from cluster_portal.core.actors import is_system, person_of
from cluster_portal.core.exceptions import ApplicationError, NotAllowed

from ..models import Agreement, Organisation
from ..permissions import may_decide_organisations
from ..validators import agreement_errors


@transaction.atomic
def agreement_record(
    *, actor, organisation: Organisation, kind: str, status: str, signed_on=None,
    expires_on=None, reference: str = "", notes: str = "", agreement: Agreement | None = None,
) -> Agreement:
    """Record a new agreement, or update `agreement`. Programme admins only."""
    if not (is_system(actor) or may_decide_organisations(actor)):
        raise NotAllowed("Only programme admins manage agreements.")
    agreement = agreement or Agreement(organisation=organisation)
    before = {"status": agreement.status, "signed_on": agreement.signed_on,
              "expires_on": agreement.expires_on} if agreement.pk else {}
    agreement.kind, agreement.status = kind, status
    agreement.signed_on, agreement.expires_on = signed_on, expires_on
    agreement.reference, agreement.notes = reference.strip(), notes.strip()
    agreement.updated_by = person_of(actor)
    errors = agreement_errors(status=status, signed_on=signed_on, expires_on=expires_on)
    if errors:
        raise ApplicationError("The agreement's dates are not valid.", fields=errors)
    try:
        agreement.full_clean()
    except ValidationError as error:
        raise ApplicationError("Some fields are not valid.", fields=error.message_dict) from error
    agreement.save()
    audit_record(actor=actor, action="agreement.save", target=agreement, scope=organisation,
                 changes={"before": before, "status": status, "signed_on": signed_on,
                          "expires_on": expires_on})
    return agreement
