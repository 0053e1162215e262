"""How a refund total is split over a booking's payments, and what is left to refund.

Settlement calls these inside its transactions; they read and write only through the
payment repository, with the caller's session.
"""

from __future__ import annotations

from datetime import datetime

from bson import ObjectId
from pymongo.asynchronous.client_session import AsyncClientSession

from carevia.domain.bookings.models import Booking
from carevia.domain.payments.models import Refund
from carevia.domain.payments.repository import PaymentRepository


async def queue_refunds(
    payments: PaymentRepository,
    booking: Booking,
    refund_total: int,
    reason: str,
    now: datetime,
    session: AsyncClientSession,
) -> list[Refund]:
    """Refunds of `refund_total`, newest paid payment first, each within what that payment
    has not yet promised back; numbered keys make a retried request the same request."""
    remaining, refunds = refund_total, []
    promised = await _promised(payments, booking, session)
    number = await payments.count_refunds(booking.id, session)
    for payment in reversed(await payments.for_booking(booking.id, session)):
        # A series' payment refunds each visit only from that visit's part of it.
        paid = payment.part_for(booking.id)
        taken = promised.get(payment.id, 0)
        if not payment.covers:
            taken = max(payment.amount_refunded, taken)
        refundable = paid - taken if payment.status == "paid" else 0
        part = min(remaining, refundable)
        if part <= 0 or payment.payment_intent is None:
            continue
        number += 1
        refund = Refund(
            id=ObjectId(),
            booking_id=booking.id,
            booking_code=booking.code,
            payment_id=payment.id,
            payment_intent=payment.payment_intent,
            amount=part,
            reason=reason,
            idempotency_key=f"refund:{booking.code}:{number}",
            next_attempt_at=now,
            created_at=now,
            updated_at=now,
        )
        await payments.add_refund(refund, session)
        refunds.append(refund)
        remaining -= part
    return refunds


async def _promised(
    payments: PaymentRepository, booking: Booking, session: AsyncClientSession
) -> dict[ObjectId, int]:
    """Per payment, the refunds requested or paid out: what is already promised back."""
    promised: dict[ObjectId, int] = {}
    for refund in await payments.refunds_for(booking.id, session):
        if refund.status != "failed":
            promised[refund.payment_id] = promised.get(refund.payment_id, 0) + refund.amount
    return promised


async def refundable_balance(
    payments: PaymentRepository, booking: Booking, session: AsyncClientSession
) -> int:
    """The booking's refundable balance; worked out from its refunds if never kept."""
    if booking.amount_refundable is not None:
        return booking.amount_refundable
    promised = sum((await _promised(payments, booking, session)).values())
    return max(booking.amount_paid - max(promised, booking.amount_refunded), 0)
