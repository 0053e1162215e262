"""Choosing and opening the payment gateway for one app process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from litestar import Litestar
from pymongo.asynchronous.database import AsyncDatabase

from carevia.db import ensure_indexes
from carevia.devtools.local_gateway import INDEXES as LOCAL_GATEWAY_INDEXES
from carevia.devtools.local_gateway import LocalGateway
from carevia.devtools.webhook_sender import WebhookSender
from carevia.domain.payments.gateway import PaymentGateway
from carevia.domain.payments.stripe_gateway import StripeGateway
from carevia.settings import Settings


def uses_local_gateway(settings: Settings) -> bool:
    """The local test gateway stands in only without a Stripe key, and never in production."""
    return not settings.stripe.secret_key and not settings.is_production


@asynccontextmanager
async def payment_gateway(
    app: Litestar, database: AsyncDatabase[dict[str, Any]], settings: Settings
) -> AsyncIterator[PaymentGateway]:
    if not uses_local_gateway(settings):
        stripe_gateway = StripeGateway(settings.stripe)
        try:
            yield stripe_gateway
        finally:
            await stripe_gateway.aclose()
        return
    # The stand-in keeps its sessions in the database, outside the domain's collections.
    await ensure_indexes(database, (LOCAL_GATEWAY_INDEXES,))
    # Events go through the real webhook route, in-process, so signatures are verified as
    # they are for Stripe; no network address is needed for that.
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]  # Litestar is an ASGI app
    client = httpx.AsyncClient(transport=transport, base_url=settings.public_base_url)

    async def deliver(payload: bytes, headers: dict[str, str]) -> int:
        response = await client.post("/webhooks/stripe", content=payload, headers=headers)
        return response.status_code

    sender = WebhookSender(deliver, settings.stripe.webhook_secret)
    try:
        yield LocalGateway(database, sender, settings.public_base_url)
    finally:
        await sender.drain(timeout=5)
        await client.aclose()
