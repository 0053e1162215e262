"""A patient books a 4-week weekday series, sees one taken date, skips it and pays."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bson import ObjectId
from playwright.sync_api import Page, expect
from pymongo import MongoClient
from tests.support.application import LiveServer

from carevia.domain.bookings.schedule import local_start, slots
from carevia.domain.shared.time_format import format_day
from e2e.test_booking import fill_address, sign_in
from e2e.test_booking_calendar import press_towards, tab_into_the_calendar

DHAKA = ZoneInfo("Asia/Dhaka")
# The Bangladeshi working week, Sunday to Thursday; Friday and Saturday are the weekend.
WORKING_DAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday")


def first_monday(weeks_ahead: int = 6) -> date:
    """Far enough ahead that the other browser tests never book these days."""
    today = datetime.now(UTC).astimezone(DHAKA).date()
    return today - timedelta(days=today.weekday()) + timedelta(weeks=weeks_ahead)


def take_time(live_server: LiveServer, caregiver_id: str, day: date) -> None:
    """Another patient's visit holds the caregiver's 08:00–12:00 on `day`: its slot claims."""
    begins = local_start(day, datetime.min.time().replace(hour=8), "Asia/Dhaka")
    booking_id = ObjectId()
    environment = live_server.environment
    with MongoClient[dict[str, Any]](environment["MONGODB_URI"], tz_aware=True) as mongo:
        claims = mongo[environment["MONGODB_DB"]].slot_claims
        claims.insert_many(
            [
                {
                    "_id": f"{caregiver_id}:{slot.isoformat()}",
                    "caregiver_id": ObjectId(caregiver_id),
                    "booking_id": booking_id,
                    "slot_start": slot,
                }
                for slot in slots(begins, begins + timedelta(hours=4))
            ]
        )


def series_of(live_server: LiveServer, email: str) -> str:
    environment = live_server.environment
    with MongoClient[dict[str, Any]](environment["MONGODB_URI"], tz_aware=True) as mongo:
        database = mongo[environment["MONGODB_DB"]]
        patient = database.users.find_one({"email": email}) or {}
        series = database.series.find_one({"patient_id": patient.get("_id")}) or {}
        return str(series["_id"])


def test_books_a_four_week_weekday_series_skips_the_taken_date_and_pays(
    page: Page, live_server: LiveServer, artifacts: Path
) -> None:
    email = sign_in(page, live_server)
    # The first day is picked in the booking form's calendar with the keyboard alone.
    monday = first_monday()
    start = tab_into_the_calendar(page)
    press_towards(page, start, monday)
    page.keyboard.press("Enter")
    expect(page.locator("#times [role='status']")).to_contain_text(f"free on {format_day(monday)}")
    page.get_by_role("link", name=f"Repeat this every week from {format_day(monday)}").click()
    expect(page.get_by_role("heading", name="Weekly visits: Infant Day Care")).to_be_visible()
    expect(page.get_by_label("First week (any day of it)")).to_have_value(monday.isoformat())

    for name in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"):
        checkbox = page.get_by_label(name, exact=True)
        checkbox.set_checked(name in WORKING_DAYS)
    page.get_by_label("Start time").select_option("08:00")
    page.get_by_label("Hours a visit").fill("4")
    page.get_by_label("Number of weeks").select_option("4")
    fill_address(page)
    caregiver = page.locator("input[name='caregiver_id']:checked")
    taken = monday + timedelta(days=8)  # the second week's Tuesday
    take_time(live_server, str(caregiver.get_attribute("value")), taken)

    page.get_by_role("button", name="Hold these visits and pay").click()
    conflicts = page.get_by_role("region", name="Some dates are taken")
    expect(conflicts).to_be_visible()
    expect(conflicts.locator("li")).to_have_count(1)
    expect(conflicts).to_contain_text(f"{taken:%a} {taken.day} {taken:%b} {taken.year}")
    expect(conflicts).to_contain_text("19 of 20 visits are free")
    page.screenshot(path=str(artifacts / "series-conflict-1280.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(artifacts / "series-conflict-390.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("button", name="Skip these dates and continue").click()
    expect(page).to_have_url(re.compile(r"/dev/checkout/cs_test_\w+$"))
    expect(page.locator("h1")).to_contain_text("19 visits")
    page.get_by_role("button", name="Pay", exact=True).click()
    expect(page).to_have_url(re.compile(r"/checkout/success\?session_id=cs_test_\w+$"))

    page.goto(f"/series/{series_of(live_server, email)}")
    visits = page.locator("ul.series-visit-list li")
    expect(visits).to_have_count(19)
    expect(visits.filter(has_text="Confirmed")).to_have_count(19)
    expect(
        page.get_by_text(f"Skipped because they were taken: {taken:%a} {taken.day}")
    ).to_be_visible()
    page.screenshot(path=str(artifacts / "series-paid-1280.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(artifacts / "series-paid-390.png"), full_page=True)
