"""The dashboard's bookings: live-filtered table, the drawer's real forms, and the CSV export."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.accounts import Client, UserFactory, csrf_token, log_in
from tests.support.bookings import CaregiverFactory, booking_code, due_soon, submit_booking
from tests.support.payment_flows import paid_booking, settle

pytestmark = pytest.mark.usefixtures("seeded")
Database = AsyncDatabase[dict[str, Any]]
HTMX = {"HX-Request": "true"}


@pytest.fixture
async def world(
    client: Client, database: Database, make_user: UserFactory, make_caregiver: CaregiverFactory
) -> dict[str, Any]:
    """Two confirmed 10:00–14:00 visits: Amina's with Shirin, Karim's with Busy."""
    people: dict[str, Any] = {
        "shirin": await make_caregiver("shirin@example.com", rating=4.9, name="Shirin Akhter"),
        "rahim": await make_caregiver("rahim@example.com", rating=4.0, name="Rahim Uddin"),
        "busy": await make_caregiver("busy@example.com", rating=4.5, name="Busy Begum"),
        "unverified": await make_caregiver("new@example.com", verified=False, name="New Carer"),
        "elderly": await make_caregiver(
            "elder@example.com", categories=("elderly-care",), name="Elder Expert"
        ),
    }
    await make_user("admin@example.com", role="admin")
    await make_user("karim@example.com", first_name="Karim", last_name="Hossain")
    await log_in(client, "karim@example.com")
    response = await submit_booking(client, caregiver_id=str(people["busy"]))
    people["other_code"] = await booking_code(client, response)
    client.cookies.clear()
    await make_user("amina@example.com")
    await log_in(client, "amina@example.com")
    people["code"] = await booking_code(client, await submit_booking(client))
    client.cookies.clear()
    await database["bookings"].update_many({}, {"$set": {"status": "confirmed"}})
    return people


async def as_user(client: Client, email: str) -> str:
    """Log in with a fresh cookie jar; returns a CSRF token for the forms."""
    client.cookies.clear()
    await log_in(client, email)
    return await csrf_token(client, "/account")


async def post(client: Client, path: str, token: str, htmx: bool = False, **fields: str) -> Any:
    headers = {**HTMX, "x-csrftoken": token} if htmx else {}
    return await client.post(
        path, data={"_csrf_token": token, **fields}, headers=headers, follow_redirects=False
    )


async def stored(database: Database, code: str) -> dict[str, Any]:
    found = await database["bookings"].find_one({"code": code})
    assert found is not None
    return found


def table_codes(html: str) -> list[str]:
    return re.findall(r'hx-target="#booking-drawer"[^>]*>(CV-[A-Z0-9]{6})</a>', html)


async def test_the_table_filters_live_and_shows_each_role_its_own(
    client: Client, world: dict[str, Any]
) -> None:
    code, other = world["code"], world["other_code"]
    await as_user(client, "admin@example.com")
    page = await client.get("/dashboard/bookings")
    assert page.status_code == 200
    assert sorted(table_codes(page.text)) == sorted([code, other])
    assert 'hx-push-url="true"' in page.text and "Export CSV" in page.text
    fragment = await client.get("/dashboard/bookings", params={"q": "karim"}, headers=HTMX)
    assert fragment.text.lstrip().startswith('<section id="booking-rows"')
    assert table_codes(fragment.text) == [other]
    assert 'hx-trigger="bookingChanged from:body, carevia:booking from:body"' in fragment.text
    literal = await client.get("/dashboard/bookings", params={"q": "(a+)+$"}, headers=HTMX)
    assert table_codes(literal.text) == [] and "No bookings match these filters." in literal.text
    assert (await client.get("/dashboard/bookings?sort=patient.email")).status_code == 400

    await as_user(client, "shirin@example.com")
    mine = await client.get("/dashboard/bookings")
    assert table_codes(mine.text) == [code] and "Export CSV" not in mine.text
    assert (await client.get(f"/dashboard/bookings/{other}")).status_code == 404
    await as_user(client, "amina@example.com")
    for path in ("/dashboard/bookings", f"/dashboard/bookings/{code}"):
        assert (await client.get(path)).status_code == 403


async def test_the_caregiver_starts_and_completes_through_the_drawer(
    client: Client, database: Database, world: dict[str, Any]
) -> None:
    code = world["code"]
    base = f"/dashboard/bookings/{code}"
    token = await as_user(client, "busy@example.com")
    assert (await post(client, f"{base}/start", token)).status_code == 404
    token = await as_user(client, "amina@example.com")
    assert (await post(client, f"{base}/start", token)).status_code == 403

    token = await as_user(client, "shirin@example.com")
    drawer = await client.get(base)
    assert "Start visit" in drawer.text
    assert "Cancel booking" not in drawer.text and "Reassign" not in drawer.text
    assert "amina@example.com" not in drawer.text  # no patient contact details for caregivers
    for action in ("cancel", "resend", "refund"):
        assert (await post(client, f"{base}/{action}", token)).status_code == 403
    assert (
        await post(client, f"{base}/assign", token, caregiver_id=str(world["rahim"]))
    ).status_code == 403

    await due_soon(database, code)
    started = await post(client, f"{base}/start", token, htmx=True, confirm="yes")
    assert started.status_code == 200
    assert started.headers["HX-Trigger"] == "bookingChanged"
    assert started.text.lstrip().startswith('<section id="booking-drawer"')
    assert "The visit is now in progress." in started.text and "Complete visit" in started.text
    completed = await post(client, f"{base}/complete", token, confirm="yes", mood="calm")
    assert completed.status_code == 303
    assert completed.headers["location"] == f"{base}?done=completed"
    assert "The visit is complete." in (await client.get(completed.headers["location"])).text
    booking = await stored(database, code)
    assert booking["status"] == "completed"
    assert [h["actor_role"] for h in booking["history"][-2:]] == ["caregiver", "caregiver"]
    for action in ("booking.started", "booking.completed"):
        entry = await database["audit_log"].find_one({"action": action, "target_id": code})
        assert entry is not None and entry["actor_id"] == str(world["shirin"])
    again = await post(client, f"{base}/start", token, htmx=True, confirm="yes")
    assert again.status_code == 422 and "cannot become in progress" in again.text


async def test_reassigning_offers_only_free_verified_caregivers(
    client: Client, database: Database, world: dict[str, Any]
) -> None:
    code = world["code"]
    base = f"/dashboard/bookings/{code}"
    token = await as_user(client, "admin@example.com")
    drawer = await client.get(base)
    offered = set(re.findall(r'<option value="([0-9a-f]{24})"', drawer.text))
    assert offered == {str(world["rahim"])}  # not busy, unverified, other-category or current

    clash = await post(client, f"{base}/assign", token, htmx=True, caregiver_id=str(world["busy"]))
    assert clash.status_code == 422 and "Busy Begum is not free at that time." in clash.text
    booking = await stored(database, code)
    assert booking["caregiver_id"] == world["shirin"]
    claims = database["slot_claims"].find({"booking_id": booking["_id"]})
    assert {c["caregiver_id"] async for c in claims} == {world["shirin"]}

    moved = await post(client, f"{base}/assign", token, htmx=True, caregiver_id=str(world["rahim"]))
    assert moved.status_code == 200 and moved.headers["HX-Trigger"] == "bookingChanged"
    assert "Rahim Uddin" in moved.text
    claims = database["slot_claims"].find({"booking_id": booking["_id"]})
    assert {c["caregiver_id"] async for c in claims} == {world["rahim"]}
    assert await database["audit_log"].count_documents({"action": "booking.assigned"}) == 1


async def test_admins_refund_resend_and_cancel_through_the_drawer(
    client: Client, database: Database, make_user: UserFactory, make_caregiver: CaregiverFactory
) -> None:
    await make_caregiver("shirin@example.com")
    await make_user("admin@example.com", role="admin")
    await make_user("amina@example.com")
    await log_in(client, "amina@example.com")
    code, _ = await paid_booking(client, database)
    base = f"/dashboard/bookings/{code}"
    token = await as_user(client, "admin@example.com")
    drawer = await client.get(base)
    assert "Payment history" in drawer.text and "Payment #1" in drawer.text
    assert "amina@example.com" in drawer.text

    wrong = await post(client, f"{base}/refund", token, scope="partial", amount="lots")
    assert wrong.status_code == 422 and "Enter an amount in taka" in wrong.text
    refunded = await post(
        client, f"{base}/refund", token, scope="partial", amount="5", reason="Late start"
    )
    assert refunded.status_code == 303
    refund = await database["refunds"].find_one({"booking_code": code})
    assert refund is not None and (refund["amount"], refund["reason"]) == (500, "Late start")
    assert "Refund: Late start" in (await client.get(base)).text

    assert (await post(client, f"{base}/resend", token)).status_code == 303
    assert await database["mail_outbox"].count_documents({"template": "booking_confirmed"}) == 2
    for action in ("payment.refund_requested", "booking.confirmation_resent"):
        entry = await database["audit_log"].find_one({"action": action, "target_id": code})
        assert entry is not None and entry["actor_role"] == "admin", action

    cancelled = await post(client, f"{base}/cancel", token, htmx=True)
    assert cancelled.status_code == 200 and cancelled.headers["HX-Trigger"] == "bookingChanged"
    booking = await settle(database, code, payment_status="refunded")
    assert (booking["status"], booking["amount_refunded"]) == ("cancelled", booking["amount_paid"])
    assert (
        await database["audit_log"].count_documents(
            {"action": "booking.cancelled", "target_id": code, "actor_role": "admin"}
        )
        == 1
    )
    assert "Nothing can be changed on this booking now." in (await client.get(base)).text


async def test_the_csv_export_matches_the_table_and_neutralises_formulas(
    client: Client, database: Database, make_user: UserFactory, make_caregiver: CaregiverFactory
) -> None:
    await make_caregiver("shirin@example.com")
    await make_user("admin@example.com", role="admin")
    await make_user("evil@example.com", first_name="=cmd|' /C calc'!A0", last_name="X")
    await make_user("minus@example.com", first_name="-1", last_name="Y")
    await log_in(client, "evil@example.com")
    tricky = {"address": "+1 Lake Road, Gulshan", "notes": "@SUM(1)"}
    evil = await booking_code(client, await submit_booking(client, start_time="08:00", **tricky))
    dropped = await booking_code(client, await submit_booking(client, start_time="16:00"))
    await as_user(client, "minus@example.com")
    minus = await booking_code(client, await submit_booking(client, start_time="12:00", notes="-1"))
    await database["bookings"].update_one({"code": dropped}, {"$set": {"status": "cancelled"}})

    await as_user(client, "admin@example.com")
    query = {"status": "pending_payment", "sort": "starts_soonest"}
    table = table_codes((await client.get("/dashboard/bookings", params=query)).text)
    assert table == [evil, minus]
    export = await client.get("/dashboard/bookings.csv", params=query)
    assert export.status_code == 200
    assert export.headers["content-type"].startswith("text/csv")
    assert "attachment" in export.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert [row["Code"] for row in rows] == table
    first, second = rows
    assert first["Patient name"] == "'=cmd|' /C calc'!A0 X"
    assert (first["Address"], first["Notes"]) == ("'+1 Lake Road, Gulshan", "'@SUM(1)")
    assert (second["Patient name"], second["Notes"]) == ("'-1 Y", "'-1")
    assert (first["Status"], first["Division"], first["Hours/days"]) == (
        "Awaiting payment",
        "Dhaka",
        "4 hours",
    )
    stored_total = (await stored(database, evil))["price"]["total"]
    assert first["Total"] == f"{stored_total // 100}.{stored_total % 100:02d}"
    audit = await database["audit_log"].find_one({"action": "admin.bookings_exported"})
    assert audit is not None and audit["details"]["count"] == 2

    await as_user(client, "shirin@example.com")
    assert (await client.get("/dashboard/bookings.csv")).status_code == 403
