"""Weekly series through the real form: the form's fields, submitting it, and its dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from tests.support.accounts import Client, csrf_token
from tests.support.bookings import DHAKA

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
