"""Paying in Chromium on the local test gateway: with the return page, and with the tab closed."""

from __future__ import annotations

import re
import time
from pathlib import Path

from playwright.sync_api import Page, expect
from tests.support.application import LiveServer

from e2e.test_booking import choose_date, fill_address, held_code, sign_in, working_day


def hold_a_booking(page: Page, live_server: LiveServer, start: str, ahead: int) -> tuple[str, str]:
    email = sign_in(page, live_server)
    choose_date(page, working_day(ahead))
    page.get_by_label("Start time").select_option(start)
    fill_address(page)
    page.get_by_role("button", name="Hold this time and pay").click()
    return email, held_code(page)


def pay_and_close_the_tab(page: Page) -> None:
    """Pay on the test gateway, then close its tab once the answer page has loaded.

    Closing a tab while Chromium commits a navigation can leave `page.close()` waiting for
    ever (microsoft/playwright#41900), so the tab closes only after the form post landed.
    """
    page.get_by_role("button", name="Pay and close the tab").click()
    expect(page.get_by_text("close this tab", exact=False)).to_be_visible()
    page.wait_for_load_state()
    page.close()


def test_pay_and_return_to_a_confirmed_booking_and_its_receipt(
    page: Page, live_server: LiveServer, artifacts: Path
) -> None:
    _email, code = hold_a_booking(page, live_server, "09:00", ahead=7)
    page.get_by_role("button", name="Pay", exact=True).click()
    expect(page).to_have_url(re.compile(r"/checkout/success\?session_id=cs_test_\w+$"))
    expect(page.get_by_role("heading", name="Your booking is confirmed")).to_be_visible()
    page.screenshot(path=str(artifacts / "checkout-success.png"), full_page=True)

    page.get_by_role("link", name="View booking").click()
    expect(page.get_by_text("Confirmed").first).to_be_visible()
    expect(page.get_by_text("Paid", exact=True).first).to_be_visible()
    page.get_by_role("link", name="Printable receipt").click()
    expect(page.get_by_text(code).first).to_be_visible()
    page.screenshot(path=str(artifacts / "receipt.png"), full_page=True)


def test_pay_and_close_the_tab_still_confirms_and_emails(
    page: Page, live_server: LiveServer
) -> None:
    email, code = hold_a_booking(page, live_server, "10:00", ahead=9)
    pay_and_close_the_tab(page)

    later = page.context.new_page()
    later.goto("/account/bookings")
    row = later.locator("li", has_text=code)
    expect(row).to_be_visible()
    expect(row.get_by_text("Confirmed")).to_be_visible(timeout=10_000)
    deadline = time.monotonic() + 10
    while not live_server.mailbox.handler.to(email) and time.monotonic() < deadline:
        time.sleep(0.1)
    subjects = [str(m["Subject"]) for m in live_server.mailbox.handler.to(email)]
    assert any(code in subject and "confirmed" in subject.lower() for subject in subjects), subjects


def test_the_booking_page_updates_itself_when_payment_lands_elsewhere(
    page: Page, live_server: LiveServer
) -> None:
    _email, code = hold_a_booking(page, live_server, "16:00", ahead=13)
    checkout_url = page.url
    page.goto(f"/bookings/{code}")
    expect(page.get_by_text("We are holding")).to_be_visible()
    page.evaluate("window.__stayed = true")

    other_tab = page.context.new_page()
    other_tab.goto(checkout_url)
    pay_and_close_the_tab(other_tab)

    expect(page.locator("#booking-live").get_by_text("Confirmed").first).to_be_visible(
        timeout=5_000
    )
    expect(page.get_by_text("We are holding")).to_be_hidden()
    assert page.evaluate("window.__stayed") is True
