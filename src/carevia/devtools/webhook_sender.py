"""Delivers signed events to the webhook and retries failures, as Stripe does.

`deliver` posts the bytes with the headers and answers the HTTP status; the app builds it
on its own ASGI app, so an event takes the same path as one from Stripe.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from carevia.domain.payments.events import encode_event, sign

logger = logging.getLogger("carevia.payments.webhooks")

Deliver = Callable[[bytes, dict[str, str]], Awaitable[int]]

# Stripe retries for days with growing gaps; a local run needs the same shape, only faster.
DEFAULT_RETRY_DELAYS: tuple[float, ...] = (0.5, 1, 2, 4, 8, 16)


class WebhookSender:
    def __init__(
        self,
        deliver: Deliver,
        secret: str,
        retry_delays: Sequence[float] = DEFAULT_RETRY_DELAYS,
    ) -> None:
        self._deliver = deliver
        self._secret = secret
        self._retry_delays = tuple(retry_delays)
        self._pending: set[asyncio.Task[None]] = set()

    @property
    def pending(self) -> int:
        return len(self._pending)

    async def send(self, event: dict[str, Any]) -> None:
        """Deliver until a 2xx answer, waiting the next delay after each failure."""
        payload = encode_event(event)
        label = f"{event.get('type')} {event.get('id')}"
        attempts = len(self._retry_delays) + 1
        for attempt, delay in enumerate((0.0, *self._retry_delays), start=1):
            if delay > 0:
                await asyncio.sleep(delay)
            # Stripe signs every attempt afresh, so a late retry is not refused as stale.
            headers = {
                "Stripe-Signature": sign(payload, self._secret),
                "Content-Type": "application/json",
            }
            try:
                status = await self._deliver(payload, headers)
            except Exception as exc:
                logger.warning(
                    "Webhook %s: attempt %d of %d failed: %r", label, attempt, attempts, exc
                )
                continue
            if 200 <= status < 300:
                logger.info("Webhook %s delivered (attempt %d, status %d)", label, attempt, status)
                return
            logger.warning(
                "Webhook %s: attempt %d of %d answered %d", label, attempt, attempts, status
            )
        logger.error("Webhook %s: giving up after %d attempts", label, attempts)

    def schedule(self, event: dict[str, Any]) -> asyncio.Task[None]:
        """Send in the background; the task is kept until done, so it is not collected."""
        # A fresh context: the delivery is not part of the request that caused it, and must
        # not inherit that request's database deadline.
        task = asyncio.create_task(
            self._send_logged(event),
            name=f"webhook {event.get('type')} {event.get('id')}",
            context=contextvars.Context(),
        )
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)
        return task

    # A deadline of its own, not asyncio.timeout: what is late must be cancelled and awaited.
    async def drain(self, timeout: float = 30.0) -> bool:  # noqa: ASYNC109
        """Wait for scheduled deliveries, including ones scheduled meanwhile.

        What is still running at the deadline is cancelled; False says that happened.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self._pending:
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            await asyncio.wait(set(self._pending), timeout=remaining)
        leftovers = set(self._pending)
        if not leftovers:
            return True
        for task in leftovers:
            task.cancel()
        await asyncio.gather(*leftovers, return_exceptions=True)
        logger.warning("Webhook sender: cancelled %d undelivered events", len(leftovers))
        return False

    async def _send_logged(self, event: dict[str, Any]) -> None:
        try:
            await self.send(event)
        except Exception:
            logger.exception("Webhook %s %s could not be sent", event.get("type"), event.get("id"))
