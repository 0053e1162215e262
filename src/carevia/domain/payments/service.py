"""Taking payment: Checkout sessions, the Stripe webhook, refund requests and reconciliation."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import msgspec
from bson import ObjectId

from carevia.domain.accounts import User
from carevia.domain.audit import AuditLog
from carevia.domain.bookings import Booking, BookingService
from carevia.domain.bookings.repository import BookingRepository
from carevia.domain.payments.gateway import (
    CheckoutRequest,
    CheckoutSession,
    GatewayError,
    PaymentGateway,
)
from carevia.domain.payments.models import Payment, PaymentKind
from carevia.domain.payments.refunds import RefundQueue
from carevia.domain.payments.repository import PaymentRepository
from carevia.domain.payments.series_checkout import SeriesCheckout
from carevia.domain.payments.settlement import AdminAlert, Settlement
from carevia.domain.payments.webhook_events import MalformedEvent, VerifiedEvent, verified_event
from carevia.domain.shared import Conflict, DomainError, Forbidden, Invalid, NotFound
from carevia.domain.shared.clock import Clock
from carevia.domain.shared.single_flight import SingleFlight
from carevia.domain.shared.text import Text
from carevia.domain.shared.time_format import format_local

logger = logging.getLogger("carevia.payments")


class PaymentMismatch(DomainError):
    """The amount or currency paid is not what the booking asked for."""

    code = "payment_mismatch"


def session_from_event(obj: dict[str, Any]) -> CheckoutSession:
    fields = {name: obj.get(name) for name in CheckoutSession.__struct_fields__}
    fields["metadata"] = {str(k): str(v) for k, v in (obj.get("metadata") or {}).items()}
    return msgspec.convert(fields, CheckoutSession)


class PaymentService:
    def __init__(
        self,
        gateway: PaymentGateway,
        bookings: BookingService,
        booking_records: BookingRepository,
        payments: PaymentRepository,
        settlement: Settlement,
        refunds: RefundQueue,
        audit: AuditLog,
        *,
        webhook_secret: str,
        base_url: str,
        clock: Clock,
        series: SeriesCheckout | None = None,
    ) -> None:
        self._series = series
        self._gateway = gateway
        self._bookings = bookings
        self._records = booking_records
        self._payments = payments
        self._settlement = settlement
        self._refunds = refunds
        self._audit = audit
        self._webhook_secret = webhook_secret
        self._base_url = base_url
        self._clock = clock
        self._events_in_flight: SingleFlight[str, str] = SingleFlight()
        self._handlers: dict[str, Callable[[dict[str, Any]], Awaitable[str]]] = {
            "checkout.session.completed": self._session_completed,
            "checkout.session.async_payment_succeeded": self._session_completed,
            "checkout.session.async_payment_failed": self._session_failed,
            "checkout.session.expired": self._session_expired,
            "payment_intent.payment_failed": self._intent_failed,
            "charge.refunded": self._charge_refunded,
            "charge.dispute.created": self._dispute_created,
        }

    # ---- Checkout -------------------------------------------------------------------------
    async def checkout_url(self, user: User, code: str, kind: PaymentKind = "initial") -> str:
        """A Checkout page for what the booking owes now; an open one is reused."""
        return await self._checkout(user, await self._bookings.get_for(user, code), kind)

    async def checkout_for_hold(self, user: User, booking: Booking) -> str:
        """Checkout for the hold this request has just made: none can be open or paid for it
        yet, so neither the booking nor its payments are read again."""
        return await self._checkout(user, booking, "initial", just_held=True)

    async def _checkout(
        self, user: User, booking: Booking, kind: PaymentKind, just_held: bool = False
    ) -> str:
        if booking.patient_id != user.id:
            raise Forbidden(Text("Only the patient who booked can pay for this booking."))
        if kind == "initial":
            if booking.status != "pending_payment" or booking.hold_expires_at is None:
                raise Conflict(Text("This booking is not waiting for payment."))
            if booking.hold_expires_at <= self._clock():
                raise Conflict(Text("The hold on this time has ended. Please book again."))
            amount, expires_at = booking.price.pay_now, booking.hold_expires_at
        else:
            amount = booking.price.total - booking.amount_paid
            if booking.status not in ("confirmed", "in_progress") or amount <= 0:
                raise Conflict(Text("Nothing is due on this booking."))
            # A whole hour from the creation minute, so a double submit asks for the same session.
            expires_at = self._clock().replace(second=0, microsecond=0) + timedelta(hours=1)
        attempt = 1
        if not just_held:
            reusable = await self._payments.open_for(booking.id, kind)
            if reusable is not None and reusable.url and reusable.amount == amount:
                return reusable.url
            attempt = await self._payments.attempts(booking.id, kind) + 1
        session = await self._gateway.create_checkout_session(
            CheckoutRequest(
                booking_code=booking.code,
                kind=kind,
                attempt=attempt,
                amount=amount,
                currency=booking.price.currency,
                product_name=self._product_name(booking, kind),
                customer_email=booking.patient.email,
                success_url=f"{self._base_url}/checkout/success?session_id={{CHECKOUT_SESSION_ID}}",
                cancel_url=f"{self._base_url}/checkout/cancelled?booking={booking.code}",
                expires_at=expires_at,
            )
        )
        await self._payments.add(
            Payment(
                id=ObjectId(),
                booking_id=booking.id,
                booking_code=booking.code,
                kind=kind,
                attempt=attempt,
                gateway=self._gateway.name,
                session_id=session.id,
                url=session.url,
                amount=amount,
                currency=booking.price.currency,
                created_at=self._clock(),
            )
        )
        return session.url or f"/bookings/{booking.code}"

    async def confirm_return(self, user: User, session_id: str) -> tuple[Booking, bool, int]:
        """The success page: ask the gateway, apply what it says, and say whether it is paid.

        The amount is this payment's, which is less than the booking's total paid when it
        pays the remaining half.
        """
        payment = await self._payments.by_session(session_id)
        booking = (
            None if payment is None else await self._bookings.find_for(user, payment.booking_code)
        )
        if payment is None or booking is None:
            # Someone else's payment answers as a missing one: session ids are not probed.
            raise NotFound(Text("We could not find that payment."))
        session = await self._gateway.retrieve_session(session_id)
        if session.is_paid:
            await self._apply_paid_session(payment, session)
        paid = session.is_paid or booking.status == "confirmed"
        return await self._bookings.get_for(user, payment.booking_code), paid, payment.amount

    # ---- The webhook -----------------------------------------------------------------------
    async def handle_webhook(self, payload: bytes, signature: str | None) -> str:
        """Verify, then apply once. Raising means a non-2xx answer, so Stripe delivers again."""
        try:
            event = verified_event(payload, signature, self._webhook_secret)
        except MalformedEvent as malformed:
            logger.warning(
                "webhook event %s (%s) refused: %s",
                malformed.event_id,
                malformed.event_type,
                malformed.problem,
            )
            await self._audit.record(
                "payment.webhook_malformed",
                actor_role="system",
                target_type="webhook_event",
                target_id=malformed.event_id,
                event_type=malformed.event_type,
                problem=malformed.problem[:500],
            )
            raise
        applied_here, outcome = await self._events_in_flight.run(
            event.id, lambda: self._apply_once(event)
        )
        return outcome if applied_here else "duplicate"

    async def _apply_once(self, event: VerifiedEvent) -> str:
        if await self._payments.event_seen(event.id):
            return "duplicate"
        handler = self._handlers.get(event.type)
        outcome = await handler(event.object) if handler else "ignored"
        await self._payments.record_event(event.id, event.type, self._clock())
        return outcome

    async def _session_completed(self, obj: dict[str, Any]) -> str:
        session = session_from_event(obj)
        payment = await self._payments.by_session(session.id)
        if payment is None:
            logger.warning("checkout session %s is not one of ours", session.id)
            return "unknown_session"
        if not session.is_paid:
            await self._payments.mark(
                payment.id,
                ["open"],
                {"status": "processing", "payment_intent": session.payment_intent},
            )
            return "processing"
        return await self._apply_paid_session(payment, session)

    async def _apply_paid_session(self, payment: Payment, session: CheckoutSession) -> str:
        if (
            session.amount_total != payment.amount
            or (session.currency or "").upper() != payment.currency.upper()
        ):
            await self._audit.record(
                "payment.mismatch",
                actor_role="system",
                target_type="booking",
                target_id=payment.booking_code,
                checkout_session=session.id,
                expected=[payment.amount, payment.currency],
                received=[session.amount_total, session.currency],
            )
            raise PaymentMismatch("The amount or currency paid does not match the booking.")
        if payment.covers and self._series is not None:
            if await self._series.apply_paid(payment, session.payment_intent):
                await self.process_refunds()
            return "confirmed"
        outcome, booking = await self._settlement.record_payment(payment, session.payment_intent)
        if outcome == "late" and not await self._settlement.confirm_late(booking, payment):
            await self._refund_unusable(
                booking,
                payment,
                "late_payment_refund_requested",
                "Paid after the hold ended and the time was taken",
                AdminAlert(
                    "admin_late_payment",
                    str(payment.id),
                    {"amount": payment.amount, "confirmed": False},
                ),
            )
        elif outcome == "duplicate":
            await self._refund_unusable(
                booking, payment, "refund_requested", "A second payment for a confirmed booking"
            )
        return outcome

    async def _session_failed(self, obj: dict[str, Any]) -> str:
        session = session_from_event(obj)
        payment = await self._payments.by_session(session.id)
        if (
            payment is None
            or await self._payments.mark(payment.id, ["open", "processing"], {"status": "failed"})
            is None
        ):
            return "ignored"
        return await self._tell_failed(payment, "The bank did not approve the payment.")

    async def _intent_failed(self, obj: dict[str, Any]) -> str:
        payment = await self._payments.by_intent(str(obj.get("id"))) or await self._by_metadata(obj)
        if payment is None:
            return "ignored"
        error = (obj.get("last_payment_error") or {}).get(
            "message"
        ) or "The payment did not go through."
        return await self._tell_failed(payment, str(error))

    async def _tell_failed(self, payment: Payment, reason: str) -> str:
        booking = await self._records.get(payment.booking_id)
        if booking is None or booking.status != "pending_payment":
            return "ignored"
        await self._settlement.notify_failure(booking, payment, reason)
        return "payment_failed"

    async def _session_expired(self, obj: dict[str, Any]) -> str:
        session = session_from_event(obj)
        payment = await self._payments.by_session(session.id)
        if (
            payment is None
            or await self._payments.mark(payment.id, ["open", "failed"], {"status": "expired"})
            is None
        ):
            return "ignored"
        if (
            payment.kind == "initial"
            and await self._payments.open_for(payment.booking_id, "initial") is None
        ):
            await self._bookings.expire_hold(payment.booking_id, "The Checkout session expired.")
        return "expired"

    async def _charge_refunded(self, obj: dict[str, Any]) -> str:
        payment = await self._payments.by_intent(str(obj.get("payment_intent")))
        if payment is None:
            return "ignored"
        await self._settlement.sync_refunded(payment, int(obj.get("amount_refunded") or 0))
        return "refunded"

    async def _dispute_created(self, obj: dict[str, Any]) -> str:
        payment = await self._payments.by_intent(str(obj.get("payment_intent")))
        if payment is None:
            return "ignored"
        await self._settlement.flag_dispute(payment, str(obj.get("reason") or "unknown"))
        return "disputed"

    async def _by_metadata(self, obj: dict[str, Any]) -> Payment | None:
        metadata = obj.get("metadata") or {}
        booking = await self._records.get_by_code(str(metadata.get("booking_code", "")))
        if booking is None:
            return None
        return await self._payments.open_for(
            booking.id, "due" if metadata.get("kind") == "due" else "initial"
        )

    # ---- Cancelling and refunding ----------------------------------------------------------
    async def cancel(self, user: User, code: str) -> Booking:
        booking = await self._bookings.cancel(user, code)
        refund = booking.refund_owed
        await self._settlement.request_refunds(
            booking,
            refund,
            "Cancelled within the policy",
            "booking_cancelled",
            refund_amount=refund,
        )
        await self.process_refunds()
        return booking

    async def refund(self, admin: User, code: str, amount: int | None, reason: str) -> Booking:
        if admin.role != "admin":
            raise Forbidden(Text("Only admins can issue refunds."))
        booking = await self._bookings.get_for(admin, code)
        refundable = booking.refundable
        amount = refundable if amount is None else amount
        if not 0 < amount <= refundable:
            raise Invalid({"amount": f"Refund between 1 and {refundable} (minor units)."})
        # Checked again against the stored balance, atomically, for requests running together.
        await self._settlement.request_refunds(
            booking,
            amount,
            reason or "Refund by an admin",
            "refund_requested",
            exact=True,
            amount=amount,
        )
        await self._audit.record(
            "payment.refund_requested",
            actor_id=str(admin.id),
            actor_role="admin",
            target_type="booking",
            target_id=code,
            amount=amount,
        )
        await self.process_refunds()
        return await self._bookings.get_for(admin, code)

    async def _refund_unusable(
        self,
        booking: Booking,
        payment: Payment,
        mail: str | None,
        reason: str,
        alert: AdminAlert | None = None,
    ) -> None:
        await self._settlement.request_refunds(
            booking, payment.amount, reason, mail, alert, amount=payment.amount
        )
        await self._audit.record(
            "payment.auto_refund",
            actor_role="system",
            target_type="booking",
            target_id=booking.code,
            amount=payment.amount,
            reason=reason,
        )
        await self.process_refunds()

    async def process_refunds(self, limit: int = 20) -> int:
        return await self._refunds.send_queued(limit)

    # ---- Safety net ------------------------------------------------------------------------
    async def reconcile(self, older_than: timedelta = timedelta(minutes=2), limit: int = 50) -> int:
        """Apply what the gateway knows about sessions we never heard back about."""
        applied = 0
        for payment in await self._payments.stale_open(self._clock() - older_than, limit):
            try:
                session = await self._gateway.retrieve_session(payment.session_id)
            except GatewayError as error:
                logger.warning("reconcile: %s", error)
                continue
            if session.is_paid:
                await self._apply_paid_session(payment, session)
                applied += 1
            elif session.status == "expired":
                await self._session_expired({"id": session.id})
        await self.process_refunds()
        return applied

    @staticmethod
    def _product_name(booking: Booking, kind: PaymentKind) -> str:
        length = f"{booking.quantity} {'hour' if booking.duration_type == 'hours' else 'day'}"
        length += "s" if booking.quantity != 1 else ""
        when = format_local(booking.starts_at, booking.timezone)
        prefix = "Remaining balance: " if kind == "due" else ""
        return f"{prefix}{booking.service_name} — {when}, {length} ({booking.code})"
