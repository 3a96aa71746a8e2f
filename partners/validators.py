"""Checks on what people enter about an organisation (its name, single-line fields, description,
logo, its membership term, its agreements), shared by the forms, the API, the admin and the
services: each rule is written once, here."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from PIL import Image, UnidentifiedImageError

from cluster_portal.core.validators import (
    implausible_dates,
    single_line,
    validate_multiline_text,
    validate_single_line,
)

from .models import Agreement, Organisation

NAME_MIN_LENGTH = 2
DESCRIPTION_MAX_LENGTH = 5000
# Words that tell companies' legal forms apart, not the companies: dropped from the name key.
LEGAL_FORMS = frozenset({
    "pte", "ltd", "limited", "private", "pvt", "inc", "incorporated", "llc", "llp", "lp",
    "gmbh", "ag", "sa", "sas", "co", "corp", "corporation", "company", "plc", "bv", "nv",
    "kk", "sdn", "bhd", "the",
})
SINGLE_LINE_FIELDS = ("name", "uen", "website", "country")
# A letter as a regular expression says it, so the API's schema can say the same (Unicode
# letters, and the few number signs that are written like them, such as "²").
HAS_A_LETTER = re.compile(r"[^\W\d_]")


def organisation_name_key(name: str) -> str:
    """What two look-alike names share: "Helix Biologics Pte. Ltd." and "HELIX biologics" both
    give "helix biologics"."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", " ", plain.casefold().replace("&", " and ")).split()
    kept = [word for word in words if word not in LEGAL_FORMS]
    return " ".join(kept or words)[:200]


def organisation_fields_errors(fields: dict) -> dict[str, str]:
    """What is wrong with the organisation fields given (only those given are checked)."""
    errors = {}
    for name in SINGLE_LINE_FIELDS:
        try:
            validate_single_line(fields.get(name) or "")
        except ValidationError as error:
            errors[name] = error.messages[0]
    if "name" in fields and "name" not in errors:
        name = single_line(fields["name"])
        if len(name) < NAME_MIN_LENGTH:
            errors["name"] = "Enter the organisation's name as registered, such as Helix " \
                             "Biologics Pte Ltd."
        elif not HAS_A_LETTER.search(name):
            errors["name"] = "An organisation's name has letters, not only digits or signs."
    description = fields.get("description") or ""
    if len(description) > DESCRIPTION_MAX_LENGTH:
        errors["description"] = (f"Keep the description to {DESCRIPTION_MAX_LENGTH} characters; "
                                 f"it has {len(description)}.")
    else:
        try:
            validate_multiline_text(description)
        except ValidationError as error:
            errors["description"] = error.messages[0]
    return errors

MAX_LOGO_BYTES = 1024 * 1024
MAX_LOGO_PIXELS = 4000
LOGO_EXTENSIONS = {"PNG": "png", "JPEG": "jpg", "GIF": "gif", "WEBP": "webp"}
LOGO_FORMATS = set(LOGO_EXTENSIONS)


def validate_logo(upload) -> str:
    """A logo is a PNG, JPEG, GIF or WebP image of at most 1 MB and 4000 px a side. Returns the
    file extension of the format found in the bytes, whatever the uploaded name said."""
    if upload.size > MAX_LOGO_BYTES:
        raise ValidationError(
            f"The logo is {upload.size / 1024 / 1024:.1f} MB; the limit is 1 MB.", code="too_large"
        )
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image_format, (width, height) = image.format, image.size
            image.verify()
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError,
            ValueError) as error:  # a decompression bomb is refused like any non-image
        raise ValidationError(
            "The logo must be an image file (PNG, JPEG, GIF or WebP).", code="not_an_image"
        ) from error
    finally:
        upload.seek(0)
    if image_format not in LOGO_FORMATS:
        raise ValidationError(
            "The logo must be a PNG, JPEG, GIF or WebP image.", code="unsupported_format"
        )
    if width > MAX_LOGO_PIXELS or height > MAX_LOGO_PIXELS:
        raise ValidationError(
            f"The logo is {width} x {height} px; at most {MAX_LOGO_PIXELS} px a side.",
            code="too_big",
        )
    return LOGO_EXTENSIONS[image_format]


def tier_term_errors(*, tier: str, starts_on, ends_on, current_tier: str = "") -> dict[str, str]:
    """What is wrong with a programme membership term, field by field: the rule
    organisation_set_tier keeps, which the admin's form asks too so it can say so in place."""
    errors = dict(implausible_dates(tier_starts_on=starts_on, tier_ends_on=ends_on))
    if current_tier and not tier:
        errors["tier"] = "A tier can't be removed; end its term instead."
    elif tier and tier not in Organisation.Tier.values:
        errors["tier"] = f"Unknown tier “{tier}”."
    elif tier and not starts_on:
        errors["tier_starts_on"] = "Enter the date the tier's term starts."
    elif not tier and (starts_on or ends_on):
        errors["tier"] = "Choose the tier this term is for."
    if starts_on and ends_on and ends_on < starts_on and "tier_ends_on" not in errors:
        errors["tier_ends_on"] = "End the term after its start."
    return errors


def agreement_errors(*, status: str, signed_on, expires_on) -> dict[str, str]:
    """What is wrong with an agreement's dates, field by field (the rule of agreement_record,
    asked by the admin's form too)."""
    errors = dict(implausible_dates(signed_on=signed_on, expires_on=expires_on))
    if status == Agreement.Status.SIGNED and signed_on is None:
        errors.setdefault("signed_on", "Enter the date it was signed.")
    if signed_on and expires_on and expires_on < signed_on:
        errors.setdefault("expires_on", "Enter a date after the signing date.")
    return errors


MAX_AGREEMENT_BYTES = 10 * 1024 * 1024
PDF_SIGNATURE = b"%PDF-"


def validate_agreement_pdf(upload) -> None:
    """An agreement (to sign, or signed) is a PDF of at most 10 MB: its first bytes say so,
    whatever its name or the browser claimed, so nothing else is ever stored or served as one."""
    if not upload or not upload.size:
        raise ValidationError("Choose the PDF file; this one is empty.", code="empty")
    if upload.size > MAX_AGREEMENT_BYTES:
        raise ValidationError(
            f"The file is {upload.size / 1024 / 1024:.1f} MB; the limit is "
            f"{MAX_AGREEMENT_BYTES // 1024 // 1024} MB.", code="too_large")
    try:
        upload.seek(0)
        head = upload.read(len(PDF_SIGNATURE))
    finally:
        upload.seek(0)
    if head != PDF_SIGNATURE:
        raise ValidationError("Upload the agreement as a PDF file (scanned or signed "
                              "electronically).", code="not_a_pdf")


RENEWAL_MESSAGE_MAX_LENGTH = 2000


def renewal_message_errors(message: str) -> dict[str, str]:
    """What is wrong with the message of a request to renew (the form, the API and
    renewal_request_create ask it)."""
    if len(message or "") > RENEWAL_MESSAGE_MAX_LENGTH:
        return {"message": f"Keep the message to {RENEWAL_MESSAGE_MAX_LENGTH} characters; it "
                           f"has {len(message)}."}
    try:
        validate_multiline_text(message or "")
    except ValidationError as error:
        return {"message": error.messages[0]}
    return {}
