"""Checks on what people enter about an organisation (its name, UEN, country, website,
single-line fields, description, logo, its membership term, its agreements) and about the people
invited to it, shared by the forms, the API, the admin and the services: each rule is written
once, here."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django_countries import countries
from PIL import Image, UnidentifiedImageError

from cluster_portal.core.validators import (
    implausible_dates,
    single_line,
    validate_multiline_text,
    validate_single_line,
)

from .models import Agreement, Organisation

NAME_MIN_LENGTH = 2
# The description is shown whole on the profile and in the approvals queue: a few paragraphs.
DESCRIPTION_MAX_LENGTH = 2000
# What an address can be (RFC 5321's limit on a path): longer ones no mail server delivers.
EMAIL_MAX_LENGTH = 254
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


# --- UEN -------------------------------------------------------------------------------------

DIGIT, LETTER = "[0-9]", "[A-Za-z]"
# The forms of a Singapore UEN, one character class per character (spaces between them are
# ignored). The check letter's algorithm is not published, so its place is checked, not its
# value. A local company's number starts with its year of incorporation (18xx to 20xx).
SG_UEN_FORMS = (
    [DIGIT] * 8 + [LETTER],                                     # business: 53312345A
    ["1", "[89]"] + [DIGIT] * 7 + [LETTER],                      # local company: 189912345K
    ["2", "0"] + [DIGIT] * 7 + [LETTER],                         # local company: 202612345K
    ["[RSTrst]", DIGIT, DIGIT, LETTER, LETTER] + [DIGIT] * 4 + [LETTER],  # others: T09LL0001B
)
UEN_MAX_LENGTH = 20
# A registration number issued elsewhere: letters, digits and - / . (spaces ignored).
FOREIGN_FIRST, FOREIGN_REST = "[A-Za-z0-9]", "[A-Za-z0-9./-]"
# The same rules as regular expressions on the text as typed, for the API's schema, which can
# only say what a pattern says.
SG_UEN_PATTERN = "^ *(?:{}) *$".format("|".join(" *".join(form) for form in SG_UEN_FORMS))
FOREIGN_UEN_PATTERN = rf"^ *{FOREIGN_FIRST}(?: *{FOREIGN_REST}){{1,{UEN_MAX_LENGTH - 1}}} *$"
SG_UEN_HELP = ("the UEN as ACRA issued it: 8 digits and a letter (53312345A), the year and 5 "
               "digits and a letter (202612345K), or T, S or R, 2 digits, 2 letters, 4 digits and "
               "a letter (T09LL0001B)")
FOREIGN_UEN_HELP = (f"the registration number: 2 to {UEN_MAX_LENGTH} letters, digits, hyphens "
                    "(-), slashes (/) and full stops (.)")
UEN_HELP = (f"For an organisation registered in Singapore, {SG_UEN_HELP}. Elsewhere, "
            f"{FOREIGN_UEN_HELP}.")


def normalise_uen(uen: str) -> str:
    """The UEN as stored and compared: without spaces, in capitals ("2017 00001a" is
    "201700001A")."""
    return (uen or "").replace(" ", "").upper()


def uen_error(uen: str, country: str) -> str | None:
    """What is wrong with the UEN of an organisation registered in `country`, if anything."""
    compact = normalise_uen(uen)
    if (country or "").strip().upper() == "SG":
        if not any(re.fullmatch("".join(form), compact, flags=re.ASCII)
                   for form in SG_UEN_FORMS):
            return f"Enter {SG_UEN_HELP}."
    elif not re.fullmatch(f"{FOREIGN_FIRST}{FOREIGN_REST}{{1,{UEN_MAX_LENGTH - 1}}}", compact):
        return f"Enter {FOREIGN_UEN_HELP}."
    return None


# --- Country and website ------------------------------------------------------------------------

# ISO 3166-1 alpha-2, as the django-countries package keeps it current.
COUNTRY_CODES = tuple(code for code, _name in countries)


def country_error(country: str) -> str | None:
    if (country or "").strip().upper() not in COUNTRY_CODES:
        return (f"“{country}” is not a country code of ISO 3166. Choose the country, or give "
                "its two-letter code, such as SG.")
    return None


WEB_SCHEMES = ("http", "https")
validate_web_address = URLValidator(
    schemes=list(WEB_SCHEMES),
    message="Enter the address of a web page, starting with https:// or http://.",
)


def website_error(website: str) -> str | None:
    if not website:
        return None
    try:
        validate_web_address(website.strip())
    except ValidationError as error:
        return error.messages[0]
    return None


def email_length_error(email: str) -> str | None:
    if len(email or "") > EMAIL_MAX_LENGTH:
        return (f"An e-mail address has at most {EMAIL_MAX_LENGTH} characters; this one has "
                f"{len(email)}.")
    return None


# --- Names and the other fields -------------------------------------------------------------------


def organisation_name_key(name: str) -> str:
    """What two look-alike names share: "Helix Biologics Pte. Ltd." and "HELIX biologics" both
    give "helix biologics"."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", " ", plain.casefold().replace("&", " and ")).split()
    kept = [word for word in words if word not in LEGAL_FORMS]
    return " ".join(kept or words)[:200]


def organisation_fields_errors(fields: dict) -> dict[str, str]:
    """What is wrong with the organisation fields given (only those given are checked; a UEN
    against the country given, Singapore when none is)."""
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
    checks = {
        "country": lambda: country_error(fields["country"]),
        "uen": lambda: uen_error(fields["uen"], fields.get("country") or "SG"),
        "website": lambda: website_error(fields["website"]),
    }
    for name, check in checks.items():
        if name in fields and name not in errors:
            message = check()
            if message:
                errors[name] = message
    description = fields.get("description") or ""
    if len(description) > DESCRIPTION_MAX_LENGTH:
        errors["description"] = description_too_long(description)
    else:
        try:
            validate_multiline_text(description)
        except ValidationError as error:
            errors["description"] = error.messages[0]
    return errors


def description_too_long(description: str) -> str:
    return (f"Keep the description to {DESCRIPTION_MAX_LENGTH:,} characters; it has "
            f"{len(description):,}.")


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
