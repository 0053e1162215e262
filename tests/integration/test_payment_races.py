"""Duplicate and racing confirmations over real HTTP: one booking, one email, one notification."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import httpx
import pytest
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.accounts import DEFAULT_PASSWORD, UserFactory, wait_for_mail
from tests.support.bookings import CaregiverFactory, booking_form
from tests.support.mail import SMTPServer
from tests.support.payments import session_event

pytestmark = [pytest.mark.usefixtures("seeded"), pytest.mark.mails]
CAREGIVER = "shirin@example.com"


async def book_over_http(base_url: str) -> tuple[httpx.AsyncClient, str, str, str]:
    """A signed-in browser-like client; returns it with the CSRF token, booking session and code."""
    client = httpx.AsyncClient(base_url=base_url, timeout=30)
    token = re.search(r'name="_csrf_token" value="([^"]+)"', (await client.get("/login")).text)
    assert token
    await client.post(
        "/login",
        data={
            "email": "amina@example.com",
            "password": DEFAULT_PASSWORD,
            "_csrf_token": token.group(1),
        },
    )
    held = await client.post("/bookings", data={**booking_form(), "_csrf_token": token.group(1)})
    session = re.search(r"/dev/checkout/(cs_test_\w+)", held.headers["location"])
    assert session, held.text
    page = await client.get(f"/dev/checkout/{session.group(1)}")
    code = re.search(r"\((CV-[A-Z0-9]{6})\)", page.text)
    assert code
    return client, token.group(1), session.group(1), code.group(1)


@pytest.fixture
async def people(make_user: UserFactory, make_caregiver: CaregiverFactory) -> None:
    await make_caregiver(CAREGIVER)
    await make_user("amina@example.com")


async def effects(database: AsyncDatabase[dict[str, Any]], code: str) -> tuple[str, int, int]:
    booking = await database["bookings"].find_one({"code": code})
    assert booking is not None
    confirmations = sum(1 for h in booking["history"] if h["to_status"] == "confirmed")
    notifications = await database["notifications"].count_documents(
        {"event": "booking.paid", "booking_code": code}
    )
    return booking["status"], confirmations, notifications


@pytest.mark.usefixtures("people")
async def test_a_hundred_concurrent_deliveries_confirm_once(
    served_app: str, database: AsyncDatabase[dict[str, Any]], smtp_server: SMTPServer
) -> None:
    client, _token, session_id, code = await book_over_http(served_app)
    payload, headers = await session_event(database, session_id)
    try:
        responses = await asyncio.gather(
            *(client.post("/webhooks/stripe", content=payload, headers=headers) for _ in range(100))
        )
    finally:
        await client.aclose()
    assert {r.status_code for r in responses} == {200}
    outcomes = sorted(r.json()["outcome"] for r in responses)
    assert outcomes == ["confirmed"] + ["duplicate"] * 99, "one delivery applies the event"
    assert await effects(database, code) == ("confirmed", 1, 1)
    # The patient's confirmation, and the caregiver's news that the visit is theirs.
    await wait_for_mail(smtp_server.messages, count=2)
    await asyncio.sleep(1)
    assert len(smtp_server.messages) == 2
    (mail,) = smtp_server.handler.not_to(CAREGIVER)
    assert code in str(mail["Subject"])
    assert await database["payments"].count_documents({"status": "paid"}) == 1


@pytest.mark.usefixtures("people")
async def test_the_webhook_and_the_success_page_racing_confirm_once(
    served_app: str, database: AsyncDatabase[dict[str, Any]], smtp_server: SMTPServer
) -> None:
    client, token, session_id, code = await book_over_http(served_app)
    try:
        # "Pay and close the tab" sends only the webhook; the success page is opened at once too.
        paid = await client.post(
            f"/dev/checkout/{session_id}/pay?then=close", data={"_csrf_token": token}
        )
        assert paid.status_code == 200
        payload, headers = await session_event(database, session_id)
        results = await asyncio.gather(
            *(client.get(f"/checkout/success?session_id={session_id}") for _ in range(5)),
            *(client.post("/webhooks/stripe", content=payload, headers=headers) for _ in range(5)),
        )
    finally:
        await client.aclose()
    assert all(r.status_code == 200 for r in results)
    assert any("Your booking is confirmed" in r.text for r in results[:5])
    await wait_for_mail(smtp_server.messages, count=2)
    await asyncio.sleep(1)
    assert await effects(database, code) == ("confirmed", 1, 1)
    assert len(smtp_server.messages) == 2 and len(smtp_server.handler.not_to(CAREGIVER)) == 1
