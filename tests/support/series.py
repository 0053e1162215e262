"""Weekly series through the real form: the form's fields, submitting it, and its dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from bson import ObjectId
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.accounts import Client, csrf_token
from tests.support.bookings import DHAKA
from tests.support.payment_flows import checkout_id, settle
from tests.support.payments import pay_on_test_gateway

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")


def monday_in(weeks: int) -> date:
    """The Monday `weeks` weeks after this one, in Dhaka."""
    today = datetime.now(UTC).astimezone(DHAKA).date()
    return today - timedelta(days=today.weekday()) + timedelta(weeks=weeks)


def series_form(**changes: str) -> dict[str, str]:
    form = {
        "service": "infant-day-care",
        **dict.fromkeys(WEEKDAYS, "on"),
        "start_time": "08:00",
        "hours": "4",
        "weeks": "4",
        "first_week": monday_in(2).isoformat(),
        "division": "Dhaka",
        "district": "Gazipur",
        "address": "House 9, Road 3, Uttara",
        "payment_plan": "whole",
        "on_conflict": "ask",
    }
    return {**form, **changes}


async def submit_series(client: Client, **changes: str) -> Any:
    page = f"/services/{changes.get('service', 'infant-day-care')}/book/weekly"
    token = await csrf_token(client, page)
    return await client.post(
        "/series", data={**series_form(**changes), "_csrf_token": token}, follow_redirects=False
    )


async def series_visits(
    database: AsyncDatabase[dict[str, Any]], series_id: Any = None
) -> list[dict[str, Any]]:
    """The stored visits of one series (of every series when None), in date order."""
    query = {"series_id": {"$ne": None}} if series_id is None else {"series_id": series_id}
    return [b async for b in database["bookings"].find(query).sort("starts_at", 1)]


async def held_series(
    client: Client, database: AsyncDatabase[dict[str, Any]], caregiver: str
) -> str:
    """The signed-in patient holds one week of Monday visits with `caregiver`; its id.

    They start at 16:00, clear of the morning visits other tests book with the caregiver.
    """
    days = dict.fromkeys(WEEKDAYS[1:], "")
    answer = await submit_series(
        client, caregiver_id=caregiver, weeks="1", start_time="16:00", **days
    )
    assert answer.status_code == 303, answer.text
    found = await database["series"].find_one({}, sort=[("created_at", -1)])
    assert found is not None
    return str(found["_id"])


async def paid_series(
    client: Client, database: AsyncDatabase[dict[str, Any]], caregiver: str
) -> str:
    """The same week of visits, paid on the test gateway and confirmed; its id."""
    series_id = await held_series(client, database, caregiver)
    token = await csrf_token(client, f"/series/{series_id}")
    answer = await client.post(
        f"/series/{series_id}/pay", data={"_csrf_token": token}, follow_redirects=False
    )
    assert (
        await pay_on_test_gateway(client, checkout_id(answer.headers["location"]))
    ).status_code == 303
    for visit in await series_visits(database, ObjectId(series_id)):
        assert (await settle(database, visit["code"], status="confirmed"))["status"] == "confirmed"
    return series_id
