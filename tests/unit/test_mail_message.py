"""The MIME message built from an outbox entry, the transport choice and the retry delays."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from carevia.domain.mail import (
    LogTransport,
    OutboxMessage,
    SmtpTransport,
    compose_email,
    retry_delay,
    transport_for,
)
from carevia.settings import ConfigurationError, MailSettings, Settings

NOW = datetime(2030, 5, 1, 9, 0, tzinfo=UTC)


def test_an_outbox_entry_becomes_text_with_an_html_alternative() -> None:
    message = OutboxMessage(
        to="rina@example.com",
        subject="Reset your Carevia password",
        text="Hello Rina,\n",
        html="<p>Hello Rina,</p>",
        template="reset_password",
        next_attempt_at=NOW,
        created_at=NOW,
    )

    email = compose_email(message, "Carevia <no-reply@carevia.example>")

    assert email["From"] == "Carevia <no-reply@carevia.example>"
    assert email["To"] == "rina@example.com"
    assert email["Subject"] == "Reset your Carevia password"
    assert email["Message-ID"] == f"<{message.id}@carevia.example>"
    assert email.get_content_type() == "multipart/alternative"
    parts = [part.get_content_type() for part in email.iter_parts()]
    assert parts == ["text/plain", "text/html"]


def test_smtp_is_used_when_a_host_is_configured() -> None:
    settings = Settings(mail=MailSettings(host="smtp.example.com"))
    assert isinstance(transport_for(settings), SmtpTransport)
    assert transport_for(settings).name == "smtp"


def test_development_without_smtp_logs_the_mail() -> None:
    assert isinstance(transport_for(Settings(env="development")), LogTransport)


def test_production_without_smtp_refuses_to_start() -> None:
    with pytest.raises(ConfigurationError, match="SMTP_HOST"):
        transport_for(Settings(env="production"))


@pytest.mark.parametrize(
    ("attempts", "delay"),
    [
        (1, timedelta(minutes=1)),
        (2, timedelta(minutes=2)),
        (5, timedelta(minutes=16)),
        (7, timedelta(hours=1)),
        (60, timedelta(hours=1)),
    ],
)
def test_retries_back_off_exponentially_up_to_an_hour(attempts: int, delay: timedelta) -> None:
    assert retry_delay(attempts) == delay
