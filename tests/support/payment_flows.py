"""Waiting for payment outcomes that arrive in the background, and the mail they cause."""

from __future__ import annotations

import asyncio
import re
import time
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from carevia.composition import build_services
from carevia.devtools.local_gateway import LocalGateway
from carevia.devtools.webhook_sender import WebhookSender
from carevia.domain.payments.events import encode_event, sign, stripe_event
from carevia.domain.payments.service import PaymentService
from carevia.settings import DEFAULT_WEBHOOK_SECRET, Settings
from tests.support.accounts import Client, UserFactory, log_in
from tests.support.bookings import booking_code, submit_booking
from tests.support.mail import SMTPServer
from tests.support.payments import held_booking, pay_on_test_gateway

Database = AsyncDatabase[dict[str, Any]]


async def stored_booking(database: Database, code: str) -> dict[str, Any]:
    found = await database["bookings"].find_one({"code": code})
    assert found is not None, f"no booking {code}"
    return found


async def lapse_hold(database: Database, code: str) -> None:
    await database["bookings"].update_one(
        {"code": code}, {"$set": {"hold_expires_at": datetime.now(UTC) - timedelta(seconds=1)}}
    )


async def hold_lapsed_and_taken(
    client: Client, database: Database, make_user: UserFactory, caregiver: str
) -> tuple[str, str, str]:
    """The signed-in patient's hold lapses and Rahim books that time; her payment comes late.

    Returns her booking code, her Checkout session and Rahim's booking code.
    """
    code, session_id = await held_booking(client, caregiver_id=caregiver)
    await lapse_hold(database, code)
    await make_user("rahim@example.com")
    client.cookies.clear()
    await log_in(client, "rahim@example.com")
    taker = await booking_code(client, await submit_booking(client, caregiver_id=caregiver))
    return code, session_id, taker


async def settle(
    database: Database, code: str, within: float = 10, **expected: Any
) -> dict[str, Any]:
    """Poll the booking until every `expected` field has its value, or the time is up.

    Events from the local gateway are delivered by a background task of the app.
    """
    deadline = time.monotonic() + within
    found = await stored_booking(database, code)
    while any(found.get(k) != v for k, v in expected.items()) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
        found = await stored_booking(database, code)
    return found


async def mail_about(
    smtp_server: SMTPServer, subject_part: str, count: int = 1, within: float = 10
) -> list[EmailMessage]:
    """The messages whose subject contains `subject_part`, once `count` of them arrived."""

    def matching() -> list[EmailMessage]:
        return [m for m in smtp_server.messages if subject_part in str(m["Subject"])]

    deadline = time.monotonic() + within
    # The SMTP server runs in its own thread, so its inbox is polled.
    while len(matching()) < count and time.monotonic() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.05)
    found = matching()
    subjects = [str(m["Subject"]) for m in smtp_server.messages]
    assert len(found) >= count, f"expected {count} × {subject_part!r}, got {subjects}"
    return found


async def queued_templates(database: Database, address: str) -> list[str]:
    """The templates of the mail queued for `address`, in the order it was queued."""
    # Visit reminders are queued ahead for their due time; these are the mail sent on events.
    found = (
        database["mail_outbox"]
        .find({"to": address, "template": {"$ne": "visit_reminder"}})
        .sort([("created_at", 1), ("_id", 1)])
    )
    return [message["template"] async for message in found]


def text_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())


def checkout_id(location: str) -> str:
    match = re.search(r"/dev/checkout/(cs_test_\w+)", location)
    assert match, f"not a checkout page: {location}"
    return match.group(1)


async def paid_booking(client: Client, database: Database, **changes: str) -> tuple[str, str]:
    """Book and pay on the test gateway; returns (code, session id) once it is confirmed."""
    code, session_id = await held_booking(client, **changes)
    assert (await pay_on_test_gateway(client, session_id)).status_code == 303
    confirmed = await settle(database, code, status="confirmed")
    assert confirmed["status"] == "confirmed"
    return code, session_id


def signed(event_type: str, obj: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    """A Stripe event as Stripe would post it, signed with the test webhook secret."""
    payload = encode_event(stripe_event(event_type, obj))
    headers = {
        "Stripe-Signature": sign(payload, DEFAULT_WEBHOOK_SECRET),
        "Content-Type": "application/json",
    }
    return payload, headers


class HeldWebhooks(WebhookSender):
    """A test-side gateway's events, posted to the app only while `deliver_held` runs.

    The test client blocks this event loop until the app answers, so a delivery made while
    one of this loop's transactions is open could wait on that transaction for good.
    """

    def __init__(self, settings: Settings, client: Client) -> None:
        self._open = asyncio.Event()

        async def deliver(payload: bytes, headers: dict[str, str]) -> int:
            await self._open.wait()
            answer = await client.post("/webhooks/stripe", content=payload, headers=headers)
            return answer.status_code

        super().__init__(deliver, settings.stripe.webhook_secret)

    async def deliver_held(self) -> None:
        self._open.set()
        try:
            assert await self.drain(), "every held event was delivered"
        finally:
            self._open.clear()


def payment_services(
    database: Database,
    settings: Settings,
    client: Client,
    gateway_type: type[LocalGateway] = LocalGateway,
    sender: WebhookSender | None = None,
) -> PaymentService:
    """The payment service of a second process, on the test's event loop.

    Its local gateway (or a `gateway_type` derived from it) posts events to the app's webhook,
    at once or, through `HeldWebhooks`, when the test says so.
    """
    if sender is None:

        async def deliver(payload: bytes, headers: dict[str, str]) -> int:
            answer = await client.post("/webhooks/stripe", content=payload, headers=headers)
            return answer.status_code

        sender = WebhookSender(deliver, settings.stripe.webhook_secret)
    gateway = gateway_type(database, sender, settings.public_base_url)
    return build_services(settings, database, gateway).payments
