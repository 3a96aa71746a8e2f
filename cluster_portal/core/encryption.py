"""Encryption of secrets the portal must keep readable: the sealed bodies of e-mails that carry
a one-time link, and the people's TOTP secrets and recovery-code seeds.

Fernet (authenticated encryption) with a key derived from SECRET_KEY by HKDF, one key per
purpose, so a value encrypted for one purpose never opens as another. SECRET_KEY_FALLBACKS
still open what was encrypted before a key rotation.
"""

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


class DecryptionFailed(Exception):
    """Encrypted with a key this server no longer has (SECRET_KEY changed), or altered."""


def _fernet(secret: str, purpose: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
               info=f"cluster-portal {purpose}".encode()).derive(secret.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def _keys(purpose: str) -> MultiFernet:
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet(secret, purpose) for secret in secrets])


def encrypt(text: str, *, purpose: str) -> str:
    return _keys(purpose).encrypt(text.encode()).decode() if text else ""


def decrypt(token: str, *, purpose: str) -> str:
    if not token:
        return ""
    try:
        return _keys(purpose).decrypt(token.encode()).decode()
    except InvalidToken as error:
        raise DecryptionFailed(f"Cannot decrypt this {purpose} with this server's keys.") from error
