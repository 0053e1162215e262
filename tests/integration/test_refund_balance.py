"""What is left to refund: pending refunds count too, and concurrent requests cannot overdraw it."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from carevia.domain.accounts import UserRepository
from carevia.domain.bookings import Booking
from carevia.domain.shared import Invalid
from carevia.settings import Settings
from tests.support.accounts import Client, UserFactory, api_token, log_in
from tests.support.bookings import CaregiverFactory
from tests.support.payment_flows import (
    HeldWebhooks,
    paid_booking,
    payment_services,
    settle,
    stored_booking,
)

pytestmark = [pytest.mark.usefixtures("seeded")]
Database = AsyncDatabase[dict[str, Any]]
# Four hours of elderly companion care, paid in full: ৳1,100.00.
PAID = 110_000
BOOKING = {"service": "elderly-companion-care", "quantity": "4", "payment_option": "full"}


@pytest.fixture
async def admin(client: Client, make_user: UserFactory, make_caregiver: CaregiverFactory) -> str:
    """An admin's bearer header; the client is signed in as the patient."""
    await make_caregiver("shirin@example.com", categories=("elderly-care",))
    await make_user("nadia@example.com", role="admin")
    await make_user("amina@example.com")
    await log_in(client, "amina@example.com")
    return f"Bearer {await api_token(client, 'nadia@example.com')}"


async def requested_total(database: Database, code: str) -> int:
    """Refunds that are pending or paid out: what has been promised back."""
    refunds = database["refunds"].find({"booking_code": code, "status": {"$ne": "failed"}})
    return sum([refund["amount"] async for refund in refunds])


async def test_five_concurrent_refunds_of_60000_on_110000_paid_accept_exactly_one(
    client: Client, database: Database, settings: Settings, admin: str
) -> None:
    code, _ = await paid_booking(client, database, **BOOKING)
    paid = await stored_booking(database, code)
    assert (paid["amount_paid"], paid["amount_refundable"]) == (PAID, PAID)
    nadia = await UserRepository(database).get_by_email("nadia@example.com")
    assert nadia is not None

    # Five admins' requests at once, each reading the booking before any has written.
    webhooks = HeldWebhooks(settings, client)
    payments = payment_services(database, settings, client, sender=webhooks)
    outcomes = await asyncio.gather(
        *(payments.refund(nadia, code, 60_000, "Visit cut short") for _ in range(5)),
        return_exceptions=True,
    )
    refused = [o for o in outcomes if isinstance(o, Invalid)]
    assert len(refused) == 4 and sum(isinstance(o, Booking) for o in outcomes) == 1
    assert all(r.fields == {"amount": "Refund between 1 and 50000 (minor units)."} for r in refused)
    await webhooks.deliver_held()
    assert await requested_total(database, code) == 60_000
    after = await settle(database, code, amount_refunded=60_000)
    assert (after["amount_refunded"], after["amount_refundable"]) == (60_000, 50_000)

    # Through the API, the refusal is a clear 400 naming the field.
    url = f"/api/v1/bookings/{code}/refund"
    body = {"amount": 60_000, "reason": "Visit cut short"}
    answer = await client.post(url, json=body, headers={"Authorization": admin})
    assert answer.status_code == 400
    assert answer.json()["error"]["fields"] == {
        "amount": "Refund between 1 and 50000 (minor units)."
    }
    assert await requested_total(database, code) == 60_000


async def test_a_booking_paid_before_the_balance_was_kept_gets_it_from_its_refunds(
    client: Client, database: Database, admin: str
) -> None:
    code, _ = await paid_booking(client, database, **BOOKING)
    url = f"/api/v1/bookings/{code}/refund"
    headers = {"Authorization": admin}
    first = await client.post(url, json={"amount": 60_000}, headers=headers)
    assert first.status_code == 200, first.text
    # As stored before the balance existed: a pending refund, and no balance field.
    await database["refunds"].update_one({"booking_code": code}, {"$set": {"status": "requested"}})
    await database["bookings"].update_one(
        {"code": code}, {"$unset": {"amount_refundable": ""}, "$set": {"amount_refunded": 0}}
    )

    second = await client.post(url, json={"amount": 60_000}, headers=headers)
    assert second.status_code == 400
    assert await requested_total(database, code) == 60_000
    rest = await client.post(url, json={"amount": PAID - 60_000}, headers=headers)
    assert rest.status_code == 200, rest.text
    assert (await stored_booking(database, code))["amount_refundable"] == 0
