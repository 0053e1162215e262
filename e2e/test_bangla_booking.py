"""A visitor reading in Bangla books, pays on the test gateway and is confirmed in Bangla.

The test gateway's page stays English: it stands in for Stripe's. axe audits the Bangla
form and confirmation, and screenshots at desktop and phone width show the layout holding.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from playwright.sync_api import Browser, Page, ViewportSize, expect
from tests.support.application import LiveServer

from e2e.test_accessibility import DESKTOP, PHONE, axe_violations
from e2e.test_booking import held_code, sign_in, working_day


def choose_bangla(page: Page) -> None:
    """The visitor picks Bangla in the header; the page they are on comes back in it."""
    page.get_by_role("button", name="বাংলা").click()
    expect(page.locator("html")).to_have_attribute("lang", "bn")


def choose_day(page: Page, day: date) -> None:
    """Move the calendar to `day`'s month and pick it; its free times load in place."""
    target = page.locator(f"#times a[data-day='{day.isoformat()}']")
    for _ in range(4):
        if target.count():
            break
        caption = page.locator("#calendar-caption").inner_text()
        page.locator("#times a[data-month-nav='next']").click()
        expect(page.locator("#calendar-caption")).not_to_have_text(caption)
    target.click()
    expect(page.locator("#times [role='status']")).to_contain_text("শুরুর সময় খালি")


def fill_where(page: Page) -> None:
    page.locator("#field-division").select_option("Dhaka")
    expect(page.locator("#field-district option:not([value=''])")).to_have_count(13)
    page.locator("#field-district").select_option("Gazipur")
    page.locator("#field-address").fill("বাড়ি ৭, রোড ১২, টঙ্গী")


def fits_the_width(page: Page) -> None:
    """Nothing sticks out sideways: the page scrolls only down."""
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the screen"


def shoot(page: Page, artifacts: Path, name: str, phone: ViewportSize = PHONE) -> None:
    """The page at desktop width, then at phone width (where it must still fit), then back."""
    page.screenshot(path=str(artifacts / f"{name}-1280.png"), full_page=True)
    page.set_viewport_size(phone)
    fits_the_width(page)
    page.screenshot(path=str(artifacts / f"{name}-390.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


def test_a_visitor_books_and_pays_in_bangla(
    browser: Browser, live_server: LiveServer, artifacts: Path
) -> None:
    # axe's script is injected into the page, which the pages' CSP would refuse.
    context = browser.new_context(base_url=live_server.base_url, viewport=DESKTOP, bypass_csp=True)
    page = context.new_page()
    try:
        sign_in(page, live_server)
        choose_bangla(page)
        expect(page.get_by_role("heading", level=1)).to_contain_text("বুক করুন")
        expect(page.get_by_text("কার সেবা প্রয়োজন?")).to_be_visible()

        choose_day(page, working_day(ahead=11))
        page.locator("#field-start_time").select_option("10:00")
        half = page.locator("input[name='payment_option'][value='half']")
        expect(page.locator("label", has=half)).to_contain_text("বাকিটা ভিজিটের আগে পরিশোধ করুন")
        half.check()
        fill_where(page)
        expect(page.locator("#price")).to_contain_text("ভিজিটের আগে পরিশোধযোগ্য")
        problems = axe_violations(page, "booking form")
        assert problems == [], "\n".join(problems)
        shoot(page, artifacts, "bangla-booking-form")

        page.get_by_role("button", name="সময় ধরে রাখুন ও পেমেন্ট করুন").click()
        code = held_code(page)  # the test gateway's own page, in English as Stripe's is
        page.get_by_role("button", name="Pay", exact=True).click()

        expect(page).to_have_url(re.compile(r"/checkout/success\?session_id=cs_test_\w+$"))
        expect(page.locator("html")).to_have_attribute("lang", "bn")
        expect(page.get_by_role("heading", name="আপনার বুকিং নিশ্চিত হয়েছে")).to_be_visible()
        expect(page.locator("main")).to_contain_text(f"বুকিং {code}")
        expect(page.locator("main")).to_contain_text("ধন্যবাদ। আমরা")
        assert axe_violations(page, "confirmation") == []
        shoot(page, artifacts, "bangla-confirmation")

        page.get_by_role("link", name="বুকিং দেখুন").click()
        expect(page.locator(".page-head .badge").first).to_have_text("নিশ্চিত")
        expect(page.locator(".page-head .badge").nth(1)).to_have_text("৫০% পরিশোধিত")
        expect(page.get_by_role("heading", name="বাতিলের নিয়ম")).to_be_visible()
    finally:
        context.close()
