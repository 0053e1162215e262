"""The refund queue: requested refunds sent to the payment gateway, one outcome each.

Requests are written by `Settlement` in the transaction of the change that owes them; this
sends them afterwards, outside any transaction, so a slow or failing gateway never holds one
open. Idempotency keys make a repeated send of the same request safe.
"""

from __future__ import annotations

import logging

from carevia.domain.payments.gateway import GatewayError, PaymentGateway
from carevia.domain.payments.repository import PaymentRepository
from carevia.domain.payments.settlement import Settlement
from carevia.domain.shared.clock import Clock

logger = logging.getLogger("carevia.payments")


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
        """Ask the gateway for each queued refund; idempotency keys make retries safe."""
        done = 0
        for refund in await self._payments.pending_refunds(limit):
            try:
                result = await self._gateway.create_refund(
                    refund.payment_intent,
                    refund.amount,
                    refund.idempotency_key,
                    {"booking_code": refund.booking_code, "reason": refund.reason[:200]},
                )
            except GatewayError as error:
                logger.warning("refund %s failed: %s", refund.idempotency_key, error)
                if error.retryable:
                    await self._payments.note_refund_attempt(refund.id, str(error), self._clock())
                else:
                    await self._settlement.fail_refund(refund, str(error))
                continue
            finished = await self._payments.finish_refund(
                refund.id,
                {
                    "status": "succeeded",
                    "gateway_refund_id": result.id,
                    "updated_at": self._clock(),
                },
            )
            if finished is not None:
                payment = await self._payments.by_intent(refund.payment_intent)
                if payment is not None:
                    refunded = sum(
                        r.amount
                        for r in await self._payments.refunds_for(refund.booking_id)
                        if r.payment_id == payment.id and r.status == "succeeded"
                    )
                    await self._settlement.sync_refunded(payment, refunded)
                done += 1
        return done
