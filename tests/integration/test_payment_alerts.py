"""Mail about money that needs attention: a partial refund to the patient, alerts to admins.

Each email is written in the transaction of the change it reports, so a repeated webhook
delivery, another event about the same thing or a retried job sends nothing twice.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

import pytest
from bson import ObjectId
from pymongo.asynchronous.database import AsyncDatabase

from carevia.composition import booking_service_for
from carevia.devtools.local_checkout import LocalCheckout
from carevia.domain.payments.events import dispute_object
from carevia.domain.shared.documents import from_document
from carevia.domain.shared.money import format_money
from carevia.settings import Settings
from tests.support.accounts import Client, UserFactory, api_token, log_in
from tests.support.bookings import CaregiverFactory
from tests.support.mail import SMTPServer
from tests.support.payment_flows import (
    hold_lapsed_and_taken,
    lapse_hold,
    paid_booking,
    payment_services,
    queued_templates,
    settle,
    signed,
    stored_booking,
    text_of,
)
from tests.support.payments import held_booking, pay_on_test_gateway, session_event

pytestmark = [pytest.mark.usefixtures("seeded"), pytest.mark.mails]
Database = AsyncDatabase[dict[str, Any]]
ADMINS = ("nadia@example.com", "farhan@example.com")


@pytest.fixture
async def caregiver(make_caregiver: CaregiverFactory) -> ObjectId:
    return await make_caregiver("shirin@example.com")


@pytest.fixture
async def patient(client: Client, make_user: UserFactory, caregiver: ObjectId) -> None:
    for email in ADMINS:
        await make_user(email, role="admin", first_name=email.split("@")[0].title())
    await make_user("retired@example.com", role="admin", is_active=False)
    await make_user("amina@example.com")
    await log_in(client, "amina@example.com")


async def delivered(database: Database, within: float = 10) -> None:
    """Wait until the outbox has handed every queued message to the SMTP server."""
    deadline = time.monotonic() + within
    # Visit reminders wait in the outbox for their due time; only mail due now is awaited.
    waiting = {
        "status": {"$in": ["pending", "sending"]},
        "next_attempt_at": {"$lte": datetime.now(UTC)},
    }
    # The worker runs in the app's background, so the outbox is polled.
    while await database["mail_outbox"].count_documents(waiting) and time.monotonic() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.05)
    assert await database["mail_outbox"].count_documents(waiting) == 0


def received(smtp_server: SMTPServer, subject: str) -> dict[str, list[EmailMessage]]:
    """Messages whose subject contains `subject`, by recipient."""
    found: dict[str, list[EmailMessage]] = {}
    for message in smtp_server.messages:
        if subject in str(message["Subject"]):
            found.setdefault(str(message["To"]), []).append(message)
    return found


async def post_twice_and_again(client: Client, event_type: str, obj: dict[str, Any]) -> None:
    """The same delivery twice, then another event about the same thing."""
    payload, headers = signed(event_type, obj)
    for _ in range(2):
        response = await client.post("/webhooks/stripe", content=payload, headers=headers)
        assert response.status_code == 200, response.text
    payload, headers = signed(event_type, obj)
    response = await client.post("/webhooks/stripe", content=payload, headers=headers)
    assert response.status_code == 200, response.text


async def checkout_of(database: Database, session_id: str) -> LocalCheckout:
    stored = await database["dev_checkout_sessions"].find_one({"_id": session_id})
    assert stored is not None
    return from_document(stored, LocalCheckout)


@pytest.mark.usefixtures("patient")
async def test_a_partial_refund_tells_the_patient_once_what_came_back_and_what_stays_paid(
    client: Client, database: Database, smtp_server: SMTPServer
) -> None:
    code, session_id = await paid_booking(client, database)
    total = (await stored_booking(database, code))["price"]["total"]
    admin = {"Authorization": f"Bearer {await api_token(client, ADMINS[0])}"}
    part = total // 4
    url = f"/api/v1/bookings/{code}/refund"
    response = await client.post(url, json={"amount": part, "reason": "Shorter"}, headers=admin)
    assert response.status_code == 200, response.text

    charge = (await checkout_of(database, session_id)).charge_object(part)
    await post_twice_and_again(client, "charge.refunded", charge)
    refunded = await settle(database, code, amount_refunded=part)
    assert (refunded["payment_status"], refunded["amount_refunded"]) == ("partially_refunded", part)
    await delivered(database)

    mails = received(smtp_server, "Part of your payment is refunded")
    assert list(mails) == ["amina@example.com"] and len(mails["amina@example.com"]) == 1
    (mail,) = mails["amina@example.com"]
    currency = refunded["price"]["currency"]
    assert code in str(mail["Subject"])
    assert f"Refunded now: {format_money(part, currency)}" in text_of(mail)
    assert f"Still paid: {format_money(total - part, currency)}" in text_of(mail)


@pytest.mark.usefixtures("patient")
async def test_a_dispute_mails_each_active_admin_once(
    client: Client, database: Database, smtp_server: SMTPServer
) -> None:
    code, session_id = await paid_booking(client, database)
    checkout = await checkout_of(database, session_id)
    dispute = dispute_object(
        charge=checkout.charge,
        payment_intent=checkout.payment_intent or "",
        amount=checkout.amount,
        currency=checkout.currency,
        metadata=checkout.metadata,
    )
    await post_twice_and_again(client, "charge.dispute.created", dispute)
    await delivered(database)

    mails = received(smtp_server, f"payment disputed on booking {code}")
    assert sorted(mails) == sorted(ADMINS)
    assert all(len(each) == 1 for each in mails.values())
    text = text_of(mails[ADMINS[0]][0])
    assert "Hello Nadia Rahman," in text and "fraudulent" in text
    assert f"/dashboard/bookings/{code}" in text
    assert "amina@example.com" not in received(smtp_server, "disputed")


@pytest.mark.usefixtures("patient")
async def test_a_refund_the_gateway_refuses_fails_and_mails_each_admin_once(
    client: Client, database: Database, settings: Settings, smtp_server: SMTPServer
) -> None:
    code, session_id = await paid_booking(client, database)
    total = (await stored_booking(database, code))["price"]["total"]
    # The charge was refunded in the gateway's own dashboard, so it refuses any more.
    await database["dev_checkout_sessions"].update_one(
        {"_id": session_id}, {"$set": {"refunded": total}}
    )
    admin = {"Authorization": f"Bearer {await api_token(client, ADMINS[0])}"}
    url = f"/api/v1/bookings/{code}/refund"
    response = await client.post(url, json={"reason": "Visit missed"}, headers=admin)
    assert response.status_code == 200, response.text

    # Retried refund jobs, one after another and side by side, change nothing more.
    payments = payment_services(database, settings, client)
    retried = await asyncio.gather(payments.process_refunds(), payments.process_refunds())
    assert list(retried) == [0, 0]
    await delivered(database)

    (refund,) = await database["refunds"].find({"booking_code": code}).to_list()
    assert refund["status"] == "failed" and "greater than unrefunded" in refund["last_error"]
    mails = received(smtp_server, f"a refund failed on booking {code}")
    assert sorted(mails) == sorted(ADMINS)
    assert all(len(each) == 1 for each in mails.values())
    text = text_of(mails[ADMINS[1]][0])
    assert format_money(total, (await stored_booking(database, code))["price"]["currency"]) in text
    assert "Visit missed" in text
    audit = await database["audit_log"].count_documents({"action": "payment.refund_failed"})
    assert audit == 1


@pytest.mark.usefixtures("patient")
async def test_a_late_payment_refunded_mails_each_admin_once(
    client: Client,
    database: Database,
    make_user: UserFactory,
    caregiver: ObjectId,
    smtp_server: SMTPServer,
) -> None:
    code, session_id, _ = await hold_lapsed_and_taken(client, database, make_user, str(caregiver))

    assert (await pay_on_test_gateway(client, session_id)).status_code == 303
    await deliver_again(client, database, session_id)
    refunded = await settle(database, code, payment_status="refunded")
    assert (refunded["status"], refunded["payment_status"]) == ("expired", "refunded")
    await delivered(database)

    mails = received(smtp_server, f"Late payment on booking {code}: refunded")
    assert sorted(mails) == sorted(ADMINS)
    assert all(len(each) == 1 for each in mails.values())
    assert "being refunded in full" in text_of(mails[ADMINS[0]][0])
    assert len(received(smtp_server, "late payment is being refunded")["amina@example.com"]) == 1
    # "On its way" when the refund is requested, "refunded" once the gateway paid it out.
    assert await queued_templates(database, "amina@example.com") == [
        "hold_expired",
        "late_payment_refund_requested",
        "refunded",
    ]


@pytest.mark.usefixtures("patient")
async def test_a_late_payment_that_confirms_the_booking_mails_each_admin_once(
    client: Client, database: Database, settings: Settings, smtp_server: SMTPServer
) -> None:
    code, session_id = await held_booking(client)
    await lapse_hold(database, code)
    assert await booking_service_for(database, settings).expire_lapsed() == 1

    assert (await pay_on_test_gateway(client, session_id)).status_code == 303
    await deliver_again(client, database, session_id)
    confirmed = await settle(database, code, status="confirmed")
    assert confirmed["status"] == "confirmed"
    await delivered(database)

    mails = received(smtp_server, f"Late payment on booking {code}: confirmed")
    assert sorted(mails) == sorted(ADMINS)
    assert all(len(each) == 1 for each in mails.values())
    assert "confirmed again" in text_of(mails[ADMINS[1]][0])
    assert len(received(smtp_server, "Booking confirmed")["amina@example.com"]) == 1


async def deliver_again(client: Client, database: Database, session_id: str) -> None:
    """The paid session's event, delivered twice more beside the gateway's own delivery."""
    payload, headers = await session_event(database, session_id)
    for _ in range(2):
        response = await client.post("/webhooks/stripe", content=payload, headers=headers)
        assert response.status_code == 200, response.text
