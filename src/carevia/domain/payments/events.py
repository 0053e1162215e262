"""Stripe-shaped webhook events, signed exactly as Stripe signs them.

The local test gateway sends these to the app's own webhook, so the verification path that
serves real Stripe events is the one that runs in development and in tests.
"""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

import stripe

from carevia.domain.shared.text import Text

Obj = dict[str, Any]

# Any fixed string would do: the webhook reads the objects, not the version.
API_VERSION: str = stripe.api_version
DECLINE_MESSAGE = Text("Your card was declined.")


def new_id(prefix: str) -> str:
    """An id in Stripe's style for test mode, such as `cs_test_<24 hex digits>`."""
    return f"{prefix}_test_{secrets.token_hex(12)}"


def stripe_event(event_type: str, obj: Obj) -> Obj:
    return {
        "id": new_id("evt"),
        "object": "event",
        "api_version": API_VERSION,
        "created": int(time.time()),
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
        "data": {"object": obj},
    }


def encode_event(event: Obj) -> bytes:
    """The body as sent: UTF-8 JSON, indented as Stripe sends it; sign these very bytes."""
    return json.dumps(event, indent=2, ensure_ascii=False).encode("utf-8")


def sign(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """The `Stripe-Signature` header (`t=…,v1=…`) for exactly these bytes."""
    header: str = stripe.WebhookSignature.generate_signature_header(
        payload.decode("utf-8"), secret, timestamp=timestamp
    )
    return header


def session_object(
    *,
    id: str,
    amount_total: int,
    currency: str,
    status: str,
    payment_status: str,
    payment_intent: str | None,
    client_reference_id: str | None,
    metadata: dict[str, str],
    customer_email: str | None,
    expires_at: int,
    success_url: str,
    cancel_url: str | None,
    url: str | None,
    created: int | None = None,
) -> Obj:
    return {
        "id": id,
        "object": "checkout.session",
        "amount_subtotal": amount_total,
        "amount_total": amount_total,
        "cancel_url": cancel_url,
        "client_reference_id": client_reference_id,
        "created": created if created is not None else int(time.time()),
        "currency": currency.lower(),
        "customer": None,
        "customer_email": customer_email,
        "expires_at": expires_at,
        "livemode": False,
        "metadata": dict(metadata),
        "mode": "payment",
        "payment_intent": payment_intent,
        "payment_status": payment_status,
        "status": status,
        "success_url": success_url,
        "url": url,
    }


def charge_object(
    *,
    id: str,
    payment_intent: str,
    amount: int,
    amount_refunded: int,
    currency: str,
    metadata: dict[str, str],
) -> Obj:
    """A captured card charge; `amount_refunded` is the total refunded so far."""
    return {
        "id": id,
        "object": "charge",
        "amount": amount,
        "amount_captured": amount,
        "amount_refunded": amount_refunded,
        "captured": True,
        "created": int(time.time()),
        "currency": currency.lower(),
        "livemode": False,
        "metadata": dict(metadata),
        "paid": True,
        "payment_intent": payment_intent,
        "refunded": amount_refunded >= amount,
        "status": "succeeded",
    }


def dispute_object(
    *, charge: str, payment_intent: str, amount: int, currency: str, metadata: dict[str, str]
) -> Obj:
    return {
        "id": new_id("dp"),
        "object": "dispute",
        "amount": amount,
        "charge": charge,
        "created": int(time.time()),
        "currency": currency.lower(),
        "livemode": False,
        "metadata": dict(metadata),
        "payment_intent": payment_intent,
        "reason": "fraudulent",
        "status": "needs_response",
    }


def payment_intent_object(*, id: str, amount: int, currency: str, metadata: dict[str, str]) -> Obj:
    """A PaymentIntent whose last card attempt was declined; it waits for another method."""
    return {
        "id": id,
        "object": "payment_intent",
        "amount": amount,
        "created": int(time.time()),
        "currency": currency.lower(),
        "last_payment_error": {
            "type": "card_error",
            "code": "card_declined",
            "decline_code": "generic_decline",
            "message": DECLINE_MESSAGE,
        },
        "livemode": False,
        "metadata": dict(metadata),
        "status": "requires_payment_method",
    }
