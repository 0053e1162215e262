"""Layouts that once hid controls or stretched pages: filter panels and hidden chart tables."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect
from tests.support.application import LiveServer

from e2e.test_live_dashboard import PASSWORD, log_in

LAPTOP: ViewportSize = {"width": 1280, "height": 720}
TIMEOUT_MS = 10_000


def apply_button_is_in_view_once_scrolled(page: Page) -> None:
    """Scrolled until the panel sticks below the header, its button is on screen and clickable."""
    button = page.get_by_role("button", name="Apply filters")
    expect(button).to_be_visible(timeout=TIMEOUT_MS)
    page.evaluate(
        "() => window.scrollTo(0, document.querySelector('.filters')"
        ".getBoundingClientRect().top + window.scrollY - 80)"
    )
    on_top = button.evaluate(
        """(button) => {
          const box = button.getBoundingClientRect();
          const hit = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
          return hit !== null && button.contains(hit);
        }"""
    )
    assert on_top, "the button is hidden inside the panel or below the screen"


def page_ends_with_its_content(page: Page, last: str) -> None:
    height, content_bottom = page.evaluate(
        "(last) => [document.documentElement.scrollHeight,"
        " document.querySelector(last).getBoundingClientRect().bottom + window.scrollY]",
        last,
    )
    assert height <= content_bottom + 1, f"something below {last} stretches the page"


@pytest.fixture
def admin(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    email = f"layout.{time.monotonic_ns()}@example.com"
    live_server.create_user(email, "Farida Yasmin", "admin", PASSWORD)
    context = browser.new_context(base_url=live_server.base_url, viewport=LAPTOP)
    try:
        page = context.new_page()
        log_in(page, email, "/dashboard/overview")
        expect(page.get_by_role("heading", name="Overview")).to_be_visible(timeout=TIMEOUT_MS)
        yield page
    finally:
        context.close()


def test_catalogue_filter_buttons_are_in_view_on_a_laptop_screen(page: Page) -> None:
    page.set_viewport_size(LAPTOP)
    page.goto("/services")
    apply_button_is_in_view_once_scrolled(page)


@pytest.mark.parametrize("path", ["/dashboard/bookings", "/dashboard/users", "/dashboard/audit"])
def test_dashboard_filter_buttons_are_in_view_on_a_laptop_screen(admin: Page, path: str) -> None:
    admin.goto(path)
    apply_button_is_in_view_once_scrolled(admin)


def test_the_overview_ends_with_its_workspace(admin: Page) -> None:
    """The dashboard has no footer: its hidden chart tables must not stretch the page either."""
    expect(admin.locator("footer")).to_have_count(0)
    page_ends_with_its_content(admin, ".dashboard")


def test_a_public_page_ends_with_its_footer(page: Page) -> None:
    page.goto("/about")
    page_ends_with_its_content(page, "footer")


def test_on_a_phone_the_catalogue_shows_results_first_and_filters_behind_a_button(
    page: Page,
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/services")
    first_card = page.locator("#results .card-title").first
    expect(first_card).to_be_in_viewport()
    category = page.get_by_label("Category")
    expect(category).to_be_hidden()
    page.get_by_text("Filters", exact=True).focus()
    page.keyboard.press("Enter")
    expect(category).to_be_visible()
    # On a laptop the filters are always shown, without a button.
    page.set_viewport_size(LAPTOP)
    page.goto("/services")
    expect(page.get_by_label("Category")).to_be_visible()
    expect(page.get_by_text("Filters", exact=True)).to_be_hidden()


def test_the_taka_font_is_ready_when_the_first_prices_are_drawn(page: Page) -> None:
    """Preloaded with the stylesheet, so no price shows ৳ as a missing glyph first."""
    page.goto("/services", wait_until="load")
    preloaded = page.eval_on_selector_all(
        "link[rel=preload][as=font][crossorigin]", "(links) => links.map((l) => l.href)"
    )
    assert any(href.endswith("noto-sans-bengali-700.woff2") for href in preloaded), preloaded
    faces = page.evaluate(
        """() => [...document.fonts].filter((face) => face.family.includes('Bengali'))
             .map((face) => `${face.weight}:${face.display}:${face.status}`)"""
    )
    # "block": until the face arrives the sign is invisible for a moment, never a box.
    assert "700:block:loaded" in faces, faces
    assert page.evaluate("document.fonts.check('700 16px \"Noto Sans Bengali\"', '\\u09f3')")


def test_the_support_number_shows_above_the_header_on_wide_screens_only(page: Page) -> None:
    page.set_viewport_size(LAPTOP)
    page.goto("/")
    number = page.locator(".top-bar").get_by_role("link", name="+880 9612-345678")
    expect(number).to_be_visible()
    expect(number).to_have_attribute("href", "tel:+8809612345678")
    whatsapp = page.locator(".top-bar").get_by_role("link", name="WhatsApp us")
    expect(whatsapp).to_have_attribute("href", re.compile(r"^https://wa\.me/\d+$"))
    page.set_viewport_size({"width": 390, "height": 844})
    expect(number).to_be_hidden()
