"""What an error from sending an e-mail means for it: try again later, or give up; and whether
the address itself is dead, so that no more mail should go to it.

Only a mailbox answer (5.1.x: no such user or domain, 5.2.1: mailbox disabled, or a bare
550/551/553 without an enhanced code) marks the address dead. A 5.7.x answer is policy: relay
denied, authentication required, a sender not allowed. That is the portal's mail server
refusing the portal, not the recipient's mailbox being gone, so it is tried again with the
backoff and never suppresses anyone: one misconfigured relay must not silence every person.
"""

import logging
import re
import smtplib
from dataclasses import dataclass

from .sealing import SealBroken

logger = logging.getLogger(__name__)

ENHANCED_CODE = re.compile(r"^\s*([245])\.(\d{1,3})\.(\d{1,3})\b")
MAILBOX_GONE_CODES = {550, 551, 553}


@dataclass(frozen=True)
class SendFailure:
    text: str
    permanent: bool
    address_refused: bool = False


def _reply_text(code: int, reply) -> str:
    reply = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
    return f"{code} {reply}".strip()


def _enhanced(reply) -> tuple[int, int, int] | None:
    text = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
    match = ENHANCED_CODE.match(text)
    return tuple(int(part) for part in match.groups()) if match else None


def _is_policy(reply) -> bool:
    enhanced = _enhanced(reply)
    return enhanced is not None and enhanced[1] == 7


def _mailbox_gone(code: int, reply) -> bool:
    enhanced = _enhanced(reply)
    if enhanced is not None:
        return enhanced[0] == 5 and (enhanced[1] == 1 or enhanced[1:] == (2, 1))
    return code in MAILBOX_GONE_CODES


def send_failure_of(error: Exception) -> SendFailure:
    """Whether trying again later could help, and whether the recipient's mailbox is gone."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, reply = next(iter(error.recipients.values()))
        gone = code >= 500 and _mailbox_gone(code, reply)
        permanent = gone or (code >= 500 and not _is_policy(reply))
        return SendFailure(_reply_text(code, reply), permanent, address_refused=gone)
    if isinstance(error, smtplib.SMTPSenderRefused):  # our sender address: configuration
        return SendFailure(_reply_text(error.smtp_code, error.smtp_error), permanent=False)
    if isinstance(error, smtplib.SMTPDataError):
        permanent = error.smtp_code >= 500 and not _is_policy(error.smtp_error)
        return SendFailure(_reply_text(error.smtp_code, error.smtp_error), permanent)
    if isinstance(error, smtplib.SMTPResponseException):  # greeting, HELO, login
        return SendFailure(_reply_text(error.smtp_code, error.smtp_error), permanent=False)
    if isinstance(error, SealBroken):
        return SendFailure(str(error), permanent=True)
    if isinstance(error, OSError):  # refused or lost connection, timeout, unknown host
        return SendFailure(f"{type(error).__name__}: {error}".strip(": "), permanent=False)
    logger.error("Unexpected error while sending an e-mail", exc_info=error)
    return SendFailure(f"{type(error).__name__}: {error}", permanent=False)
