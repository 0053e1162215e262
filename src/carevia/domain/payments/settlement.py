"""Applying payment outcomes to bookings, once, in one transaction with their side effects.

The webhook, the success page and reconciliation all arrive here. Every change is a
conditional update, and the email and live notification it causes are written in the same
transaction, so duplicate or concurrent deliveries change nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal

from bson import ObjectId
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError

from carevia.domain.audit import AuditLog
from carevia.domain.bookings.models import Booking, HistoryEntry, PaymentStatus
from carevia.domain.bookings.notices import BookingNotices
from carevia.domain.bookings.repository import BookingRepository
from carevia.domain.payments.models import Payment, Refund
from carevia.domain.payments.repository import PaymentRepository
from carevia.domain.shared.transactions import in_transaction

Outcome = Literal["confirmed", "due_paid", "late", "duplicate", "already"]


class Settlement:
    def __init__(
        self,
        database: AsyncDatabase[dict[str, Any]],
        bookings: BookingRepository,
        payments: PaymentRepository,
        notices: BookingNotices,
        audit: AuditLog,
        clock: Callable[[], datetime],
    ) -> None:
        self._database = database
        self._bookings = bookings
        self._payments = payments
        self._notices = notices
        self._audit = audit
        self._clock = clock

    async def record_payment(
        self, payment: Payment, payment_intent: str | None
    ) -> tuple[Outcome, Booking]:
        """Mark the payment paid and confirm what it pays for; a repeat is a no-op."""
        now = self._clock()

        async def work(session: AsyncClientSession) -> tuple[Outcome, Booking]:
            booking = await self._bookings.get(payment.booking_id, session)
            assert booking is not None, "a payment always belongs to a booking"
            paid = await self._payments.mark(
                payment.id,
                ["open", "processing", "failed", "expired"],
                {"status": "paid", "paid_at": now, "payment_intent": payment_intent},
                session,
            )
            if paid is None:
                return "already", booking
            total_paid = booking.amount_paid + payment.amount
            state: PaymentStatus = "paid" if total_paid >= booking.price.total else "partially_paid"
            if payment.kind == "due":
                updated = await self._bookings.apply(
                    booking.id,
                    [booking.status],
                    {"amount_paid": total_paid, "payment_status": state},
                    now=now,
                    entry=None,
                    session=session,
                )
                booking = updated or booking
                await self._tell(
                    booking, "due_paid", "booking.updated", session, amount=payment.amount
                )
                return "due_paid", booking
            if booking.status != "pending_payment":
                # Expired or cancelled meanwhile, or a second Checkout paid for the same booking.
                late = await self._bookings.apply(
                    booking.id,
                    [booking.status],
                    {"amount_paid": total_paid, "payment_status": state},
                    now=now,
                    entry=None,
                    session=session,
                )
                return (
                    "late" if booking.status in ("expired", "cancelled") else "duplicate"
                ), late or booking
            entry = HistoryEntry(
                at=now,
                from_status="pending_payment",
                to_status="confirmed",
                actor_id=None,
                actor_role="system",
                note="Payment received",
            )
            confirmed = await self._bookings.apply(
                booking.id,
                ["pending_payment"],
                {
                    "status": "confirmed",
                    "amount_paid": total_paid,
                    "payment_status": state,
                    "hold_expires_at": None,
                },
                now=now,
                entry=entry,
                session=session,
            )
            assert confirmed is not None, "the status was read in this transaction"
            await self._tell(confirmed, "booking_confirmed", "booking.paid", session)
            return "confirmed", confirmed

        outcome, booking = await in_transaction(
            self._database, work, one_at_a_time=self._notices.writers
        )
        self._notices.wake()
        if outcome == "confirmed":
            await self._audit.record(
                "booking.confirmed",
                actor_role="system",
                target_type="booking",
                target_id=booking.code,
                amount=payment.amount,
            )
        return outcome, booking

    async def confirm_late(self, booking: Booking) -> bool:
        """A payment after the hold lapsed: confirm it if the caregiver's time is still free."""
        if booking.status != "expired":
            return False
        now = self._clock()

        async def work(session: AsyncClientSession) -> Booking | None:
            await self._bookings.claim_time(booking, session)
            entry = HistoryEntry(
                at=now,
                from_status="expired",
                to_status="confirmed",
                actor_id=None,
                actor_role="system",
                note="Payment arrived after the hold; the time was still free",
            )
            confirmed = await self._bookings.apply(
                booking.id,
                ["expired"],
                {"status": "confirmed"},
                now=now,
                entry=entry,
                session=session,
            )
            if confirmed is not None:
                await self._tell(confirmed, "booking_confirmed", "booking.paid", session)
            return confirmed

        try:
            confirmed = await in_transaction(
                self._database, work, one_at_a_time=self._notices.writers
            )
        except (BulkWriteError, DuplicateKeyError):
            return False
        self._notices.wake()
        return confirmed is not None

    async def request_refunds(
        self,
        booking: Booking,
        refund_total: int,
        reason: str,
        mail: str | None,
        **mail_context: Any,
    ) -> list[Refund]:
        """Queue refunds of `refund_total`, newest payment first, with deterministic keys."""
        now = self._clock()

        async def work(session: AsyncClientSession) -> list[Refund]:
            remaining, refunds = refund_total, []
            number = await self._payments.count_refunds(booking.id, session)
            for payment in reversed(await self._payments.for_booking(booking.id, session)):
                refundable = (
                    payment.amount - payment.amount_refunded if payment.status == "paid" else 0
                )
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
                    created_at=now,
                    updated_at=now,
                )
                await self._payments.add_refund(refund, session)
                refunds.append(refund)
                remaining -= part
            if mail is not None:
                await self._tell(booking, mail, None, session, **mail_context)
            return refunds

        refunds = await in_transaction(self._database, work)
        self._notices.wake()
        return refunds

    async def sync_refunded(self, payment: Payment, amount_refunded: int) -> Booking | None:
        """Record a payment's refunded total (it only grows) and restate the booking's."""
        now = self._clock()

        async def work(session: AsyncClientSession) -> Booking | None:
            await self._payments.raise_refunded(payment.id, amount_refunded, session)
            payments = await self._payments.for_booking(payment.booking_id, session)
            refunded = sum(p.amount_refunded for p in payments)
            booking = await self._bookings.get(payment.booking_id, session)
            if booking is None or refunded <= booking.amount_refunded:
                return None
            state: PaymentStatus = (
                "refunded" if refunded >= booking.amount_paid else "partially_refunded"
            )
            updated = await self._bookings.apply(
                booking.id,
                [booking.status],
                {"amount_refunded": refunded, "payment_status": state},
                now=now,
                entry=None,
                session=session,
            )
            if updated is not None:
                await self._notices.tell(
                    updated, None, "payment.refunded", session, key=str(refunded)
                )
            return updated

        return await in_transaction(self._database, work, one_at_a_time=self._notices.writers)

    async def notify_failure(self, booking: Booking, payment: Payment, reason: str) -> None:
        async def work(session: AsyncClientSession) -> None:
            await self._notices.tell(
                booking,
                "payment_failed",
                "booking.updated",
                session,
                key=f"{payment.id}",
                reason=reason,
            )

        await in_transaction(self._database, work, one_at_a_time=self._notices.writers)
        self._notices.wake()

    async def flag_dispute(self, payment: Payment, reason: str) -> None:
        now = self._clock()

        async def work(session: AsyncClientSession) -> Booking | None:
            booking = await self._bookings.get(payment.booking_id, session)
            if booking is None or booking.payment_status == "disputed":
                return None
            updated = await self._bookings.apply(
                booking.id,
                [booking.status],
                {"payment_status": "disputed"},
                now=now,
                entry=None,
                session=session,
            )
            if updated is not None:
                await self._notices.tell(updated, None, "payment.disputed", session, reason=reason)
            return updated

        disputed = await in_transaction(self._database, work, one_at_a_time=self._notices.writers)
        if disputed is not None:
            await self._audit.record(
                "payment.disputed",
                actor_role="system",
                target_type="booking",
                target_id=disputed.code,
                reason=reason,
            )

    async def _tell(
        self,
        booking: Booking,
        mail: str,
        event: str | None,
        session: AsyncClientSession,
        **context: Any,
    ) -> None:
        await self._notices.tell(
            booking, mail, event, session, key=str(context.get("amount", "")), **context
        )
