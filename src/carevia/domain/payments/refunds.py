"""The refund queue: requested refunds sent to the payment gateway, one outcome each.

Requests are written by `Settlement` in the transaction of the change that owes them; this
sends them afterwards, outside any transaction, so a slow or failing gateway never holds one
open. Each refund ends `succeeded` or `failed`: a refusal fails it at once, a transient error
is tried again later (a minute, then twice as long each time) until the attempts run out.
Idempotency keys make a repeated send of the same request safe.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from carevia.domain.payments.gateway import GatewayError, PaymentGateway
from carevia.domain.payments.models import Refund
from carevia.domain.payments.repository import PaymentRepository
from carevia.domain.payments.settlement import Settlement
from carevia.domain.shared.clock import Clock

logger = logging.getLogger("carevia.payments")
# A refund meeting only transient errors is tried this many times, then fails for good.
MAX_REFUND_ATTEMPTS = 6
FIRST_RETRY_DELAY = timedelta(minutes=1)
# Longer than any gateway call takes; a worker that dies leaves its claim to run out.
CLAIM_LEASE = timedelta(minutes=5)


def refund_retry_delay(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed try: a minute, doubled each time."""
    factor: int = 2 ** (attempts - 1)
    return FIRST_RETRY_DELAY * factor


class RefundQueue:
    def __init__(
        self,
        gateway: PaymentGateway,
        payments: PaymentRepository,
        settlement: Settlement,
        clock: Clock,
    ) -> None:
        self._gateway = gateway
        self._payments = payments
        self._settlement = settlement
        self._clock = clock

    async def send_queued(self, limit: int = 20) -> int:
        """Send up to `limit` refunds that are due now, each claimed first; returns how many
        succeeded. Rows waiting for a retry are not due, and failed ones are never picked, so
        no number of old rows can hold up a new one."""
        done = 0
        for _ in range(limit):
            now = self._clock()
            refund = await self._payments.claim_due_refund(now, now + CLAIM_LEASE)
            if refund is None:
                break
            done += await self._send(refund)
        return done

    async def _send(self, refund: Refund) -> bool:
        try:
            result = await self._gateway.create_refund(
                refund.payment_intent,
                refund.amount,
                refund.idempotency_key,
                {"booking_code": refund.booking_code, "reason": refund.reason[:200]},
            )
        except GatewayError as error:
            logger.warning(
                "refund %s attempt %d failed: %s", refund.idempotency_key, refund.attempts, error
            )
            if error.retryable and refund.attempts < MAX_REFUND_ATTEMPTS:
                now = self._clock()
                later = now + refund_retry_delay(refund.attempts)
                await self._payments.retry_refund_later(refund, str(error), now, later)
            else:
                await self._settlement.fail_refund(refund, str(error))
            return False
        finished = await self._payments.finish_refund(
            refund.id,
            {"status": "succeeded", "gateway_refund_id": result.id, "updated_at": self._clock()},
        )
        if finished is None:
            return False
        payment = await self._payments.by_intent(refund.payment_intent)
        if payment is not None:
            refunded = sum(
                r.amount
                for r in await self._payments.refunds_for(refund.booking_id)
                if r.payment_id == payment.id and r.status == "succeeded"
            )
            await self._settlement.sync_refunded(payment, refunded, refund.booking_id)
        return True
