"""The refund queue: every request ends succeeded or failed, and none can block the others.

A refund is `requested` until the gateway answers: success makes it `succeeded`, a refusal
`failed` (with the gateway's reason, an alert to the admins and a dashboard badge), and a
transient error schedules another attempt, later each time, until the attempts run out.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from bson import ObjectId
from pymongo.asynchronous.database import AsyncDatabase

from carevia.devtools.local_gateway import LocalGateway
from carevia.domain.accounts import User
from carevia.domain.payments.gateway import GatewayError, RefundResult
from carevia.domain.payments.refunds import MAX_REFUND_ATTEMPTS, refund_retry_delay
from carevia.domain.payments.service import PaymentService
from carevia.settings import Settings
from tests.support.accounts import Client, UserFactory, api_token, log_in
from tests.support.bookings import CaregiverFactory
from tests.support.payment_flows import (
    HeldWebhooks,
    paid_booking,
    payment_services,
    queued_templates,
    settle,
    stored_booking,
)

pytestmark = [pytest.mark.usefixtures("seeded")]
Database = AsyncDatabase[dict[str, Any]]
ADMIN = "nadia@example.com"
PATIENT = "amina@example.com"


class GatewayOutage(LocalGateway):
    """The local gateway, except that refunds answer a transient error while `busy` lasts.

    `busy` counts the refund calls still to fail; charges named `pi_outage…` always fail.
    """

    busy = 0

    async def create_refund(
        self, payment_intent: str, amount: int, idempotency_key: str, metadata: dict[str, str]
    ) -> RefundResult:
        if payment_intent.startswith("pi_outage") or GatewayOutage.busy > 0:
            GatewayOutage.busy -= 1
            raise GatewayError("Stripe is busy; try again later.", retryable=True, http_status=503)
        return await super().create_refund(payment_intent, amount, idempotency_key, metadata)


@pytest.fixture(autouse=True)
def no_outage() -> None:
    GatewayOutage.busy = 0


@pytest.fixture
async def admin(client: Client, make_user: UserFactory, make_caregiver: CaregiverFactory) -> User:
    """Nadia, an admin; the client is signed in as Amina, the patient."""
    await make_caregiver("shirin@example.com")
    nadia = await make_user(ADMIN, role="admin", first_name="Nadia")
    await make_user(PATIENT)
    await log_in(client, PATIENT)
    return nadia


@pytest.fixture
async def outage(
    database: Database, settings: Settings, client: Client
) -> AsyncIterator[PaymentService]:
    """The payment service of a worker whose gateway is `GatewayOutage`; its events reach
    the app's webhook after the test."""
    webhooks = HeldWebhooks(settings, client)
    yield payment_services(database, settings, client, GatewayOutage, webhooks)
    await webhooks.deliver_held()


async def admin_refund(client: Client, code: str, amount: int | None = None) -> Any:
    admin = {"Authorization": f"Bearer {await api_token(client, ADMIN)}"}
    body = {"reason": "Visit missed"} | ({} if amount is None else {"amount": amount})
    return await client.post(f"/api/v1/bookings/{code}/refund", json=body, headers=admin)


async def only_refund(database: Database, code: str) -> dict[str, Any]:
    (refund,) = await database["refunds"].find({"booking_code": code}).to_list()
    return refund


async def time_passes(database: Database, code: str) -> None:
    """The refund's next attempt becomes due, as it would once its wait is over."""
    await database["refunds"].update_many(
        {"booking_code": code, "status": "requested"},
        {"$set": {"next_attempt_at": datetime.now(UTC) - timedelta(seconds=1)}},
    )


async def failed_refund_badge(client: Client) -> str:
    """The dashboard navigation's failed-refund badge, as an admin sees it: 'href text'."""
    client.cookies.clear()
    await log_in(client, ADMIN)
    page = await client.get("/dashboard/overview")
    assert page.status_code == 200, page.text
    nav = page.text[page.text.index('<nav class="dashboard-nav"') : page.text.index("</nav>")]
    badge = re.search(r'<a class="nav-badge" href="([^"]+)"[^>]*>(.*?)</a>', nav, re.S)
    assert badge, "the navigation shows a failed-refund badge"
    return f"{badge.group(1)} {re.sub(r'<[^>]+>', '', badge.group(2)).strip()}"


@pytest.mark.usefixtures("admin")
async def test_a_refused_refund_ends_failed_with_its_reason_a_notification_and_a_badge(
    client: Client, database: Database
) -> None:
    code, session_id = await paid_booking(client, database)
    total = (await stored_booking(database, code))["price"]["total"]
    # The charge was refunded in the gateway's own dashboard, so it refuses any more.
    await database["dev_checkout_sessions"].update_one(
        {"_id": session_id}, {"$set": {"refunded": total}}
    )
    assert (await admin_refund(client, code)).status_code == 200

    refund = await only_refund(database, code)
    assert refund["status"] == "failed"
    assert "greater than unrefunded amount" in refund["last_error"]
    alert = await database["notifications"].find_one({"event": "payment.refund_failed"})
    assert alert is not None, "the admins' live dashboard hears of the failure"
    assert (alert["booking_code"], alert["patient_id"], alert["caregiver_id"]) == (code, None, None)
    assert alert["data"]["amount"] == total
    # The money the refund would have returned can be refunded again.
    assert (await stored_booking(database, code))["amount_refundable"] == total

    badge = await failed_refund_badge(client)
    assert badge == "/dashboard/payments?kind=refund&amp;status=failed 1 failed refund"
    ledger = await client.get("/dashboard/payments?kind=refund&status=failed")
    assert code in ledger.text and "Gateway: Refund amount" in ledger.text


@pytest.mark.usefixtures("admin")
async def test_old_stuck_and_failed_refunds_never_hold_up_a_new_one(
    client: Client, database: Database, outage: PaymentService
) -> None:
    code, _ = await paid_booking(client, database)
    total = (await stored_booking(database, code))["price"]["total"]
    long_ago = datetime.now(UTC) - timedelta(days=30)
    old = [
        {
            "_id": ObjectId(),
            "booking_id": ObjectId(),
            "booking_code": "CV-OLD000",
            "payment_id": ObjectId(),
            "payment_intent": f"pi_outage{n}",
            "amount": 1000,
            "reason": "Cancelled within the policy",
            "idempotency_key": f"refund:CV-OLD000:{n}",
            "status": "failed" if n % 2 else "requested",
            "created_at": long_ago + timedelta(minutes=n),
            "updated_at": long_ago + timedelta(minutes=n),
        }
        for n in range(50)
    ]
    await database["refunds"].insert_many(old)
    for _ in range(2):  # the worker's passes meet an outage on each of those old charges
        await outage.process_refunds()

    response = await admin_refund(client, code)
    assert response.status_code == 200, response.text
    await outage.process_refunds()
    assert (await only_refund(database, code))["status"] == "succeeded"
    assert (await settle(database, code, payment_status="refunded"))["amount_refunded"] == total
    # Each stuck row was tried once and waits for its next attempt; the failed ones were left.
    stuck = await database["refunds"].find({"booking_code": "CV-OLD000"}).to_list()
    waiting = [r for r in stuck if r["status"] == "requested"]
    assert len(waiting) == 25 and {r["attempts"] for r in waiting} == {1}
    assert all(r["next_attempt_at"] > datetime.now(UTC) for r in waiting)
    assert sum(r["status"] == "failed" and r.get("attempts", 0) == 0 for r in stuck) == 25


@pytest.mark.usefixtures("admin")
async def test_a_transient_error_is_retried_later_each_time_and_refunded_is_said_only_then(
    client: Client, database: Database, admin: User, outage: PaymentService
) -> None:
    code, _ = await paid_booking(client, database)
    total = (await stored_booking(database, code))["price"]["total"]
    GatewayOutage.busy = 3
    await outage.refund(admin, code, None, "Visit missed")

    delays = []
    for attempt in (1, 2, 3):
        if attempt > 1:
            await outage.process_refunds()
        refund = await only_refund(database, code)
        assert (refund["status"], refund["attempts"]) == ("requested", attempt)
        assert refund["last_error"] == "Stripe is busy; try again later."
        delays.append(refund["next_attempt_at"] - refund["updated_at"])
        # Not yet due: another pass leaves it alone.
        await outage.process_refunds()
        assert (await only_refund(database, code))["attempts"] == attempt
        await time_passes(database, code)
    assert delays == [refund_retry_delay(n) for n in (1, 2, 3)]
    assert delays[2] == 2 * delays[1] == 4 * delays[0]
    # The patient was told at the request that the refund is on its way, and nothing more.
    assert await queued_templates(database, PATIENT) == ["booking_confirmed", "refund_requested"]

    await outage.process_refunds()
    refund = await only_refund(database, code)
    assert (refund["status"], refund["attempts"]) == ("succeeded", 4)
    assert (await settle(database, code, payment_status="refunded"))["amount_refunded"] == total
    assert await queued_templates(database, PATIENT) == [
        "booking_confirmed",
        "refund_requested",
        "refunded",
    ]


@pytest.mark.usefixtures("admin")
async def test_a_refund_that_keeps_meeting_transient_errors_fails_once_its_attempts_run_out(
    client: Client, database: Database, admin: User, outage: PaymentService
) -> None:
    code, _ = await paid_booking(client, database)
    total = (await stored_booking(database, code))["price"]["total"]
    GatewayOutage.busy = 1000
    await outage.refund(admin, code, None, "Visit missed")

    for _ in range(MAX_REFUND_ATTEMPTS - 1):
        await time_passes(database, code)
        await outage.process_refunds()
    refund = await only_refund(database, code)
    assert (refund["status"], refund["attempts"]) == ("failed", MAX_REFUND_ATTEMPTS)
    assert refund["last_error"] == "Stripe is busy; try again later."
    assert await database["notifications"].count_documents({"event": "payment.refund_failed"}) == 1
    admin_mail = {"to": ADMIN, "template": "admin_refund_failed"}
    assert await database["mail_outbox"].count_documents(admin_mail) == 1
    booking = await stored_booking(database, code)
    assert (booking["amount_refunded"], booking["amount_refundable"]) == (0, total)
    assert await queued_templates(database, PATIENT) == ["booking_confirmed", "refund_requested"]
