from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession

from carevia.domain.mail.models import OutboxMessage
from carevia.domain.mail.renderer import MailRenderer
from carevia.domain.mail.repository import OutboxRepository
from carevia.domain.shared.clock import Clock, utc_now


def compose_email(message: OutboxMessage, sender: str) -> EmailMessage:
    """The MIME message for an outbox entry: plain text with an HTML alternative."""
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.to
    email["Subject"] = message.subject
    email["Date"] = format_datetime(message.created_at)
    # A stable id per outbox entry, so a rare repeated delivery is recognisably the same mail.
    domain = parseaddr(sender)[1].rpartition("@")[2] or "carevia.local"
    email["Message-ID"] = f"<{message.id}@{domain}>"
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(message.text)
    email.add_alternative(message.html, subtype="html")
    return email


class Mailer:
    """Renders a templated email and queues it in the outbox; a worker delivers it."""

    def __init__(
        self,
        repository: OutboxRepository,
        renderer: MailRenderer,
        wake: Callable[[], None] | None = None,
        *,
        clock: Clock = utc_now,
    ) -> None:
        self._repository = repository
        self._renderer = renderer
        self._wake = wake
        self._clock = clock

    async def enqueue(
        self,
        to: str,
        template: str,
        /,
        *,
        dedupe_key: str | None = None,
        session: AsyncClientSession | None = None,
        due_at: datetime | None = None,
        topic: str | None = None,
        **context: Any,
    ) -> bool:
        """Queue one email; False when the same `dedupe_key` was queued before.

        `due_at` holds it back until then (a reminder); `topic` lets `withdraw` take back
        what is still unsent about one thing.
        """
        address = to.strip()
        if "@" not in address or any(c in address for c in "\r\n"):
            raise ValueError(f"not a usable email address: {to!r}")
        rendered = self._renderer.render(template, **context)
        now = self._clock()
        queued = await self._repository.add(
            OutboxMessage(
                to=address,
                subject=rendered.subject,
                text=rendered.text,
                html=rendered.html,
                template=template,
                next_attempt_at=max(due_at, now) if due_at is not None else now,
                created_at=now,
                dedupe_key=dedupe_key,
                topic=topic,
            ),
            session=session,
        )
        if queued and session is None:
            self.wake()
        return queued

    async def withdraw(self, topic: str, session: AsyncClientSession | None = None) -> int:
        """Take back the unsent mail about `topic`; the number withdrawn."""
        return await self._repository.withdraw(topic, session)

    def wake(self) -> None:
        """Ask the worker to deliver now; call it after a transaction that queued mail commits."""
        if self._wake is not None:
            self._wake()
