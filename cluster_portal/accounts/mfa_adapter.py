"""allauth MFA hooks: the TOTP secret and the recovery-code seed are stored encrypted, and
programme staff keep their authenticator app while their role requires one."""

from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator

from cluster_portal.core.encryption import decrypt, encrypt

from .permissions import must_use_mfa

PURPOSE = "second factor secret"
# Marks a value encrypted by this adapter; values stored before it (plain) still read.
PREFIX = "enc1:"


class MFAAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "cannot_delete_authenticator": (
            "Programme staff keep their authenticator app: staff pages need it. To move it to "
            "a new phone, ask a programme admin to reset it; you then set it up again when "
            "you next open a staff page."
        ),
    }

    def encrypt(self, text: str) -> str:
        return PREFIX + encrypt(text, purpose=PURPOSE)

    def decrypt(self, encrypted_text: str) -> str:
        if encrypted_text.startswith(PREFIX):
            return decrypt(encrypted_text.removeprefix(PREFIX), purpose=PURPOSE)
        return encrypted_text

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """Staff may remove an authenticator only while another app remains."""
        if authenticator.type != Authenticator.Type.TOTP or not must_use_mfa(authenticator.user):
            return True
        return Authenticator.objects.filter(
            user=authenticator.user, type=Authenticator.Type.TOTP,
        ).exclude(pk=authenticator.pk).exists()
