"""An admin watches the dashboard as a patient pays, then assigns a caregiver who sees the visit."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bson import ObjectId
from playwright.sync_api import Browser, Page, expect
from pymongo import MongoClient
from tests.support.application import LiveServer

from carevia.domain.accounts.passwords import HASHER
from e2e.test_booking import choose_date, fill_address, held_code, working_day

PASSWORD = "sunrise-over-the-padma"


def log_in(page: Page, email: str, target: str) -> None:
    page.goto(f"/login?next={target}")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def seeded_caregiver_email(live_server: LiveServer) -> str:
    """A demo caregiver with a known password; theirs is random outside development."""
    with MongoClient[dict[str, Any]](live_server.environment["MONGODB_URI"]) as mongo:
        users = mongo[live_server.environment["MONGODB_DB"]].users
        caregiver = users.find_one({"role": "caregiver", "disabled_at": None})
        assert caregiver is not None
        users.update_one(
            {"_id": ObjectId(caregiver["_id"])}, {"$set": {"password_hash": HASHER.hash(PASSWORD)}}
        )
        return str(caregiver["email"])


def test_a_paid_booking_appears_live_and_the_assigned_caregiver_sees_it(
    browser: Browser, live_server: LiveServer, artifacts: Path
) -> None:
    stamp = time.monotonic_ns()
    admin_email, patient_email = f"admin.{stamp}@example.com", f"patient.{stamp}@example.com"
    live_server.create_user(admin_email, "Nusrat Jahan", "admin", PASSWORD)
    live_server.create_user(patient_email, "Rokeya Begum", "patient", PASSWORD)
    admin_context = browser.new_context(
        base_url=live_server.base_url, viewport={"width": 1280, "height": 900}
    )
    patient_context = browser.new_context(base_url=live_server.base_url)
    try:
        admin = admin_context.new_page()
        log_in(admin, admin_email, "/dashboard/bookings")
        expect(admin.locator("body[data-live='connected']")).to_be_attached(timeout=10_000)
        admin.evaluate("window.__stayed = true")
        # The overview is open in a window of its own, as a person would keep it in view.
        # In a browser set to another time zone, the feed still shows Dhaka time.
        overview_context = browser.new_context(
            base_url=live_server.base_url, timezone_id="America/New_York"
        )
        overview = overview_context.new_page()
        log_in(overview, admin_email, "/dashboard/overview")
        expect(overview.locator("body[data-live='connected']")).to_be_attached(timeout=10_000)
        today = overview.locator("[data-kpi='bookings_today'] .kpi-value")
        bookings_before = int(today.inner_text())

        patient = patient_context.new_page()
        log_in(patient, patient_email, "/services/infant-day-care/book")
        choose_date(patient, working_day(ahead=11))
        patient.get_by_label("Start time").select_option("11:00")
        fill_address(patient)
        patient.get_by_role("button", name="Hold this time and pay").click()
        code = held_code(patient)
        patient.get_by_role("button", name="Pay", exact=True).click()
        paid_at = time.monotonic()

        expect(admin.locator("#toasts")).to_contain_text(code, timeout=2_000)
        expect(admin.locator("#booking-rows")).to_contain_text(code, timeout=2_000)
        assert time.monotonic() - paid_at < 2.5
        assert admin.evaluate("window.__stayed") is True  # no reload
        admin.screenshot(path=str(artifacts / "dashboard-live-paid.png"), full_page=True)
        expect(today).to_have_text(str(bookings_before + 1), timeout=3_000)
        feed_time = overview.locator("#live-feed time").first
        expect(feed_time).to_be_attached(timeout=3_000)
        happened = datetime.fromisoformat(feed_time.get_attribute("datetime") or "")
        dhaka_clock = happened.astimezone(ZoneInfo("Asia/Dhaka")).strftime("%I:%M %p").lower()
        expect(feed_time).to_have_text(dhaka_clock)
        overview.screenshot(path=str(artifacts / "dashboard-overview-live.png"), full_page=True)
        overview_context.close()

        admin.goto(f"/dashboard/bookings/{code}")
        choice = admin.locator("#assign-caregiver option").first
        caregiver_id = choice.get_attribute("value")
        assert caregiver_id
        admin.get_by_label("Reassign to").select_option(caregiver_id)
        chosen_name = choice.inner_text().split(" · ")[0]
        admin.get_by_role("button", name="Reassign").click()
        expect(admin.locator("#booking-drawer")).to_contain_text(chosen_name)
        admin.screenshot(path=str(artifacts / "dashboard-assigned.png"), full_page=True)

        # The demo caregiver's password is random outside development; give them a known one.
        with MongoClient[dict[str, Any]](live_server.environment["MONGODB_URI"]) as mongo:
            users = mongo[live_server.environment["MONGODB_DB"]].users
            users.update_one(
                {"_id": ObjectId(caregiver_id)}, {"$set": {"password_hash": HASHER.hash(PASSWORD)}}
            )
            caregiver = users.find_one({"_id": ObjectId(caregiver_id)})
            assert caregiver is not None
            caregiver_email = caregiver["email"]
        carer_context = browser.new_context(base_url=live_server.base_url)
        try:
            carer = carer_context.new_page()
            log_in(carer, caregiver_email, "/dashboard")
            expect(
                carer.locator(f"#visits a[href='/dashboard/bookings/{code}']").first
            ).to_be_visible()
            carer.screenshot(path=str(artifacts / "caregiver-workspace.png"), full_page=True)
        finally:
            carer_context.close()
    finally:
        admin_context.close()
        patient_context.close()
