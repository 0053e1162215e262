"""Sign up with Google (the local test provider), book and pay, sign out, sign back in with it."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect
from tests.support.application import LiveServer

from e2e.test_accessibility import axe_violations
from e2e.test_booking import choose_date, fill_address, held_code, working_day


def choose_google_identity(page: Page, email: str) -> None:
    """On the provider's page, type a test account whose email Google has verified."""
    expect(page.get_by_role("heading", name="Choose an account")).to_be_visible()
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("First name").fill("Nusrat")
    page.get_by_label("Last name").fill("Jahan")
    expect(page.get_by_label("Google has verified this email address")).to_be_checked()
    page.get_by_role("button", name="Continue").click()


def test_sign_up_with_google_book_sign_out_and_sign_back_in(
    page: Page, live_server: LiveServer, artifacts: Path
) -> None:
    email = f"nusrat.{time.monotonic_ns()}@example.com"
    page.goto("/login?next=/services/infant-day-care/book")
    page.screenshot(path=str(artifacts / "google-sign-in-1280.png"), full_page=True)
    page.get_by_role("link", name="Sign in with Google").click()
    expect(page).to_have_url(re.compile(r"/dev/openid/authorize\?"))
    page.screenshot(path=str(artifacts / "google-provider-pick-1280.png"), full_page=True)
    choose_google_identity(page, email)

    # A new account, signed in, back where the visitor was going.
    expect(page.get_by_role("heading", name="Book Infant Day Care")).to_be_visible()
    choose_date(page, working_day(ahead=29))
    page.get_by_label("Start time").select_option("11:00")
    fill_address(page)
    page.get_by_role("button", name="Hold this time and pay").click()
    code = held_code(page)
    page.get_by_role("button", name="Pay", exact=True).click()
    expect(page.get_by_role("heading", name="Your booking is confirmed")).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    page.goto("/account/bookings")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.get_by_role("link", name="Sign in with Google").click()
    choose_google_identity(page, email)

    expect(page).to_have_url(re.compile(r"/account/bookings$"))
    row = page.locator("li", has_text=code)
    expect(row.get_by_text("Confirmed")).to_be_visible()


def test_sign_in_page_and_provider_page_at_phone_width(
    open_page: Callable[..., Page], artifacts: Path
) -> None:
    # Past the pages' CSP only so that axe's script can run.
    page = open_page(viewport={"width": 390, "height": 844}, bypass_csp=True)
    page.goto("/login")
    google = page.get_by_role("link", name="Sign in with Google")
    expect(google).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert axe_violations(page, "/login") == []
    page.screenshot(path=str(artifacts / "google-sign-in-390.png"), full_page=True)
    google.click()
    expect(page.get_by_role("heading", name="Choose an account")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert axe_violations(page, "the provider's page") == []
    page.screenshot(path=str(artifacts / "google-provider-pick-390.png"), full_page=True)
