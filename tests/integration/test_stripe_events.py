"""The webhook accepts events made of Stripe's own example objects, for every type it handles.

Each event is Stripe's example event around Stripe's example object, with only the ids,
amounts and metadata filled in to point at a real booking; each has its effect.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from carevia.domain.payments.events import sign
from carevia.settings import DEFAULT_WEBHOOK_SECRET
from tests.support.accounts import Client
from tests.support.payment_flows import paid_booking, stored_booking
from tests.support.payments import held_booking
from tests.support.stripe_shapes import stripe_fixture

pytestmark = pytest.mark.usefixtures("seeded", "signed_in_patient")
Database = AsyncDatabase[dict[str, Any]]
Fields = dict[str, Any]


def from_examples(event_type: str, resource: str, fields: Fields) -> tuple[bytes, dict[str, str]]:
    """Stripe's example event and `resource` object, with `fields` filled in; signed."""
    event = {
        **stripe_fixture("event"),
        "id": f"evt_{secrets.token_hex(12)}",
        "created": int(time.time()),
        "type": event_type,
        "data": {"object": {**stripe_fixture(resource), **fields}},
    }
    payload = json.dumps(event).encode()
    return payload, {
        "Stripe-Signature": sign(payload, DEFAULT_WEBHOOK_SECRET),
        "Content-Type": "application/json",
    }


async def held(client: Client, database: Database) -> tuple[str, Fields]:
    """A held booking, and what a Stripe object about its Checkout session would say."""
    code, session_id = await held_booking(client)
    session = await database["dev_checkout_sessions"].find_one({"_id": session_id})
    assert session is not None
    return code, {
        "id": session_id,
        "amount_subtotal": session["amount"],
        "amount_total": session["amount"],
        "currency": session["currency"],
        "client_reference_id": code,
        "metadata": session["metadata"],
    }


async def paid(client: Client, database: Database) -> tuple[str, Fields]:
    """A paid booking, and what a Stripe object about its charge would say."""
    code, _ = await paid_booking(client, database)
    payment = await database["payments"].find_one({"booking_code": code, "status": "paid"})
    assert payment is not None
    return code, {
        "payment_intent": payment["payment_intent"],
        "amount": payment["amount"],
        "currency": payment["currency"].lower(),
        "metadata": {"booking_code": code},
    }


Case = tuple[str, Callable[[Client, Database], Awaitable[tuple[str, Fields]]], Fields, str, Fields]
CASES: dict[str, Case] = {
    "checkout.session.completed": (
        "checkout.session",
        held,
        {"status": "complete", "payment_status": "paid", "payment_intent": "pi_3Q0x"},
        "confirmed",
        {"status": "confirmed", "payment_status": "paid"},
    ),
    "checkout.session.async_payment_succeeded": (
        "checkout.session",
        held,
        {"status": "complete", "payment_status": "paid", "payment_intent": "pi_3Q0y"},
        "confirmed",
        {"status": "confirmed", "payment_status": "paid"},
    ),
    "checkout.session.async_payment_failed": (
        "checkout.session",
        held,
        {"status": "complete", "payment_status": "unpaid", "payment_intent": "pi_3Q0z"},
        "payment_failed",
        {"status": "pending_payment"},
    ),
    "checkout.session.expired": (
        "checkout.session",
        held,
        {"status": "expired", "payment_status": "unpaid", "url": None},
        "expired",
        {"status": "expired"},
    ),
    "payment_intent.payment_failed": (
        "payment_intent",
        held,
        {"last_payment_error": {"type": "card_error", "message": "Your card was declined."}},
        "payment_failed",
        {"status": "pending_payment"},
    ),
    "charge.refunded": (
        "charge",
        paid,
        {"captured": True, "paid": True, "refunded": True},
        "refunded",
        {"payment_status": "refunded"},
    ),
    "charge.dispute.created": ("dispute", paid, {}, "disputed", {"payment_status": "disputed"}),
}


def completed(fields: Fields, event_type: str) -> Fields:
    """The amounts an object of this type carries, from what the booking says."""
    if event_type == "payment_intent.payment_failed":
        return {
            "id": "pi_3Q0w",
            "amount": fields["amount_total"],
            "currency": fields["currency"],
            "status": "requires_payment_method",
            "metadata": fields["metadata"],
        }
    if event_type == "charge.refunded":
        return {**fields, "amount_captured": fields["amount"], "amount_refunded": fields["amount"]}
    return fields


@pytest.mark.parametrize("event_type", sorted(CASES))
async def test_an_event_made_of_stripes_objects_is_accepted_and_applied(
    client: Client, database: Database, event_type: str
) -> None:
    resource, make_booking, state, outcome, expected = CASES[event_type]
    code, fields = await make_booking(client, database)
    payload, headers = from_examples(
        event_type, resource, {**completed(fields, event_type), **state}
    )

    answer = await client.post("/webhooks/stripe", content=payload, headers=headers)

    assert answer.status_code == 200, answer.text
    assert answer.json()["outcome"] == outcome
    booking = await stored_booking(database, code)
    assert {key: booking[key] for key in expected} == expected
