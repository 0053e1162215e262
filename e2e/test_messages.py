"""A patient and the booking's caregiver write to each other, each sees the other's message live."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

from bson import ObjectId
from playwright.sync_api import Browser, Page, expect
from pymongo import MongoClient
from tests.support.application import LiveServer

from carevia.domain.accounts.passwords import HASHER
from e2e.test_booking import choose_date, fill_address, held_code, working_day
from e2e.test_live_dashboard import PASSWORD, log_in

# The patient page listens through htmx's SSE extension; wait until its stream is open.
STREAM_OPEN = """() => {
  const data = document.getElementById("booking-live")["htmx-internal-data"];
  return Boolean(data && data.sseEventSource && data.sseEventSource.readyState === 1);
}"""


def caregiver_with_password(live_server: LiveServer, code: str) -> str:
    """The booking's caregiver, given a known password; their email."""
    with MongoClient[dict[str, Any]](live_server.environment["MONGODB_URI"]) as mongo:
        database = mongo[live_server.environment["MONGODB_DB"]]
        booking = database.bookings.find_one({"code": code})
        assert booking is not None
        database.users.update_one(
            {"_id": ObjectId(booking["caregiver_id"])},
            {"$set": {"password_hash": HASHER.hash(PASSWORD)}},
        )
        caregiver = database.users.find_one({"_id": booking["caregiver_id"]})
        assert caregiver is not None
        return str(caregiver["email"])


def send(page: Page, text: str) -> None:
    page.get_by_label("Write a message").fill(text)
    page.locator("#messages").get_by_role("button", name="Send").click()
    expect(page.locator("#thread-list")).to_contain_text(text)
    expect(page.get_by_label("Write a message")).to_have_value("")


def shoot(page: Page, artifacts: Path, name: str) -> None:
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.locator("#messages").scroll_into_view_if_needed()
        page.screenshot(path=str(artifacts / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_patient_and_caregiver_exchange_messages_live(
    browser: Browser, live_server: LiveServer, artifacts: Path
) -> None:
    patient_email = f"patient.{time.monotonic_ns()}@example.com"
    live_server.create_user(patient_email, "Rokeya Begum", "patient", PASSWORD)
    patient_context = browser.new_context(base_url=live_server.base_url)
    carer_context = browser.new_context(base_url=live_server.base_url)
    try:
        patient = patient_context.new_page()
        log_in(patient, patient_email, "/services/infant-day-care/book")
        choose_date(patient, working_day(ahead=23))
        patient.get_by_label("Start time").select_option("10:00")
        fill_address(patient)
        patient.get_by_role("button", name="Hold this time and pay").click()
        code = held_code(patient)
        patient.get_by_role("button", name="Pay", exact=True).click()
        expect(patient).to_have_url(re.compile(r"/checkout/success"))

        carer = carer_context.new_page()
        log_in(carer, caregiver_with_password(live_server, code), f"/dashboard/bookings/{code}")
        expect(carer.locator("body[data-live='connected']")).to_be_attached(timeout=10_000)
        expect(carer.locator("#messages")).to_contain_text("No messages yet.")
        patient.goto(f"/bookings/{code}")
        patient.wait_for_function(STREAM_OPEN, timeout=10_000)
        patient.evaluate("window.__stayed = true")
        carer.evaluate("window.__stayed = true")

        send(patient, "Hello! The gate code is 4821, call +8801712345678 if stuck.")
        expect(carer.locator("#thread-list")).to_contain_text("The gate code is 4821")
        # The message shows in the open thread, so no toast repeats it.
        expect(carer.locator("#toasts")).not_to_contain_text("New message")
        send(carer, "Thank you, I will be there at ten. See https://example.com/map")
        expect(patient.locator("#thread-list")).to_contain_text("I will be there at ten")
        # The caregiver's page shows the patient has seen the reply, after it reloads its list.
        send(patient, "See you then.")
        expect(carer.locator("#thread-list")).to_contain_text("See you then.")
        expect(carer.locator(".thread-seen")).to_be_visible()
        assert patient.evaluate("window.__stayed") is True  # neither page reloaded
        assert carer.evaluate("window.__stayed") is True
        # Links and phone numbers stay text.
        assert patient.locator("#thread-list a").count() == 0
        assert carer.locator("#thread-list a").count() == 0
        shoot(patient, artifacts, "patient-thread")
        shoot(carer, artifacts, "caregiver-thread")
    finally:
        patient_context.close()
        carer_context.close()
