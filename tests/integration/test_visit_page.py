"""The visit page gives the caregiver what the job needs, and an empty field is simply absent."""

from __future__ import annotations

from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.accounts import Client, UserFactory, log_in
from tests.support.bookings import CaregiverFactory, booking_code, submit_booking
from tests.support.visible_text import visible_text

pytestmark = pytest.mark.usefixtures("seeded")
Database = AsyncDatabase[dict[str, Any]]


@pytest.fixture
async def code(
    client: Client, database: Database, make_user: UserFactory, make_caregiver: CaregiverFactory
) -> str:
    await make_caregiver("shirin@example.com")
    await make_user("admin@example.com", role="admin")
    await make_user("amina@example.com")
    await log_in(client, "amina@example.com")
    held = await booking_code(client, await submit_booking(client))
    client.cookies.clear()
    await database["bookings"].update_one({"code": held}, {"$set": {"status": "confirmed"}})
    return held


async def page_as(client: Client, email: str, path: str) -> str:
    client.cookies.clear()
    await log_in(client, email)
    response = await client.get(path)
    assert response.status_code == 200, response.text
    return response.text


async def test_the_caregiver_sees_the_address_phone_and_notes(client: Client, code: str) -> None:
    page = await page_as(client, "shirin@example.com", f"/dashboard/bookings/{code}")
    text = visible_text(page)
    assert "House 9, Road 3, Uttara, Gazipur, Dhaka" in text
    assert 'href="tel:+8801712345678"' in page
    assert "Second floor" in text
    assert "amina@example.com" not in page  # the phone is the job's; the email stays private
    for seam in ("visit-report", "Start visit"):
        assert seam in page


async def test_a_booking_with_every_optional_field_empty_never_says_none(
    client: Client, database: Database, code: str
) -> None:
    await database["bookings"].update_one(
        {"code": code},
        {
            "$set": {
                "patient.phone": "",
                "patient.email": "",
                "location.notes": "",
                "location.district": "",
                "hold_expires_at": None,
                "report": None,
            }
        },
    )
    pages = [
        await page_as(client, email, f"/dashboard/bookings/{code}")
        for email in ("shirin@example.com", "admin@example.com")
    ]
    pages.append(await page_as(client, "amina@example.com", f"/bookings/{code}"))
    for page in pages:
        text = visible_text(page)
        assert "None" not in text and ", ," not in text
        assert "tel:+8801712345678" not in page and "Notes" not in text
