"""The portal's keys for signing Open Badges credentials: making the first, and rotating.

A key's private half is encrypted with cluster_portal.core.encryption (Fernet under a key that
HKDF derives from SECRET_KEY, one per purpose), rather than derived from SECRET_KEY itself: a
derived key would change whenever SECRET_KEY does and every credential signed before would
stop verifying, while a stored key keeps its public half published whatever happens to the
secret. SECRET_KEY_FALLBACKS still open a key encrypted before the secret was rotated; a key
that no longer opens at all is replaced by a fresh one (talent.credentials), and the
credentials it signed still verify, since verifying needs only the public half.
"""

import base64
import datetime
import secrets

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.db import IntegrityError, transaction
from django.utils import timezone

from cluster_portal.accounts.permissions import may_act_as_admin
from cluster_portal.audit.services import audit_record
from cluster_portal.core.actors import SYSTEM, is_system
from cluster_portal.core.encryption import encrypt
from cluster_portal.core.exceptions import NotAllowed

from ..models import CredentialSigningKey

KEY_PURPOSE = "open badges signing key"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _new_kid(today: datetime.date) -> str:
    # Dated, so a person reading the JWKS sees which key is which; the random part keeps two
    # rotations on one day apart.
    return f"{today:%Y-%m-%d}-{secrets.token_hex(4)}"


@transaction.atomic
def credential_signing_key_rotate(*, actor, reason: str = "") -> CredentialSigningKey:
    """Make a new key pair the one that signs; the previous key retires but stays published,
    so credentials it signed keep verifying. Programme admins (or the portal itself: the first
    key, a key that no longer decrypts, an operator's command)."""
    if not (is_system(actor) or may_act_as_admin(actor)):
        raise NotAllowed("Only programme admins rotate the credential signing key.")
    private = Ed25519PrivateKey.generate()
    public_raw = private.public_key().public_bytes(serialization.Encoding.Raw,
                                                   serialization.PublicFormat.Raw)
    private_pem = private.private_bytes(serialization.Encoding.PEM,
                                        serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption()).decode()
    now = timezone.now()
    # Lock the active row so two rotations at once retire it once and leave one active key.
    previous = list(CredentialSigningKey.objects.select_for_update()
                    .filter(is_active=True).values_list("kid", flat=True))
    CredentialSigningKey.objects.filter(is_active=True).update(is_active=False, retired_at=now)
    key = CredentialSigningKey.objects.create(
        kid=_new_kid(timezone.localdate()), public_key=b64url(public_raw),
        private_key_encrypted=encrypt(private_pem, purpose=KEY_PURPOSE), is_active=True)
    audit_record(actor=actor, action="credential_key.rotate", target=key,
                 changes={"retired": previous, "reason": reason})
    return key


def credential_signing_key_active() -> CredentialSigningKey:
    """The key that signs now, made on first use. Two first uses at once make one key: the
    database allows one active key, and the loser reads the winner's."""
    key = CredentialSigningKey.objects.filter(is_active=True).first()
    if key is not None:
        return key
    try:
        with transaction.atomic():
            return credential_signing_key_rotate(actor=SYSTEM, reason="The first key.")
    except IntegrityError:
        return CredentialSigningKey.objects.get(is_active=True)

