"""Concurrent requests for one caregiver's time: exactly one hold wins."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from pymongo.asynchronous.database import AsyncDatabase

from carevia.composition import booking_service_for
from carevia.domain.bookings import BookingService
from carevia.settings import Settings
from tests.support.accounts import DEFAULT_PASSWORD, UserFactory, log_in
from tests.support.bookings import CaregiverFactory, booking_form, submit_booking

pytestmark = pytest.mark.usefixtures("seeded")


async def signed_in(base_url: str, email: str) -> tuple[httpx.AsyncClient, str]:
    client = httpx.AsyncClient(base_url=base_url, timeout=30)
    page = await client.get("/login")
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
    assert token
    response = await client.post(
        "/login", data={"email": email, "password": DEFAULT_PASSWORD, "_csrf_token": token.group(1)}
    )
    assert response.status_code in (200, 303)
    return client, token.group(1)


async def race(base_url: str, caregiver: str, requests: list[dict[str, str]]) -> list[int]:
    client, token = await signed_in(base_url, "amina@example.com")
    try:
        responses = await asyncio.gather(
            *(
                client.post(
                    "/bookings",
                    data={**booking_form(caregiver_id=caregiver, **changes), "_csrf_token": token},
                )
                for changes in requests
            )
        )
    finally:
        await client.aclose()
    for response in responses:
        if response.status_code == 409:
            assert "That time is no longer free with this caregiver." in response.text
    return [r.status_code for r in responses]


@pytest.fixture
async def caregiver(make_user: UserFactory, make_caregiver: CaregiverFactory) -> str:
    await make_user("amina@example.com")
    return str(await make_caregiver("shirin@example.com"))


async def test_fifty_identical_requests_give_one_hold(
    served_app: str, caregiver: str, database: AsyncDatabase[dict[str, Any]]
) -> None:
    statuses = await race(served_app, caregiver, [{"start_time": "10:00"}] * 50)
    assert statuses.count(303) == 1
    assert statuses.count(409) == 49
    assert await database["bookings"].count_documents({}) == 1
    assert await database["slot_claims"].count_documents({}) == 8


async def test_fifty_partly_overlapping_requests_give_one_hold(
    served_app: str, caregiver: str, database: AsyncDatabase[dict[str, Any]]
) -> None:
    # Every request covers 12:00–12:30, with different starts and lengths.
    shapes = [
        {"start_time": start, "quantity": str(hours)}
        for start in ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30", "12:00"]
        for hours in range(4, 12)
        if int(start[:2]) * 60 + int(start[3:]) + hours * 60 <= 20 * 60
    ][:50]
    assert len(shapes) >= 40
    statuses = await race(served_app, caregiver, shapes)
    assert statuses.count(303) == 1
    assert statuses.count(409) == len(shapes) - 1
    assert await database["bookings"].count_documents({"status": "pending_payment"}) == 1


async def test_two_sweepers_never_expire_a_hold_twice(
    client: Any,
    settings: Settings,
    database: AsyncDatabase[dict[str, Any]],
    caregiver: str,
) -> None:
    await log_in(client, "amina@example.com")
    for start in ["08:00", "12:00", "16:00"]:
        assert (
            await submit_booking(client, caregiver_id=caregiver, start_time=start)
        ).status_code == 303
    await database["bookings"].update_many(
        {}, {"$set": {"hold_expires_at": datetime(2020, 1, 1, tzinfo=UTC)}}
    )
    sweepers: list[BookingService] = [booking_service_for(database, settings) for _ in range(2)]
    counts = await asyncio.gather(
        *(s.expire_lapsed() for s in sweepers), *(s.expire_lapsed() for s in sweepers)
    )
    assert sum(counts) == 3
    async for booking in database["bookings"].find():
        assert [h["to_status"] for h in booking["history"]] == ["pending_payment", "expired"]
    assert await database["audit_log"].count_documents({"action": "booking.expired"}) == 3
    assert await database["slot_claims"].count_documents({}) == 0
