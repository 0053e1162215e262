"""A patient's own data: the export holds all of it and nothing of others; deletion erases it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from bson import json_util
from pymongo.asynchronous.database import AsyncDatabase

from carevia.domain.accounts import User
from tests.support.accounts import DEFAULT_PASSWORD, Client, UserFactory, csrf_token, log_in
from tests.support.bookings import CaregiverFactory
from tests.support.messages import post_message
from tests.support.payment_flows import paid_booking, settle, stored_booking
from tests.support.payments import held_booking, session_event

pytestmark = pytest.mark.usefixtures("seeded")
Database = AsyncDatabase[dict[str, Any]]

# The local stand-in keeps what Stripe itself would keep about a Checkout session (the
# prefilled email among it); in production that record lives at Stripe, not with us.
KEPT_AT_THE_GATEWAY = {"dev_checkout_sessions"}


async def person(
    make_user: UserFactory, database: Database, email: str, name: str, phone: str
) -> User:
    first, _, last = name.partition(" ")
    user = await make_user(email, first_name=first, last_name=last)
    await database["users"].update_one({"_id": user.id}, {"$set": {"phone": phone}})
    return user


@pytest.fixture
async def nusrat(
    make_user: UserFactory, make_caregiver: CaregiverFactory, database: Database
) -> User:
    await make_caregiver("shirin@example.com")
    return await person(make_user, database, "nusrat@example.com", "Nusrat Jahan", "+8801898765432")


async def as_(client: Client, email: str) -> None:
    client.cookies.clear()
    assert (await log_in(client, email)).status_code == 303


async def collections_holding(database: Database, *values: str) -> dict[str, list[str]]:
    """Every collection (but the gateway's) with a document that holds one of `values`."""
    found: dict[str, list[str]] = {}
    for name in sorted(await database.list_collection_names()):
        if name in KEPT_AT_THE_GATEWAY or name.startswith("system."):
            continue
        async for document in database[name].find({}):
            text = json_util.dumps(document)
            hits = [value for value in values if value.lower() in text.lower()]
            if hits:
                found.setdefault(name, []).extend(hits)
    return found


async def test_the_export_holds_everything_about_the_patient_and_nothing_about_others(
    client: Client, database: Database, make_user: UserFactory, nusrat: User
) -> None:
    rafiq = await person(make_user, database, "rafiq@example.com", "Rafiq Islam", "+8801555111222")
    await as_(client, rafiq.email)
    other_code, _ = await held_booking(client, start_time="15:00")
    await as_(client, nusrat.email)
    code, _ = await paid_booking(client, database)
    assert (await post_message(client, code, "Please use the side gate.")).status_code == 303

    response = await client.get("/account/export")
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith("attachment")
    export = response.json()

    assert export["profile"]["email"] == "nusrat@example.com"
    assert export["profile"]["phone"] == "+8801898765432"
    assert [booking["code"] for booking in export["bookings"]] == [code]
    booking = export["bookings"][0]
    assert booking["status"] == "confirmed"
    assert booking["location"]["notes"] == "Second floor"
    assert [payment["booking_code"] for payment in export["payments"]] == [code]
    assert export["payments"][0]["status"] == "paid"
    assert export["refunds"] == []
    assert {n["code"] for n in export["notifications"]} == {code}
    actions = {entry["action"] for entry in export["audit"]}
    assert {"auth.login", "booking.created"} <= actions
    assert export["reviews"] == export["recipients"] == []
    assert [(m["booking_code"], m["text"]) for m in export["messages"]] == [
        (code, "Please use the side gate.")
    ]

    text = json.dumps(export)
    for theirs in (rafiq.email, "Rafiq", "+8801555111222", other_code, str(rafiq.id)):
        assert theirs not in text


async def test_the_deletion_page_warns_about_upcoming_bookings(
    client: Client, database: Database, nusrat: User
) -> None:
    await as_(client, nusrat.email)
    code, _ = await paid_booking(client, database)
    page = await client.get("/account/delete")
    assert page.status_code == 200
    assert "You have 1 upcoming booking" in page.text
    assert code in page.text
    assert "cancelled" in page.text
    assert "refunded" in page.text


async def delete_account(client: Client) -> Any:
    token = await csrf_token(client, "/account/delete")
    return await client.post(
        "/account/delete",
        data={"password": DEFAULT_PASSWORD, "_csrf_token": token},
        follow_redirects=False,
    )


async def test_deletion_cancels_and_refunds_then_leaves_no_email_or_phone_anywhere(
    client: Client, database: Database, nusrat: User
) -> None:
    await as_(client, nusrat.email)
    paid, _ = await paid_booking(client, database)
    # What she wrote to her caregiver goes with her, and so does her name on it.
    assert (await post_message(client, paid, "Second floor, ring twice.")).status_code == 303
    held, held_session = await held_booking(client, start_time="16:00")
    assert await collections_holding(database, nusrat.email, "+8801898765432")

    deleted = await delete_account(client)
    assert deleted.status_code == 303
    assert deleted.headers["location"] == "/?account_deleted=1"

    refunded = await settle(database, paid, payment_status="refunded")
    assert refunded["status"] == "cancelled"
    assert (await stored_booking(database, held))["status"] == "cancelled"
    personal = (nusrat.email, "+8801898765432", "Nusrat", "Jahan", "Second floor")
    assert await collections_holding(database, *personal) == {}
    assert (await log_in(client, nusrat.email)).status_code == 422

    # The patient's card was charged just before deleting; Stripe tells us afterwards.
    payload, headers = await session_event(database, held_session)
    late = await client.post("/webhooks/stripe", content=payload, headers=headers)
    assert 200 <= late.status_code < 300
    await settle(database, held, payment_status="refunded")
    assert await collections_holding(database, *personal) == {}
    assert await database["users"].count_documents({"_id": nusrat.id}) == 1
