"""The dashboard page gets its API token once, however many of its parts need one."""

from __future__ import annotations

import time

from playwright.sync_api import Browser, Request, expect
from tests.support.application import LiveServer

from e2e.test_live_dashboard import PASSWORD, log_in


def test_identity_and_live_updates_share_one_token_request(
    browser: Browser, live_server: LiveServer
) -> None:
    email = f"token.{time.monotonic_ns()}@example.com"
    live_server.create_user(email, "Sharmin Sultana", "admin", PASSWORD)
    context = browser.new_context(base_url=live_server.base_url)
    try:
        page = context.new_page()
        token_requests: list[Request] = []
        page.on(
            "request",
            lambda request: (
                token_requests.append(request)
                if request.method == "POST" and request.url.endswith("/dashboard/token")
                else None
            ),
        )
        log_in(page, email, "/dashboard/overview")
        expect(page.locator("#api-identity")).to_contain_text("Signed in to the API as")
        expect(page.locator("body")).to_have_attribute("data-live", "connected")

        # Each token request starts a refresh-token family; two at once would leave one unused.
        assert len(token_requests) == 1
    finally:
        context.close()
