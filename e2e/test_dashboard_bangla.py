"""The dashboard in Bangla in a real browser: the script writes Bangla, and the layout holds."""

from __future__ import annotations

import time
from pathlib import Path

from playwright.sync_api import Browser, expect
from tests.support.application import LiveServer

from e2e.test_live_dashboard import PASSWORD, log_in


def test_the_overview_speaks_bangla_on_a_desktop_and_a_phone(
    browser: Browser, live_server: LiveServer, artifacts: Path
) -> None:
    email = f"bangla.{time.monotonic_ns()}@example.com"
    live_server.create_user(email, "Nasrin Akter", "admin", PASSWORD)
    context = browser.new_context(
        base_url=live_server.base_url, viewport={"width": 1280, "height": 900}
    )
    try:
        page = context.new_page()
        log_in(page, email, "/dashboard/overview")
        expect(page.locator("#api-identity")).to_contain_text("Signed in to the API as")
        context.add_cookies([{"name": "lang", "value": "bn", "url": live_server.base_url}])
        page.goto("/dashboard/overview")

        expect(page.locator("html")).to_have_attribute("lang", "bn")
        expect(page.get_by_role("heading", name="সারসংক্ষেপ", exact=True)).to_be_visible()
        # Written by the dashboard's script from the words the page carries.
        expect(page.locator("#api-identity")).to_contain_text("API-তে Nasrin Akter (অ্যাডমিন)")
        page.screenshot(path=str(artifacts / "dashboard-overview-bn-1280.png"), full_page=True)

        page.set_viewport_size({"width": 390, "height": 844})
        page.reload()
        expect(page.get_by_role("heading", name="সারসংক্ষেপ", exact=True)).to_be_visible()
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"the page is {overflow}px wider than a phone"
        page.screenshot(path=str(artifacts / "dashboard-overview-bn-390.png"), full_page=True)
    finally:
        context.close()
