"""A real SMTP server for tests (aiosmtpd, in a thread of the test process), told how to answer:
accept, refuse a recipient with a 5xx, refuse the next few messages with a 4xx, or stall a
message until the test lets it go. Only messages it answered 250 count as delivered."""

import asyncio
import email
import socket
import threading
import time
from email.message import Message

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class MailServer:
    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.delivered: list[Message] = []
        self.refused_recipients: dict[str, str] = {}  # address → the 5xx answer
        self.temporary_refusals = 0  # answer 451 to this many next messages
        self.stall_next = False  # hold the next message until released
        self.stalled = threading.Event()  # set once a message is being held
        self.release = threading.Event()
        self.attempts = 0  # messages offered (DATA), delivered or not
        self._controller: Controller | None = None

    # --- aiosmtpd handler hooks ---------------------------------------------------------------

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        answer = self.refused_recipients.get(address.lower())
        if answer:
            return answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.attempts += 1
        if self.temporary_refusals > 0:
            self.temporary_refusals -= 1
            return "451 4.3.0 Mail server busy, try again later"
        if self.stall_next:
            self.stall_next = False
            self.stalled.set()
            while not self.release.is_set():  # the sender may be killed meanwhile
                await asyncio.sleep(0.05)
            return "451 4.3.0 Aborted"
        message = email.message_from_bytes(envelope.content)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.delivered.append(message)
        return "250 2.0.0 Message accepted"

    # --- Control ------------------------------------------------------------------------------

    def start(self) -> "MailServer":
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self.release.set()
            self._controller.stop()
            self._controller = None

    def django_settings(self) -> dict:
        """Settings (or environment variables) that send the portal's mail here."""
        return {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": self.port, "EMAIL_USE_TLS": False,
                "EMAIL_HOST_USER": "", "EMAIL_HOST_PASSWORD": "", "EMAIL_TIMEOUT": 10}

    def delivered_to(self, address: str) -> list[Message]:
        return [m for m in self.delivered if address.lower() in m["X-Envelope-To"].lower()]

    def wait_for(self, count: int, timeout: float = 60) -> list[Message]:
        """Wait until at least `count` messages were delivered (or the time is up)."""
        deadline = time.monotonic() + timeout
        while len(self.delivered) < count and time.monotonic() < deadline:
            time.sleep(0.1)
        return list(self.delivered)


def text_part(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode()
    return ""


def html_part(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/html":
            return part.get_payload(decode=True).decode()
    return ""
