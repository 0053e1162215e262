"""A patient moves a paid visit to another free time of the same caregiver, in Chromium."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect
from tests.support.application import LiveServer

from e2e.test_booking import working_day
from e2e.test_payments import hold_a_booking

BOOKED_AHEAD, MOVED_AHEAD = 23, 24


def test_a_patient_moves_a_confirmed_visit_to_another_day(
    page: Page, live_server: LiveServer, artifacts: Path
) -> None:
    _email, code = hold_a_booking(page, live_server, "09:00", ahead=BOOKED_AHEAD)
    page.get_by_role("button", name="Pay", exact=True).click()
    expect(page.get_by_role("heading", name="Your booking is confirmed")).to_be_visible()
    page.goto(f"/bookings/{code}")
    caregiver = page.locator("dt:text-is('Caregiver') + dd").inner_text()

    page.get_by_role("link", name="Change time").click()
    expect(page.get_by_role("heading", name="Change the time of your visit")).to_be_visible()

    new_day = working_day(MOVED_AHEAD)
    page.get_by_label("New date", exact=True).fill(new_day.isoformat())
    page.get_by_role("button", name="Show free times").click()
    own = page.locator("fieldset", has_text="your caregiver: changes at once")
    expect(own.locator("legend")).to_contain_text(caregiver)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(artifacts / f"change-time-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})

    own.get_by_label("11:00 am").check()
    page.get_by_role("button", name="Change to this time").click()

    expect(page).to_have_url(re.compile(rf"/bookings/{code}\?moved=1$"))
    expect(
        page.get_by_role("status").filter(has_text="Your visit has its new time")
    ).to_be_visible()
    expect(page.get_by_text(re.compile(r"Moved from .* to .*11:00 am"))).to_be_visible()
    page.screenshot(path=str(artifacts / "change-time-done-1280.png"), full_page=True)
