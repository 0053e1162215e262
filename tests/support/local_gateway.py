"""The local test gateway on the test database, with a webhook endpoint that records events."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import pytest
import stripe
from pymongo.asynchronous.database import AsyncDatabase

from carevia.devtools.local_gateway import INDEXES, LocalGateway
from carevia.devtools.webhook_sender import WebhookSender
from carevia.domain.payments.gateway import CheckoutRequest

Database = AsyncDatabase[dict[str, Any]]
SECRET = "whsec_local_gateway_test"
BASE_URL = "https://testserver.local"
PRODUCT = "Infant Day Care — Wed 25 Nov 2026, 10:00, 4 hours"
FAST_RETRIES = (0.01, 0.01)


class Endpoint:
    """A webhook endpoint that keeps what reaches it and can answer 500 the first N times."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.attempts = 0
        self.received: list[tuple[bytes, dict[str, str]]] = []

    async def __call__(self, payload: bytes, headers: dict[str, str]) -> int:
        self.attempts += 1
        if self.failures > 0:
            self.failures -= 1
            return 500
        self.received.append((payload, headers))
        return 200

    def events(self, event_type: str | None = None) -> list[stripe.Event]:
        """Each delivery verified the way the webhook verifies it."""
        events = [
            stripe.Webhook.construct_event(payload, headers["Stripe-Signature"], SECRET)
            for payload, headers in self.received
        ]
        return [e for e in events if event_type is None or e.type == event_type]


def make_request(**changes: Any) -> CheckoutRequest:
    request = CheckoutRequest(
        booking_code="CV-7KQ2MX",
        kind="initial",
        attempt=1,
        amount=150000,
        currency="BDT",
        product_name=PRODUCT,
        customer_email="nusrat@example.com",
        success_url=f"{BASE_URL}/checkout/success?session_id={{CHECKOUT_SESSION_ID}}",
        cancel_url=f"{BASE_URL}/checkout/cancelled?booking=CV-7KQ2MX",
        expires_at=datetime.now(UTC) + timedelta(hours=2),
    )
    return msgspec.structs.replace(request, **changes)


def object_of(event: stripe.Event) -> dict[str, Any]:
    data: dict[str, Any] = event.to_dict()["data"]["object"]
    return data


@pytest.fixture
def endpoint() -> Endpoint:
    return Endpoint()


@pytest.fixture
async def sender(endpoint: Endpoint) -> AsyncIterator[WebhookSender]:
    sender = WebhookSender(endpoint, SECRET, retry_delays=FAST_RETRIES)
    yield sender
    await sender.drain(5)


@pytest.fixture
async def gateway(database: Database, sender: WebhookSender) -> LocalGateway:
    for collection, indexes in INDEXES.items():
        await database[collection].create_indexes(list(indexes))
    return LocalGateway(database, sender, BASE_URL)
