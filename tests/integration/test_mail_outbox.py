"""The mail outbox against the real database and a real SMTP server on loopback."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import AutoReconnect

from carevia.domain.mail import (
    INDEXES,
    LogTransport,
    Mailer,
    MailRenderer,
    MailWorker,
    OutboxMessage,
    OutboxRepository,
    SmtpTransport,
)
from carevia.embedded_db import free_loopback_port
from carevia.settings import MailSettings
from tests.support.mail import SMTPServer
from tests.support.query_plans import stages

SENDER = "Carevia <no-reply@carevia.test>"
START = datetime(2030, 5, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
async def outbox(database: AsyncDatabase[dict[str, Any]]) -> OutboxRepository:
    for collection, indexes in INDEXES.items():
        await database[collection].create_indexes(list(indexes))
    return OutboxRepository(database)


@pytest.fixture
def smtp(smtp_server: SMTPServer) -> SmtpTransport:
    return SmtpTransport(MailSettings(host="127.0.0.1", port=smtp_server.port, starttls=False))


def closed_port_transport() -> SmtpTransport:
    return SmtpTransport(MailSettings(host="127.0.0.1", port=free_loopback_port(), starttls=False))


async def queue_reset(mailer: Mailer, to: str, *, dedupe_key: str | None = None) -> bool:
    return await mailer.enqueue(
        to,
        "reset_password",
        dedupe_key=dedupe_key,
        first_name="Rina",
        link="https://carevia.test/reset?token=abc",
        expires_minutes=30,
    )


async def test_a_queued_email_arrives_with_text_and_html(
    outbox: OutboxRepository, smtp: SmtpTransport, smtp_server: SMTPServer
) -> None:
    woken: list[bool] = []
    mailer = Mailer(outbox, MailRenderer(), wake=lambda: woken.append(True))
    link = "https://carevia.test/verify?token=t0k&next=%22x%22"

    assert await mailer.enqueue(
        "rina@example.com",
        "verify_email",
        first_name="<script>alert(1)</script>",
        link=link,
        expires_hours=24,
    )
    assert woken == [True]
    assert await MailWorker(outbox, smtp, SENDER).run_once() == 1

    [received] = smtp_server.handler.to("rina@example.com")
    assert received["From"] == SENDER
    assert received["To"] == "rina@example.com"
    assert received["Subject"] == "Confirm your email address for Carevia"
    assert received.get_content_type() == "multipart/alternative"
    text = received.get_body(preferencelist=("plain",))
    html = received.get_body(preferencelist=("html",))
    assert text is not None
    assert html is not None
    assert link in text.get_content()
    assert "Hello <script>alert(1)</script>," in text.get_content()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html.get_content()
    assert "<script>" not in html.get_content()
    assert 'href="https://carevia.test/verify?token=t0k&amp;next=%22x%22"' in html.get_content()

    [stored] = await outbox.recent(10)
    assert (stored.status, stored.transport, stored.attempts) == ("sent", "smtp", 1)
    assert stored.sent_at is not None
    assert received["Message-ID"] == f"<{stored.id}@carevia.test>"


async def test_the_same_logical_email_is_queued_once(
    outbox: OutboxRepository, smtp: SmtpTransport, smtp_server: SMTPServer
) -> None:
    mailer = Mailer(outbox, MailRenderer())

    assert await queue_reset(mailer, "a@example.com", dedupe_key="reset:token-1")
    assert not await queue_reset(mailer, "a@example.com", dedupe_key="reset:token-1")
    assert await queue_reset(mailer, "a@example.com", dedupe_key="reset:token-2")
    # Messages without a key never collide with each other.
    assert await queue_reset(mailer, "a@example.com")
    assert await queue_reset(mailer, "a@example.com")

    assert await MailWorker(outbox, smtp, SENDER).run_once() == 4
    assert len(smtp_server.handler.to("a@example.com")) == 4


async def test_two_workers_deliver_each_message_exactly_once(
    outbox: OutboxRepository, smtp: SmtpTransport, smtp_server: SMTPServer
) -> None:
    mailer = Mailer(outbox, MailRenderer())
    recipients = [f"family{n}@example.com" for n in range(20)]
    for address in recipients:
        await queue_reset(mailer, address)

    first = MailWorker(outbox, smtp, SENDER, worker_id="worker-a")
    second = MailWorker(outbox, smtp, SENDER, worker_id="worker-b")
    sent = await asyncio.gather(first.run_once(), second.run_once())

    assert sum(sent) == 20
    assert sorted(str(m["To"]) for m in smtp_server.messages) == sorted(recipients)
    assert await outbox.count_by_status() == {"pending": 0, "sending": 0, "sent": 20, "failed": 0}


async def test_a_failing_server_means_backoff_then_failed(outbox: OutboxRepository) -> None:
    now = START
    worker = MailWorker(outbox, closed_port_transport(), SENDER, max_attempts=2, clock=lambda: now)
    await queue_reset(Mailer(outbox, MailRenderer(), clock=lambda: now), "b@example.com")

    assert await worker.run_once() == 0
    [message] = await outbox.recent(1)
    assert (message.status, message.attempts) == ("pending", 1)
    assert message.next_attempt_at == START + timedelta(seconds=60)
    assert message.claimed_by is None
    assert message.last_error and "SMTPConnect" in message.last_error

    assert await worker.run_once() == 0  # not due yet: nothing is tried
    assert (await outbox.recent(1))[0].attempts == 1

    now = START + timedelta(seconds=61)
    assert await worker.run_once() == 0
    [message] = await outbox.recent(1)
    assert (message.status, message.attempts) == ("failed", 2)


async def test_a_retried_email_goes_out_once_the_server_answers(
    outbox: OutboxRepository, smtp: SmtpTransport, smtp_server: SMTPServer
) -> None:
    now = START
    await queue_reset(Mailer(outbox, MailRenderer(), clock=lambda: now), "c@example.com")
    assert (
        await MailWorker(outbox, closed_port_transport(), SENDER, clock=lambda: now).run_once() == 0
    )

    now = START + timedelta(minutes=2)
    assert await MailWorker(outbox, smtp, SENDER, clock=lambda: now).run_once() == 1
    [message] = await outbox.recent(1)
    assert (message.status, message.attempts, message.last_error) == ("sent", 2, None)
    assert len(smtp_server.handler.to("c@example.com")) == 1


def claimed(to: str, worker_id: str, claimed_at: datetime) -> OutboxMessage:
    return OutboxMessage(
        to=to,
        subject="Reset your Carevia password",
        text="Hello",
        html="<p>Hello</p>",
        template="reset_password",
        status="sending",
        attempts=1,
        next_attempt_at=claimed_at,
        claimed_by=worker_id,
        claimed_at=claimed_at,
        created_at=claimed_at,
    )


async def test_a_claim_left_by_a_crashed_worker_is_taken_over(
    outbox: OutboxRepository, smtp: SmtpTransport, smtp_server: SMTPServer
) -> None:
    now = datetime.now(UTC)
    stale = claimed("stale@example.com", "crashed-worker", now - timedelta(minutes=10))
    busy = claimed("busy@example.com", "busy-worker", now - timedelta(minutes=1))
    await outbox.add(stale)
    await outbox.add(busy)

    worker = MailWorker(outbox, smtp, SENDER, worker_id="rescuer")
    assert await worker.run_once() == 1

    assert [str(m["To"]) for m in smtp_server.messages] == ["stale@example.com"]
    rescued = await outbox.get(stale.id)
    assert rescued is not None
    assert (rescued.status, rescued.attempts, rescued.claimed_by) == ("sent", 2, "rescuer")
    untouched = await outbox.get(busy.id)
    assert untouched is not None
    assert (untouched.status, untouched.claimed_by) == ("sending", "busy-worker")
    # The crashed worker no longer holds the claim, so it cannot overwrite the outcome.
    assert not await outbox.mark_failed(stale.id, "crashed-worker", "late")


async def test_without_smtp_the_email_is_logged_and_kept(
    outbox: OutboxRepository, caplog: pytest.LogCaptureFixture
) -> None:
    await queue_reset(Mailer(outbox, MailRenderer()), "d@example.com")
    with caplog.at_level(logging.INFO, logger="carevia.mail"):
        assert await MailWorker(outbox, LogTransport(), SENDER).run_once() == 1

    assert "Reset your Carevia password" in caplog.text
    assert "d@example.com" not in caplog.text  # the log names the message, not the person
    [message] = await outbox.recent(1)
    assert str(message.id) in caplog.text
    assert (message.status, message.transport) == ("sent", "log")
    assert "https://carevia.test/reset?token=abc" in message.text


async def eventually(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the condition did not become true in time")


class FlakyOutbox(OutboxRepository):
    """The real repository, except that the first claim meets a dropped connection."""

    failures = 1

    async def claim_next(self, *args: Any, **kwargs: Any) -> OutboxMessage | None:
        if self.failures:
            self.failures -= 1
            raise AutoReconnect("connection reset")
        return await super().claim_next(*args, **kwargs)


async def test_the_worker_loop_survives_errors_and_wakes_on_enqueue(
    database: AsyncDatabase[dict[str, Any]],
    outbox: OutboxRepository,
    smtp: SmtpTransport,
    smtp_server: SMTPServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    worker = MailWorker(FlakyOutbox(database), smtp, SENDER)
    stop = asyncio.Event()
    # With a one-minute poll, only the wake-up can explain a delivery within seconds.
    loop = asyncio.create_task(worker.run(stop, poll_interval=60))
    await eventually(lambda: "delivery round failed" in caplog.text)

    await queue_reset(Mailer(outbox, MailRenderer(), wake=worker.wake), "e@example.com")
    await eventually(lambda: bool(smtp_server.messages))
    stop.set()
    await asyncio.wait_for(loop, 5)
    assert len(smtp_server.handler.to("e@example.com")) == 1
    assert not loop.cancelled()


async def test_a_claim_reads_through_an_index_however_much_mail_was_sent(
    database: AsyncDatabase[dict[str, Any]], outbox: OutboxRepository
) -> None:
    now = datetime.now(UTC)
    sent = [
        {"to": f"p{n}@example.com", "status": "sent", "next_attempt_at": now, "created_at": now}
        for n in range(500)
    ]
    await database["mail_outbox"].insert_many(sent)
    for plan in await outbox.claim_plans(now, timedelta(minutes=5)):
        used = stages(plan["queryPlanner"]["winningPlan"])
        assert "IXSCAN" in used and "COLLSCAN" not in used, used
