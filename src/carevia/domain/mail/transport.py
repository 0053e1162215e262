from __future__ import annotations

import logging
from email.message import EmailMessage
from typing import Protocol

import aiosmtplib

from carevia.settings import ConfigurationError, MailSettings, Settings

logger = logging.getLogger("carevia.mail")

SMTP_TIMEOUT_SECONDS = 10.0
IMPLICIT_TLS_PORT = 465


class MailTransport(Protocol):
    """Hands one finished message to the outside world; raising means "try again later"."""

    name: str

    async def send(self, message: EmailMessage) -> None: ...


class SmtpTransport:
    name = "smtp"

    def __init__(self, settings: MailSettings) -> None:
        if not settings.host:
            raise ConfigurationError("SMTP_HOST is needed to send mail over SMTP")
        self._settings = settings
        self._hostname = settings.host

    async def send(self, message: EmailMessage) -> None:
        settings = self._settings
        # Port 465 speaks TLS from the first byte; other ports may upgrade with STARTTLS.
        implicit_tls = settings.port == IMPLICIT_TLS_PORT
        await aiosmtplib.send(
            message,
            hostname=self._hostname,
            port=settings.port,
            username=settings.username,
            password=settings.password,
            use_tls=implicit_tls,
            start_tls=False if implicit_tls else settings.starttls,
            timeout=SMTP_TIMEOUT_SECONDS,
        )


class LogTransport:
    """Development without an SMTP server: log the message; the dev mailbox shows it."""

    name = "log"

    async def send(self, message: EmailMessage) -> None:
        # The Message-ID names the outbox entry; the address stays out of the log.
        logger.info("mail %s (%s) logged, not sent", message["Message-ID"], message["Subject"])


def transport_for(settings: Settings) -> MailTransport:
    if settings.mail.host:
        return SmtpTransport(settings.mail)
    if settings.is_production:
        raise ConfigurationError(
            "SMTP_HOST must be set in production: without it no email would reach anyone"
        )
    return LogTransport()
