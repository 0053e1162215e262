"""StripeGateway through the real Stripe SDK against a Stripe stub on loopback."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
import stripe

from carevia.domain.payments.gateway import (
    IDEMPOTENCY_CONFLICT,
    GatewayError,
    clamp_checkout_expiry,
)
from carevia.domain.payments.stripe_gateway import MAX_NETWORK_RETRIES, StripeGateway
from carevia.settings import ConfigurationError, StripeSettings
from tests.support.local_gateway import PRODUCT, make_request

if TYPE_CHECKING:
    from tests.support.stripe_stub import StripeStub


SECRET_KEY = "sk_test_carevia_gateway"


def settings_for(api_base: str) -> StripeSettings:
    return StripeSettings(secret_key=SECRET_KEY, webhook_secret="whsec_test", api_base=api_base)


@pytest.fixture
async def gateway(
    stripe_stub: StripeStub, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[StripeGateway]:
    # The SDK backs off at least 0.5 s between retries; the count matters here, not the wait.
    monkeypatch.setattr(stripe.HTTPClient, "INITIAL_DELAY", 0.01)
    monkeypatch.setattr(stripe.HTTPClient, "MAX_DELAY", 0.02)
    gateway = StripeGateway(settings_for(stripe_stub.base_url + "/"))
    yield gateway
    await gateway.aclose()


async def test_checkout_session_carries_the_booking(
    gateway: StripeGateway, stripe_stub: StripeStub
) -> None:
    session = await gateway.create_checkout_session(make_request())

    [sent] = stripe_stub.requests_to("POST", "/v1/checkout/sessions")
    form = sent.form
    assert form["mode"] == "payment"
    assert form["line_items[0][price_data][unit_amount]"] == "150000"
    assert form["line_items[0][price_data][currency]"] == "bdt"
    assert form["line_items[0][price_data][product_data][name]"] == PRODUCT
    assert form["line_items[0][quantity]"] == "1"
    assert form["customer_email"] == "nusrat@example.com"
    assert form["client_reference_id"] == "CV-7KQ2MX"
    assert form["success_url"].endswith("session_id={CHECKOUT_SESSION_ID}")
    assert form["cancel_url"].endswith("booking=CV-7KQ2MX")
    metadata = {"booking_code": "CV-7KQ2MX", "kind": "initial", "attempt": "1"}
    assert sent.params["metadata"] == metadata
    assert sent.params["payment_intent_data"]["metadata"] == metadata
    assert sent.idempotency_key == "checkout:CV-7KQ2MX:initial:1"
    assert sent.headers["authorization"] == f"Bearer {SECRET_KEY}"

    assert session.id.startswith("cs_test_")
    assert (session.url or "").startswith(f"https://checkout.stripe.com/c/pay/{session.id}")
    assert (session.status, session.payment_status) == ("open", "unpaid")
    assert (session.amount_total, session.currency) == (150000, "bdt")
    assert (session.client_reference_id, session.booking_code) == ("CV-7KQ2MX", "CV-7KQ2MX")
    assert (session.metadata, session.payment_intent, session.is_paid) == (metadata, None, False)


@pytest.mark.parametrize(
    ("asked", "low", "high"),
    [
        (timedelta(minutes=5), timedelta(minutes=30, seconds=30), timedelta(minutes=36)),
        (timedelta(hours=2), timedelta(hours=2), timedelta(hours=2)),
        (timedelta(hours=48), timedelta(hours=23, minutes=54), timedelta(hours=24)),
    ],
)
async def test_expires_at_is_kept_inside_the_window_stripe_accepts(
    gateway: StripeGateway,
    stripe_stub: StripeStub,
    asked: timedelta,
    low: timedelta,
    high: timedelta,
) -> None:
    before = datetime.now(UTC)
    expires_at = (before + asked).replace(microsecond=0)
    await gateway.create_checkout_session(make_request(expires_at=expires_at))
    after = datetime.now(UTC)

    [sent] = stripe_stub.requests_to("POST", "/v1/checkout/sessions")
    sent_at = int(sent.form["expires_at"])
    assert int((before + low).timestamp()) - 1 <= sent_at <= int((after + high).timestamp())


def test_a_clamped_expiry_is_the_same_for_a_repeat_moments_later() -> None:
    now = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)
    hold_ends = now + timedelta(minutes=30)
    first = clamp_checkout_expiry(hold_ends, now)
    assert first == int((now + timedelta(minutes=35)).timestamp())
    assert clamp_checkout_expiry(hold_ends, now + timedelta(seconds=20)) == first


async def test_a_repeated_create_returns_the_same_session(
    gateway: StripeGateway, stripe_stub: StripeStub
) -> None:
    request = make_request()
    first = await gateway.create_checkout_session(request)
    again = await gateway.create_checkout_session(request)
    next_attempt = await gateway.create_checkout_session(make_request(attempt=2))

    assert again == first
    assert next_attempt.id != first.id
    keys = [r.idempotency_key for r in stripe_stub.requests_to("POST", "/v1/checkout/sessions")]
    assert keys == [
        "checkout:CV-7KQ2MX:initial:1",
        "checkout:CV-7KQ2MX:initial:1",
        "checkout:CV-7KQ2MX:initial:2",
    ]
    assert len(stripe_stub.sessions) == 2


async def test_a_key_reused_with_other_parameters_is_a_conflict(gateway: StripeGateway) -> None:
    await gateway.create_checkout_session(make_request())

    with pytest.raises(GatewayError) as caught:
        await gateway.create_checkout_session(make_request(amount=99000))

    assert (caught.value.retryable, caught.value.code) == (False, IDEMPOTENCY_CONFLICT)


async def test_retrieve_maps_a_paid_session(
    gateway: StripeGateway, stripe_stub: StripeStub
) -> None:
    created = await gateway.create_checkout_session(make_request(kind="due", amount=75000))
    stripe_stub.complete_session(created.id)

    session = await gateway.retrieve_session(created.id)

    last = stripe_stub.requests[-1]
    assert (last.method, last.path) == ("GET", f"/v1/checkout/sessions/{created.id}")
    assert (session.id, session.status, session.payment_status) == (created.id, "complete", "paid")
    assert (session.is_paid, session.url) == (True, None)
    assert (session.amount_total, session.currency) == (75000, "bdt")
    assert (session.payment_intent or "").startswith("pi_")
    assert session.metadata == {"booking_code": "CV-7KQ2MX", "kind": "due", "attempt": "1"}
    intent = stripe_stub.payment_intents[session.payment_intent or ""]
    assert intent["metadata"]["booking_code"] == "CV-7KQ2MX"


async def test_expire_closes_an_open_session(
    gateway: StripeGateway, stripe_stub: StripeStub
) -> None:
    created = await gateway.create_checkout_session(make_request())

    session = await gateway.expire_session(created.id)

    [sent] = stripe_stub.requests_to("POST", f"/v1/checkout/sessions/{created.id}/expire")
    assert sent.idempotency_key == f"expire:{created.id}"
    assert (session.status, session.payment_status, session.url) == ("expired", "unpaid", None)
    assert session.metadata["booking_code"] == "CV-7KQ2MX"


async def test_expiring_a_paid_session_returns_it_as_it_is(
    gateway: StripeGateway, stripe_stub: StripeStub
) -> None:
    created = await gateway.create_checkout_session(make_request())
    stripe_stub.complete_session(created.id)

    session = await gateway.expire_session(created.id)

    assert (session.status, session.payment_status) == ("complete", "paid")
    assert stripe_stub.requests[-1].method == "GET"


async def test_refund_sends_the_payment_intent_amount_and_key(
    gateway: StripeGateway, stripe_stub: StripeStub
) -> None:
    created = await gateway.create_checkout_session(make_request())
    intent = stripe_stub.complete_session(created.id)["payment_intent"]
    metadata = {"booking_code": "CV-7KQ2MX", "reason": "slot_taken"}

    refund = await gateway.create_refund(intent, 150000, "refund:CV-7KQ2MX:1", metadata)
    again = await gateway.create_refund(intent, 150000, "refund:CV-7KQ2MX:1", metadata)

    sent = stripe_stub.requests_to("POST", "/v1/refunds")
    assert [r.idempotency_key for r in sent] == ["refund:CV-7KQ2MX:1"] * 2
    assert sent[0].form["payment_intent"] == intent
    assert sent[0].form["amount"] == "150000"
    assert sent[0].params["metadata"] == metadata
    assert refund.id.startswith("re_")
    assert (refund.amount, refund.status, refund.payment_intent) == (150000, "succeeded", intent)
    assert again == refund
    assert len(stripe_stub.refunds) == 1


async def test_a_server_error_is_retried_then_reported_as_retryable(
    gateway: StripeGateway, stripe_stub: StripeStub
) -> None:
    stripe_stub.fail_next(500, times=1 + MAX_NETWORK_RETRIES)

    with pytest.raises(GatewayError) as caught:
        await gateway.create_checkout_session(make_request())

    assert (caught.value.retryable, caught.value.http_status) == (True, 500)
    sent = stripe_stub.requests_to("POST", "/v1/checkout/sessions")
    assert len(sent) == 1 + MAX_NETWORK_RETRIES
    assert {r.idempotency_key for r in sent} == {"checkout:CV-7KQ2MX:initial:1"}
    assert stripe_stub.sessions == {}


async def test_a_passing_server_error_is_absorbed_by_the_sdk_retry(
    gateway: StripeGateway, stripe_stub: StripeStub
) -> None:
    stripe_stub.fail_next(503)

    session = await gateway.create_checkout_session(make_request())

    assert len(stripe_stub.requests_to("POST", "/v1/checkout/sessions")) == 2
    assert list(stripe_stub.sessions) == [session.id]


@pytest.mark.parametrize(("status", "retryable"), [(400, False), (402, False), (429, True)])
async def test_client_errors_are_not_retried_by_the_sdk(
    gateway: StripeGateway, stripe_stub: StripeStub, status: int, retryable: bool
) -> None:
    stripe_stub.fail_next(status, message="Nope.")

    with pytest.raises(GatewayError) as caught:
        await gateway.create_checkout_session(make_request())

    assert (caught.value.retryable, caught.value.http_status) == (retryable, status)
    assert "Nope." in caught.value.message
    assert len(stripe_stub.requests) == 1


async def test_an_unknown_session_is_not_retryable(gateway: StripeGateway) -> None:
    with pytest.raises(GatewayError) as caught:
        await gateway.retrieve_session("cs_test_missing")

    error = caught.value
    assert (error.retryable, error.http_status, error.code) == (False, 404, "resource_missing")


async def test_an_unreachable_stripe_is_retryable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stripe.HTTPClient, "INITIAL_DELAY", 0.01)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    gateway = StripeGateway(settings_for(f"http://127.0.0.1:{closed_port}"), timeout_seconds=2)
    try:
        with pytest.raises(GatewayError) as caught:
            await gateway.retrieve_session("cs_test_anything")
    finally:
        await gateway.aclose()

    assert (caught.value.retryable, caught.value.http_status) == (True, None)


def test_the_gateway_needs_a_secret_key() -> None:
    with pytest.raises(ConfigurationError):
        StripeGateway(StripeSettings(secret_key=None, webhook_secret="whsec_test"))


@pytest.mark.parametrize(
    "changes",
    [
        {"success_url": "http://127.0.0.1:8000/checkout/success"},
        {"amount": 0},
        {"attempt": 0},
        {"expires_at": datetime(2026, 11, 25, 10, 0)},
    ],
)
def test_a_checkout_request_refuses_what_stripe_would(changes: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=r"."):
        make_request(**changes)
