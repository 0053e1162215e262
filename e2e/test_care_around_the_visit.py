"""Care around the visit, the whole way, in Chromium.

A son books elderly companion care for his mother and pays. He and the caregiver the booking
was given write to each other live, each in their own browser. On the day, the caregiver
reads the mother's care needs on the visit page, starts inside the window and completes with
a visit report, and the son's booking page shows the report without a reload.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, BrowserContext, expect
from pymongo import MongoClient
from tests.support.application import LiveServer
from tests.support.care import CARE_NEEDS, MOTHER_NAME
from tests.support.visits import REPORT

from e2e.test_booking import choose_date, fill_address, held_code, working_day
from e2e.test_care_for_a_loved_one import fill_in_mother
from e2e.test_live_dashboard import PASSWORD, log_in
from e2e.test_messages import STREAM_OPEN, caregiver_with_password, send
from e2e.test_visit import DESKTOP, PHONE, bring_visit_near, file_report

SERVICE = "elderly-companion-care"
TASK = "Give reminders for medicines and meals"
SON_MOBILE = "01911 223344"


def give_mobile_number(live_server: LiveServer, email: str, phone: str) -> None:
    """Registration asks every patient for a mobile number; the operator command does not."""
    environment = live_server.environment
    with MongoClient[dict[str, Any]](environment["MONGODB_URI"]) as mongo:
        mongo[environment["MONGODB_DB"]].users.update_one(
            {"email": email}, {"$set": {"phone": phone}}
        )


def test_a_son_books_for_his_mother_talks_to_the_caregiver_and_reads_the_report_live(
    browser: Browser, live_server: LiveServer, artifacts: Path
) -> None:
    son_email = f"son.{time.monotonic_ns()}@example.com"
    live_server.create_user(son_email, "Farid Ahmed", "patient", PASSWORD)
    give_mobile_number(live_server, son_email, SON_MOBILE)
    contexts: list[BrowserContext] = []
    try:
        # The son lives abroad and books from his phone.
        son_context = browser.new_context(
            base_url=live_server.base_url, viewport=PHONE, timezone_id="Europe/London"
        )
        contexts.append(son_context)
        son = son_context.new_page()
        log_in(son, son_email, f"/services/{SERVICE}/book")
        fill_in_mother(son)
        choose_date(son, working_day(ahead=19))
        son.get_by_label("Start time").select_option("10:00")
        fill_address(son)
        son.get_by_role("button", name="Hold this time and pay").click()
        code = held_code(son)
        son.get_by_role("button", name="Pay", exact=True).click()
        expect(son).to_have_url(re.compile(r"/checkout/success"))

        carer_context = browser.new_context(base_url=live_server.base_url, viewport=DESKTOP)
        contexts.append(carer_context)
        carer = carer_context.new_page()
        log_in(carer, caregiver_with_password(live_server, code), f"/dashboard/bookings/{code}")
        expect(carer.locator("body[data-live='connected']")).to_be_attached(timeout=10_000)
        son.goto(f"/bookings/{code}")
        son.wait_for_function(STREAM_OPEN, timeout=10_000)
        son.evaluate("window.__stayed = true")

        send(son, "Amma takes her tablets after breakfast; please remind her gently.")
        expect(carer.locator("#thread-list")).to_contain_text("remind her gently")
        send(carer, "I will, and I will message you after the visit.")
        expect(son.locator("#thread-list")).to_contain_text("message you after the visit")

        # The visit day comes. The caregiver reads the mother's care needs, then starts.
        bring_visit_near(live_server, code)
        carer.goto(f"/dashboard/bookings/{code}")
        drawer = carer.locator("#booking-drawer")
        care = drawer.get_by_role("region", name=f"Care for {MOTHER_NAME}")
        for need in CARE_NEEDS.values():
            expect(care).to_contain_text(need)
        expect(drawer.get_by_role("link", name=SON_MOBILE)).to_have_attribute(
            "href", "tel:" + SON_MOBILE.replace(" ", "")
        )
        drawer.screenshot(path=str(artifacts / "visit-for-mother-1280.png"))
        drawer.get_by_label("I am with the patient and ready to start this visit now").check()
        drawer.get_by_role("button", name="Start visit").click()
        expect(drawer.get_by_text("The visit is now in progress.")).to_be_visible()
        expect(son.locator("#booking-live")).to_contain_text("In progress")

        file_report(drawer, TASK)
        drawer.get_by_role("button", name="Complete visit").click()
        expect(drawer.get_by_text("The visit is complete.")).to_be_visible()

        report = son.locator("#visit-report")
        expect(report.get_by_role("heading", name="Visit report")).to_be_visible()
        for value in (TASK, REPORT["meals"], REPORT["medication"], REPORT["concern"], "Calm"):
            expect(report).to_contain_text(value)
        assert son.evaluate("window.__stayed") is True  # the report arrived without a reload
        son.screenshot(path=str(artifacts / "report-for-son-390.png"), full_page=True)
    finally:
        for context in contexts:
            context.close()
