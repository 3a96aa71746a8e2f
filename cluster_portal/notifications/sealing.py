"""Sealing the bodies of e-mails that carry a secret (an invitation link, a password-reset link,
a verification code), so the outbox keeps no usable secret in clear. Sealed bodies are erased
once the mail is sent, so the secret then exists only in the recipient's mailbox."""

from cluster_portal.core.encryption import DecryptionFailed, decrypt, encrypt

PURPOSE = "outgoing e-mail seal"


class SealBroken(Exception):
    """A body sealed with a key this server no longer has (SECRET_KEY changed), or altered."""


def seal(text: str) -> str:
    return encrypt(text, purpose=PURPOSE)


def unseal(sealed: str) -> str:
    try:
        return decrypt(sealed, purpose=PURPOSE)
    except DecryptionFailed as error:
        raise SealBroken("The sealed body cannot be opened with this server's keys.") from error
