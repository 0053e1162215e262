"""A patient reviews a completed visit in the browser, with and without the page reloading."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, ViewportSize, expect
from pymongo import MongoClient
from tests.support.application import LiveServer

from carevia.domain.accounts import User
from carevia.domain.bookings.codes import new_booking_code
from carevia.domain.catalogue.models import Service
from carevia.domain.reviews.seed import DemoVisit, past_visit_booking
from carevia.domain.shared.documents import from_document, to_document
from e2e.test_booking import sign_in

PHONE: ViewportSize = {"width": 390, "height": 844}
OpenPage = Callable[..., Page]


def completed_visit(live_server: LiveServer, email: str) -> tuple[str, str]:
    """A visit of this patient with the demo caregiver Shirin, completed last week."""
    environment = live_server.environment
    with MongoClient[dict[str, Any]](environment["MONGODB_URI"], tz_aware=True) as mongo:
        database = mongo[environment["MONGODB_DB"]]
        patient = from_document(database.users.find_one({"email": email}) or {}, User)
        shirin = database.users.find_one({"email": {"$regex": "^shirin\\.akhter@"}}) or {}
        service = database.services.find_one({"slug": "infant-day-care"}) or {}
        visit = DemoVisit(
            patient=0, caregiver="Shirin", service="", days_ago=7, stars=5, text="", hours=4
        )
        booking = past_visit_booking(
            new_booking_code(),
            visit,
            patient,
            shirin["_id"],
            "Shirin Akhter",
            from_document(service, Service),
            datetime.now(UTC),
        )
        database.bookings.insert_one(to_document(booking))
    return booking.code, str(shirin["_id"])


def no_sideways_scroll(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_a_patient_reviews_and_edits_a_completed_visit(
    open_page: OpenPage, live_server: LiveServer, artifacts: Path
) -> None:
    page = open_page(viewport=PHONE)
    email = sign_in(page, live_server)
    code, caregiver_id = completed_visit(live_server, email)
    page.goto(f"/bookings/{code}")
    section = page.locator("#booking-review")
    expect(section.get_by_role("heading", name="Leave a review")).to_be_visible()
    section.get_by_label("4 stars").check()
    section.get_by_label("Your review").fill("Too short")
    section.get_by_role("button", name="Publish review").click()
    # htmx swaps the form with its errors in place, keeping what was typed.
    expect(section.get_by_text("Please write 10 to 2,000 characters")).to_be_visible()
    expect(section.get_by_label("Your review")).to_have_value("Too short")
    expect(section.get_by_label("4 stars")).to_be_checked()
    assert no_sideways_scroll(page)
    section.screenshot(path=str(artifacts / "review-form-phone.png"))
    section.get_by_label("Title (optional)").fill("Calm and careful")
    section.get_by_label("Your review").fill("Shirin settled our baby quickly and kept a neat log.")
    section.get_by_role("button", name="Publish review").click()
    expect(section.get_by_role("heading", name="Your review")).to_be_visible()
    expect(section.get_by_text("Calm and careful")).to_be_visible()
    section.get_by_role("link", name="Edit").click()
    expect(section.get_by_label("4 stars")).to_be_checked()
    section.get_by_label("5 stars").check()
    section.get_by_role("button", name="Save changes").click()
    expect(section.get_by_text("5 out of 5 stars")).to_be_attached()
    page.goto(f"/caregivers/{caregiver_id}")
    reviews = page.locator("#reviews")
    expect(reviews.get_by_text("Shirin settled our baby quickly")).to_be_visible()
    assert re.search(r"Rated \d\.\d out of 5 from \d+ reviews", reviews.inner_text())
    assert no_sideways_scroll(page)
    reviews.screenshot(path=str(artifacts / "caregiver-reviews-phone.png"))
    page.set_viewport_size({"width": 1280, "height": 900})
    reviews.screenshot(path=str(artifacts / "caregiver-reviews-desktop.png"))
