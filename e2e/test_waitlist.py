"""Another patient joins the waitlist for a time that was just taken, and receives the
offer live when the hold on it expires."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, expect
from pymongo import MongoClient
from tests.support.application import LiveServer

from e2e.test_booking import PASSWORD, fill_address, held_code, working_day

BOOK = "/services/infant-day-care/book"


def signed_in(browser: Browser, live_server: LiveServer, name: str, width: int = 1280) -> Page:
    email = f"{name.split()[0].lower()}.{time.monotonic_ns()}@example.com"
    live_server.create_user(email, name, "patient", PASSWORD)
    context = browser.new_context(
        base_url=live_server.base_url, viewport={"width": width, "height": 900}
    )
    page = context.new_page()
    page.goto(f"/login?next={BOOK}")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Book Infant Day Care")).to_be_visible()
    return page


def choose(page: Page, caregiver: str, start: str | None = None) -> str:
    """The caregiver, the test's own day and a start time (the first free one if None).

    The form is opened with the caregiver and day in its address, as the no-JavaScript
    "show free times" button does, so no htmx answer can race the choice.
    """
    day = working_day(ahead=23)
    page.goto(f"{BOOK}?caregiver_id={caregiver}&date={day.isoformat()}&quantity=4")
    expect(page.locator("#times [role='status']")).to_contain_text("free")
    options = page.locator("#field-start_time option:not([value=''])")
    chosen = start or str(options.first.get_attribute("value"))
    page.get_by_label("Start time").select_option(chosen)
    fill_address(page)
    return chosen


def lapse_hold(live_server: LiveServer, code: str) -> None:
    """The hold's time runs out: the app's own sweep then expires it."""
    with MongoClient[dict[str, Any]](live_server.environment["MONGODB_URI"]) as mongo:
        bookings = mongo[live_server.environment["MONGODB_DB"]].bookings
        past = datetime.now(UTC) - timedelta(seconds=1)
        lapsed = bookings.update_one({"code": code}, {"$set": {"hold_expires_at": past}})
        assert lapsed.matched_count == 1


def test_a_patient_on_the_waitlist_gets_the_offer_live_when_a_hold_expires(
    browser: Browser, live_server: LiveServer, artifacts: Path
) -> None:
    rokeya = signed_in(browser, live_server, "Rokeya Begum")
    caregiver = str(
        rokeya.locator("input[name=caregiver_id]:not([value='any'])").first.get_attribute("value")
    )
    # Rokeya chooses a time; before she holds it, Farida holds it with the same caregiver.
    start = choose(rokeya, caregiver)
    farida = signed_in(browser, live_server, "Farida Khatun")
    choose(farida, caregiver, start)
    farida.get_by_role("button", name="Hold this time and pay").click()
    farida_code = held_code(farida)

    rokeya.get_by_role("button", name="Hold this time and pay").click()
    expect(rokeya.get_by_role("alert").first).to_contain_text("no longer free")
    join = rokeya.locator("#waitlist-join")
    expect(join).to_be_visible()
    expect(join.get_by_label("Time you want")).to_have_value(start)
    rokeya.screenshot(path=str(artifacts / "waitlist-join-1280.png"), full_page=True)
    join.get_by_role("button", name="Join the waitlist").click()
    expect(rokeya.get_by_text("You are on the waitlist")).to_be_visible()
    expect(rokeya.locator(".booking-row").first).to_contain_text("Waiting")
    rokeya.evaluate("window.__stayed = true")

    lapse_hold(live_server, farida_code)

    offer = rokeya.locator(".waitlist-offer")
    expect(offer).to_contain_text("A time you waited for is free", timeout=30_000)
    assert rokeya.evaluate("window.__stayed") is True, "it arrived live, without a reload"
    expect(rokeya.locator(".booking-row").first).to_contain_text("Held for you")
    rokeya.screenshot(path=str(artifacts / "waitlist-offer-1280.png"), full_page=True)
    narrow = rokeya.context.new_page()
    narrow.set_viewport_size({"width": 390, "height": 844})
    narrow.goto("/account/waitlist")
    expect(narrow.locator(".waitlist-offer")).to_be_visible()
    narrow.screenshot(path=str(artifacts / "waitlist-offer-390.png"), full_page=True)
    narrow.goto("/account/bookings")
    expect(narrow.locator(".waitlist-offer")).to_be_visible()
    narrow.screenshot(path=str(artifacts / "waitlist-banner-390.png"), full_page=True)

    offer.get_by_role("link", name="Pay and confirm").click()
    expect(rokeya.get_by_text("We are holding")).to_be_visible()
    rokeya.get_by_role("button", name="Pay").first.click()
    held_code(rokeya)
    for page in (rokeya, farida):
        page.context.close()
