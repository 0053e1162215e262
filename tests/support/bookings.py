"""Caregivers with known calendars, and helpers to book through the real form."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from bson import ObjectId
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.accounts import Client, UserFactory, add_user, csrf_token, log_in

CaregiverFactory = Callable[..., Awaitable[ObjectId]]
DHAKA = ZoneInfo("Asia/Dhaka")
ALL_WEEK = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def next_local_date(days: int = 3) -> date:
    return (datetime.now(UTC).astimezone(DHAKA) + timedelta(days=days)).date()


async def add_caregiver(
    database: AsyncDatabase[dict[str, Any]],
    email: str,
    *,
    categories: tuple[str, ...] = ("baby-care",),
    rating: float = 4.5,
    hours: tuple[str, str] = ("08:00", "20:00"),
    verified: bool = True,
    days_off: tuple[str, ...] = (),
    name: str = "Shirin Akhter",
) -> ObjectId:
    first, _, last = name.partition(" ")
    user = await add_user(database, email, role="caregiver", first_name=first, last_name=last)
    now = datetime.now(UTC)
    window = [{"start": hours[0], "end": hours[1]}]
    await database["caregivers"].insert_one(
        {
            "_id": user.id,
            "display_name": name,
            "bio": "Experienced and calm.",
            "categories": list(categories),
            "divisions": ["Dhaka"],
            "languages": ["Bangla"],
            "years_experience": 5,
            "certifications": ["Basic Life Support (BLS)"],
            "verified": verified,
            "availability": {day: window for day in ALL_WEEK},
            "days_off": list(days_off),
            "rating": {"average": rating, "count": 10 if rating else 0},
            "timezone": "Asia/Dhaka",
            "created_at": now,
            "updated_at": now,
        }
    )
    return user.id


@pytest.fixture
def make_caregiver(database: AsyncDatabase[dict[str, Any]]) -> CaregiverFactory:
    async def make(email: str, **options: Any) -> ObjectId:
        return await add_caregiver(database, email, **options)

    return make


@pytest.fixture
async def signed_in_patient(
    client: Client, make_user: UserFactory, make_caregiver: CaregiverFactory
) -> ObjectId:
    """Amina, signed in, with Shirin free to book for baby care; Amina's id."""
    await make_caregiver("shirin@example.com")
    user = await make_user("amina@example.com")
    await log_in(client, "amina@example.com")
    return user.id


def booking_form(**changes: str) -> dict[str, str]:
    form = {
        "service": "infant-day-care",
        "caregiver_id": "any",
        "date": next_local_date().isoformat(),
        "start_time": "10:00",
        "duration_type": "hours",
        "quantity": "4",
        "division": "Dhaka",
        "district": "Gazipur",
        "address": "House 9, Road 3, Uttara",
        "notes": "Second floor",
        "payment_option": "full",
    }
    return {**form, **changes}


async def submit_booking(client: Client, **changes: str) -> Any:
    token = await csrf_token(client, f"/services/{changes.get('service', 'infant-day-care')}/book")
    return await client.post(
        "/bookings", data={**booking_form(**changes), "_csrf_token": token}, follow_redirects=False
    )


async def booking_code(client: Client, response: Any) -> str:
    """The code of the booking just held; it answers with a redirect into Checkout."""
    location = response.headers.get("location", "")
    assert response.status_code == 303, f"no booking: {response.status_code}"
    match = re.search(r"/bookings/(CV-[A-Z0-9]{6})", location)
    if match is None:
        checkout = await client.get(location)
        match = re.search(r"\((CV-[A-Z0-9]{6})\)", checkout.text)
    assert match, f"no booking code behind {location}"
    return match.group(1)


async def due_soon(
    database: AsyncDatabase[dict[str, Any]], code: str, minutes: int = 30, hours: int = 4
) -> None:
    """Move a stored booking so its visit starts `minutes` from now: inside the Start window.

    Only the times move (its claimed slots stay where they were), which is all the visit
    rules read.
    """
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=minutes)
    await database["bookings"].update_one(
        {"code": code},
        {"$set": {"starts_at": starts, "ends_at": starts + timedelta(hours=hours)}},
    )
