"""A payment gateway for development and tests that behaves like Stripe Checkout.

Sessions live in MongoDB; the checkout page (`/dev/checkout/{id}`) stands in for Stripe's
hosted page, and every state change is announced by a signed event posted to the app's
own webhook, so the booking flow runs exactly as it does against Stripe.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from pymongo import ASCENDING, IndexModel, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from carevia.devtools.local_checkout import PAID, LocalCheckout, LocalRefund
from carevia.devtools.stripe_examples import stripe_shaped
from carevia.devtools.webhook_sender import WebhookSender
from carevia.domain.payments.events import (
    dispute_object,
    new_id,
    payment_intent_object,
    stripe_event,
)
from carevia.domain.payments.gateway import (
    IDEMPOTENCY_CONFLICT,
    CheckoutRequest,
    CheckoutSession,
    GatewayError,
    RefundResult,
)
from carevia.domain.shared import Conflict, NotFound
from carevia.domain.shared.clock import Clock, utc_now
from carevia.domain.shared.documents import from_document, to_document

DEV_CHECKOUT_SESSIONS = "dev_checkout_sessions"

INDEXES: Mapping[str, Sequence[IndexModel]] = {
    DEV_CHECKOUT_SESSIONS: [
        # Like Stripe's Idempotency-Key: the same booking attempt is always the same session.
        IndexModel([("idempotency_key", ASCENDING)], unique=True),
        IndexModel([("payment_intent", ASCENDING)], unique=True),
        IndexModel([("status", ASCENDING), ("expires_at", ASCENDING)]),
    ]
}
# Concurrent refunds of one payment retry their conditional update this many times.
REFUND_UPDATE_ATTEMPTS = 5
IDEMPOTENCY_MISMATCH = (
    "Keys for idempotent requests can only be used with the same parameters they were first "
    "used with."
)


def _refused(message: str, code: str | None = None, http_status: int = 400) -> GatewayError:
    """What Stripe answers with a 4xx: the same request would be refused again."""
    return GatewayError(message, retryable=False, http_status=http_status, code=code)


class LocalGateway:
    name = "local"

    def __init__(
        self,
        database: AsyncDatabase[dict[str, Any]],
        sender: WebhookSender,
        public_base_url: str,
        *,
        clock: Clock = utc_now,
    ) -> None:
        self._sessions = database[DEV_CHECKOUT_SESSIONS]
        self._sender = sender
        self._base_url = public_base_url.rstrip("/")
        self._clock = clock

    async def create_checkout_session(self, request: CheckoutRequest) -> CheckoutSession:
        now = self._clock()
        session_id = new_id("cs")
        checkout = LocalCheckout(
            id=session_id,
            idempotency_key=request.idempotency_key,
            client_reference_id=request.booking_code,
            metadata=request.metadata,
            amount=request.amount,
            currency=request.currency.lower(),
            product_name=request.product_name,
            customer_email=request.customer_email,
            success_url=request.success_url,
            cancel_url=request.cancel_url,
            expires_at=datetime.fromtimestamp(request.expires_at_timestamp(now), UTC),
            created_at=now,
            url=f"{self._base_url}/dev/checkout/{session_id}",
            payment_intent=new_id("pi"),
            charge=new_id("ch"),
        )
        try:
            await self._sessions.insert_one(to_document(checkout))
        except DuplicateKeyError:
            existing = await self._find({"idempotency_key": request.idempotency_key})
            if existing is None:
                raise GatewayError(
                    "A concurrent request is still running.", retryable=True
                ) from None
            if not existing.same_request(checkout):
                raise _refused(IDEMPOTENCY_MISMATCH, IDEMPOTENCY_CONFLICT) from None
            return existing.session
        return checkout.session

    async def retrieve_session(self, session_id: str) -> CheckoutSession:
        return (await self._lapse_if_due(await self._require(session_id))).session

    async def expire_session(self, session_id: str) -> CheckoutSession:
        """Close an open session; one that already completed or expired is returned as it is."""
        checkout = await self._require(session_id)
        return (await self._expire(checkout) if checkout.is_open else checkout).session

    async def expire_lapsed(self) -> int:
        """Expire open sessions past `expires_at`, as Stripe does on its own; returns how many."""
        cursor = self._sessions.find({"status": "open", "expires_at": {"$lte": self._clock()}})
        expired = 0
        async for document in cursor:
            checkout = from_document(document, LocalCheckout)
            expired += (await self._expire(checkout)).status == "expired"
        return expired

    async def checkout(self, session_id: str) -> LocalCheckout:
        """The session as the checkout page shows it."""
        checkout = await self._find({"_id": session_id})
        if checkout is None:
            raise NotFound("There is no checkout session with that id.")
        return await self._lapse_if_due(checkout)

    async def pay(self, session_id: str) -> CheckoutSession:
        """The customer pays: an open session completes once, and the webhook hears of it."""
        checkout = await self.checkout(session_id)
        if not checkout.is_open:
            return checkout.session
        still_open = {"_id": session_id, "status": "open", "expires_at": {"$gt": self._clock()}}
        paid = await self._update(still_open, {"$set": PAID})
        if paid is None:  # another request paid or expired it first
            return (await self.checkout(session_id)).session
        self._emit("checkout.session.completed", paid.stripe_object())
        return paid.session

    async def fail(self, session_id: str) -> CheckoutSession:
        """The card is declined: the session stays open for another try, as on Stripe."""
        checkout = await self.checkout(session_id)
        if not checkout.is_open:
            return checkout.session
        started = {"$set": {"intent_created": True}}
        checkout = await self._update({"_id": session_id, "status": "open"}, started) or checkout
        intent = stripe_shaped(
            "payment_intent",
            payment_intent_object(
                id=checkout.payment_intent,
                amount=checkout.amount,
                currency=checkout.currency,
                metadata=checkout.metadata,
            ),
        )
        self._emit("payment_intent.payment_failed", intent)
        return checkout.session

    async def cancel(self, session_id: str) -> str:
        """The customer goes back; the session stays open until it expires."""
        return (await self.checkout(session_id)).cancel_url

    async def dispute(self, session_id: str) -> None:
        checkout = await self.checkout(session_id)
        if not checkout.is_paid:
            raise Conflict("Only a paid checkout session can be disputed.")
        dispute = stripe_shaped(
            "dispute",
            dispute_object(
                charge=checkout.charge,
                payment_intent=checkout.payment_intent,
                amount=checkout.amount,
                currency=checkout.currency,
                metadata=checkout.metadata,
            ),
        )
        self._emit("charge.dispute.created", dispute)

    async def create_refund(
        self, payment_intent: str, amount: int, idempotency_key: str, metadata: dict[str, str]
    ) -> RefundResult:
        if amount <= 0:
            raise ValueError("a refund needs a positive amount")
        for _ in range(REFUND_UPDATE_ATTEMPTS):
            checkout = await self._find({"payment_intent": payment_intent})
            if checkout is None or not checkout.is_paid:
                message = f"No such payment_intent with a successful charge: '{payment_intent}'"
                raise _refused(message, "resource_missing")
            for refund in checkout.refunds:
                if refund.idempotency_key == idempotency_key:
                    if (refund.amount, refund.metadata) != (amount, metadata):
                        raise _refused(IDEMPOTENCY_MISMATCH, IDEMPOTENCY_CONFLICT)
                    return _refund_result(refund, payment_intent)
            remaining = checkout.amount - checkout.refunded
            if amount > remaining:
                raise _refused(
                    f"Refund amount ({amount}) is greater than unrefunded amount on charge "
                    f"({remaining}).",
                    "charge_already_refunded" if remaining == 0 else None,
                )
            refund = LocalRefund(
                id=new_id("re"),
                amount=amount,
                idempotency_key=idempotency_key,
                metadata=dict(metadata),
                created_at=self._clock(),
            )
            updated = await self._update(
                {
                    "_id": checkout.id,
                    "refunded": checkout.refunded,
                    "refunds.idempotency_key": {"$ne": idempotency_key},
                },
                {"$inc": {"refunded": amount}, "$push": {"refunds": to_document(refund)}},
            )
            if updated is not None:
                self._emit("charge.refunded", updated.charge_object(updated.refunded))
                return _refund_result(refund, payment_intent)
        raise GatewayError(
            "The payment is busy with other refunds.", retryable=True, http_status=409
        )

    async def _lapse_if_due(self, checkout: LocalCheckout) -> LocalCheckout:
        if checkout.is_open and checkout.expires_at <= self._clock():
            return await self._expire(checkout)
        return checkout

    async def _expire(self, checkout: LocalCheckout) -> LocalCheckout:
        expired = await self._update(
            {"_id": checkout.id, "status": "open"}, {"$set": {"status": "expired"}}
        )
        if expired is None:
            return await self._find({"_id": checkout.id}) or checkout
        self._emit("checkout.session.expired", expired.stripe_object())
        return expired

    async def _require(self, session_id: str) -> LocalCheckout:
        checkout = await self._find({"_id": session_id})
        if checkout is None:
            message = f"No such checkout.session: '{session_id}'"
            raise _refused(message, "resource_missing", http_status=404)
        return checkout

    async def _find(self, query: dict[str, Any]) -> LocalCheckout | None:
        document = await self._sessions.find_one(query)
        return None if document is None else from_document(document, LocalCheckout)

    async def _update(self, query: dict[str, Any], update: dict[str, Any]) -> LocalCheckout | None:
        document = await self._sessions.find_one_and_update(
            query, update, return_document=ReturnDocument.AFTER
        )
        return None if document is None else from_document(document, LocalCheckout)

    def _emit(self, event_type: str, obj: dict[str, Any]) -> None:
        self._sender.schedule(stripe_event(event_type, obj))


def _refund_result(refund: LocalRefund, payment_intent: str) -> RefundResult:
    return RefundResult(
        id=refund.id, amount=refund.amount, status="succeeded", payment_intent=payment_intent
    )
