"""Weekly visits: taken dates, all or nothing, skip or another caregiver, one payment."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from bson import ObjectId
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.accounts import Client
from tests.support.bookings import CaregiverFactory, submit_booking
from tests.support.payment_flows import checkout_id, settle
from tests.support.payments import pay_on_test_gateway
from tests.support.series import monday_in, series_visits, submit_series

pytestmark = pytest.mark.usefixtures("seeded")
Database = AsyncDatabase[dict[str, Any]]
TAKEN_DAY = monday_in(2) + timedelta(days=9)  # the second week's Wednesday


async def take_one_date(client: Client, caregiver: str) -> None:
    """Book, as an ordinary visit, one of the dates the series will ask for."""
    taken = await submit_booking(
        client, caregiver_id=caregiver, date=TAKEN_DAY.isoformat(), start_time="09:00"
    )
    assert taken.status_code == 303, taken.text


@pytest.fixture
async def shirin(database: Database, signed_in_patient: ObjectId) -> str:
    found = await database["caregivers"].find_one({"display_name": "Shirin Akhter"})
    assert found is not None
    return str(found["_id"])


async def test_a_taken_date_refuses_the_whole_series_when_all_or_nothing(
    client: Client, database: Database, shirin: str
) -> None:
    await take_one_date(client, shirin)
    answer = await submit_series(client, caregiver_id=shirin, on_conflict="all_or_nothing")
    assert answer.status_code == 409
    assert "Nothing was booked" in answer.text
    assert f"{TAKEN_DAY:%a} {TAKEN_DAY.day} {TAKEN_DAY:%b}" in answer.text
    assert await series_visits(database) == []
    assert await database["series"].count_documents({}) == 0


async def test_taken_dates_are_listed_and_skipping_them_books_the_rest(
    client: Client, database: Database, shirin: str
) -> None:
    await take_one_date(client, shirin)
    asked = await submit_series(client, caregiver_id=shirin)
    assert asked.status_code == 409
    assert f"{TAKEN_DAY:%a} {TAKEN_DAY.day} {TAKEN_DAY:%b} {TAKEN_DAY.year}" in asked.text
    assert "19 of 20 visits are free" in asked.text
    assert await series_visits(database) == []

    skipped = await submit_series(client, caregiver_id=shirin, on_conflict="skip")
    assert skipped.status_code == 303, skipped.text
    visits = await series_visits(database)
    assert len(visits) == 19
    days = {v["starts_at"].date() for v in visits}
    assert TAKEN_DAY not in days
    assert {v["status"] for v in visits} == {"pending_payment"}
    series = await database["series"].find_one({})
    assert series is not None
    assert series["skipped"] == [TAKEN_DAY.isoformat()]
    # Each visit holds its own time: 19 visits of 4 hours, 8 half hours each.
    claimed = await database["slot_claims"].count_documents(
        {"booking_id": {"$in": series["booking_ids"]}}
    )
    assert claimed == 19 * 8


async def test_another_free_caregiver_takes_the_taken_date(
    client: Client, database: Database, shirin: str, make_caregiver: CaregiverFactory
) -> None:
    karim = await make_caregiver("karim@example.com", name="Karim Hossain")
    await take_one_date(client, shirin)
    answer = await submit_series(client, caregiver_id=shirin, on_conflict="other")
    assert answer.status_code == 303, answer.text
    visits = await series_visits(database)
    assert len(visits) == 20
    by_karim = [v for v in visits if v["caregiver_id"] == karim]
    assert [v["starts_at"].date() for v in by_karim] == [TAKEN_DAY]


async def test_one_checkout_pays_and_confirms_every_visit(
    client: Client, database: Database, shirin: str
) -> None:
    answer = await submit_series(client, caregiver_id=shirin, weeks="2")
    assert answer.status_code == 303, answer.text
    session_id = checkout_id(answer.headers["location"])
    visits = await series_visits(database)
    assert len(visits) == 10
    payment = await database["payments"].find_one({"session_id": session_id})
    assert payment is not None
    assert payment["amount"] == sum(v["price"]["pay_now"] for v in visits)
    assert sorted(part["booking_id"] for part in payment["covers"]) == sorted(
        v["_id"] for v in visits
    )

    assert (await pay_on_test_gateway(client, session_id)).status_code == 303
    for visit in visits:
        confirmed = await settle(database, visit["code"], status="confirmed")
        assert confirmed["status"] == "confirmed"
        assert confirmed["amount_paid"] == visit["price"]["total"]
        assert confirmed["amount_refundable"] == visit["price"]["total"]
    assert await database["audit_log"].count_documents({"action": "booking.confirmed"}) == 10

    visit_page = await client.get(f"/bookings/{visits[3]['code']}")
    assert f'href="/series/{visits[3]["series_id"]}"' in visit_page.text
    page = await client.get(f"/series/{visits[0]['series_id']}")
    assert page.status_code == 200
    assert page.text.count("Confirmed") == 10
    assert re.search(r"Mon, Tue, Wed, Thu, Fri at 08:00 for 4 h, 2 weeks", page.text)


async def test_the_calendars_day_and_caregiver_carry_over_and_nonsense_falls_back(
    client: Client, shirin: str
) -> None:
    day = monday_in(3)
    carried = await client.get(
        "/services/infant-day-care/book/weekly",
        params={"first_week": day.isoformat(), "caregiver_id": shirin},
    )
    assert carried.status_code == 200
    assert f'name="first_week" type="date" value="{day.isoformat()}"' in carried.text
    assert re.search(rf'value="{shirin}"\s+checked', carried.text)

    nonsense = await client.get(
        "/services/infant-day-care/book/weekly",
        params={"first_week": "9999-99-99", "caregiver_id": '{"$ne": 1}'},
    )
    assert nonsense.status_code == 200
    assert 'value="9999-99-99"' not in nonsense.text
    assert (
        len(re.findall(r'name="caregiver_id" value="[0-9a-f]{24}"\s+checked', nonsense.text)) == 1
    )
