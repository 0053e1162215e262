"""An SMTP server on loopback (aiosmtpd) that keeps what it receives for assertions."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from carevia.embedded_db import free_loopback_port


class MailboxHandler:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address.lower() in str(m["To"]).lower()]

    def not_to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address.lower() not in str(m["To"]).lower()]


class SMTPServer:
    def __init__(self) -> None:
        self.handler = MailboxHandler()
        self.port = free_loopback_port()
        self._controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    @property
    def messages(self) -> list[EmailMessage]:
        return self.handler.messages

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    @contextmanager
    def down(self) -> Iterator[None]:
        """The port refuses connections inside the block, and the server is back after it."""
        self.stop()
        try:
            yield
        finally:
            # A stopped controller's loop is closed; a new one serves the same port and inbox.
            self._controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
            self.start()


@pytest.fixture
def smtp_server() -> Iterator[SMTPServer]:
    server = SMTPServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
