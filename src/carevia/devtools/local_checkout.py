"""What the local test gateway stores for one checkout session, and its Stripe-shaped views."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

import msgspec

from carevia.devtools.stripe_examples import stripe_shaped
from carevia.domain.payments.events import charge_object, session_object
from carevia.domain.payments.gateway import CHECKOUT_SESSION_ID_PLACEHOLDER, CheckoutSession

# What Stripe compares when an Idempotency-Key comes back with a request.
REQUEST_FIELDS = (
    "metadata",
    "amount",
    "currency",
    "product_name",
    "customer_email",
    "success_url",
    "cancel_url",
    "expires_at",
)


# What paying changes on a session.
PAID: dict[str, Any] = {"status": "complete", "payment_status": "paid", "intent_created": True}


class LocalRefund(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    amount: int
    idempotency_key: str
    metadata: dict[str, str]
    created_at: datetime


class LocalCheckout(msgspec.Struct, frozen=True, kw_only=True):
    """One stored session: what was asked for, and what the customer has done since."""

    id: str = msgspec.field(name="_id")
    idempotency_key: str
    client_reference_id: str
    metadata: dict[str, str]
    amount: int  # minor units
    currency: str  # lowercase, as Stripe answers
    product_name: str
    customer_email: str
    success_url: str
    cancel_url: str
    expires_at: datetime
    created_at: datetime
    url: str
    status: Literal["open", "complete", "expired"] = "open"
    payment_status: Literal["paid", "unpaid"] = "unpaid"
    payment_intent: str
    charge: str
    # Stripe creates the PaymentIntent when the customer first tries to pay, not before.
    intent_created: bool = False
    refunded: int = 0
    refunds: list[LocalRefund] = msgspec.field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    @property
    def is_paid(self) -> bool:
        return self.status == "complete" and self.payment_status == "paid"

    @property
    def return_url(self) -> str:
        return self.success_url.replace(CHECKOUT_SESSION_ID_PLACEHOLDER, self.id)

    @property
    def session(self) -> CheckoutSession:
        return CheckoutSession(
            id=self.id,
            url=self.url if self.is_open else None,
            status=self.status,
            payment_status=self.payment_status,
            amount_total=self.amount,
            currency=self.currency,
            payment_intent=self.payment_intent if self.intent_created else None,
            client_reference_id=self.client_reference_id,
            metadata=dict(self.metadata),
        )

    def as_paid(self) -> LocalCheckout:
        """The session once the customer has paid, as Stripe describes a completed one."""
        return msgspec.structs.replace(self, **PAID)

    def stripe_object(self) -> dict[str, Any]:
        session = self.session
        fields = session_object(
            id=self.id,
            amount_total=self.amount,
            currency=self.currency,
            status=self.status,
            payment_status=self.payment_status,
            payment_intent=session.payment_intent,
            client_reference_id=self.client_reference_id,
            metadata=self.metadata,
            customer_email=self.customer_email,
            expires_at=int(self.expires_at.timestamp()),
            success_url=self.success_url,
            cancel_url=self.cancel_url,
            url=session.url,
            created=int(self.created_at.timestamp()),
        )
        customer = stripe_shaped("checkout.session", {})["customer_details"]
        customer.update(email=self.customer_email)
        return stripe_shaped("checkout.session", {**fields, "customer_details": customer})

    def charge_object(self, amount_refunded: int) -> dict[str, Any]:
        fields = charge_object(
            id=self.charge,
            payment_intent=self.payment_intent,
            amount=self.amount,
            amount_refunded=amount_refunded,
            currency=self.currency,
            metadata=self.metadata,
        )
        return stripe_shaped("charge", fields)

    def same_request(self, other: LocalCheckout) -> bool:
        return all(getattr(self, name) == getattr(other, name) for name in REQUEST_FIELDS)
