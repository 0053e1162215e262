"""A caregiver starts a visit in its window and completes it with a report; the family,
in another browser, sees the report arrive without reloading."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import msgspec
from playwright.sync_api import Locator, Page, ViewportSize, expect
from pymongo import MongoClient
from tests.support.application import LiveServer
from tests.support.visits import REPORT

from carevia.domain.accounts import User
from carevia.domain.bookings.codes import new_booking_code
from carevia.domain.catalogue.models import Service
from carevia.domain.reviews.seed import DemoVisit, past_visit_booking
from carevia.domain.shared.documents import from_document, to_document
from e2e.test_booking import PASSWORD, sign_in

OpenPage = Callable[..., Page]
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}
TASK = "Bathe, dress and change the baby"


def visit_due_soon(live_server: LiveServer, patient_email: str, caregiver_email: str) -> str:
    """A confirmed visit starting in half an hour, stored straight into the database."""
    environment = live_server.environment
    with MongoClient[dict[str, Any]](environment["MONGODB_URI"], tz_aware=True) as mongo:
        database = mongo[environment["MONGODB_DB"]]
        patient = from_document(database.users.find_one({"email": patient_email}) or {}, User)
        caregiver = database.users.find_one({"email": caregiver_email}) or {}
        service = database.services.find_one({"slug": "infant-day-care"}) or {}
        visit = DemoVisit(
            patient=0, caregiver="", service="", days_ago=0, stars=5, text="", hours=4
        )
        stored = past_visit_booking(
            new_booking_code(),
            visit,
            patient,
            caregiver["_id"],
            "Nasrin Sultana",
            from_document(service, Service),
            datetime.now(UTC),
        )
        starts = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=30)
        booking = msgspec.structs.replace(
            stored,
            status="confirmed",
            starts_at=starts,
            ends_at=starts + timedelta(hours=4),
            history=stored.history[:1],
        )
        database.bookings.insert_one(to_document(booking))
    return booking.code


def bring_visit_near(live_server: LiveServer, code: str) -> None:
    """The visit day comes: a booking made days ahead now starts in half an hour.

    The Start button opens only 60 minutes before the start, and a browser test cannot wait
    for the calendar, so the stored times move and keep the visit's length.
    """
    environment = live_server.environment
    with MongoClient[dict[str, Any]](environment["MONGODB_URI"], tz_aware=True) as mongo:
        bookings = mongo[environment["MONGODB_DB"]].bookings
        booking = bookings.find_one({"code": code}) or {}
        starts = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=30)
        length = booking["ends_at"] - booking["starts_at"]
        bookings.update_one(
            {"code": code}, {"$set": {"starts_at": starts, "ends_at": starts + length}}
        )


def file_report(drawer: Locator, task: str) -> None:
    """Fill in the visit report with `REPORT`'s values and confirm it; not yet sent."""
    form = drawer.locator("form[action$='/complete']")
    form.get_by_label(task).check()
    form.get_by_label("Meals", exact=True).fill(REPORT["meals"])
    form.get_by_label("Medication given").fill(REPORT["medication"])
    form.get_by_label("Mood", exact=True).select_option("calm")
    form.get_by_label("Any concern").fill(REPORT["concern"])
    form.get_by_label("The visit is over and this report is true").check()


def test_a_caregiver_starts_and_completes_a_visit_and_the_family_sees_the_report_live(
    open_page: OpenPage, live_server: LiveServer, artifacts: Path
) -> None:
    family = open_page(viewport=PHONE)
    patient_email = sign_in(family, live_server)
    caregiver_email = f"carer.{time.monotonic_ns()}@example.com"
    live_server.create_user(caregiver_email, "Nasrin Sultana", "caregiver", PASSWORD)
    code = visit_due_soon(live_server, patient_email, caregiver_email)
    family.goto(f"/bookings/{code}")
    expect(family.get_by_role("heading", name="Visit report")).to_have_count(0)

    # The caregiver is in London this week: her own time shows beside Dhaka's.
    carer = open_page(viewport=DESKTOP, timezone_id="Europe/London")
    carer.goto(f"/login?next=/dashboard/bookings/{code}")
    carer.get_by_label("Email").fill(caregiver_email)
    carer.get_by_label("Password").fill(PASSWORD)
    carer.get_by_role("button", name="Log in").click()
    drawer = carer.locator("#booking-drawer")
    expect(drawer.get_by_text("your time, London").first).to_be_visible()
    drawer.screenshot(path=str(artifacts / "visit-page-1280.png"))
    carer.set_viewport_size(PHONE)
    carer.screenshot(path=str(artifacts / "visit-page-390.png"), full_page=True)
    carer.set_viewport_size(DESKTOP)

    drawer.get_by_label("I am with the patient and ready to start this visit now").check()
    drawer.get_by_role("button", name="Start visit").click()
    expect(drawer.get_by_text("The visit is now in progress.")).to_be_visible()
    expect(family.locator("#booking-live")).to_contain_text("In progress")

    file_report(drawer, TASK)
    form = drawer.locator("form[action$='/complete']")
    form.screenshot(path=str(artifacts / "report-form-1280.png"))
    carer.set_viewport_size(PHONE)
    form.screenshot(path=str(artifacts / "report-form-390.png"))
    form.get_by_role("button", name="Complete visit").click()
    expect(drawer.get_by_text("The visit is complete.")).to_be_visible()

    report = family.locator("#visit-report")
    expect(report.get_by_role("heading", name="Visit report")).to_be_visible()
    for value in (REPORT["meals"], REPORT["medication"], REPORT["concern"], TASK, "Calm"):
        expect(report).to_contain_text(value)
