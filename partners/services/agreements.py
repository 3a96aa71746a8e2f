"""Agreements (consortium agreement, NDA) between the programme and each organisation: the
programme office records them and attaches the agreement to sign, the organisation's admin
uploads the signed copy, and the office confirms it."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cluster_portal.accounts.roles import ProgrammeRole
from cluster_portal.accounts.selectors import staff_who_may_act
from cluster_portal.audit.services import audit_record
from cluster_portal.core.actors import is_system, person_of
from cluster_portal.core.exceptions import ApplicationError, Conflict, NotAllowed
from cluster_portal.core.transitions import decide, lock_for_decision
from cluster_portal.notifications.services import notify

from .. import notification_kinds as kinds
from ..models import Agreement, Organisation
from ..permissions import may_decide_organisations, may_sign_agreements
from ..selectors import organisation_admins
from ..validators import agreement_errors, validate_agreement_pdf


def _checked_pdf(upload, *, field: str):
    try:
        validate_agreement_pdf(upload)
    except ValidationError as error:
        raise ApplicationError(error.messages[0], fields={field: error.messages}) from error
    return upload


def _agreements_url(agreement: Agreement) -> str:
    return reverse("partners:agreements", kwargs={"slug": agreement.organisation.slug})


def _words(agreement: Agreement) -> dict:
    return {"organisation": agreement.organisation.name,
            "agreement": agreement.get_kind_display().lower()}


@transaction.atomic
def agreement_record(
    *, actor, organisation: Organisation, kind: str, status: str, signed_on=None,
    expires_on=None, reference: str = "", notes: str = "", agreement: Agreement | None = None,
    document=None,
) -> Agreement:
    """Record a new agreement, or update `agreement`, as the programme office knows it (any
    status: one signed on paper, a termination). `document` attaches the agreement to sign
    (a PDF); once the agreement is sent for signature with it, the organisation's admins are
    told. Programme admins only."""
    if not (is_system(actor) or may_decide_organisations(actor)):
        raise NotAllowed("Only programme admins manage agreements.")
    agreement = agreement or Agreement(organisation=organisation)
    before = {"status": agreement.status, "signed_on": agreement.signed_on,
              "expires_on": agreement.expires_on} if agreement.pk else {}
    was_ready = agreement.status == Agreement.Status.SENT and bool(agreement.document)
    agreement.kind, agreement.status = kind, status
    agreement.signed_on, agreement.expires_on = signed_on, expires_on
    agreement.reference, agreement.notes = reference.strip(), notes.strip()
    agreement.updated_by = person_of(actor)
    errors = agreement_errors(status=status, signed_on=signed_on, expires_on=expires_on)
    if errors:
        raise ApplicationError("The agreement's dates are not valid.", fields=errors)
    if document is not None:
        # Our name, not the uploaded one: a name such as "x.html" never decides how it is served.
        _checked_pdf(document, field="document").name = (
            f"{organisation.slug}-{kind}-to-sign.pdf")
        agreement.document = document
    try:
        agreement.full_clean()
    except ValidationError as error:
        raise ApplicationError("Some fields are not valid.", fields=error.message_dict) from error
    agreement.save()
    changes = {"before": before, "status": status, "signed_on": signed_on,
               "expires_on": expires_on}
    if document is not None:
        changes["document"] = "attached"
    audit_record(actor=actor, action="agreement.save", target=agreement, scope=organisation,
                 changes=changes)
    ready = agreement.status == Agreement.Status.SENT and bool(agreement.document)
    if ready and (not was_ready or document is not None):
        notify(
            recipients=organisation_admins(organisation=organisation),
            kind=kinds.AGREEMENT_SENT, actor=actor,
            message=f"The {agreement.get_kind_display().lower()} of {organisation.name} is "
                    "ready to sign: download it, and upload the signed copy as a PDF.",
            url=_agreements_url(agreement), context=_words(agreement),
        )
    return agreement


@transaction.atomic
def agreement_upload_signed_copy(*, actor, agreement: Agreement, upload) -> Agreement:
    """The organisation's admin uploads the signed copy of an agreement sent for signature (a
    PDF, at most 10 MB, kept private). A later upload replaces it until the programme office
    confirms it; the office is told each time."""
    if not may_sign_agreements(actor, agreement.organisation):
        raise NotAllowed("Only the organisation's admins upload its signed agreements.")
    _checked_pdf(upload, field="file")
    agreement = Agreement.objects.select_for_update(of=("self",)).select_related(
        "organisation").get(pk=agreement.pk)
    if agreement.status != Agreement.Status.SENT:
        raise Conflict(f"{agreement.decision_subject()} is "
                       f"{agreement.get_status_display().lower()}: only an agreement sent for "
                       "signature takes a signed copy.", code="not_sent")
    replaced = bool(agreement.signed_copy)
    upload.name = f"{agreement.organisation.slug}-{agreement.kind}-signed.pdf"
    agreement.signed_copy = upload
    agreement.signed_copy_uploaded_at = timezone.now()
    agreement.signed_copy_uploaded_by = person_of(actor)
    agreement.save(update_fields=["signed_copy", "signed_copy_uploaded_at",
                                  "signed_copy_uploaded_by", "updated_at"])
    audit_record(actor=actor, action="agreement.upload_signed_copy", target=agreement,
                 scope=agreement.organisation, changes={"replaced": replaced})
    notify(
        recipients=staff_who_may_act(role=ProgrammeRole.ADMIN),
        kind=kinds.AGREEMENT_SIGNED_COPY_RECEIVED, actor=actor,
        message=f"{agreement.organisation.name} uploaded its signed "
                f"{agreement.get_kind_display().lower()}: check it and confirm it.",
        url=_agreements_url(agreement), context=_words(agreement),
    )
    return agreement


@transaction.atomic
def agreement_confirm(*, actor, agreement: Agreement, signed_on, expires_on=None,
                      reason: str = "") -> Agreement:
    """The programme office confirms the signed copy: the agreement is signed on `signed_on`
    (and in force until `expires_on`, if it ends). Programme admins only; a second confirmation
    is told it was already signed (409)."""
    if not may_decide_organisations(actor):
        raise NotAllowed("Only programme admins confirm signed agreements.")
    agreement = lock_for_decision(Agreement, agreement, to=Agreement.Status.SIGNED,
                                  with_related=["organisation"])
    if not agreement.signed_copy:
        raise Conflict(f"{agreement.decision_subject()} has no signed copy yet: its admins "
                       "upload it first.", code="no_signed_copy")
    errors = agreement_errors(status=Agreement.Status.SIGNED, signed_on=signed_on,
                              expires_on=expires_on)
    if signed_on and signed_on > timezone.localdate():
        errors.setdefault("signed_on", "Enter the day it was signed: not a day to come.")
    if errors:
        raise ApplicationError(f"The agreement's dates are not valid: "
                               f"{' '.join(errors.values())}", fields=errors)
    agreement.signed_on, agreement.expires_on = signed_on, expires_on
    agreement.updated_by = person_of(actor)
    decide(agreement, to=Agreement.Status.SIGNED, actor=actor, reason=reason,
           also=["signed_on", "expires_on", "updated_by", "updated_at"])
    audit_record(actor=actor, action="agreement.confirm", target=agreement,
                 scope=agreement.organisation,
                 changes={"status": "signed", "signed_on": signed_on, "expires_on": expires_on,
                          "reason": agreement.decision_reason})
    notify(
        recipients=organisation_admins(organisation=agreement.organisation),
        kind=kinds.AGREEMENT_CONFIRMED, actor=actor,
        message=f"The programme office confirmed the signed "
                f"{agreement.get_kind_display().lower()} of {agreement.organisation.name}.",
        url=_agreements_url(agreement),
        context={**_words(agreement), "reason": agreement.decision_reason,
                 "ends_on": f"{expires_on:%d %B %Y}" if expires_on else ""},
    )
    return agreement
