"""Money going back: cancelling under the policy, and refunds issued by an admin."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from carevia.domain.shared.money import format_money
from tests.support.accounts import Client, UserFactory, api_token, csrf_token, log_in
from tests.support.bookings import CaregiverFactory
from tests.support.mail import SMTPServer
from tests.support.payment_flows import (
    mail_about,
    paid_booking,
    queued_templates,
    settle,
    stored_booking,
    text_of,
)

pytestmark = [pytest.mark.usefixtures("seeded"), pytest.mark.mails]
Database = AsyncDatabase[dict[str, Any]]


@pytest.fixture
async def patient(client: Client, make_user: UserFactory, make_caregiver: CaregiverFactory) -> None:
    await make_caregiver("shirin@example.com")
    await make_user("amina@example.com")
    await log_in(client, "amina@example.com")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def cancel(client: Client, code: str) -> Any:
    token = await csrf_token(client, f"/bookings/{code}/cancel")
    return await client.post(
        f"/bookings/{code}/cancel", data={"_csrf_token": token}, follow_redirects=False
    )


async def refund_keys(database: Database, code: str) -> list[tuple[str, str, int]]:
    refunds = await database["refunds"].find({"booking_code": code}).sort("created_at").to_list()
    return [(r["idempotency_key"], r["status"], r["amount"]) for r in refunds]


@pytest.mark.usefixtures("patient")
async def test_cancelling_inside_the_free_window_refunds_everything(
    client: Client, database: Database, smtp_server: SMTPServer
) -> None:
    code, session_id = await paid_booking(client, database)
    total = (await stored_booking(database, code))["price"]["total"]
    await mail_about(smtp_server, "Booking confirmed")

    assert (await cancel(client, code)).status_code == 303
    cancelled = await settle(database, code, payment_status="refunded")
    assert (cancelled["status"], cancelled["payment_status"]) == ("cancelled", "refunded")
    assert (cancelled["refund_owed"], cancelled["amount_refunded"]) == (total, total)
    assert await refund_keys(database, code) == [(f"refund:{code}:1", "succeeded", total)]
    checkout = await database["dev_checkout_sessions"].find_one({"_id": session_id})
    assert checkout is not None and checkout["refunded"] == total
    assert await database["slot_claims"].count_documents({}) == 0
    (mail,) = await mail_about(smtp_server, "Booking cancelled")
    assert code in str(mail["Subject"])
    assert f"Refund: {format_money(total, cancelled['price']['currency'])}." in text_of(mail)
    # "On its way" with the cancellation, "refunded" once the gateway paid it out.
    (refunded,) = await mail_about(smtp_server, "Your payment is refunded")
    assert "has been paid out" in text_of(refunded)
    assert await queued_templates(database, "amina@example.com") == [
        "booking_confirmed",
        "booking_cancelled",
        "refunded",
    ]


@pytest.mark.usefixtures("patient")
async def test_cancelling_late_refunds_the_policy_share(
    client: Client, database: Database, smtp_server: SMTPServer
) -> None:
    code, _ = await paid_booking(client, database)
    paid = await stored_booking(database, code)
    # Inside the paid-cancellation window: the visit starts in an hour.
    soon = datetime.now(UTC) + timedelta(hours=1)
    length = paid["ends_at"] - paid["starts_at"]
    await database["bookings"].update_one(
        {"code": code}, {"$set": {"starts_at": soon, "ends_at": soon + length}}
    )
    total, percent = paid["price"]["total"], paid["policy"]["late_refund_percent"]
    assert paid["policy"]["free_until_hours"] >= 1 and 0 < percent < 100
    owed = total - total * (100 - percent) // 100

    assert (await cancel(client, code)).status_code == 303
    cancelled = await settle(database, code, payment_status="partially_refunded")
    assert (cancelled["status"], cancelled["payment_status"]) == ("cancelled", "partially_refunded")
    assert (cancelled["refund_owed"], cancelled["amount_refunded"]) == (owed, owed)
    assert cancelled["amount_paid"] == total
    assert await refund_keys(database, code) == [(f"refund:{code}:1", "succeeded", owed)]
    (mail,) = await mail_about(smtp_server, "Booking cancelled")
    currency = cancelled["price"]["currency"]
    expected = f"Refund: {format_money(owed, currency)} of the {format_money(total, currency)}"
    assert expected in text_of(mail)


@pytest.mark.usefixtures("patient")
async def test_an_admin_refunds_part_then_the_rest_through_the_api(
    client: Client, database: Database, make_user: UserFactory
) -> None:
    code, session_id = await paid_booking(client, database)
    total = (await stored_booking(database, code))["price"]["total"]
    await make_user("admin@example.com", role="admin")
    admin = bearer(await api_token(client, "admin@example.com"))
    part = total // 4
    url = f"/api/v1/bookings/{code}/refund"

    first = await client.post(url, json={"amount": part, "reason": "Shorter visit"}, headers=admin)
    assert first.status_code == 200, first.text
    assert first.json() | {"amount_refunded": part} == first.json()
    assert first.json()["payment_status"] == "partially_refunded"

    too_much = await client.post(url, json={"amount": total - part + 1}, headers=admin)
    assert too_much.status_code == 400
    assert "amount" in too_much.json()["error"]["fields"]
    for email in ("amina@example.com", "shirin@example.com"):
        other = bearer(await api_token(client, email))
        assert (await client.post(url, json={"amount": 1}, headers=other)).status_code == 403

    rest = await client.post(url, json={"amount": total - part}, headers=admin)
    assert rest.status_code == 200, rest.text
    assert (rest.json()["payment_status"], rest.json()["amount_refunded"]) == ("refunded", total)
    assert await refund_keys(database, code) == [
        (f"refund:{code}:1", "succeeded", part),
        (f"refund:{code}:2", "succeeded", total - part),
    ]
    nothing_left = await client.post(url, json={"amount": 1}, headers=admin)
    assert nothing_left.status_code == 400

    # The gateway's charge.refunded events land later and agree with what was recorded.
    checkout = await database["dev_checkout_sessions"].find_one({"_id": session_id})
    assert checkout is not None and checkout["refunded"] == total
    refunded = await settle(database, code, payment_status="refunded")
    assert (refunded["status"], refunded["amount_refunded"]) == ("confirmed", total)
    assert (
        await database["audit_log"].count_documents(
            {"action": "payment.refund_requested", "target_id": code}
        )
        == 2
    )
