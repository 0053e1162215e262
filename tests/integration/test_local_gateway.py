"""The local test gateway behaves like Stripe Checkout and tells the webhook in signed events."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import stripe
from pymongo.asynchronous.database import AsyncDatabase

from carevia.devtools.local_gateway import DEV_CHECKOUT_SESSIONS, LocalGateway
from carevia.devtools.webhook_sender import WebhookSender
from carevia.domain.payments.gateway import IDEMPOTENCY_CONFLICT, GatewayError
from tests.support.local_gateway import (
    BASE_URL,
    FAST_RETRIES,
    SECRET,
    Endpoint,
    make_request,
    object_of,
)

Database = AsyncDatabase[dict[str, Any]]


async def test_creating_a_session_is_idempotent_on_the_attempt(
    gateway: LocalGateway, database: Database
) -> None:
    first = await gateway.create_checkout_session(make_request())
    again = await gateway.create_checkout_session(make_request())

    assert again == first
    assert first.id.startswith("cs_test_")
    assert first.url == f"{BASE_URL}/dev/checkout/{first.id}"
    assert (first.status, first.payment_status) == ("open", "unpaid")
    assert (first.amount_total, first.currency, first.booking_code) == (150000, "bdt", "CV-7KQ2MX")
    assert first.metadata == {"booking_code": "CV-7KQ2MX", "kind": "initial", "attempt": "1"}
    assert await database[DEV_CHECKOUT_SESSIONS].count_documents({}) == 1

    with pytest.raises(GatewayError) as conflict:
        await gateway.create_checkout_session(make_request(amount=99000))
    assert (conflict.value.code, conflict.value.retryable) == (IDEMPOTENCY_CONFLICT, False)
    second_attempt = await gateway.create_checkout_session(make_request(attempt=2))
    assert second_attempt.id != first.id


async def test_paying_emits_one_signed_completed_event(
    gateway: LocalGateway, sender: WebhookSender, endpoint: Endpoint
) -> None:
    session = await gateway.create_checkout_session(make_request())

    paid = await gateway.pay(session.id)
    assert await gateway.pay(session.id) == paid  # a second click changes nothing
    assert await sender.drain(5)

    assert paid.is_paid and paid.url is None and paid.payment_intent
    assert await gateway.retrieve_session(session.id) == paid
    [event] = endpoint.events()
    assert event.type == "checkout.session.completed"
    assert event.id.startswith("evt_test_") and event.livemode is False
    completed = object_of(event)
    assert completed["id"] == session.id
    assert (completed["amount_total"], completed["currency"]) == (150000, "bdt")
    assert (completed["status"], completed["payment_status"]) == ("complete", "paid")
    assert completed["payment_intent"] == paid.payment_intent
    assert completed["metadata"] == session.metadata
    payload, headers = endpoint.received[0]
    assert headers["Content-Type"] == "application/json"
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(payload, headers["Stripe-Signature"], "whsec_other")


async def test_a_failed_delivery_is_retried_until_it_lands(database: Database) -> None:
    endpoint = Endpoint(failures=1)
    sender = WebhookSender(endpoint, SECRET, retry_delays=FAST_RETRIES)
    gateway = LocalGateway(database, sender, BASE_URL)
    session = await gateway.create_checkout_session(make_request())

    await gateway.pay(session.id)
    assert await sender.drain(5)

    assert endpoint.attempts == 2
    assert [e.type for e in endpoint.events()] == ["checkout.session.completed"]


async def test_delivery_gives_up_after_the_last_retry(caplog: pytest.LogCaptureFixture) -> None:
    endpoint = Endpoint(failures=10)
    sender = WebhookSender(endpoint, SECRET, retry_delays=FAST_RETRIES)

    with caplog.at_level(logging.WARNING, logger="carevia.payments.webhooks"):
        await sender.send({"id": "evt_test_1", "type": "checkout.session.completed"})

    assert endpoint.attempts == 3
    assert endpoint.received == []
    assert any(r.levelno == logging.ERROR and "giving up" in r.message for r in caplog.records)


async def test_refunds_add_up_and_never_exceed_the_payment(
    gateway: LocalGateway, sender: WebhookSender, endpoint: Endpoint
) -> None:
    session = await gateway.create_checkout_session(make_request())
    intent = (await gateway.pay(session.id)).payment_intent
    assert intent is not None
    metadata = {"booking_code": "CV-7KQ2MX"}

    first = await gateway.create_refund(intent, 50000, "refund:CV-7KQ2MX:1", metadata)
    assert await gateway.create_refund(intent, 50000, "refund:CV-7KQ2MX:1", metadata) == first
    with pytest.raises(GatewayError) as too_much:
        await gateway.create_refund(intent, 100001, "refund:CV-7KQ2MX:2", metadata)
    assert too_much.value.retryable is False
    rest = await gateway.create_refund(intent, 100000, "refund:CV-7KQ2MX:2", metadata)
    with pytest.raises(GatewayError):
        await gateway.create_refund(intent, 1, "refund:CV-7KQ2MX:3", metadata)
    assert await sender.drain(5)

    assert (first.status, first.amount, first.payment_intent) == ("succeeded", 50000, intent)
    assert rest.amount == 100000 and rest.id != first.id
    refunds = [object_of(e) for e in endpoint.events("charge.refunded")]
    assert sorted((c["amount_refunded"], c["refunded"]) for c in refunds) == [
        (50000, False),
        (150000, True),
    ]
    assert all(c["payment_intent"] == intent and c["amount"] == 150000 for c in refunds)
    assert all(c["metadata"] == session.metadata for c in refunds)


async def test_refunding_an_unpaid_session_is_refused(gateway: LocalGateway) -> None:
    await gateway.create_checkout_session(make_request())
    with pytest.raises(GatewayError) as refused:
        await gateway.create_refund("pi_test_unknown", 100, "refund:x:1", {})
    assert refused.value.retryable is False


async def test_expiring_an_open_session_emits_expired_and_a_paid_one_stays_paid(
    gateway: LocalGateway, sender: WebhookSender, endpoint: Endpoint
) -> None:
    open_session = await gateway.create_checkout_session(make_request())
    paid_session = await gateway.create_checkout_session(make_request(attempt=2))
    await gateway.pay(paid_session.id)

    expired = await gateway.expire_session(open_session.id)
    assert (await gateway.expire_session(paid_session.id)).is_paid
    assert await gateway.expire_session(open_session.id) == expired
    assert await sender.drain(5)

    assert (expired.status, expired.url) == ("expired", None)
    [event] = endpoint.events("checkout.session.expired")
    assert object_of(event)["id"] == open_session.id
    assert object_of(event)["metadata"] == open_session.metadata
    assert len(endpoint.events()) == 2
    with pytest.raises(GatewayError) as missing:
        await gateway.expire_session("cs_test_missing")
    assert missing.value.http_status == 404


async def test_a_session_past_its_expiry_expires_by_itself(
    database: Database, gateway: LocalGateway, sender: WebhookSender, endpoint: Endpoint
) -> None:
    session = await gateway.create_checkout_session(make_request())
    later = LocalGateway(
        database, sender, BASE_URL, clock=lambda: datetime.now(UTC) + timedelta(days=1)
    )

    assert await later.expire_lapsed() == 1
    assert (await later.pay(session.id)).status == "expired"
    assert await sender.drain(5)

    assert [e.type for e in endpoint.events()] == ["checkout.session.expired"]


async def test_a_declined_card_emits_payment_failed_and_keeps_the_session_open(
    gateway: LocalGateway, sender: WebhookSender, endpoint: Endpoint
) -> None:
    session = await gateway.create_checkout_session(make_request())

    after = await gateway.fail(session.id)
    assert await sender.drain(5)

    assert after.status == "open" and after.payment_intent is not None
    [event] = endpoint.events()
    assert event.type == "payment_intent.payment_failed"
    intent = object_of(event)
    assert intent["id"] == after.payment_intent
    assert intent["status"] == "requires_payment_method"
    assert intent["last_payment_error"]["message"] == "Your card was declined."
    assert (intent["amount"], intent["currency"]) == (150000, "bdt")
    assert intent["metadata"] == session.metadata


async def test_a_dispute_names_the_charge_and_the_booking(
    gateway: LocalGateway, sender: WebhookSender, endpoint: Endpoint
) -> None:
    session = await gateway.create_checkout_session(make_request())
    paid = await gateway.pay(session.id)

    await gateway.dispute(session.id)
    assert await sender.drain(5)

    [event] = endpoint.events("charge.dispute.created")
    dispute = object_of(event)
    assert dispute["id"].startswith("dp_test_") and dispute["charge"].startswith("ch_test_")
    assert (dispute["payment_intent"], dispute["amount"]) == (paid.payment_intent, 150000)
    assert (dispute["reason"], dispute["status"]) == ("fraudulent", "needs_response")
    assert dispute["metadata"] == session.metadata
