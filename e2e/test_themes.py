"""Light and dark themes: the device's choice by default, a remembered switch, no flash."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, ViewportSize, expect
from tests.support.application import LiveServer

from e2e.test_live_dashboard import PASSWORD, log_in
from e2e.test_workspace import booking_code  # noqa: F401 - a fixture, shared with that module

LAPTOP: ViewportSize = {"width": 1366, "height": 768}
PHONE: ViewportSize = {"width": 390, "height": 844}
OpenPage = Callable[..., Page]


def page_background(page: Page) -> str:
    return str(page.evaluate("getComputedStyle(document.body).backgroundColor"))


def choose_theme(page: Page, label: str) -> None:
    page.locator(".theme-menu summary").click()
    page.get_by_role("button", name=label).click()


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "no-js"])
def test_the_switch_changes_and_remembers_the_theme(open_page: OpenPage, javascript: bool) -> None:
    page = open_page(viewport=LAPTOP, color_scheme="light", java_script_enabled=javascript)
    page.goto("/services?category=baby-care")
    light = page_background(page)
    choose_theme(page, "Dark")
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    expect(page).to_have_url("/services?category=baby-care")
    dark = page_background(page)
    assert dark != light
    page.goto("/about")
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    expect(page.locator(".theme-menu button[aria-pressed=true]")).to_have_text("Dark")
    choose_theme(page, "Match device")
    expect(page.locator("html")).not_to_have_attribute("data-theme", "dark")
    assert page_background(page) == light


def test_without_a_choice_the_page_follows_the_device(open_page: OpenPage) -> None:
    light = open_page(viewport=PHONE, color_scheme="light")
    dark = open_page(viewport=PHONE, color_scheme="dark")
    light.goto("/")
    dark.goto("/")
    assert page_background(light) != page_background(dark)
    # A forced light theme wins over a dark device.
    dark.context.add_cookies([{"name": "theme", "value": "light", "url": dark.url}])
    dark.goto("/")
    assert page_background(dark) == page_background(light)


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1366", "390"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_screenshots_of_both_themes(
    open_page: OpenPage,
    live_server: LiveServer,
    artifacts: Path,
    booking_code: str,  # noqa: F811 - the fixture imported above
    viewport: ViewportSize,
    scheme: str,
) -> None:
    """Home, catalogue and the bookings table, to look at after a change of style."""
    page = open_page(viewport=viewport, color_scheme=scheme)
    width = viewport["width"]
    page.goto("/")
    page.screenshot(path=artifacts / f"theme-{scheme}-{width}-home.png")
    page.goto("/services")
    page.screenshot(path=artifacts / f"theme-{scheme}-{width}-catalogue.png")
    email = f"theme.{time.monotonic_ns()}@example.com"
    live_server.create_user(email, "Sharmin Sultana", "admin", PASSWORD)
    log_in(page, email, "/dashboard/bookings")
    expect(page.locator("#booking-rows tbody tr").first).to_be_visible()
    page.screenshot(path=artifacts / f"theme-{scheme}-{width}-bookings.png")
