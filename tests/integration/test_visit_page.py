"""The visit page gives the caregiver what the job needs, and an empty field is simply absent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.accounts import Client, UserFactory, csrf_token, log_in
from tests.support.bookings import CaregiverFactory, booking_code, due_soon, submit_booking
from tests.support.html_validator import html_errors
from tests.support.visible_text import leaks_in, visible_text
from tests.support.visits import REPORT

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
        assert "None" not in text and ", ," not in text and leaks_in(page) == []
        assert "tel:+8801712345678" not in page and "Second floor" not in text


async def test_the_visit_forms_and_the_report_are_valid_html(
    client: Client, database: Database, code: str, tmp_path: Path
) -> None:
    await due_soon(database, code)
    pages = {"start": await page_as(client, "shirin@example.com", f"/dashboard/bookings/{code}")}
    await client.post(
        f"/dashboard/bookings/{code}/start",
        data={"_csrf_token": await csrf_token(client, "/account"), "confirm": "yes"},
    )
    pages["complete"] = (await client.get(f"/dashboard/bookings/{code}")).text
    await client.post(
        f"/dashboard/bookings/{code}/complete",
        data={"_csrf_token": await csrf_token(client, "/account"), "confirm": "yes", **REPORT},
    )
    pages["report"] = await page_as(client, "amina@example.com", f"/bookings/{code}")
    assert REPORT["concern"] in pages["report"]
    assert html_errors(pages, tmp_path) == []
