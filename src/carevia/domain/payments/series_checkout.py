"""One Checkout session for several visits of a weekly series, and applying it once paid."""

from __future__ import annotations

from collections.abc import Sequence

from bson import ObjectId

from carevia.domain.bookings import Booking
from carevia.domain.payments.gateway import CheckoutRequest, PaymentGateway
from carevia.domain.payments.models import Payment, PaymentPart
from carevia.domain.payments.repository import PaymentRepository
from carevia.domain.payments.settlement import Settlement
from carevia.domain.shared import Conflict
from carevia.domain.shared.clock import Clock
from carevia.domain.shared.text import Text
from carevia.domain.shared.time_format import format_local


class SeriesCheckout:
    def __init__(
        self,
        gateway: PaymentGateway,
        payments: PaymentRepository,
        settlement: Settlement,
        *,
        base_url: str,
        clock: Clock,
    ) -> None:
        self._gateway = gateway
        self._payments = payments
        self._settlement = settlement
        self._base_url = base_url
        self._clock = clock

    async def checkout_url(self, visits: Sequence[Booking], series_id: ObjectId) -> str:
        """A Checkout page paying every held visit of `visits` in full, in one session.

        The payment is stored against the first visit, with each visit's part in `covers`,
        so the webhook confirms them all in one transaction and refunds find their part.
        """
        now = self._clock()
        held = [
            v
            for v in visits
            if v.status == "pending_payment" and v.hold_expires_at and v.hold_expires_at > now
        ]
        if not held:
            raise Conflict(Text("No visit of this series is waiting for payment."))
        first = held[0]
        amount = sum(v.price.pay_now for v in held)
        reusable = await self._payments.open_for(first.id, "initial")
        if reusable is not None and reusable.url and reusable.amount == amount:
            return reusable.url
        attempt = await self._payments.attempts(first.id, "initial") + 1
        visits_text = f"{len(held)} visit" + ("s" if len(held) != 1 else "")
        when = format_local(first.starts_at, first.timezone)
        session = await self._gateway.create_checkout_session(
            CheckoutRequest(
                booking_code=first.code,
                kind="initial",
                attempt=attempt,
                amount=amount,
                currency=first.price.currency,
                product_name=f"{first.service_name} — {visits_text} from {when}",
                customer_email=first.patient.email,
                success_url=f"{self._base_url}/checkout/success?session_id={{CHECKOUT_SESSION_ID}}",
                cancel_url=f"{self._base_url}/series/{series_id}",
                expires_at=min(v.hold_expires_at or now for v in held),
            )
        )
        await self._payments.add(
            Payment(
                id=ObjectId(),
                booking_id=first.id,
                booking_code=first.code,
                kind="initial",
                attempt=attempt,
                gateway=self._gateway.name,
                session_id=session.id,
                url=session.url,
                amount=amount,
                currency=first.price.currency,
                created_at=now,
                covers=[
                    PaymentPart(booking_id=v.id, booking_code=v.code, amount=v.price.pay_now)
                    for v in held
                ],
            )
        )
        return session.url or f"/series/{series_id}"

    async def apply_paid(self, payment: Payment, payment_intent: str | None) -> list[Booking]:
        """Confirm every visit paid for; a visit no longer held gets its part back."""
        settled = await self._settlement.record_paid_parts(payment, payment_intent)
        unusable = []
        for (outcome, booking), part in zip(settled, payment.covers, strict=True):
            if outcome in ("late", "duplicate"):
                await self._settlement.request_refunds(
                    booking,
                    part.amount,
                    "Paid with its series after the visit's hold ended",
                    "refund_requested",
                    amount=part.amount,
                )
                unusable.append(booking)
        return unusable
