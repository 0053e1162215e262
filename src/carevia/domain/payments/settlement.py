"""Applying payment outcomes to bookings, once, in one transaction with their side effects.

The webhook, the success page and reconciliation all arrive here. Every change is a
conditional update, and the email and live notification it causes are written in the same
transaction, so duplicate or concurrent deliveries change nothing twice.
"""

from __future__ import annotations

from typing import Any, Literal

import msgspec
from bson import ObjectId
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError

from carevia.domain.audit import AuditLog
from carevia.domain.bookings.models import Booking, PaymentStatus
from carevia.domain.bookings.notices import BookingNotices
from carevia.domain.bookings.repository import BookingRepository
from carevia.domain.bookings.transitions import SYSTEM, BookingTransitions
from carevia.domain.payments.models import Payment, Refund
from carevia.domain.payments.refund_split import queue_refunds, refundable_balance
from carevia.domain.payments.repository import PaymentRepository
from carevia.domain.shared import Conflict, Invalid
from carevia.domain.shared.clock import Clock
from carevia.domain.shared.text import Text
from carevia.domain.shared.transactions import in_transaction

Outcome = Literal["confirmed", "due_paid", "late", "duplicate", "already"]


class AdminAlert(msgspec.Struct, frozen=True):
    """An email to every active admin: its template, the event's unique key, its values."""

    mail: str
    key: str
    context: dict[str, Any] = msgspec.field(default_factory=dict)


class Settlement:
    def __init__(
        self,
        database: AsyncDatabase[dict[str, Any]],
        bookings: BookingRepository,
        payments: PaymentRepository,
        transitions: BookingTransitions,
        notices: BookingNotices,
        audit: AuditLog,
        clock: Clock,
    ) -> None:
        self._database = database
        self._bookings = bookings
        self._payments = payments
        self._transitions = transitions
        self._notices = notices
        self._audit = audit
        self._clock = clock

    async def record_payment(
        self, payment: Payment, payment_intent: str | None
    ) -> tuple[Outcome, Booking]:
        """Mark the payment paid and confirm what it pays for; a repeat is a no-op."""
        return (await self.record_paid_parts(payment, payment_intent))[0]

    async def record_paid_parts(
        self, payment: Payment, payment_intent: str | None
    ) -> list[tuple[Outcome, Booking]]:
        """The same for each visit a series' payment covers, all in one transaction.

        The payment is marked paid once, conditionally, so a repeated or concurrent
        delivery confirms nothing twice.
        """
        now = self._clock()
        parts = [(p.booking_id, p.amount) for p in payment.covers] or [
            (payment.booking_id, payment.amount)
        ]

        async def work(session: AsyncClientSession) -> list[tuple[Outcome, Booking]]:
            paid = await self._payments.mark(
                payment.id,
                ["open", "processing", "failed", "expired"],
                {"status": "paid", "paid_at": now, "payment_intent": payment_intent},
                session,
            )
            settled: list[tuple[Outcome, Booking]] = []
            for booking_id, amount in parts:
                booking = await self._bookings.get(booking_id, session)
                assert booking is not None, "a payment always belongs to a booking"
                if paid is None:
                    settled.append(("already", booking))
                else:
                    settled.append(await self._settle(session, payment, booking, amount))
            return settled

        settled = await in_transaction(self._database, work)
        self._notices.wake()
        return settled

    async def _settle(
        self, session: AsyncClientSession, payment: Payment, booking: Booking, amount: int
    ) -> tuple[Outcome, Booking]:
        """Apply `amount` of a paid payment to one booking, inside the caller's transaction."""
        now = self._clock()
        total_paid = booking.amount_paid + amount
        state: PaymentStatus = "paid" if total_paid >= booking.price.total else "partially_paid"
        # Read in this transaction, so a concurrent refund request makes it run again.
        refundable = await refundable_balance(self._payments, booking, session) + amount
        money = {
            "amount_paid": total_paid,
            "payment_status": state,
            "amount_refundable": refundable,
        }
        if payment.kind == "due":
            updated = await self._bookings.apply(
                booking.id, [booking.status], money, now=now, entry=None, session=session
            )
            booking = updated or booking
            await self._tell(booking, "due_paid", "booking.updated", session, amount=amount)
            return "due_paid", booking
        if booking.status != "pending_payment":
            # Expired or cancelled meanwhile, or a second Checkout paid for the same booking.
            late = await self._bookings.apply(
                booking.id, [booking.status], money, now=now, entry=None, session=session
            )
            return (
                "late" if booking.status in ("expired", "cancelled") else "duplicate"
            ), late or booking
        confirmed = await self._transitions.move_within(
            session,
            booking,
            "confirmed",
            SYSTEM,
            note="Payment received",
            fields={**money, "hold_expires_at": None},
            details={"amount": amount},
        )
        assert confirmed is not None, "the status was read in this transaction"
        return "confirmed", confirmed

    async def confirm_late(self, booking: Booking, payment: Payment) -> bool:
        """A payment after the hold lapsed: confirm it if the caregiver's time is still free."""
        if booking.status != "expired":
            return False

        async def work(session: AsyncClientSession) -> Booking | None:
            confirmed = await self._transitions.move_within(
                session,
                booking,
                "confirmed",
                SYSTEM,
                note="Payment arrived after the hold; the time was still free",
                details={"amount": payment.amount, "late": True},
            )
            if confirmed is not None:
                # A slot taken meanwhile raises here and undoes the confirmation with it.
                await self._bookings.claim_time(confirmed, session)
                await self._notices.alert_admins(
                    confirmed,
                    "admin_late_payment",
                    session,
                    key=str(payment.id),
                    amount=payment.amount,
                    confirmed=True,
                )
            return confirmed

        try:
            confirmed = await in_transaction(self._database, work)
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
        alert: AdminAlert | None = None,
        *,
        exact: bool = False,
        **mail_context: Any,
    ) -> list[Refund]:
        """Queue refunds of `refund_total`, newest payment first, with deterministic keys.

        The amount comes off the booking's refundable balance in the same transaction, so
        pending refunds count and concurrent requests cannot overdraw it. With `exact`, a
        balance too small refuses the request (`Invalid`); otherwise what is left is queued.
        The patient's `mail` and the admins' `alert` are written in the same transaction.
        """
        now = self._clock()

        async def work(session: AsyncClientSession) -> list[Refund]:
            current = await self._bookings.get(booking.id, session)
            assert current is not None, "a refund always belongs to a booking"
            left = await refundable_balance(self._payments, current, session)
            if current.amount_refundable is None:
                await self._bookings.start_refundable(booking.id, left, session)
            if exact and refund_total > left:
                raise Invalid({"amount": f"Refund between 1 and {left} (minor units)."})
            total = min(refund_total, left)
            if total > 0 and not await self._bookings.take_refundable(booking.id, total, session):
                raise Conflict(Text("The refundable balance changed meanwhile. Please try again."))
            refunds = await queue_refunds(self._payments, current, total, reason, now, session)
            if mail is not None:
                key = refunds[0].idempotency_key if refunds else "none"
                # The mail names what is on its way, which a pending refund may have reduced.
                if "refund_amount" in mail_context:
                    mail_context["refund_amount"] = total
                await self._notices.tell(current, mail, None, session, key=key, **mail_context)
            if alert is not None:
                await self._notices.alert_admins(
                    current, alert.mail, session, key=alert.key, **alert.context
                )
            return refunds

        refunds = await in_transaction(self._database, work)
        self._notices.wake()
        return refunds

    async def sync_refunded(
        self, payment: Payment, amount_refunded: int, booking_id: ObjectId | None = None
    ) -> Booking | None:
        """Record a payment's refunded total (it only grows) and restate the booking's.

        A series' payment covers several visits: each visit's refunded total is then its
        own refunds that succeeded, and `booking_id` names the visit (all of them if None).
        """
        if payment.covers and booking_id is None:
            for part in payment.covers:
                await self.sync_refunded(payment, amount_refunded, part.booking_id)
            return None
        now = self._clock()
        target = booking_id or payment.booking_id

        async def work(session: AsyncClientSession) -> Booking | None:
            await self._payments.raise_refunded(payment.id, amount_refunded, session)
            if payment.covers:
                refunds = await self._payments.refunds_for(target, session)
                refunded = sum(r.amount for r in refunds if r.status == "succeeded")
            else:
                payments = await self._payments.for_booking(target, session)
                refunded = sum(p.amount_refunded for p in payments)
            booking = await self._bookings.get(target, session)
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
            if updated is None:
                return None
            # Only now, with the gateway's word, is the patient told the money is back.
            await self._notices.tell(
                updated,
                "refunded",
                "payment.refunded",
                session,
                key=str(refunded),
                refund_amount=refunded - booking.amount_refunded,
                remaining_paid=updated.amount_paid - refunded,
            )
            return updated

        updated = await in_transaction(self._database, work)
        self._notices.wake()
        return updated

    async def fail_refund(self, refund: Refund, error: str) -> bool:
        """The gateway refused a refund for good: mark it failed and tell the admins, once."""
        now = self._clock()

        async def work(session: AsyncClientSession) -> bool:
            fields = {"status": "failed", "last_error": error, "updated_at": now}
            if await self._payments.finish_refund(refund.id, fields, session) is None:
                return False
            booking = await self._bookings.get(refund.booking_id, session)
            assert booking is not None, "a refund always belongs to a booking"
            # Not paid back, so it can be refunded again (another way, or once fixed).
            await self._bookings.give_back_refundable(booking.id, refund.amount, session)
            await self._notices.alert_admins(
                booking,
                "admin_refund_failed",
                session,
                key=str(refund.id),
                live_event="payment.refund_failed",
                amount=refund.amount,
                error=error,
                refund_reason=refund.reason,
            )
            await self._audit.record(
                "payment.refund_failed",
                actor_role="system",
                target_type="booking",
                target_id=booking.code,
                session=session,
                amount=refund.amount,
                error=error,
            )
            return True

        failed = await in_transaction(self._database, work)
        self._notices.wake()
        return failed

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

        await in_transaction(self._database, work)
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
            if updated is None:
                return None
            await self._notices.tell(updated, None, "payment.disputed", session, reason=reason)
            await self._notices.alert_admins(
                updated,
                "admin_dispute",
                session,
                key=str(payment.id),
                amount=payment.amount,
                reason=reason,
            )
            await self._audit.record(
                "payment.disputed",
                actor_role="system",
                target_type="booking",
                target_id=updated.code,
                session=session,
                reason=reason,
            )
            return updated

        await in_transaction(self._database, work)
        self._notices.wake()

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
