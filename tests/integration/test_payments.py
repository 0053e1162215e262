"""The webhook and the success page: verified, applied once, never losing a paid booking."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.accounts import Client, UserFactory, log_in, wait_for_mail
from tests.support.bookings import CaregiverFactory
from tests.support.mail import SMTPServer
from tests.support.payments import held_booking, pay_on_test_gateway, session_event

pytestmark = [pytest.mark.usefixtures("seeded"), pytest.mark.mails]


@pytest.fixture
async def patient(client: Client, make_user: UserFactory, make_caregiver: CaregiverFactory) -> None:
    await make_caregiver("shirin@example.com")
    await make_user("amina@example.com")
    await log_in(client, "amina@example.com")


async def booking(database: AsyncDatabase[dict[str, Any]], code: str) -> dict[str, Any]:
    found = await database["bookings"].find_one({"code": code})
    assert found is not None
    return found


async def settle(
    database: AsyncDatabase[dict[str, Any]], code: str, status: str, within: float = 10
) -> dict[str, Any]:
    """Events from the test gateway arrive in a background task, so the database is polled."""
    deadline = time.monotonic() + within
    found = await booking(database, code)
    while found["status"] != status and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
        found = await booking(database, code)
    return found


@pytest.mark.usefixtures("patient")
async def test_paying_confirms_once_with_one_email_and_one_notification(
    client: Client, database: AsyncDatabase[dict[str, Any]], smtp_server: SMTPServer
) -> None:
    code, session_id = await held_booking(client)
    paid = await pay_on_test_gateway(client, session_id)
    assert paid.status_code == 303
    success = await client.get(paid.headers["location"].replace("https://testserver.local", ""))
    assert "Your booking is confirmed" in success.text
    confirmed = await settle(database, code, "confirmed")
    assert (confirmed["payment_status"], confirmed["amount_paid"]) == (
        "paid",
        confirmed["price"]["total"],
    )
    assert confirmed["history"][-1]["to_status"] == "confirmed"
    payload, headers = await session_event(database, session_id)
    for _ in range(3):
        assert (
            await client.post("/webhooks/stripe", content=payload, headers=headers)
        ).status_code == 200
    # One to the patient, and one telling the caregiver the visit is now theirs.
    await wait_for_mail(smtp_server.messages, count=2)
    await asyncio.sleep(0.5)
    assert len(smtp_server.messages) == 2
    (mail,) = smtp_server.handler.to(confirmed["patient"]["email"])
    assert code in str(mail["Subject"]) and "confirmed" in str(mail["Subject"]).lower()
    (assigned,) = [m for m in smtp_server.messages if m is not mail]
    assert str(assigned["Subject"]).startswith(f"New visit {code}")
    assert await database["notifications"].count_documents({"event": "booking.paid"}) == 1
    receipt = await client.get(f"/bookings/{code}/receipt")
    assert receipt.status_code == 200 and code in receipt.text


@pytest.mark.usefixtures("patient")
async def test_bad_stale_or_altered_events_are_refused_and_change_nothing(
    client: Client, database: AsyncDatabase[dict[str, Any]]
) -> None:
    code, session_id = await held_booking(client)
    payload, headers = await session_event(database, session_id)
    wrong_key = (await session_event(database, session_id, secret="whsec_someone_else"))[1]
    stale = await session_event(database, session_id, timestamp=int(time.time()) - 3600)
    attempts = [
        (payload, wrong_key),
        (payload, {"Content-Type": "application/json"}),
        (payload.replace(b'"paid"', b'"unpaid"', 1), headers),
        stale,
    ]
    for body, header in attempts:
        response = await client.post("/webhooks/stripe", content=body, headers=header)
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "invalid_signature"
    held = await booking(database, code)
    assert (held["status"], held["amount_paid"]) == ("pending_payment", 0)
    assert await database["webhook_events"].count_documents({}) == 0


@pytest.mark.usefixtures("patient")
async def test_a_wrong_amount_or_currency_is_refused_and_logged(
    client: Client, database: AsyncDatabase[dict[str, Any]]
) -> None:
    code, session_id = await held_booking(client)
    forgeries: list[dict[str, Any]] = [{"amount": 100}, {"currency": "usd"}]
    for forged in forgeries:
        payload, headers = await session_event(database, session_id, **forged)
        response = await client.post("/webhooks/stripe", content=payload, headers=headers)
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "payment_mismatch"
    assert (await booking(database, code))["status"] == "pending_payment"
    assert (
        await database["audit_log"].count_documents(
            {"action": "payment.mismatch", "target_id": code}
        )
        == 2
    )


@pytest.mark.usefixtures("patient")
async def test_a_failed_database_write_answers_5xx_and_the_retry_confirms(
    client: Client, database: AsyncDatabase[dict[str, Any]]
) -> None:
    code, session_id = await held_booking(client)
    payload, headers = await session_event(database, session_id)
    await database.client.admin.command(
        {
            "configureFailPoint": "failCommand",
            "mode": {"times": 1},
            "data": {"failCommands": ["insert"], "errorCode": 2, "errmsg": "disk full"},
        }
    )
    failed = await client.post("/webhooks/stripe", content=payload, headers=headers)
    assert failed.status_code >= 500
    held = await booking(database, code)
    assert (held["status"], held["amount_paid"]) == ("pending_payment", 0)
    assert await database["payments"].count_documents({"status": "paid"}) == 0
    retried = await client.post("/webhooks/stripe", content=payload, headers=headers)
    assert retried.status_code == 200
    assert (await booking(database, code))["status"] == "confirmed"


@pytest.mark.usefixtures("patient")
async def test_an_expired_event_after_completion_does_not_unconfirm(
    client: Client, database: AsyncDatabase[dict[str, Any]]
) -> None:
    code, session_id = await held_booking(client)
    completed = await session_event(database, session_id)
    expired = await session_event(
        database, session_id, "checkout.session.expired", payment_status="unpaid", status="expired"
    )
    assert (
        await client.post("/webhooks/stripe", content=completed[0], headers=completed[1])
    ).status_code == 200
    assert (
        await client.post("/webhooks/stripe", content=expired[0], headers=expired[1])
    ).status_code == 200
    confirmed = await booking(database, code)
    assert confirmed["status"] == "confirmed"
    assert await database["slot_claims"].count_documents({}) == 8


@pytest.mark.usefixtures("patient")
async def test_an_expired_session_ends_the_hold(
    client: Client, database: AsyncDatabase[dict[str, Any]], smtp_server: SMTPServer
) -> None:
    code, session_id = await held_booking(client)
    expired = await session_event(
        database, session_id, "checkout.session.expired", payment_status="unpaid", status="expired"
    )
    assert (
        await client.post("/webhooks/stripe", content=expired[0], headers=expired[1])
    ).status_code == 200
    assert (await booking(database, code))["status"] == "expired"
    assert await database["slot_claims"].count_documents({}) == 0
    (mail,) = await wait_for_mail(smtp_server.messages)
    assert "hold" in str(mail["Subject"]).lower() or "expired" in str(mail["Subject"]).lower()


async def test_unknown_events_are_acknowledged_and_ignored(client: Client) -> None:
    from carevia.domain.payments.events import encode_event, sign, stripe_event
    from carevia.settings import DEFAULT_WEBHOOK_SECRET

    payload = encode_event(stripe_event("customer.created", {"id": "cus_1", "object": "customer"}))
    response = await client.post(
        "/webhooks/stripe",
        content=payload,
        headers={"Stripe-Signature": sign(payload, DEFAULT_WEBHOOK_SECRET)},
    )
    assert response.status_code == 200
    assert response.json()["outcome"] == "ignored"


@pytest.mark.usefixtures("patient")
async def test_a_delayed_payment_shows_processing_until_it_lands(
    client: Client, database: AsyncDatabase[dict[str, Any]]
) -> None:
    code, session_id = await held_booking(client)
    unpaid = await session_event(database, session_id, payment_status="unpaid")
    response = await client.post("/webhooks/stripe", content=unpaid[0], headers=unpaid[1])
    assert response.json()["outcome"] == "processing"
    page = await client.get(f"/checkout/success?session_id={session_id}")
    assert "Your payment is being processed" in page.text
    assert 'sse-connect="/account/events"' in page.text
    assert 'hx-trigger="sse:booking.paid, every 2s"' in page.text
    assert (await booking(database, code))["status"] == "pending_payment"
    succeeded = await session_event(
        database, session_id, "checkout.session.async_payment_succeeded"
    )
    assert (
        await client.post("/webhooks/stripe", content=succeeded[0], headers=succeeded[1])
    ).status_code == 200
    assert (await booking(database, code))["status"] == "confirmed"
    poll = await client.get(
        f"/checkout/success?session_id={session_id}", headers={"HX-Request": "true"}
    )
    assert poll.text.lstrip().startswith('<section id="payment-state"')
    assert "Your booking is confirmed" in poll.text and "every 2s" not in poll.text
