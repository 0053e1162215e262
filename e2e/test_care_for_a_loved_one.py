"""A daughter books for her mother in Chromium, pays, and finds her mother saved for next time."""

from __future__ import annotations

import re
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect
from tests.support.application import LiveServer
from tests.support.care import CARE_NEEDS, MOTHER_NAME

from e2e.test_booking import PASSWORD, choose_date, fill_address, held_code, sign_in, working_day
from e2e.test_live_dashboard import log_in

# Outside the repository: screenshots of the form and the people page to look at.
SHOTS = Path(tempfile.gettempdir()) / "shots-care"
WIDTHS = {"desktop": 1280, "phone": 390}


def fill_in_mother(page: Page) -> None:
    who = page.get_by_role("group", name="Who needs care?")
    new_person = who.get_by_label("Their name")
    who.get_by_role("radio", name=re.compile("^Someone new")).check()
    expect(new_person).to_be_visible()
    new_person.fill(MOTHER_NAME)
    who.get_by_label("Age in years").fill("72")
    who.get_by_label("They are my").select_option("mother")
    who.get_by_label("Mobility").fill(CARE_NEEDS["mobility"])
    who.get_by_label("Health conditions").fill(CARE_NEEDS["conditions"])
    who.get_by_label("Allergies").fill(CARE_NEEDS["allergies"])
    who.get_by_label("Medication").fill(CARE_NEEDS["medication"])
    who.get_by_label("Name", exact=True).fill("Farid Ahmed")
    who.get_by_label("Mobile number").fill("01812 345678")


def shoot(page: Page, name: str, selector: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        page.locator(selector).screenshot(path=str(SHOTS / f"{name}-{label}.png"))
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_patient_books_for_her_mother_pays_and_chooses_her_again(
    page: Page, live_server: LiveServer, open_page: Callable[..., Page]
) -> None:
    sign_in(page, live_server)
    who = page.get_by_role("group", name="Who needs care?")
    expect(who.get_by_role("radio", name=re.compile("^Myself"))).to_be_checked()
    # Someone new's fields wait until chosen.
    expect(who.get_by_label("Their name")).to_be_hidden()
    fill_in_mother(page)
    shoot(page, "booking-who-needs-care-new", ".care-choice")
    choose_date(page, working_day(15))
    page.get_by_label("Start time").select_option("11:00")
    fill_address(page)
    page.get_by_role("button", name="Hold this time and pay").click()
    code = held_code(page)
    page.get_by_role("button", name="Pay", exact=True).click()
    expect(page.get_by_role("heading", name="Your booking is confirmed")).to_be_visible()

    page.goto(f"/bookings/{code}")
    care = page.get_by_role("region", name=f"Care for {MOTHER_NAME}")
    expect(care).to_contain_text(CARE_NEEDS["medication"])

    # An admin's action redraws the drawer; the care needs already shown stay in place.
    admin_email = f"admin.{time.monotonic_ns()}@example.com"
    live_server.create_user(admin_email, "Nadia Islam", "admin", PASSWORD)
    admin = open_page()
    log_in(admin, admin_email, f"/dashboard/bookings/{code}")
    admin_care = admin.get_by_role("region", name=f"Care for {MOTHER_NAME}")
    expect(admin_care).to_contain_text(CARE_NEEDS["conditions"])
    admin.get_by_role("button", name="Resend confirmation").click()
    expect(admin.get_by_text("The confirmation email is queued again")).to_be_visible()
    expect(admin_care).to_contain_text(CARE_NEEDS["conditions"])

    page.goto("/account/people")
    expect(page.get_by_role("link", name=MOTHER_NAME)).to_be_visible()
    expect(page.get_by_text("Mother, 72 years old")).to_be_visible()
    shoot(page, "people-i-care-for", "main")

    page.goto("/services/infant-day-care/book")
    mother = page.get_by_role("radio", name=re.compile(f"^{MOTHER_NAME}"))
    mother.check()
    expect(
        page.get_by_role("group", name="Who needs care?").get_by_label("Their name")
    ).to_be_hidden()
    shoot(page, "booking-who-needs-care-saved", ".care-choice")
    choose_date(page, working_day(16))
    page.get_by_label("Start time").select_option("11:00")
    fill_address(page)
    page.get_by_role("button", name="Hold this time and pay").click()
    second = held_code(page)

    page.goto(f"/bookings/{second}")
    expect(page.get_by_role("region", name=f"Care for {MOTHER_NAME}")).to_contain_text(
        CARE_NEEDS["allergies"]
    )
