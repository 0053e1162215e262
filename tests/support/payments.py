"""Holding a booking and producing Stripe-format signed events for it, as Stripe would."""

from __future__ import annotations

import re
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from carevia.devtools.local_checkout import LocalCheckout
from carevia.domain.payments.events import encode_event, sign, stripe_event
from carevia.domain.shared.documents import from_document
from carevia.settings import DEFAULT_WEBHOOK_SECRET
from tests.support.accounts import Client, csrf_token
from tests.support.bookings import submit_booking


async def held_booking(client: Client, **changes: str) -> tuple[str, str]:
    """Book through the form; the answer redirects into Checkout. Returns (code, session id)."""
    response = await submit_booking(client, **changes)
    assert response.status_code == 303, response.text
    session = re.search(r"/dev/checkout/(cs_test_\w+)", response.headers["location"])
    assert session, response.headers["location"]
    page = await client.get(f"/dev/checkout/{session.group(1)}")
    code = re.search(r"\((CV-[A-Z0-9]{6})\)", page.text)
    assert code, "the checkout page names the booking"
    return code.group(1), session.group(1)


async def session_event(
    database: AsyncDatabase[dict[str, Any]],
    session_id: str,
    event_type: str = "checkout.session.completed",
    *,
    amount: int | None = None,
    currency: str | None = None,
    payment_status: str = "paid",
    status: str = "complete",
    timestamp: int | None = None,
    secret: str = DEFAULT_WEBHOOK_SECRET,
) -> tuple[bytes, dict[str, str]]:
    """A signed event about one of our Checkout sessions; change amount/currency to forge one."""
    stored = await database["dev_checkout_sessions"].find_one({"_id": session_id})
    assert stored is not None
    obj = {
        **from_document(stored, LocalCheckout).as_paid().stripe_object(),
        "status": status,
        "payment_status": payment_status,
    }
    if amount is not None:
        obj.update(amount_total=amount, amount_subtotal=amount)
    if currency is not None:
        obj.update(currency=currency.lower())
    payload = encode_event(stripe_event(event_type, obj))
    return payload, {
        "Stripe-Signature": sign(payload, secret, timestamp),
        "Content-Type": "application/json",
    }


async def pay_on_test_gateway(client: Client, session_id: str, then: str = "") -> Any:
    token = await csrf_token(client, f"/dev/checkout/{session_id}")
    suffix = "?then=close" if then == "close" else ""
    return await client.post(
        f"/dev/checkout/{session_id}/pay{suffix}",
        data={"_csrf_token": token},
        follow_redirects=False,
    )
