"""Sealing the bodies of e-mails that carry a secret (an invitation link, a password-reset link,
a verification code), so the outbox keeps no usable secret in clear.

The key is derived from SECRET_KEY (and its fallbacks, so a rotated key still opens mail sealed
before the rotation). Sealed bodies are erased once the mail is sent, so the secret then exists
only in the recipient's mailbox.
"""

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


class SealBroken(Exception):
    """A body sealed with a key this server no longer has (SECRET_KEY changed), or altered."""


def _fernet(secret: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
               info=b"cluster-portal outgoing e-mail seal").derive(secret.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def _keys() -> MultiFernet:
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet(secret) for secret in secrets])


def seal(text: str) -> str:
    return _keys().encrypt(text.encode()).decode() if text else ""


def unseal(sealed: str) -> str:
    if not sealed:
        return ""
    try:
        return _keys().decrypt(sealed.encode()).decode()
    except InvalidToken as error:
        raise SealBroken("The sealed body cannot be opened with this server's keys.") from error
