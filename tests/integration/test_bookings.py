"""Holding a caregiver's time: server prices, validation, availability, expiry and privacy."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.accounts import Client, UserFactory, csrf_token, log_in
from tests.support.bookings import CaregiverFactory, booking_code, next_local_date, submit_booking

pytestmark = pytest.mark.usefixtures("seeded")


@pytest.fixture
async def patient(client: Client, make_user: UserFactory, make_caregiver: CaregiverFactory) -> None:
    await make_caregiver("shirin@example.com", rating=4.9)
    await make_user("amina@example.com")
    await log_in(client, "amina@example.com")


@pytest.mark.usefixtures("patient")
async def test_booking_holds_the_time_at_the_server_price(
    client: Client, database: AsyncDatabase[dict[str, Any]]
) -> None:
    response = await submit_booking(
        client, price="1", total="1", pay_now="1", base="1", travel_fee="0"
    )
    assert response.status_code == 303
    code = await booking_code(client, response)
    booking = await database["bookings"].find_one({"code": code})
    service = await database["services"].find_one({"slug": "infant-day-care"})
    assert booking is not None and service is not None
    assert booking["status"] == "pending_payment"
    assert booking["payment_status"] == "unpaid"
    expected_total = 4 * service["price_per_hour"] + (
        0 if "Dhaka" in service["divisions"] else 50000
    )
    assert booking["price"]["total"] == expected_total
    assert booking["price"]["pay_now"] == expected_total
    assert (
        timedelta(minutes=29)
        < booking["hold_expires_at"] - datetime.now(UTC)
        <= timedelta(minutes=30)
    )
    assert booking["starts_at"].astimezone(UTC).hour == 4  # 10:00 in Dhaka
    assert await database["slot_claims"].count_documents({"booking_id": booking["_id"]}) == 8
    page = await client.get(f"/bookings/{code}")
    assert page.status_code == 200
    assert code in page.text and "We are holding" in page.text


@pytest.mark.usefixtures("patient")
async def test_invalid_requests_name_each_field_and_keep_the_input(
    client: Client, database: AsyncDatabase[dict[str, Any]]
) -> None:
    yesterday = (next_local_date(-1)).isoformat()
    response = await submit_booking(
        client,
        quantity="2",
        date=yesterday,
        division="Sylhet",
        district="Gazipur",
        address="Flat 2A, Lake View",
    )
    assert response.status_code == 422
    assert "Book between 4 and 24 hours for this service." in response.text
    assert "That date has passed." in response.text
    assert "Choose a district in Sylhet division." in response.text
    assert 'value="Flat 2A, Lake View"' in response.text
    outside = await submit_booking(client, start_time="19:00")
    assert outside.status_code == 422
    assert "No caregiver is free at that time" in outside.text
    assert await database["bookings"].count_documents({}) == 0


@pytest.mark.usefixtures("patient")
async def test_available_times_leave_out_held_time_and_hours_off(client: Client) -> None:
    assert (await submit_booking(client, start_time="10:00")).status_code == 303
    day = next_local_date().isoformat()
    fragment = await client.get(
        "/services/infant-day-care/book/times",
        params={"date": day, "duration_type": "hours", "quantity": "4"},
        headers={"HX-Request": "true"},
    )
    assert fragment.text.lstrip().startswith('<div id="times"')
    offered = set(re.findall(r'<option value="(\d\d:\d\d)"', fragment.text))
    # Hours are 08:00–20:00 and 10:00–14:00 is held: a 4-hour visit can start 14:00 to 16:00.
    assert offered == {"14:00", "14:30", "15:00", "15:30", "16:00"}


@pytest.mark.usefixtures("patient")
async def test_price_fragment_adds_travel_outside_the_service_area(
    client: Client, database: AsyncDatabase[dict[str, Any]]
) -> None:
    service = await database["services"].find_one({"slug": "newborn-night-nanny"})
    assert service is not None
    outside = next(
        d for d in ["Rangpur", "Barishal", "Mymensingh", "Sylhet"] if d not in service["divisions"]
    )
    fragment = await client.get(
        "/services/newborn-night-nanny/book/price",
        params={
            "duration_type": "hours",
            "quantity": "9",
            "division": outside,
            "payment_option": "half",
        },
        headers={"HX-Request": "true"},
    )
    assert fragment.text.lstrip().startswith('<section id="price"')
    total = 9 * service["price_per_hour"] + 50000
    assert "Travel fee</dt><dd>৳500</dd>" in fragment.text
    assert f"৳{total / 100:,.0f}" in fragment.text
    assert f"৳{(total - total // 2) / 100:,.0f}" in fragment.text  # pay now: the larger half
    inside = await client.get(
        "/services/newborn-night-nanny/book/price",
        params={"duration_type": "hours", "quantity": "9", "division": "Dhaka"},
        headers={"HX-Request": "true"},
    )
    assert "Travel fee" in inside.text and "within the service area" in inside.text


async def test_an_expired_hold_frees_the_time_for_the_next_patient(
    client: Client,
    database: AsyncDatabase[dict[str, Any]],
    make_user: UserFactory,
    make_caregiver: CaregiverFactory,
) -> None:
    caregiver = await make_caregiver("only@example.com")
    await make_user("first@example.com")
    await make_user("second@example.com")
    await log_in(client, "first@example.com")
    first = await booking_code(client, await submit_booking(client, caregiver_id=str(caregiver)))
    client.cookies.clear()
    await log_in(client, "second@example.com")
    assert (await submit_booking(client, caregiver_id=str(caregiver))).status_code == 409
    await database["bookings"].update_one(
        {"code": first}, {"$set": {"hold_expires_at": datetime.now(UTC) - timedelta(seconds=1)}}
    )
    second = await booking_code(client, await submit_booking(client, caregiver_id=str(caregiver)))
    expired = await database["bookings"].find_one({"code": first})
    assert expired is not None
    assert expired["status"] == "expired"
    assert [h["to_status"] for h in expired["history"]] == ["pending_payment", "expired"]
    assert await database["slot_claims"].count_documents({}) == 8
    held = await database["bookings"].find_one({"code": second})
    assert held is not None
    assert held["status"] == "pending_payment"


async def test_patients_cannot_see_or_cancel_other_peoples_bookings(
    client: Client,
    database: AsyncDatabase[dict[str, Any]],
    make_user: UserFactory,
    make_caregiver: CaregiverFactory,
) -> None:
    await make_caregiver("shirin@example.com")
    await make_user("owner@example.com")
    await make_user("other@example.com")
    await log_in(client, "owner@example.com")
    code = await booking_code(client, await submit_booking(client))
    client.cookies.clear()
    await log_in(client, "other@example.com")
    page = await client.get(f"/bookings/{code}")
    assert page.status_code == 404
    assert "House 9, Road 3" not in page.text
    token = await csrf_token(client, "/account")
    cancel = await client.post(f"/bookings/{code}/cancel", data={"_csrf_token": token})
    assert cancel.status_code == 404
    listing = await client.get("/account/bookings")
    assert code not in listing.text
    stored = await database["bookings"].find_one({"code": code})
    assert stored is not None
    assert stored["status"] == "pending_payment"


@pytest.mark.usefixtures("patient")
async def test_cancelling_releases_the_time_and_records_the_refund_owed(
    client: Client, database: AsyncDatabase[dict[str, Any]]
) -> None:
    code = await booking_code(client, await submit_booking(client))
    await database["bookings"].update_one(
        {"code": code},
        {"$set": {"status": "confirmed", "payment_status": "paid", "amount_paid": 200000}},
    )
    confirm = await client.get(f"/bookings/{code}/cancel")
    assert "৳2,000" in confirm.text
    token = await csrf_token(client, f"/bookings/{code}/cancel")
    done = await client.post(
        f"/bookings/{code}/cancel", data={"_csrf_token": token}, follow_redirects=False
    )
    assert done.status_code == 303
    stored = await database["bookings"].find_one({"code": code})
    assert stored is not None
    assert (stored["status"], stored["refund_owed"]) == ("cancelled", 200000)
    assert stored["history"][-1]["actor_role"] == "patient"
    assert await database["slot_claims"].count_documents({}) == 0
    assert (
        await database["audit_log"].count_documents(
            {"action": "booking.cancelled", "target_id": code}
        )
        == 1
    )
    again = await client.post(f"/bookings/{code}/cancel", data={"_csrf_token": token})
    assert again.status_code == 409


@pytest.mark.usefixtures("patient")
async def test_my_bookings_lists_upcoming_and_cancelled(client: Client) -> None:
    kept = await booking_code(client, await submit_booking(client, start_time="08:00"))
    dropped = await booking_code(client, await submit_booking(client, start_time="14:00"))
    token = await csrf_token(client, "/account")
    await client.post(f"/bookings/{dropped}/cancel", data={"_csrf_token": token})
    upcoming = await client.get("/account/bookings")
    assert kept in upcoming.text and dropped not in upcoming.text
    cancelled = await client.get("/account/bookings?view=cancelled", headers={"HX-Request": "true"})
    assert cancelled.text.lstrip().startswith('<section id="booking-list"')
    assert dropped in cancelled.text and kept not in cancelled.text


async def test_booking_needs_a_verified_patient(
    client: Client, make_user: UserFactory, make_caregiver: CaregiverFactory
) -> None:
    await make_caregiver("shirin@example.com")
    await make_user("new@example.com", verified=False)
    await log_in(client, "new@example.com")
    response = await submit_booking(client)
    assert response.status_code == 403
    assert "confirm your email address" in response.text
    client.cookies.clear()
    signed_out = await client.get("/services/infant-day-care/book", follow_redirects=False)
    assert signed_out.status_code == 303
    assert signed_out.headers["location"] == "/login?next=/services/infant-day-care/book"


@pytest.mark.usefixtures("patient")
async def test_booking_form_prefills_the_profile_and_wires_its_live_regions(client: Client) -> None:
    page = await client.get("/services/infant-day-care/book")
    assert page.status_code == 200
    assert 'hx-get="/services/infant-day-care/book/times"' in page.text
    assert 'hx-get="/services/infant-day-care/book/price"' in page.text
    assert 'value="House 12, Road 5"' in page.text  # the patient's own address
    assert "Any available caregiver" in page.text and "Shirin Akhter" in page.text
    assert "<noscript>" in page.text and "Show free times and price" in page.text


async def test_any_caregiver_means_the_best_rated_free_one(
    client: Client,
    database: AsyncDatabase[dict[str, Any]],
    make_user: UserFactory,
    make_caregiver: CaregiverFactory,
) -> None:
    best = await make_caregiver("best@example.com", rating=4.9, name="Best Carer")
    second = await make_caregiver("second@example.com", rating=4.2, name="Second Carer")
    await make_caregiver("elderly@example.com", rating=5.0, categories=("elderly-care",))
    await make_user("amina@example.com")
    await log_in(client, "amina@example.com")
    first = await booking_code(
        client, await submit_booking(client, caregiver_id="any", start_time="10:00")
    )
    after = await booking_code(
        client, await submit_booking(client, caregiver_id="any", start_time="11:00")
    )
    third = await submit_booking(client, caregiver_id="any", start_time="12:00")
    assigned = {b["code"]: b["caregiver_id"] async for b in database["bookings"].find()}
    assert (assigned[first], assigned[after]) == (best, second)
    assert third.status_code == 409
    assert "No caregiver is free at that time" in third.text


@pytest.mark.usefixtures("patient")
async def test_no_travel_fee_is_shown_before_a_division_is_chosen(client: Client) -> None:
    fragment = await client.get(
        "/services/newborn-night-nanny/book/price",
        params={"duration_type": "hours", "quantity": "8"},
        headers={"HX-Request": "true"},
    )
    assert "choose a division" in fragment.text
    assert "৳500" not in fragment.text


async def test_a_disabled_caregiver_is_neither_offered_nor_booked(
    client: Client,
    database: AsyncDatabase[dict[str, Any]],
    make_user: UserFactory,
    make_caregiver: CaregiverFactory,
) -> None:
    caregiver = await make_caregiver("gone@example.com", name="Gone Carer")
    await database["users"].update_one({"_id": caregiver}, {"$set": {"is_active": False}})
    await make_user("amina@example.com")
    await log_in(client, "amina@example.com")
    assert "Gone Carer" not in (await client.get("/services/infant-day-care/book")).text
    response = await submit_booking(client, caregiver_id=str(caregiver))
    assert response.status_code == 422
    assert await database["bookings"].count_documents({}) == 0
