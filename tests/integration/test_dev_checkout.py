"""The test checkout page: what a customer sees and where each button takes them."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.config.csrf import CSRFConfig
from litestar.di import Provide
from pymongo.asynchronous.database import AsyncDatabase

from carevia.devtools.checkout import DevCheckoutController
from carevia.devtools.local_gateway import INDEXES, LocalGateway
from carevia.devtools.webhook_sender import WebhookSender
from carevia.settings import Settings
from carevia.web.errors import EXCEPTION_HANDLERS
from carevia.web.templating import template_config
from tests.support.local_gateway import BASE_URL, SECRET, Endpoint, make_request

CSRF_FIELD = re.compile(r'name="_csrf_token" value="([^"]+)"')


@pytest.fixture
async def gateway(
    database: AsyncDatabase[dict[str, Any]],
) -> AsyncIterator[tuple[LocalGateway, Endpoint]]:
    for collection, indexes in INDEXES.items():
        await database[collection].create_indexes(list(indexes))
    endpoint = Endpoint()
    sender = WebhookSender(endpoint, SECRET, retry_delays=(0.01,))
    yield LocalGateway(database, sender, BASE_URL), endpoint
    await sender.drain(5)


@pytest.fixture
async def browser(
    settings: Settings, gateway: tuple[LocalGateway, Endpoint]
) -> AsyncIterator[httpx.AsyncClient]:
    """Only the checkout controller, with the app's templates, CSRF and error pages."""
    app = Litestar(
        route_handlers=[DevCheckoutController],
        dependencies={
            "local_gateway": Provide(lambda: gateway[0], sync_to_thread=False),
            "settings": Provide(lambda: settings, sync_to_thread=False),
        },
        csrf_config=CSRFConfig(secret=settings.secret_key),
        template_config=template_config(settings),
        exception_handlers=EXCEPTION_HANDLERS,
    )
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]  # Litestar's ASGI types are narrower than httpx's
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        yield client


async def submit(browser: httpx.AsyncClient, page: httpx.Response, action: str) -> httpx.Response:
    token = CSRF_FIELD.search(page.text)
    assert token is not None and f'action="{action}"' in page.text
    return await browser.post(action, data={"_csrf_token": token[1]})


async def test_the_page_shows_the_order_and_pay_returns_to_the_success_url(
    browser: httpx.AsyncClient, gateway: tuple[LocalGateway, Endpoint]
) -> None:
    local = gateway[0]
    session = await local.create_checkout_session(make_request())

    page = await browser.get(f"/dev/checkout/{session.id}")

    assert page.status_code == 200
    assert "Test mode — no real money moves" in page.text
    assert "Infant Day Care — Wed 25 Nov 2026, 10:00, 4 hours" in page.text
    assert "৳1,500" in page.text
    assert "nusrat@example.com" in page.text
    for label in ("Pay", "Pay and close the tab", "Cancel", "Decline the card"):
        assert f'type="submit">{label}</button>' in page.text

    paid = await submit(browser, page, f"/dev/checkout/{session.id}/pay")

    assert paid.status_code == 303
    assert paid.headers["location"] == f"{BASE_URL}/checkout/success?session_id={session.id}"
    assert (await local.retrieve_session(session.id)).is_paid
    after = await browser.get(f"/dev/checkout/{session.id}")
    assert "This checkout session is paid." in after.text
    assert "Pay and close the tab" not in after.text


async def test_pay_and_close_leaves_the_customer_on_a_done_page(
    browser: httpx.AsyncClient, gateway: tuple[LocalGateway, Endpoint]
) -> None:
    session = await gateway[0].create_checkout_session(make_request())
    page = await browser.get(f"/dev/checkout/{session.id}")

    done = await submit(browser, page, f"/dev/checkout/{session.id}/pay?then=close")

    assert done.status_code == 200
    assert "You can close this tab" in done.text
    assert (await gateway[0].retrieve_session(session.id)).is_paid


async def test_cancel_returns_and_a_declined_card_stays_on_the_page(
    browser: httpx.AsyncClient, gateway: tuple[LocalGateway, Endpoint]
) -> None:
    session = await gateway[0].create_checkout_session(make_request())
    page = await browser.get(f"/dev/checkout/{session.id}")

    declined = await submit(browser, page, f"/dev/checkout/{session.id}/fail")
    assert declined.status_code == 303
    assert declined.headers["location"] == f"/dev/checkout/{session.id}?declined=1"
    retry = await browser.get(declined.headers["location"])
    assert "Your card was declined." in retry.text

    cancelled = await submit(browser, retry, f"/dev/checkout/{session.id}/cancel")
    assert cancelled.status_code == 303
    assert cancelled.headers["location"] == f"{BASE_URL}/checkout/cancelled?booking=CV-7KQ2MX"
    assert (await gateway[0].retrieve_session(session.id)).status == "open"


async def test_an_expired_session_has_no_buttons_and_an_unknown_one_is_not_found(
    browser: httpx.AsyncClient, gateway: tuple[LocalGateway, Endpoint]
) -> None:
    session = await gateway[0].create_checkout_session(make_request())
    await gateway[0].expire_session(session.id)

    page = await browser.get(f"/dev/checkout/{session.id}")

    assert "This checkout session has expired." in page.text
    assert "/pay" not in page.text
    assert (await browser.get("/dev/checkout/cs_test_missing")).status_code == 404
