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
from carevia.domain.mail.words import DEFAULT_MAIL_LANGUAGE, RecipientLanguages
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
    """Renders a templated email in its recipient's language and queues it in the outbox.

    A worker delivers it. The language is the recipient account's choice; someone without
    an account (an emergency contact) reads the language of the booking's patient, and
    someone with neither (a reset asked for an unknown address) the language of the page
    that asked.
    """

    def __init__(
        self,
        repository: OutboxRepository,
        renderer: MailRenderer,
        wake: Callable[[], None] | None = None,
        *,
        clock: Clock = utc_now,
        languages: RecipientLanguages | None = None,
    ) -> None:
        self._languages = languages
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
        language: str | None = None,
        **context: Any,
    ) -> bool:
        """Queue one email; False when the same `dedupe_key` was queued before.

        `due_at` holds it back until then (a reminder); `topic` lets `withdraw` take back
        what is still unsent about one thing; `language` overrides the recipient's own.
        """
        address = to.strip()
        if "@" not in address or any(c in address for c in "\r\n"):
            raise ValueError(f"not a usable email address: {to!r}")
        language = language or await self._language_for(address, context.get("booking"), session)
        rendered = self._renderer.render(template, language, **context)
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
                language=language,
            ),
            session=session,
        )
        if queued and session is None:
            self.wake()
        return queued

    async def _language_for(
        self, address: str, booking: Any, session: AsyncClientSession | None
    ) -> str:
        if self._languages is None:
            return self._renderer.current_language()
        own = await self._languages.language_of(email=address, session=session)
        if own is not None:
            return own
        patient_id = getattr(booking, "patient_id", None)
        if patient_id is not None:
            patients = await self._languages.language_of(user_id=patient_id, session=session)
            if patients is not None:
                return patients
        return self._renderer.current_language() or DEFAULT_MAIL_LANGUAGE

    async def withdraw(self, topic: str, session: AsyncClientSession | None = None) -> int:
        """Take back the unsent mail about `topic`; the number withdrawn."""
        return await self._repository.withdraw(topic, session)

    def wake(self) -> None:
        """Ask the worker to deliver now; call it after a transaction that queued mail commits."""
        if self._wake is not None:
            self._wake()
