"""A patient books care: live times and price with htmx, and again without JavaScript."""

from __future__ import annotations

import re
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from playwright.sync_api import Browser, Page, expect
from tests.support.application import LiveServer

from carevia.domain.shared.time_format import format_day

PASSWORD = "sunrise-over-the-padma"


def working_day(ahead: int = 3) -> date:
    """`ahead` days from today or the day after, never a Friday (the demo caregivers' day off).

    Each browser test books on its own day, so they never compete for the same caregiver.
    """
    day = datetime.now(UTC).astimezone(ZoneInfo("Asia/Dhaka")).date() + timedelta(days=ahead)
    return day + timedelta(days=1) if day.weekday() == 4 else day


def sign_in(page: Page, live_server: LiveServer) -> str:
    email = f"patient.{time.monotonic_ns()}@example.com"
    live_server.create_user(email, "Rokeya Begum", "patient", PASSWORD)
    page.goto("/login?next=/services/infant-day-care/book")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Book Infant Day Care")).to_be_visible()
    return email


def choose_date(page: Page, day: date) -> None:
    """Open the day's month in the calendar, pick the day, and wait for its free times.

    One click loads the times; the status line then names the day as people write it.
    """
    show_month(page, day)
    page.get_by_role("gridcell").get_by_role("link", name=f"{format_day(day)}, free times").click()
    expect(page.locator("#times [role='status']")).to_contain_text(f"free on {format_day(day)}")


def show_month(page: Page, day: date) -> None:
    """Follow "Next month" until the calendar shows `day`'s month."""
    caption = page.get_by_role("grid").locator("caption")
    for _ in range(4):
        if caption.inner_text() == f"{day:%B %Y}":
            return
        shown = caption.inner_text()
        page.get_by_role("link", name=re.compile("^Next month")).click()
        expect(caption).not_to_have_text(shown)
    expect(caption).to_have_text(f"{day:%B %Y}")


def held_code(page: Page) -> str:
    """Holding the time leads straight into Checkout, whose product line names the booking."""
    expect(page).to_have_url(re.compile(r"/dev/checkout/cs_test_\w+$"))
    expect(page.get_by_text("Test mode — no real money moves.")).to_be_visible()
    match = re.search(r"\((CV-[A-Z0-9]{6})\)", page.locator("h1").inner_text())
    assert match, "the checkout page names the booking"
    return match.group(1)


def fill_address(page: Page) -> None:
    page.get_by_label("Division").select_option("Dhaka")
    if page.evaluate("typeof htmx !== 'undefined'"):
        # htmx narrows the districts to Dhaka's 13; choose one once the list is swapped in.
        expect(page.locator("#field-district option:not([value=''])")).to_have_count(13)
    page.get_by_label("District").select_option("Gazipur")
    page.get_by_label("Address").fill("House 7, Road 12, Tongi")


def test_patient_sees_free_times_and_live_price_then_books(
    page: Page, live_server: LiveServer, artifacts: Path
) -> None:
    sign_in(page, live_server)
    page.evaluate("window.__stayed = true")
    choose_date(page, working_day())
    assert page.locator("#field-start_time option:not([value=''])").count() > 4
    page.get_by_label("Start time").select_option("10:00")

    page.get_by_label("How many hours or days").fill("5")
    page.get_by_label("How many hours or days").dispatch_event("change")
    expect(page.locator("#price")).to_contain_text("× 5 hours")
    page.get_by_label("Pay 50% now and the rest before the visit").check()
    fill_address(page)
    expect(page.locator("#price")).to_contain_text("within the service area")
    expect(page.locator("#price")).to_contain_text(re.compile(r"Due before the visit\s*৳[1-9]"))
    assert page.evaluate("window.__stayed") is True  # all of that without a page load
    page.screenshot(path=str(artifacts / "booking-form.png"), full_page=True)

    page.get_by_role("button", name="Hold this time and pay").click()
    code = held_code(page)
    page.screenshot(path=str(artifacts / "checkout-test-gateway.png"), full_page=True)
    page.goto(f"/bookings/{code}")
    expect(page.get_by_text("We are holding")).to_be_visible()

    page.goto("/account/bookings")
    expect(page.get_by_text(code)).to_be_visible()
    expect(page.get_by_text("Awaiting payment").first).to_be_visible()


def test_the_same_booking_works_without_javascript(
    browser: Browser, live_server: LiveServer
) -> None:
    context = browser.new_context(java_script_enabled=False, base_url=live_server.base_url)
    page = context.new_page()
    try:
        sign_in(page, live_server)
        page.get_by_label("How many hours or days").fill("4")
        fill_address(page)
        page.get_by_role("button", name="Show free times and price").click()
        day = working_day(ahead=5)
        show_month(page, day)
        # Each day is a link: the page it opens keeps the form as typed.
        page.get_by_role("link", name=f"{format_day(day)}, free times").click()
        expect(page.get_by_text(f"free on {format_day(day)}")).to_be_visible()
        expect(page.get_by_text(re.compile(r"\d+ start times? free"))).to_be_visible()
        expect(page.locator("#price")).to_contain_text("× 4 hours")
        page.get_by_label("Start time").select_option("14:00")
        page.get_by_role("button", name="Hold this time and pay").click()
        code = held_code(page)
        page.goto("/account/bookings")
        expect(page.get_by_text(code)).to_be_visible()
    finally:
        context.close()
