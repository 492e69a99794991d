"""A local SMTP server (aiosmtpd, on a free localhost port) that keeps what ombud's delivery worker sends, so a
test can see what each customer's mailbox received, and how many times."""

from __future__ import annotations

import socket
import threading
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class MailSink:
    """Every message the SMTP server accepted, in order, with its envelope recipients."""

    def __init__(self) -> None:
        self.port = free_port()
        self.received: list[tuple[list[str], EmailMessage]] = []
        self._lock = threading.Lock()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = BytesParser(policy=policy.default).parsebytes(envelope.content)
        with self._lock:
            self.received.append((list(envelope.rcpt_tos), message))
        return "250 2.0.0 Message accepted for delivery"

    def start(self) -> MailSink:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def to(self, address: str, *, subject: str | None = None) -> list[EmailMessage]:
        """Every copy delivered to ``address`` (with this subject)."""
        with self._lock:
            return [
                message
                for recipients, message in self.received
                if address in recipients and subject in (None, str(message["Subject"]))
            ]

    def summary(self) -> str:
        with self._lock:
            return "; ".join(f"{recipients} «{message['Subject']}»" for recipients, message in self.received) or "none"


def body_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None, f"no text/plain part in the message «{message['Subject']}»"
    return str(part.get_content()).replace("\r\n", "\n").strip()
