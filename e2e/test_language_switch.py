"""A visitor switches the site to Bangla from the header, on a laptop and on a phone."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, ViewportSize, expect
from tests.support.application import LiveServer

TIMEOUT_MS = 10_000
SCREENS: dict[str, ViewportSize] = {
    "desktop": {"width": 1280, "height": 800},
    "phone": {"width": 390, "height": 844},
}


@pytest.mark.parametrize("screen", SCREENS)
def test_the_header_switch_turns_the_home_page_into_bangla(
    browser: Browser, live_server: LiveServer, artifacts: Path, screen: str
) -> None:
    context = browser.new_context(base_url=live_server.base_url, viewport=SCREENS[screen])
    try:
        page = context.new_page()
        page.goto("/")
        expect(page.locator("html")).to_have_attribute("lang", "en")
        page.get_by_role("button", name="বাংলা").click()
        expect(page.locator("html")).to_have_attribute("lang", "bn", timeout=TIMEOUT_MS)
        expect(page).to_have_url(f"{live_server.base_url}/")
        expect(page.get_by_role("heading", level=1)).to_have_text("যত্নের হাত, আপনার ঘরেই")
        chosen = page.locator('.site-header button[name="language"][value="bn"]')
        expect(chosen).to_have_attribute("aria-pressed", "true")
        # The full stop of Bangla (।, U+0964) is drawn by the Bengali face, not left as a box.
        faces = page.evaluate(
            "async () => (await document.fonts.load('16px \"Noto Sans Bengali\"', '।')).length"
        )
        assert faces == 1, "no Bengali face covers the danda"
        page.wait_for_function("document.fonts.status === 'loaded'")
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"the page is {overflow}px wider than the {screen} screen"
        page.screenshot(path=str(artifacts / f"home-bangla-{screen}.png"), full_page=True)

        page.get_by_role("button", name="English").click()
        expect(page.locator("html")).to_have_attribute("lang", "en", timeout=TIMEOUT_MS)
    finally:
        context.close()
