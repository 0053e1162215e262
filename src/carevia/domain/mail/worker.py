from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from datetime import timedelta

from carevia.domain.mail.models import OutboxMessage
from carevia.domain.mail.repository import OutboxRepository
from carevia.domain.mail.service import compose_email
from carevia.domain.mail.transport import MailTransport
from carevia.domain.shared.clock import Clock, utc_now

logger = logging.getLogger("carevia.mail")

FIRST_RETRY_DELAY = timedelta(seconds=30)
MAX_RETRY_DELAY = timedelta(hours=1)
MAX_ERROR_LENGTH = 500


def retry_delay(attempts: int) -> timedelta:
    """30 s doubled per attempt made, never more than an hour."""
    factor: int = 2 ** min(attempts, 16)
    return min(FIRST_RETRY_DELAY * factor, MAX_RETRY_DELAY)


def _describe(error: Exception) -> str:
    text = f"{type(error).__name__}: {error}"
    return text[:MAX_ERROR_LENGTH]


class MailWorker:
    """Delivers the outbox; its logs name a message by id, never by recipient.

    Several may run at once: a conditional claim gives each message to one worker, and a
    claim left by a crashed worker expires after `stale_after`.
    """

    def __init__(
        self,
        repository: OutboxRepository,
        transport: MailTransport,
        sender: str,
        *,
        worker_id: str | None = None,
        max_attempts: int = 6,
        stale_after: timedelta = timedelta(minutes=5),
        clock: Clock = utc_now,
    ) -> None:
        self._repository = repository
        self._transport = transport
        self._sender = sender
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._max_attempts = max_attempts
        self._stale_after = stale_after
        self._clock = clock
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Ask the running loop to look at the outbox now rather than at the next poll."""
        self._wake.set()

    async def run_once(self) -> int:
        """Deliver every message that is due; the number delivered."""
        delivered = 0
        while True:
            message = await self._repository.claim_next(
                self.worker_id, self._clock(), self._stale_after
            )
            if message is None:
                return delivered
            if await self._deliver(message):
                delivered += 1

    async def run(self, stop: asyncio.Event, poll_interval: float = 2.0) -> None:
        """Deliver until `stop` is set, waking early when `wake()` is called."""
        logger.info("mail worker %s started (%s)", self.worker_id, self._transport.name)
        while not stop.is_set():
            self._wake.clear()
            try:
                await self.run_once()
            except Exception:
                # The database may be briefly away; the next round tries again.
                logger.exception("mail worker %s: delivery round failed", self.worker_id)
                self._wake.clear()
            await self._sleep(stop, poll_interval)
        logger.info("mail worker %s stopped", self.worker_id)

    async def _sleep(self, stop: asyncio.Event, seconds: float) -> None:
        waiters = {asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._wake.wait())}
        try:
            await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()

    async def _deliver(self, message: OutboxMessage) -> bool:
        if message.attempts > self._max_attempts:
            # Only a worker that died mid-send, again and again, gets here.
            await self._repository.mark_failed(
                message.id, self.worker_id, message.last_error or "delivery kept being interrupted"
            )
            logger.error("mail %s abandoned after %d attempts", message.id, message.attempts)
            return False
        try:
            await self._transport.send(compose_email(message, self._sender))
        except Exception as error:
            await self._record_failure(message, error)
            return False
        if not await self._repository.mark_sent(
            message.id, self.worker_id, self._transport.name, self._clock()
        ):
            logger.warning(
                "mail %s was delivered after its claim by %s had expired; it may arrive twice",
                message.id,
                self.worker_id,
            )
        return True

    async def _record_failure(self, message: OutboxMessage, error: Exception) -> None:
        reason = _describe(error)
        if message.attempts >= self._max_attempts:
            await self._repository.mark_failed(message.id, self.worker_id, reason)
            logger.error(
                "mail %s failed for good after %d attempts: %s",
                message.id,
                message.attempts,
                reason,
            )
            return
        retry_at = self._clock() + retry_delay(message.attempts)
        await self._repository.mark_retry(message.id, self.worker_id, reason, retry_at)
        logger.warning(
            "mail %s failed (attempt %d of %d), retrying at %s: %s",
            message.id,
            message.attempts,
            self._max_attempts,
            retry_at.isoformat(timespec="seconds"),
            reason,
        )
