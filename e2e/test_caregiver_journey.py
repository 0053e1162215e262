"""From applicant to reviewed caregiver: the whole road a new caregiver travels, in Chromium.

A person applies with a photo and a certificate and an admin approves them. A patient finds
them in the directory, books them by their card and pays. The caregiver works the visit, and
the patient's review then shows on the caregiver's page with the average it makes.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, expect
from tests.support.application import LiveServer

from carevia.domain.shared.time_format import format_day
from e2e.test_applications import fill_application, upload_documents
from e2e.test_booking import choose_date, fill_address, held_code
from e2e.test_live_dashboard import PASSWORD, log_in
from e2e.test_visit import bring_visit_near

TIMEOUT_MS = 10_000
DESKTOP: ViewportSize = {"width": 1280, "height": 900}


def a_saturday_ahead(days: int) -> date:
    """The applicant works Saturdays (see `fill_application`); the first one `days` away."""
    day = datetime.now(UTC).astimezone(ZoneInfo("Asia/Dhaka")).date() + timedelta(days=days)
    return day + timedelta(days=(5 - day.weekday()) % 7)


def person(browser: Browser, live_server: LiveServer) -> tuple[BrowserContext, Page]:
    context = browser.new_context(base_url=live_server.base_url, viewport=DESKTOP)
    return context, context.new_page()


def test_a_new_caregiver_is_approved_found_booked_by_card_and_reviewed(
    browser: Browser, live_server: LiveServer, artifacts: Path, tmp_path: Path
) -> None:
    stamp = time.monotonic_ns()
    name = f"Morium Khanam{stamp % 100000}"
    caregiver_email = f"morium.{stamp}@example.com"
    admin_email = f"checker.{stamp}@example.com"
    patient_email = f"family.{stamp}@example.com"
    live_server.create_user(caregiver_email, name, "patient", PASSWORD)
    live_server.create_user(admin_email, "Tania Admin", "admin", PASSWORD)
    live_server.create_user(patient_email, "Selina Parvin", "patient", PASSWORD)
    contexts: list[BrowserContext] = []
    try:
        # 1. The application, with a photo and a certificate, and its approval.
        context, applicant = person(browser, live_server)
        contexts.append(context)
        log_in(applicant, caregiver_email, "/become-a-caregiver")
        expect(applicant.get_by_role("heading", name="Your application")).to_be_visible(
            timeout=TIMEOUT_MS
        )
        upload_documents(applicant, tmp_path)
        fill_application(applicant)
        applicant.get_by_role("button", name="Send application").click()
        expect(applicant.get_by_text("Your application: Waiting for review")).to_be_visible()

        context, admin = person(browser, live_server)
        contexts.append(context)
        log_in(admin, admin_email, "/dashboard/applications")
        admin.get_by_role("link", name=name).click()
        expect(admin.locator("iframe[title='first-aid.pdf']")).to_be_visible()
        admin.get_by_label("Approve: make them a verified caregiver").check()
        admin.get_by_role("button", name="Save decision").click()
        expect(admin.get_by_text("the application is now approved")).to_be_visible()

        # 2. A family finds the new caregiver in the directory, newest first, with the photo.
        context, family = person(browser, live_server)
        contexts.append(context)
        log_in(family, patient_email, "/caregivers?category=baby-care&division=Dhaka&sort=newest")
        card = family.locator("#results .caregiver-card", has_text=name)
        expect(card).to_be_visible(timeout=TIMEOUT_MS)
        expect(card.get_by_text("National ID checked")).to_be_visible()
        expect(card.get_by_text("No reviews yet")).to_be_visible()
        assert re.match(r"/files/[0-9a-f]{24}/160", card.locator("img").get_attribute("src") or "")
        card.get_by_role("link", name=name).click()
        family.get_by_role("link", name=re.compile("for baby care$")).click()
        family.get_by_role("link", name="Infant Day Care").first.click()
        family.get_by_role("link", name=re.compile("^Book")).first.click()

        # 3. Booked by the caregiver's card, then paid on the test gateway.
        expect(family.get_by_role("heading", name="Book Infant Day Care")).to_be_visible()
        day = a_saturday_ahead(4)
        choose_date(family, day)
        # Choosing the card asks again for that day's times, now only the new caregiver's.
        with family.expect_response(lambda answer: "caregiver_id=" in answer.url):
            family.get_by_role("radio", name=re.compile(rf"^{re.escape(name)}")).check()
        expect(family.locator("#times [role='status']")).to_contain_text(
            f"free on {format_day(day)}"
        )
        family.get_by_label("Start time").select_option("09:00")
        fill_address(family)
        family.get_by_role("button", name="Hold this time and pay").click()
        code = held_code(family)
        family.get_by_role("button", name="Pay", exact=True).click()
        expect(family.get_by_role("heading", name="Your booking is confirmed")).to_be_visible()

        # 4. On the day, the new caregiver works the visit from their dashboard.
        bring_visit_near(live_server, code)
        log_in(applicant, caregiver_email, f"/dashboard/bookings/{code}")
        drawer = applicant.locator("#booking-drawer")
        drawer.get_by_label("I am with the patient and ready to start this visit now").check()
        drawer.get_by_role("button", name="Start visit").click()
        expect(drawer.get_by_text("The visit is now in progress.")).to_be_visible()
        drawer.get_by_label("Mood", exact=True).select_option("cheerful")
        drawer.get_by_label("The visit is over and this report is true").check()
        drawer.get_by_role("button", name="Complete visit").click()
        expect(drawer.get_by_text("The visit is complete.")).to_be_visible()

        # 5. The family reviews the visit; the caregiver's page shows it and the new average.
        family.goto(f"/bookings/{code}")
        review = family.locator("#booking-review")
        review.get_by_label("4 stars").check()
        review.get_by_label("Your review").fill("Gentle with our daughter and kept a clear log.")
        review.get_by_role("button", name="Publish review").click()
        expect(review.get_by_role("heading", name="Your review")).to_be_visible()
        family.goto("/caregivers?category=baby-care&division=Dhaka&sort=newest")
        family.goto(card.get_by_role("link", name=name).get_attribute("href") or "")
        expect(family.locator("#reviews").get_by_text("Gentle with our daughter")).to_be_visible()
        expect(family.get_by_text("Rated 4.0 out of 5 from 1 review").first).to_be_attached()
        checks = family.get_by_role("list", name="Checked by Carevia")
        expect(checks).to_contain_text("1 certificate checked")
        expect(checks).to_contain_text("2 references checked")
        family.screenshot(path=str(artifacts / "new-caregiver-reviewed.png"), full_page=True)
    finally:
        for context in contexts:
            context.close()
