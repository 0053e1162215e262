"""The waitlist through the pages: joined from the booking form without JavaScript when the
time is taken, listed for the patient, left again, and seen by admins in the dashboard."""

from __future__ import annotations

import re
from typing import Any

import pytest

from carevia.domain.shared.time_format import format_day
from tests.support.accounts import DEFAULT_PASSWORD, Client, UserFactory, csrf_token, log_in
from tests.support.bookings import (
    CaregiverFactory,
    booking_code,
    booking_form,
    next_local_date,
    submit_booking,
)
from tests.support.scheduling import Database

pytestmark = pytest.mark.usefixtures("seeded")


@pytest.fixture
async def time_taken(
    client: Client, make_user: UserFactory, make_caregiver: CaregiverFactory
) -> str:
    """Amina holds Shirin, the only caregiver, at 10:00; Rahim is signed in. Amina's code."""
    await make_caregiver("shirin@example.com")
    await make_user("amina@example.com")
    await make_user("rahim@example.com", first_name="Rahim")
    await log_in(client, "amina@example.com")
    code = await booking_code(client, await submit_booking(client))
    client.cookies.clear()
    await log_in(client, "rahim@example.com")
    return code


async def test_a_taken_time_offers_the_waitlist_and_a_plain_form_post_joins_it(
    client: Client, database: Database, time_taken: str
) -> None:
    refused = await submit_booking(client)
    assert refused.status_code == 409
    assert "Join the waitlist" in refused.text and 'formaction="/waitlist"' in refused.text

    token = await csrf_token(client, "/services/infant-day-care/book")
    joined = await client.post(
        "/waitlist",
        data={**booking_form(start_time=""), "wait_time": "10:00", "_csrf_token": token},
        follow_redirects=False,
    )
    assert joined.status_code == 303 and joined.headers["location"] == "/account/waitlist?joined=1"

    page = await client.get("/account/waitlist?joined=1")
    day = next_local_date()
    assert "You are on the waitlist" in page.text
    assert f"{format_day(day)}, 10:00 am" in page.text and "Waiting" in page.text
    [entry] = await database["waitlist"].find().to_list()
    assert entry["status"] == "waiting" and entry["caregiver_id"] is None


async def test_a_day_without_free_times_shows_the_join_button(
    client: Client, time_taken: str
) -> None:
    query = "&".join(f"{k}={v}" for k, v in booking_form(quantity="12", start_time="").items())
    times = await client.get(
        f"/services/infant-day-care/book/times?{query}", headers={"HX-Request": "true"}
    )
    assert times.status_code == 200
    assert "No free times on this day" in times.text
    assert "Join the waitlist" in times.text


async def test_a_patient_leaves_and_a_stranger_cannot(
    client: Client, database: Database, time_taken: str, make_user: UserFactory
) -> None:
    token = await csrf_token(client, "/services/infant-day-care/book")
    await client.post("/waitlist", data={**booking_form(), "_csrf_token": token})
    [entry] = await database["waitlist"].find().to_list()
    leave = f"/account/waitlist/{entry['_id']}/leave"

    await make_user("nadia@example.com", first_name="Nadia")
    client.cookies.clear()
    await log_in(client, "nadia@example.com")
    stranger = await client.post(leave, data={"_csrf_token": await csrf_token(client, "/account")})
    assert stranger.status_code == 404

    client.cookies.clear()
    await log_in(client, "rahim@example.com")
    token = await csrf_token(client, "/account/waitlist")
    left = await client.post(leave, data={"_csrf_token": token}, follow_redirects=False)
    assert left.status_code == 303
    page = await client.get("/account/waitlist?left=1")
    assert "Left the waitlist" in page.text
    again = await client.post(leave, data={"_csrf_token": token})
    assert again.status_code == 409 and "still waiting" in again.text


async def test_joining_with_a_bad_time_is_refused_with_the_reason(
    client: Client, database: Database, time_taken: str
) -> None:
    token = await csrf_token(client, "/services/infant-day-care/book")
    refused = await client.post(
        "/waitlist", data={**booking_form(date="2020-01-01"), "_csrf_token": token}
    )
    assert refused.status_code == 422
    assert "That date has passed" in refused.text
    assert await database["waitlist"].count_documents({}) == 0


async def test_admins_see_the_waitlist_in_the_dashboard(
    client: Client, database: Database, time_taken: str, make_user: UserFactory
) -> None:
    token = await csrf_token(client, "/services/infant-day-care/book")
    await client.post("/waitlist", data={**booking_form(), "_csrf_token": token})
    await make_user("admin@example.com", role="admin", first_name="Nadia")
    client.cookies.clear()
    await log_in(client, "admin@example.com")

    page = await client.get("/dashboard/waitlist")
    assert page.status_code == 200
    row: Any = re.search(r"<tbody>(.*?)</tbody>", page.text, re.S)
    assert row and "Rahim" in row.group(1) and "Infant" in row.group(1)
    assert "Waiting" in row.group(1)
    filtered = await client.get("/dashboard/waitlist?status=booked")
    assert "Nobody is on the waitlist with this status" in filtered.text


async def test_deleting_the_account_takes_the_waitlist_places_with_it(
    client: Client, database: Database, time_taken: str
) -> None:
    token = await csrf_token(client, "/services/infant-day-care/book")
    form = {**booking_form(address="House 77, Lake Road, Gulshan"), "_csrf_token": token}
    await client.post("/waitlist", data=form)
    assert await database["waitlist"].count_documents({}) == 1

    token = await csrf_token(client, "/account/delete")
    deleted = await client.post(
        "/account/delete",
        data={"password": DEFAULT_PASSWORD, "_csrf_token": token},
        follow_redirects=False,
    )

    assert deleted.status_code == 303
    assert await database["waitlist"].count_documents({}) == 0
