"""The one transition path: a status change and its history, audit and notice happen together."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from carevia.composition import build_services
from carevia.devtools.local_gateway import LocalGateway
from carevia.devtools.webhook_sender import WebhookSender
from carevia.domain.accounts import UserRepository
from carevia.domain.bookings import Booking, BookingRepository
from carevia.domain.shared import Conflict
from carevia.settings import Settings
from tests.support.accounts import Client, UserFactory, log_in
from tests.support.bookings import CaregiverFactory
from tests.support.payments import held_booking

pytestmark = pytest.mark.usefixtures("seeded")
Database = AsyncDatabase[dict[str, Any]]


@pytest.fixture
async def patient(client: Client, make_user: UserFactory, make_caregiver: CaregiverFactory) -> None:
    await make_caregiver("shirin@example.com")
    await make_user("amina@example.com")
    await log_in(client, "amina@example.com")


@pytest.mark.usefixtures("patient")
async def test_two_cancellations_at_once_change_the_booking_and_record_it_once(
    client: Client, database: Database, settings: Settings
) -> None:
    code, _ = await held_booking(client)
    # A pending booking is cancelled without the gateway; it is only part of the graph.
    sender = WebhookSender(lambda *_: asyncio.sleep(0, 200), settings.stripe.webhook_secret)
    gateway = LocalGateway(database, sender, settings.public_base_url)
    bookings = build_services(settings, database, gateway).bookings
    patient = await UserRepository(database).get_by_email("amina@example.com")
    assert patient is not None

    results = await asyncio.gather(
        bookings.cancel(patient, code), bookings.cancel(patient, code), return_exceptions=True
    )
    assert sorted(type(r).__name__ for r in results) == ["Booking", "Conflict"]
    assert any(isinstance(r, Conflict) for r in results)
    stored = await database["bookings"].find_one({"code": code})
    assert stored is not None and stored["status"] == "cancelled"
    assert [h["to_status"] for h in stored["history"]] == ["pending_payment", "cancelled"]
    assert stored["history"][-1]["actor_id"] == str(patient.id)
    audit = await database["audit_log"].find({"action": "booking.cancelled"}).to_list()
    assert [(a["target_id"], a["actor_role"]) for a in audit] == [(code, "patient")]
    notices = await database["notifications"].find({"event": "booking.cancelled"}).to_list()
    assert [n["booking_code"] for n in notices] == [code]
    assert await database["slot_claims"].count_documents({}) == 0


@pytest.mark.usefixtures("patient")
async def test_the_repository_refuses_a_status_change_outside_the_transitions(
    client: Client, database: Database
) -> None:
    code, _ = await held_booking(client)
    records = BookingRepository(database)
    booking = await records.get_by_code(code)
    assert isinstance(booking, Booking)
    async with database.client.start_session() as session:
        with pytest.raises(ValueError, match="BookingTransitions"):
            await records.apply(
                booking.id,
                ["pending_payment"],
                {"status": "cancelled"},
                now=datetime.now(UTC),
                entry=None,
                session=session,
            )
    stored = await records.get_by_code(code)
    assert stored is not None and stored.status == "pending_payment"
