"""The bookings JSON API: role-scoped reading, staff actions, and bounded, literal search."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.accounts import Client, UserFactory, api_token, log_in
from tests.support.bookings import (
    CaregiverFactory,
    booking_code,
    due_soon,
    next_local_date,
    submit_booking,
)
from tests.support.payment_flows import paid_booking, settle

pytestmark = pytest.mark.usefixtures("seeded")
Database = AsyncDatabase[dict[str, Any]]
API = "/api/v1/bookings"


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


async def bearer(client: Client, email: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {await api_token(client, email)}"}


async def codes(client: Client, headers: dict[str, str], **params: Any) -> list[str]:
    response = await client.get(API, params=params, headers=headers)
    assert response.status_code == 200, response.text
    return [item["code"] for item in response.json()["items"]]


async def stored(database: Database, code: str) -> dict[str, Any]:
    found = await database["bookings"].find_one({"code": code})
    assert found is not None
    return found


async def audited(database: Database, action: str, code: str) -> int:
    return await database["audit_log"].count_documents({"action": action, "target_id": code})


async def test_reading_is_scoped_to_each_role(client: Client, world: dict[str, Any]) -> None:
    code, other = world["code"], world["other_code"]
    admin = await bearer(client, "admin@example.com")
    assert sorted(await codes(client, admin)) == sorted([code, other])
    for email, own in [
        ("shirin@example.com", code),
        ("busy@example.com", other),
        ("amina@example.com", code),
        ("karim@example.com", other),
    ]:
        assert await codes(client, await bearer(client, email)) == [own]

    amina, shirin = (
        await bearer(client, "amina@example.com"),
        await bearer(client, "shirin@example.com"),
    )
    for headers in (amina, shirin):
        refused = await client.get(f"{API}/{other}", headers=headers)
        assert refused.status_code == 404
        assert refused.json()["error"]["code"] == "not_found"
        assert "Karim" not in refused.text
    own = (await client.get(f"{API}/{code}", headers=amina)).json()
    assert (own["patient_email"], own["address"]) == (
        "amina@example.com",
        "House 9, Road 3, Uttara",
    )
    visit = (await client.get(f"{API}/{code}", headers=shirin)).json()
    assert visit["patient_name"] == "Amina Rahman"
    assert (visit["patient_email"], visit["patient_phone"]) == (None, None)
    assert (await client.get(f"{API}/CV-ZZZZZZ", headers=admin)).status_code == 404
    assert (await client.get(API)).status_code == 401


async def test_search_is_literal_bounded_and_sorted_from_a_whitelist(
    client: Client, database: Database, world: dict[str, Any]
) -> None:
    code, other = world["code"], world["other_code"]
    admin = await bearer(client, "admin@example.com")
    for pattern in [".*", "(a+)+$", "^CV", "[A-Z]"]:
        assert await codes(client, admin, q=pattern) == [], pattern
    assert await codes(client, admin, q=code[3:].lower()) == [code]
    assert await codes(client, admin, q="karim") == [other]
    assert sorted(await codes(client, admin, q="Infant Day")) == sorted([code, other])
    assert await codes(client, admin, sort="oldest") == [other, code]
    assert await codes(client, admin, sort="newest") == [code, other]
    shirin = await bearer(client, "shirin@example.com")
    assert await codes(client, shirin, q="Karim") == []
    day = next_local_date()
    window = {"date_from": day.isoformat(), "date_to": day.isoformat()}
    assert len(await codes(client, admin, **window)) == 2
    assert await codes(client, admin, date_to=(day - timedelta(days=1)).isoformat()) == []
    assert await codes(client, admin, assigned="no") == []
    await database["caregivers"].update_one({"_id": world["busy"]}, {"$set": {"verified": False}})
    assert await codes(client, admin, assigned="no") == [other]
    assert await codes(client, admin, assigned="yes", division="Dhaka") == [code]

    capped = await client.get(API, params={"limit": 5000}, headers=admin)
    assert (capped.json()["limit"], capped.json()["total"]) == (100, 2)
    page = await client.get(API, params={"limit": 1, "page": 99}, headers=admin)
    assert (page.json()["page"], page.json()["pages"], len(page.json()["items"])) == (2, 2, 1)
    backwards = {"date_from": day.isoformat(), "date_to": (day - timedelta(days=1)).isoformat()}
    for bad in [{"sort": "price.total"}, {"sort": "$natural"}, {"status": "lost"}, backwards]:
        refused = await client.get(API, params=bad, headers=admin)
        assert refused.status_code == 400, bad
        # Sorts and statuses outside the documented lists are refused at the edge.
        assert refused.json()["error"]["code"] in ("invalid", "validation_failed")
        assert list(refused.json()["error"]["fields"]) == [list(bad)[-1]]


async def test_the_caregiver_starts_and_completes_their_own_visit(
    client: Client, database: Database, world: dict[str, Any]
) -> None:
    code = world["code"]
    url = f"{API}/{code}/transition"
    # Another caregiver finds no such booking; patients may never start a visit.
    for email, status in (
        ("busy@example.com", 404),
        ("amina@example.com", 403),
        ("karim@example.com", 403),
    ):
        refused = await client.post(
            url, json={"to": "in_progress"}, headers=await bearer(client, email)
        )
        assert refused.status_code == status, email
    await log_in(client, "shirin@example.com")
    cookie_only = await client.post(url, json={"to": "in_progress"})
    assert cookie_only.status_code == 403
    assert (await stored(database, code))["status"] == "confirmed"

    shirin = await bearer(client, "shirin@example.com")
    await due_soon(database, code)
    started = await client.post(url, json={"to": "in_progress"}, headers=shirin)
    assert started.status_code == 200, started.text
    assert started.json()["status"] == "in_progress"
    assert started.json()["history"][-1]["actor_role"] == "caregiver"
    again = await client.post(url, json={"to": "in_progress"}, headers=shirin)
    assert again.status_code == 409
    assert (await client.post(url, json={"to": "cancelled"}, headers=shirin)).status_code == 403
    done = await client.post(url, json={"to": "completed"}, headers=shirin)
    assert done.json()["status"] == "completed"
    booking = await stored(database, code)
    assert [h["to_status"] for h in booking["history"]][-2:] == ["in_progress", "completed"]
    assert booking["history"][-1]["actor_id"] == str(world["shirin"])
    assert await audited(database, "booking.started", code) == 1
    assert await audited(database, "booking.completed", code) == 1
    events = database["notifications"].find({"booking_code": code, "event": "booking.updated"})
    assert [n["data"]["status"] async for n in events] == ["in_progress", "completed"]
    assert await database["slot_claims"].count_documents({"booking_id": booking["_id"]}) == 0


async def test_assigning_moves_the_claimed_time_or_changes_nothing(
    client: Client, database: Database, world: dict[str, Any]
) -> None:
    code, url = world["code"], f"{API}/{world['code']}/assign"
    booking = await stored(database, code)
    for email in ("shirin@example.com", "amina@example.com"):
        body = {"caregiver_id": str(world["rahim"])}
        assert (
            await client.post(url, json=body, headers=await bearer(client, email))
        ).status_code == 403

    admin = await bearer(client, "admin@example.com")
    clash = await client.post(url, json={"caregiver_id": str(world["busy"])}, headers=admin)
    assert clash.status_code == 409
    assert "not free" in clash.json()["error"]["message"]
    unverified = await client.post(
        url, json={"caregiver_id": str(world["unverified"])}, headers=admin
    )
    assert unverified.status_code == 400
    assert "caregiver_id" in unverified.json()["error"]["fields"]
    claims = database["slot_claims"].find({"booking_id": booking["_id"]})
    assert {c["caregiver_id"] async for c in claims} == {world["shirin"]}
    assert (await stored(database, code))["caregiver_id"] == world["shirin"]

    moved = await client.post(url, json={"caregiver_id": str(world["rahim"])}, headers=admin)
    assert moved.status_code == 200, moved.text
    assert (moved.json()["caregiver_name"], moved.json()["status"]) == ("Rahim Uddin", "confirmed")
    moved_claims = await database["slot_claims"].find({"booking_id": booking["_id"]}).to_list()
    assert len(moved_claims) == 8
    assert all(c["_id"].startswith(f"{world['rahim']}:") for c in moved_claims)
    assert await database["slot_claims"].count_documents({"caregiver_id": world["shirin"]}) == 0
    assert await audited(database, "booking.assigned", code) == 1
    assert await codes(client, await bearer(client, "rahim@example.com")) == [code]
    shirin = await bearer(client, "shirin@example.com")
    assert (await client.get(f"{API}/{code}", headers=shirin)).status_code == 404

    # An admin may start the visit with a substitute in one call, days early with a reason.
    substitute = {
        "to": "in_progress",
        "caregiver_id": str(world["shirin"]),
        "reason": "Rahim is ill; Shirin covers the visit",
    }
    started = await client.post(f"{API}/{code}/transition", json=substitute, headers=admin)
    assert (started.json()["status"], started.json()["caregiver_id"]) == (
        "in_progress",
        str(world["shirin"]),
    )


async def test_admins_cancel_refund_and_resend_through_the_api(
    client: Client, database: Database, make_user: UserFactory, make_caregiver: CaregiverFactory
) -> None:
    await make_caregiver("shirin@example.com")
    await make_user("admin@example.com", role="admin")
    await make_user("karim@example.com")
    await make_user("amina@example.com")
    await log_in(client, "amina@example.com")
    code, _ = await paid_booking(client, database)
    client.cookies.clear()
    admin = await bearer(client, "admin@example.com")

    resend = f"{API}/{code}/resend-confirmation"
    for email in ("shirin@example.com", "amina@example.com"):
        assert (await client.post(resend, headers=await bearer(client, email))).status_code == 403
    for _ in range(2):
        assert (await client.post(resend, headers=admin)).status_code == 200
    keys = await database["mail_outbox"].distinct("dedupe_key", {"template": "booking_confirmed"})
    assert sorted(keys) == [
        f"mail:{code}:booking_confirmed:",
        f"mail:{code}:booking_confirmed:resend:1",
        f"mail:{code}:booking_confirmed:resend:2",
    ]
    assert await audited(database, "booking.confirmation_resent", code) == 2

    refunded = await client.post(f"{API}/{code}/refund", json={"amount": 10000}, headers=admin)
    assert (refunded.status_code, refunded.json()["amount_refunded"]) == (200, 10000)
    assert await audited(database, "payment.refund_requested", code) == 1
    for email in ("shirin@example.com", "amina@example.com"):
        other = await bearer(client, email)
        refused = await client.post(f"{API}/{code}/refund", json={"amount": 1}, headers=other)
        assert refused.status_code == 403

    url = f"{API}/{code}/transition"
    # Caregivers may never cancel; another patient finds no such booking.
    for email, status in (("shirin@example.com", 403), ("karim@example.com", 404)):
        refused = await client.post(
            url, json={"to": "cancelled"}, headers=await bearer(client, email)
        )
        assert refused.status_code == status, email
    cancelled = await client.post(url, json={"to": "cancelled"}, headers=admin)
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    booking = await settle(database, code, payment_status="refunded")
    assert booking["amount_refunded"] == booking["amount_paid"]
    assert booking["history"][-1]["actor_role"] == "admin"
    assert await audited(database, "booking.cancelled", code) == 1
    assert (
        await database["notifications"].count_documents(
            {"booking_code": code, "event": "booking.cancelled"}
        )
        == 1
    )
    assert await database["slot_claims"].count_documents({"booking_id": booking["_id"]}) == 0
    assert (await client.post(resend, headers=admin)).status_code == 409
    assert (await client.post(url, json={"to": "completed"}, headers=admin)).status_code == 409
    assert (await client.post(url, json={"to": "expired"}, headers=admin)).status_code == 400


async def test_a_disabled_caregiver_is_not_offered_or_assigned(
    client: Client, database: Database, world: dict[str, Any]
) -> None:
    await database["users"].update_one({"_id": world["rahim"]}, {"$set": {"is_active": False}})
    admin = await bearer(client, "admin@example.com")
    url = f"{API}/{world['code']}/assign"
    refused = await client.post(url, json={"caregiver_id": str(world["rahim"])}, headers=admin)
    assert refused.status_code == 400
    assert (await stored(database, world["code"]))["caregiver_id"] == world["shirin"]
    await log_in(client, "admin@example.com")
    drawer = await client.get(f"/dashboard/bookings/{world['code']}")
    assert "Rahim Uddin" not in drawer.text
