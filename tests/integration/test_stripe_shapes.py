"""The local gateway's events and objects have Stripe's keys and types, as Stripe publishes them."""

from __future__ import annotations

from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from carevia.devtools.local_gateway import LocalGateway
from carevia.devtools.webhook_sender import WebhookSender
from carevia.domain.payments.stripe_gateway import StripeGateway
from carevia.settings import StripeSettings
from tests.support.local_gateway import Endpoint, make_request, object_of
from tests.support.stripe_shapes import shape_drift, stripe_fixture
from tests.support.stripe_stub import StripeStub

Database = AsyncDatabase[dict[str, Any]]
RESOURCE_OF = {
    "checkout.session.completed": "checkout.session",
    "checkout.session.expired": "checkout.session",
    "payment_intent.payment_failed": "payment_intent",
    "charge.refunded": "charge",
    "charge.dispute.created": "dispute",
}
# Given a value in Stripe's example, but null in Stripe's reference for these states.
NULLABLE = frozenset(
    {
        ".payment_intent",  # a session before payment; a dispute on a charge without one
        ".url",  # a completed or expired session
        ".customer",
        ".customer_email",
        ".payment_method",
        ".canceled_at",
        ".next_action",
        ".processing",
        ".transfer_data",
        ".payment_method_configuration_details",
        ".last_payment_error",
        ".after_expiration",
        ".collected_information",
        ".currency_conversion",
        ".balance_transaction",
        ".description",
        ".billing_details.name",
        ".client_secret",
    }
)

# In Stripe's reference for a card decline, though the example error shows only its type.
DOCUMENTED = frozenset(
    {".last_payment_error.code", ".last_payment_error.decline_code", ".last_payment_error.message"}
)


@pytest.fixture
async def every_event(gateway: LocalGateway, sender: WebhookSender, endpoint: Endpoint) -> None:
    """Each kind of event the local gateway sends, once."""
    paid = await gateway.create_checkout_session(make_request())
    await gateway.fail(paid.id)
    await gateway.pay(paid.id)
    await gateway.dispute(paid.id)
    intent = (await gateway.retrieve_session(paid.id)).payment_intent
    assert intent is not None
    await gateway.create_refund(intent, 50000, "refund:CV-7KQ2MX:1", {"booking_code": "CV-7KQ2MX"})
    expired = await gateway.create_checkout_session(make_request(booking_code="CV-9XW4PL"))
    await gateway.expire_session(expired.id)
    await sender.drain(5)


@pytest.mark.usefixtures("every_event")
@pytest.mark.parametrize("event_type", sorted(RESOURCE_OF))
async def test_each_event_and_its_object_have_stripes_shape(
    endpoint: Endpoint, event_type: str
) -> None:
    [event] = endpoint.events(event_type)
    envelope = {**event.to_dict(), "data": {"object": None}}
    stripe_envelope = {**stripe_fixture("event"), "data": {"object": None}}

    assert shape_drift(envelope, stripe_envelope) == []
    resource = RESOURCE_OF[event_type]
    assert shape_drift(object_of(event), stripe_fixture(resource), NULLABLE, DOCUMENTED) == []


async def test_the_stripe_api_stand_in_answers_with_stripes_shapes(
    stripe_stub: StripeStub,
) -> None:
    settings = StripeSettings(
        secret_key="sk_test_shapes", webhook_secret="whsec_test", api_base=stripe_stub.base_url
    )
    gateway = StripeGateway(settings)
    try:
        created = await gateway.create_checkout_session(make_request())
        intent = stripe_stub.complete_session(created.id)["payment_intent"]
        await gateway.create_refund(intent, 50000, "refund:CV-7KQ2MX:1", {})
    finally:
        await gateway.aclose()

    [session] = stripe_stub.sessions.values()
    [refund] = stripe_stub.refunds.values()
    public = {k: v for k, v in session.items() if not k.startswith("_")}
    assert shape_drift(public, stripe_fixture("checkout.session"), NULLABLE) == []
    assert shape_drift(refund, stripe_fixture("refund"), NULLABLE) == []
