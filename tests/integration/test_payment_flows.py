"""Payments after the happy path: late money, the remaining due, declines, disputes, recovery."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from bson import ObjectId
from pymongo.asynchronous.database import AsyncDatabase

from carevia.composition import booking_service_for, build_services
from carevia.devtools.local_gateway import LocalGateway
from carevia.devtools.webhook_sender import WebhookSender
from carevia.domain.payments.events import dispute_object
from carevia.settings import Settings
from tests.support.accounts import Client, UserFactory, csrf_token, log_in
from tests.support.bookings import CaregiverFactory
from tests.support.mail import SMTPServer
from tests.support.payment_flows import (
    checkout_id,
    hold_lapsed_and_taken,
    lapse_hold,
    mail_about,
    paid_booking,
    settle,
    signed,
    stored_booking,
    text_of,
)
from tests.support.payments import held_booking, pay_on_test_gateway

pytestmark = [pytest.mark.usefixtures("seeded"), pytest.mark.mails]
Database = AsyncDatabase[dict[str, Any]]


@pytest.fixture
async def caregiver(make_caregiver: CaregiverFactory) -> ObjectId:
    return await make_caregiver("shirin@example.com")


@pytest.fixture
async def patient(client: Client, make_user: UserFactory, caregiver: ObjectId) -> None:
    await make_user("amina@example.com")
    await log_in(client, "amina@example.com")


@pytest.mark.usefixtures("patient")
async def test_a_late_payment_for_time_taken_meanwhile_is_refunded_and_the_patient_told(
    client: Client,
    database: Database,
    make_user: UserFactory,
    caregiver: ObjectId,
    smtp_server: SMTPServer,
) -> None:
    code, session_id, taker = await hold_lapsed_and_taken(
        client, database, make_user, str(caregiver)
    )
    assert (await stored_booking(database, code))["status"] == "expired"

    assert (await pay_on_test_gateway(client, session_id)).status_code == 303
    refunded = await settle(database, code, payment_status="refunded")
    total = refunded["price"]["total"]
    assert (refunded["status"], refunded["payment_status"]) == ("expired", "refunded")
    assert (refunded["amount_paid"], refunded["amount_refunded"]) == (total, total)
    (refund,) = await database["refunds"].find({"booking_code": code}).to_list()
    assert (refund["status"], refund["amount"]) == ("succeeded", total)
    assert refund["idempotency_key"] == f"refund:{code}:1"
    checkout = await database["dev_checkout_sessions"].find_one({"_id": session_id})
    assert checkout is not None and checkout["refunded"] == total

    (mail,) = await mail_about(smtp_server, "late payment is being refunded")
    assert "amina@example.com" in str(mail["To"]) and code in str(mail["Subject"])
    assert "refunding the full" in text_of(mail)
    claims = await database["slot_claims"].find({}).to_list()
    taken = await stored_booking(database, taker)
    assert len(claims) == 8 and {c["booking_id"] for c in claims} == {taken["_id"]}
    assert taken["status"] == "pending_payment"
    assert (
        await database["audit_log"].count_documents(
            {"action": "payment.auto_refund", "target_id": code}
        )
        == 1
    )


@pytest.mark.usefixtures("patient")
async def test_a_late_payment_whose_time_is_still_free_confirms_the_booking(
    client: Client, database: Database, settings: Settings, smtp_server: SMTPServer
) -> None:
    code, session_id = await held_booking(client)
    await lapse_hold(database, code)
    assert await booking_service_for(database, settings).expire_lapsed() == 1
    assert await database["slot_claims"].count_documents({}) == 0

    assert (await pay_on_test_gateway(client, session_id)).status_code == 303
    confirmed = await settle(database, code, status="confirmed")
    assert confirmed["status"] == "confirmed"
    assert [h["to_status"] for h in confirmed["history"]] == [
        "pending_payment",
        "expired",
        "confirmed",
    ]
    assert (confirmed["payment_status"], confirmed["amount_paid"]) == (
        "paid",
        confirmed["price"]["total"],
    )
    claims = await database["slot_claims"].find({}).to_list()
    assert len(claims) == 8 and {c["booking_id"] for c in claims} == {confirmed["_id"]}
    (mail,) = await mail_about(smtp_server, "Booking confirmed")
    assert code in str(mail["Subject"])
    assert await database["refunds"].count_documents({}) == 0


@pytest.mark.usefixtures("patient")
async def test_paying_half_then_the_due_makes_the_booking_fully_paid(
    client: Client, database: Database, smtp_server: SMTPServer
) -> None:
    code, _ = await paid_booking(client, database, payment_option="half")
    half = await stored_booking(database, code)
    pay_now, total = half["price"]["pay_now"], half["price"]["total"]
    assert 0 < pay_now < total
    assert (half["payment_status"], half["amount_paid"]) == ("partially_paid", pay_now)
    await mail_about(smtp_server, "Booking confirmed")

    token = await csrf_token(client, f"/bookings/{code}")
    form: dict[str, Any] = {"data": {"_csrf_token": token}, "follow_redirects": False}
    first = await client.post(f"/bookings/{code}/pay-due", **form)
    again = await client.post(f"/bookings/{code}/pay-due", **form)
    assert first.status_code == again.status_code == 303
    due_session = checkout_id(first.headers["location"])
    assert checkout_id(again.headers["location"]) == due_session
    checkout = await database["dev_checkout_sessions"].find_one({"_id": due_session})
    assert checkout is not None and checkout["amount"] == total - pay_now
    payment = await database["payments"].find_one({"session_id": due_session})
    assert payment is not None and (payment["kind"], payment["amount"]) == ("due", total - pay_now)

    assert (await pay_on_test_gateway(client, due_session)).status_code == 303
    paid = await settle(database, code, payment_status="paid")
    assert (paid["status"], paid["payment_status"], paid["amount_paid"]) == (
        "confirmed",
        "paid",
        total,
    )
    (mail,) = await mail_about(smtp_server, "fully paid")
    assert code in str(mail["Subject"])
    nothing_due = await client.post(f"/bookings/{code}/pay-due", **form)
    assert nothing_due.status_code == 409


@pytest.mark.usefixtures("patient")
async def test_a_declined_card_tells_the_patient_once_and_keeps_the_hold(
    client: Client, database: Database, smtp_server: SMTPServer
) -> None:
    code, session_id = await held_booking(client)
    token = await csrf_token(client, f"/dev/checkout/{session_id}")
    declined = await client.post(
        f"/dev/checkout/{session_id}/fail", data={"_csrf_token": token}, follow_redirects=False
    )
    assert declined.status_code == 303 and "declined=1" in declined.headers["location"]
    (mail,) = await mail_about(smtp_server, "did not go through")
    assert code in str(mail["Subject"]) and "Your card was declined." in text_of(mail)
    await asyncio.sleep(0.5)
    assert len(smtp_server.messages) == 1
    held = await stored_booking(database, code)
    assert (held["status"], held["payment_status"]) == ("pending_payment", "unpaid")
    assert await database["slot_claims"].count_documents({}) == 8
    payment = await database["payments"].find_one({"session_id": session_id})
    assert payment is not None and payment["status"] == "open"


@pytest.mark.usefixtures("patient")
async def test_a_dispute_flags_the_booking_once_and_is_audited(
    client: Client, database: Database
) -> None:
    code, session_id = await paid_booking(client, database)
    checkout = await database["dev_checkout_sessions"].find_one({"_id": session_id})
    assert checkout is not None
    dispute = dispute_object(
        charge=checkout["charge"],
        payment_intent=checkout["payment_intent"],
        amount=checkout["amount"],
        currency=checkout["currency"],
        metadata=checkout["metadata"],
    )
    payload, headers = signed("charge.dispute.created", dispute)
    answers = [
        (await client.post("/webhooks/stripe", content=payload, headers=headers)).json()
        for _ in range(2)
    ]
    assert [a["outcome"] for a in answers] == ["disputed", "duplicate"]
    second = signed("charge.dispute.created", dispute)  # another event about the same dispute
    assert (
        await client.post("/webhooks/stripe", content=second[0], headers=second[1])
    ).status_code == 200

    disputed = await stored_booking(database, code)
    assert (disputed["status"], disputed["payment_status"]) == ("confirmed", "disputed")
    notifications = await database["notifications"].find({"event": "payment.disputed"}).to_list()
    assert [n["booking_code"] for n in notifications] == [code]
    audit = await database["audit_log"].find({"action": "payment.disputed"}).to_list()
    assert [(a["target_id"], a["details"]["reason"]) for a in audit] == [(code, "fraudulent")]


@pytest.mark.usefixtures("patient")
async def test_reconciliation_confirms_a_payment_whose_webhook_never_came(
    client: Client, database: Database, settings: Settings, smtp_server: SMTPServer
) -> None:
    code, session_id = await held_booking(client)
    # What LocalGateway.pay stores, without the event it would send.
    await database["dev_checkout_sessions"].update_one(
        {"_id": session_id, "status": "open"},
        {"$set": {"status": "complete", "payment_status": "paid", "intent_created": True}},
    )
    await database["payments"].update_one(
        {"session_id": session_id},
        {"$set": {"created_at": datetime.now(UTC) - timedelta(minutes=5)}},
    )
    await asyncio.sleep(0.3)
    assert (await stored_booking(database, code))["status"] == "pending_payment"

    async def deliver(payload: bytes, headers: dict[str, str]) -> int:
        return (await client.post("/webhooks/stripe", content=payload, headers=headers)).status_code

    sender = WebhookSender(deliver, settings.stripe.webhook_secret)
    gateway = LocalGateway(database, sender, settings.public_base_url)
    payments = build_services(settings, database, gateway).payments
    assert await payments.reconcile() == 1
    assert await payments.reconcile() == 0

    confirmed = await stored_booking(database, code)
    assert (confirmed["status"], confirmed["payment_status"]) == ("confirmed", "paid")
    assert confirmed["history"][-1]["note"] == "Payment received"
    payment = await database["payments"].find_one({"session_id": session_id})
    assert payment is not None and payment["status"] == "paid"
    (mail,) = await mail_about(smtp_server, "Booking confirmed")
    assert code in str(mail["Subject"])
    await asyncio.sleep(0.5)
    # Besides it, only the caregiver's news that the visit is now theirs.
    assert len(smtp_server.handler.not_to("shirin@example.com")) == 1
    assert await sender.drain(timeout=5)
