"""A patient picks a day in the booking calendar with the keyboard alone, then books and pays."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from playwright.sync_api import Page, expect
from tests.support.application import LiveServer

from carevia.domain.shared.time_format import format_day
from e2e.test_booking import fill_address, held_code, sign_in, working_day

FOCUSED_DAY = "document.activeElement && document.activeElement.dataset.day"


def focused_day(page: Page) -> date | None:
    value = page.evaluate(FOCUSED_DAY)
    return date.fromisoformat(value) if value else None


def tab_into_the_calendar(page: Page) -> date:
    """Tab from the top of the page until a day of the calendar has the focus."""
    for _ in range(150):
        page.keyboard.press("Tab")
        day = focused_day(page)
        if day is not None:
            return day
    raise AssertionError("Tab never reached the calendar")


def press_towards(page: Page, start: date, target: date) -> None:
    """Arrow keys from `start` to `target`: a week at a time, then a day at a time.

    Each press waits until the focus has moved, across a month boundary too.
    """
    day = start
    while day != target:
        gap = (target - day).days
        key, step = ("ArrowDown", 7) if gap >= 7 else ("ArrowRight", 1)
        if gap < 0:
            key, step = ("ArrowUp", -7) if gap <= -7 else ("ArrowLeft", -1)
        page.keyboard.press(key)
        day = date.fromordinal(day.toordinal() + step)
        expect(page.locator(f"[role='grid'] [data-day='{day.isoformat()}']")).to_be_focused()


def test_a_patient_picks_a_day_with_the_keyboard_alone_and_pays(
    page: Page, live_server: LiveServer, artifacts: Path
) -> None:
    sign_in(page, live_server)
    grid = page.get_by_role("grid")
    expect(grid.locator("caption")).to_have_text(re.compile(r"^[A-Z][a-z]+ \d{4}$"))
    expect(page.get_by_text("Times are in Bangladesh time (GMT+6).")).to_be_visible()
    page.screenshot(path=str(artifacts / "booking-calendar-1280.png"), full_page=True)

    start = tab_into_the_calendar(page)
    target = working_day(ahead=27)
    press_towards(page, start, target)
    expect(grid.locator("caption")).to_have_text(f"{target:%B %Y}")
    page.keyboard.press("Enter")

    expect(page.locator("#times [role='status']")).to_contain_text(f"free on {format_day(target)}")
    chosen = grid.locator("[aria-selected='true']")
    expect(chosen).to_have_count(1)
    expect(chosen.locator("a")).to_be_focused()  # the focus stays on the day after the swap
    expect(chosen.locator("a")).to_have_accessible_name(f"{format_day(target)}, free times")
    expect(page.get_by_label("Start time")).to_have_value("08:00")  # the first morning time
    expect(page.locator("#field-start_time optgroup")).to_have_count(3)
    # The caregiver cards are ranked again for the day and time just chosen.
    expect(
        page.locator("#caregiver-choices").get_by_text("Free at your time").first
    ).to_be_visible()

    page.get_by_label("Start time").select_option("10:00")
    fill_address(page)
    page.set_viewport_size({"width": 390, "height": 844})
    page.locator("#times").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "booking-calendar-390.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name="Hold this time and pay").click()
    code = held_code(page)
    page.get_by_role("button", name="Pay", exact=True).click()
    expect(page.get_by_role("heading", name="Your booking is confirmed")).to_be_visible()
    page.goto(f"/bookings/{code}")
    expect(page.get_by_text(format_day(target)).first).to_be_visible()
