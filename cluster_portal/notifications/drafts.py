"""An e-mail as a service composes it, before it is a row of the outbox."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class EmailDraft:
    to: str
    subject: str
    body_text: str
    body_html: str = ""
    kind: str = ""
    recipient: object = None
    reply_to: str = ""
    headers: dict = field(default_factory=dict)
    # Carries a secret (a one-time link or code): stored encrypted and erased once sent.
    sealed: bool = False
