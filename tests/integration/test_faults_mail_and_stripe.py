"""Faults outside the database: the SMTP server is down, Stripe answers 500."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from typing import Any

import msgspec
import pytest
from litestar import Litestar
from pymongo.asynchronous.database import AsyncDatabase

from carevia.app import create_app
from carevia.domain.mail import OutboxRepository, transport_for
from carevia.domain.mail.worker import MailWorker
from carevia.domain.payments.stripe_gateway import MAX_NETWORK_RETRIES
from carevia.domain.shared.clock import utc_now
from carevia.settings import Settings, StripeSettings
from tests.support.accounts import Client, csrf_token
from tests.support.bookings import submit_booking
from tests.support.mail import SMTPServer
from tests.support.payment_flows import mail_about, paid_booking
from tests.support.stripe_stub import StripeStub

pytestmark = pytest.mark.usefixtures("seeded", "signed_in_patient")
Database = AsyncDatabase[dict[str, Any]]


@pytest.mark.mails
async def test_with_smtp_down_bookings_commit_and_the_mail_goes_out_when_it_returns(
    client: Client, database: Database, settings: Settings, smtp_server: SMTPServer
) -> None:
    with smtp_server.down():
        code, _ = await paid_booking(client, database)
        failed = await _failed_delivery(database)

    assert "Connect" in failed["last_error"], failed
    outbox = OutboxRepository(database)
    # The worker retries on its own schedule (30 s, then longer); run a round at that time.
    later = utc_now() + timedelta(minutes=1)
    worker = MailWorker(outbox, transport_for(settings), settings.mail.sender, clock=lambda: later)
    assert await worker.run_once() >= 1
    # The patient's confirmation, and the caregiver's news that the visit is now theirs.
    sent = await mail_about(smtp_server, code, count=2)
    recipients = sorted(str(message["To"]) for message in sent)
    assert [r.split("@")[0].split("<")[-1] for r in recipients] == ["amina", "shirin"]


async def _failed_delivery(database: Database) -> dict[str, Any]:
    """The confirmation the worker tried to send (it runs in the background) and could not."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        failed = await database["mail_outbox"].find_one({"last_error": {"$ne": None}})
        if failed is not None:
            return failed
        await asyncio.sleep(0.05)
    raise AssertionError("no delivery was attempted")


@pytest.fixture
def stripe_settings(settings: Settings, stripe_stub: StripeStub) -> Settings:
    stripe = StripeSettings(
        secret_key="sk_test_carevia_faults",
        webhook_secret="whsec_test",
        api_base=stripe_stub.base_url,
    )
    return msgspec.structs.replace(settings, stripe=stripe)


class TestStripe:
    @pytest.fixture
    def app(self, stripe_settings: Settings) -> Litestar:
        return create_app(stripe_settings)

    async def test_500s_are_retried_with_the_same_idempotency_key(
        self, client: Client, stripe_stub: StripeStub
    ) -> None:
        stripe_stub.fail_next(500)

        booked = await submit_booking(client)

        sessions = list(stripe_stub.sessions.values())
        assert len(sessions) == 1
        assert booked.headers["location"] == sessions[0]["url"]
        sent = stripe_stub.requests_to("POST", "/v1/checkout/sessions")
        assert len(sent) == 2
        assert sent[0].idempotency_key == sent[1].idempotency_key is not None

    async def test_when_it_keeps_failing_the_hold_waits_and_paying_again_uses_the_same_key(
        self, client: Client, stripe_stub: StripeStub
    ) -> None:
        stripe_stub.fail_next(500, times=1 + MAX_NETWORK_RETRIES)

        booked = await submit_booking(client)

        page = booked.headers["location"]
        assert page.startswith("/bookings/CV-")
        assert stripe_stub.sessions == {}
        token = await csrf_token(client, page)
        paid = await client.post(f"{page}/pay", data={"_csrf_token": token}, follow_redirects=False)
        assert paid.headers["location"] == next(iter(stripe_stub.sessions.values()))["url"]
        keys = {r.idempotency_key for r in stripe_stub.requests_to("POST", "/v1/checkout/sessions")}
        assert len(keys) == 1
