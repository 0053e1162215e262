"""The booking form, a booking's page and the list of bookings read in Bangla throughout."""

from __future__ import annotations

import re
from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.accounts import Client, UserFactory, log_in
from tests.support.bookings import CaregiverFactory, next_local_date
from tests.support.payment_flows import paid_booking
from tests.support.visible_text import visible_text

pytestmark = pytest.mark.usefixtures("seeded")
Database = AsyncDatabase[dict[str, Any]]

# Words that stay as they are in Bangla: the brand and a booking's code.
PROPER = {"Carevia", "CV", "PDF", "WhatsApp", "Google"}
# The addresses the test accounts and bookings are made with.
ADDRESSES = ("House 9, Road 3, Uttara", "House 12, Road 5")
# A radio button's or a list entry's value is sent, not read.
UNREAD_VALUES = re.compile(r'(<(?:input type="(?:radio|checkbox)"|option)[^>]*?) value="[^"]*"')


def english_left(html: str, *user_data: str) -> list[str]:
    """The English words left in the page's main content, apart from names and user data."""
    main = html[html.index("<main") : html.index("</main>")]
    text = visible_text(UNREAD_VALUES.sub(r"\1", main))
    for value in user_data:
        text = text.replace(value, " ")
    return sorted({w for w in re.findall(r"[A-Za-z]{2,}", text) if w not in PROPER})


@pytest.fixture
async def patient_in_bangla(
    client: Client, make_user: UserFactory, make_caregiver: CaregiverFactory
) -> Client:
    await make_caregiver("shirin@example.com", rating=4.9, name="Shirin Akhter")
    await make_user("amina@example.com", first_name="Amina", last_name="Rahman", language="bn")
    await log_in(client, "amina@example.com")  # her account's language becomes the cookie
    return client


async def test_the_booking_form_is_in_bangla(patient_in_bangla: Client) -> None:
    day = next_local_date(3).isoformat()
    page = await patient_in_bangla.get(f"/services/infant-day-care/book?date={day}")
    assert page.status_code == 200
    assert '<html lang="bn"' in page.text
    for words in ("বুকিং", "কেয়ারগিভার", "শুরুর সময়", "সময় ধরে রাখুন ও পেমেন্ট করুন"):
        assert words in page.text
    left = english_left(page.text, "Infant Day Care", "Shirin", "Akhter", "House 12, Road 5")
    assert left == [], " ".join(left)


async def test_a_paid_booking_and_the_list_are_in_bangla(
    patient_in_bangla: Client, database: Database
) -> None:
    code, _session = await paid_booking(patient_in_bangla, database)
    detail = await patient_in_bangla.get(f"/bookings/{code}")
    assert detail.status_code == 200
    assert '<html lang="bn"' in detail.text
    for words in ("নিশ্চিত", "পরিশোধিত", "বাতিলের নিয়ম", "প্রিন্ট করার মতো রসিদ"):
        assert words in detail.text
    user_data = (code, "Infant Day Care", "Shirin Akhter", "Amina Rahman", "Dhaka", "Gazipur")
    left = english_left(detail.text, *user_data, "House 9, Road 3, Uttara", "Second floor")
    assert left == [], " ".join(left)

    listing = await patient_in_bangla.get("/account/bookings")
    assert "আমার বুকিং" in listing.text and "আসন্ন" in listing.text
    assert english_left(listing.text, *user_data) == []


async def test_the_other_booking_pages_are_in_bangla(
    patient_in_bangla: Client, database: Database
) -> None:
    code, _session = await paid_booking(patient_in_bangla, database)
    user_data = (code, "Infant Day Care", "Shirin Akhter", "Amina Rahman", "Dhaka", "Gazipur")
    for path in (
        f"/bookings/{code}/receipt",
        f"/bookings/{code}/cancel",
        f"/bookings/{code}/move?date={next_local_date(4).isoformat()}",
        "/account/people",
        "/account/people/new",
        "/account/waitlist",
        "/services/infant-day-care/book/weekly",
    ):
        page = await patient_in_bangla.get(path)
        assert page.status_code == 200, path
        assert '<html lang="bn"' in page.text, path
        left = english_left(page.text, *user_data, *ADDRESSES, "Shirin", "Akhter")
        assert left == [], f"{path}: {' '.join(left)}"
