"""Open Badges 3.0: a certificate as a W3C Verifiable Credential of type OpenBadgeCredential,
signed with the portal's Ed25519 key as a VC-JWT, the published keys (JWKS), and the checks
that verify a credential someone pastes or posts.

The JWT follows Open Badges 3.0's "VC-JWT" proof format: the payload is the credential itself,
its members at the top level, with the registered claims iss (the issuer's id), jti (the
credential's id), nbf (validFrom) and, for a certificate that lapses, exp (validUntil); the
header names the algorithm (EdDSA) and the key (kid) among those published at
/.well-known/jwks.json. A credential is signed when it is downloaded, with the key active then;
old keys stay published, so every credential ever downloaded keeps verifying.

Verification trusts the signature for what the credential says, and the database for what may
have changed since: a certificate revoked or expired after the download is reported so.
"""

import base64
import datetime
import hashlib
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone

from cluster_portal.core.actors import SYSTEM
from cluster_portal.core.encryption import DecryptionFailed, decrypt
from cluster_portal.core.exceptions import ApplicationError
from cluster_portal.core.links import portal_url

from .certificate_selectors import (
    PublicCertificate,
    certificate_get_public,
    certificate_public,
    certificate_skills,
)
from .models import Certificate, CredentialSigningKey
from .services.credential_keys import (
    KEY_PURPOSE,
    credential_signing_key_active,
    credential_signing_key_rotate,
)

ALGORITHM = "EdDSA"
CONTEXT = ["https://www.w3.org/ns/credentials/v2",
           "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
SKILLS_FRAMEWORK = "Biopharmaceutical manufacturing skills framework"


class InvalidCredential(ApplicationError):
    """What was given is not a credential this portal signed as it stands: not a JWT, signed by
    a key the portal never published, altered after signing, or issued by someone else."""

    code = "invalid_credential"


def issuer_id() -> str:
    return portal_url("/")


def issuer_profile() -> dict:
    return {"id": issuer_id(), "type": ["Profile"], "name": settings.PORTAL_NAME,
            "url": portal_url("/")}


def credential_id(certificate: Certificate) -> str:
    """The credential's id is the certificate's public verification page."""
    return portal_url(reverse("talent:certificate", kwargs={"serial": certificate.serial}))


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _iso(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _recipient(certificate: Certificate) -> list[dict]:
    """Who it was issued to: their name as printed, and their e-mail address hashed with a
    salt, so that someone who knows the address can match it and nobody else can read it."""
    salt = secrets.token_hex(8)
    digest = hashlib.sha256((certificate.person.email.lower() + salt).encode()).hexdigest()
    return [
        {"type": "IdentityObject", "identityType": "emailAddress", "hashed": True,
         "identityHash": f"sha256${digest}", "salt": salt},
        {"type": "IdentityObject", "identityType": "name", "hashed": False,
         "identityHash": certificate.person.full_name},
    ]


def _alignments(certificate: Certificate) -> list[dict]:
    return [{
        "type": ["Alignment"], "targetType": "ceasn:Competency",
        "targetName": skill.name, "targetCode": skill.code,
        "targetDescription": f"Level {skill.level_label}",
        "targetFramework": SKILLS_FRAMEWORK,
        "targetUrl": portal_url(reverse("talent:catalogue") + f"?skill={skill.code}"),
    } for skill in certificate_skills(certificate)]


def _achievement(certificate: Certificate, facts: PublicCertificate) -> dict:
    if facts.is_path:
        path = certificate.learning_path
        achievement = {
            "id": portal_url(reverse("talent:catalogue")) + f"#path-{path.slug}",
            "achievementType": "LearningProgram", "name": path.name,
            "description": path.summary or f"The learning path {path.name}.",
            "criteria": {"narrative": "Complete every course of the path: "
                                      + "; ".join(facts.courses) + "."},
        }
    else:
        run = certificate.enrolment.run
        course = run.course
        threshold = run.attendance_threshold or 100
        achievement = {
            "id": portal_url(course.get_absolute_url()), "achievementType": "Course",
            "humanCode": course.code, "name": course.title, "description": course.summary,
            "criteria": {"narrative": f"Attend at least {threshold}% of the sessions of a run "
                                      f"of {course.code} {course.title} ({course.hours} hours)."},
        }
    return {"type": ["Achievement"], **achievement, "alignment": _alignments(certificate),
            "creator": issuer_profile()}


def credential_of(certificate: Certificate) -> dict:
    """The certificate as an OpenBadgeCredential (unsigned)."""
    facts = certificate_public(certificate)
    valid_from = _start_of(certificate.issued_on)
    subject = {"type": ["AchievementSubject"], "identifier": _recipient(certificate),
               "achievement": _achievement(certificate, facts)}
    if facts.starts_on:
        subject["activityStartDate"] = _iso(_start_of(facts.starts_on))
        subject["activityEndDate"] = _iso(_start_of(facts.ends_on + datetime.timedelta(days=1)))
    credential = {
        "@context": CONTEXT, "id": credential_id(certificate),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": issuer_profile(), "name": facts.title, "validFrom": _iso(valid_from),
        "credentialSubject": subject,
    }
    if certificate.expires_on:
        # Valid through its expiry date, in the portal's time zone.
        credential["validUntil"] = _iso(_start_of(certificate.expires_on
                                                  + datetime.timedelta(days=1)))
    return credential


def _private_key(key: CredentialSigningKey):
    return serialization.load_pem_private_key(
        decrypt(key.private_key_encrypted, purpose=KEY_PURPOSE).encode(), password=None)


def credential_sign(certificate: Certificate) -> str:
    """The certificate's credential as a VC-JWT, signed with the active key. A key that no
    longer decrypts (SECRET_KEY replaced without keeping the old one as a fallback) is retired
    for a new one; what it signed still verifies against its published public half."""
    credential = credential_of(certificate)
    claims = {**credential, "iss": credential["issuer"]["id"], "jti": credential["id"],
              "nbf": int(datetime.datetime.fromisoformat(credential["validFrom"]).timestamp())}
    if "validUntil" in credential:
        claims["exp"] = int(datetime.datetime.fromisoformat(
            credential["validUntil"]).timestamp())
    key = credential_signing_key_active()
    try:
        private = _private_key(key)
    except DecryptionFailed:
        key = credential_signing_key_rotate(
            actor=SYSTEM, reason=f"Key {key.kid} no longer decrypts with this server's keys.")
        private = _private_key(key)
    return jwt.encode(claims, private, algorithm=ALGORITHM,
                      headers={"kid": key.kid, "typ": "JWT"})


def jwks() -> dict:
    """Every key the portal has signed with, active or retired: the JSON Web Key Set."""
    return {"keys": [
        {"kty": "OKP", "crv": "Ed25519", "x": key.public_key, "kid": key.kid, "use": "sig",
         "alg": ALGORITHM}
        for key in CredentialSigningKey.objects.order_by("-created_at", "-pk")
    ]}


def _public_key(key: CredentialSigningKey) -> Ed25519PublicKey:
    raw = base64.urlsafe_b64decode(key.public_key + "=" * (-len(key.public_key) % 4))
    return Ed25519PublicKey.from_public_bytes(raw)


def _serial_of(credential_url: str) -> str:
    if not credential_url.startswith(portal_url("/")):
        return ""
    try:
        match = resolve(urlsplit(credential_url).path)
    except Resolver404:
        return ""
    return match.kwargs.get("serial", "") if match.view_name == "talent:certificate" else ""


@dataclass(frozen=True)
class CredentialCheck:
    """A credential whose signature holds, and where its certificate stands now."""

    certificate: Certificate
    public: PublicCertificate
    kid: str


def credential_verify(token: str) -> CredentialCheck:
    """Check a VC-JWT: signed by a key this portal published, not altered since, issued by this
    portal, for a certificate it holds. Raises InvalidCredential saying which check failed;
    a revoked or expired certificate is a valid credential whose standing says so."""
    token = "".join((token or "").split())
    if not token:
        raise InvalidCredential("Paste the credential: the long text that starts with eyJ.",
                                fields={"credential": "Required."})
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as error:
        raise InvalidCredential(
            "This is not an Open Badges credential in the form the portal issues (a JWT of "
            "three parts separated by dots). Check that it was copied whole.",
            fields={"credential": "Not a JWT."}) from error
    if header.get("alg") != ALGORITHM:
        raise InvalidCredential("This credential is not signed as the portal signs (EdDSA), so "
                                "the portal did not issue it.",
                                fields={"credential": "Not signed by this portal."})
    key = CredentialSigningKey.objects.filter(kid=str(header.get("kid", ""))[:40]).first()
    if key is None:
        raise InvalidCredential("This credential names a signing key the portal never "
                                "published, so the portal did not issue it.",
                                fields={"credential": "Unknown signing key."})
    try:
        # Expiry is the certificate's standing, read from the database below, not a reason
        # to refuse the credential.
        claims = jwt.decode(token, _public_key(key), algorithms=[ALGORITHM],
                            issuer=issuer_id(), options={"verify_exp": False,
                                                         "require": ["iss", "jti", "nbf"]},
                            leeway=datetime.timedelta(days=1))
    except jwt.InvalidSignatureError as error:
        raise InvalidCredential(
            "The credential's signature does not match its content: it was changed after the "
            "portal signed it. Ask its holder for the file the portal gave them.",
            fields={"credential": "The signature does not match."}) from error
    except jwt.InvalidIssuerError as error:
        raise InvalidCredential("This credential names another issuer than this portal.",
                                fields={"credential": "Another issuer."}) from error
    except jwt.PyJWTError as error:
        raise InvalidCredential(f"This credential can't be verified: {error}.",
                                fields={"credential": str(error)}) from error
    serial = _serial_of(str(claims.get("jti", "")))
    certificate = certificate_get_public(serial=serial) if serial else None
    if certificate is None or claims.get("id") != claims.get("jti"):
        raise InvalidCredential("The signature holds, but the credential names no certificate "
                                "this portal holds.",
                                fields={"credential": "No such certificate."})
    return CredentialCheck(certificate=certificate, public=certificate_public(certificate),
                           kid=key.kid)
