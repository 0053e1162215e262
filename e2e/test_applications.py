"""A person applies to become a caregiver; an admin asks for a change, then approves them."""

from __future__ import annotations

import time
from pathlib import Path

from playwright.sync_api import Browser, Page, ViewportSize, expect
from tests.support.application import LiveServer
from tests.support.files import pdf_bytes, png_bytes

from e2e.test_live_dashboard import PASSWORD, log_in

TIMEOUT_MS = 10_000
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}


def shoot(page: Page, artifacts: Path, name: str) -> None:
    """The page at desktop and phone widths, to look at."""
    for label, viewport in (("1280", DESKTOP), ("390", PHONE)):
        page.set_viewport_size(viewport)
        page.screenshot(path=str(artifacts / f"application-{name}-{label}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


def fill_application(page: Page) -> None:
    page.get_by_label("Baby care").check()
    page.get_by_label("Dhaka").check()
    page.get_by_label("Languages you speak").fill("Bangla, English")
    page.get_by_label("Years of experience as a caregiver").fill("5")
    page.get_by_label("About you").fill("Five years caring for newborns and their mothers at home.")
    page.locator("#field-saturday-start").select_option("08:00")
    page.locator("#field-saturday-end").select_option("16:00")
    page.get_by_label("National ID number").fill("1990123456789")
    for number, (name, contact) in enumerate(
        [("Nasima Khatun", "+8801711000001"), ("Farid Hasan", "farid@example.com")], start=1
    ):
        group = page.get_by_role("group", name=f"Reference {number}")
        group.get_by_label("Name").fill(name)
        group.get_by_label("Phone or email").fill(contact)
        group.get_by_label("How they know you").fill("Former employer")


def upload_documents(applicant: Page, folder: Path) -> None:
    """A first-aid certificate (PDF) and a photo, each uploaded on the application page."""
    certificate = folder / "first-aid.pdf"
    certificate.write_bytes(pdf_bytes())
    photo = folder / "me.png"
    photo.write_bytes(png_bytes())
    applicant.get_by_label("Add a certificate").set_input_files(certificate)
    applicant.get_by_role("button", name="Upload certificate").click()
    expect(applicant.get_by_role("link", name="first-aid.pdf")).to_be_visible()
    applicant.get_by_label("Your photo").set_input_files(photo)
    applicant.get_by_role("button", name="Upload photo").click()
    expect(applicant.get_by_role("img", name="Your photo")).to_be_visible()


def test_a_person_applies_is_asked_for_a_change_and_becomes_a_caregiver(
    browser: Browser, live_server: LiveServer, artifacts: Path, tmp_path: Path
) -> None:
    stamp = time.monotonic_ns()
    applicant_email = f"applicant.{stamp}@example.com"
    admin_email = f"reviewer.{stamp}@example.com"
    live_server.create_user(applicant_email, f"Rokeya Sultana{stamp % 1000}", "patient", PASSWORD)
    live_server.create_user(admin_email, "Nadia Admin", "admin", PASSWORD)
    person = browser.new_context(base_url=live_server.base_url, viewport=DESKTOP)
    staff = browser.new_context(base_url=live_server.base_url, viewport=DESKTOP)
    try:
        applicant = person.new_page()
        applicant.goto("/become-a-caregiver")
        applicant.get_by_role("link", name="Sign in").click()
        applicant.get_by_label("Email").fill(applicant_email)
        applicant.get_by_label("Password").fill(PASSWORD)
        applicant.get_by_role("button", name="Log in").click()
        expect(applicant.get_by_role("heading", name="Your application")).to_be_visible(
            timeout=TIMEOUT_MS
        )
        upload_documents(applicant, tmp_path)
        fill_application(applicant)
        shoot(applicant, artifacts, "form")
        applicant.get_by_role("button", name="Send application").click()
        expect(applicant.get_by_text("Your application: Waiting for review")).to_be_visible()
        shoot(applicant, artifacts, "status")

        admin = staff.new_page()
        log_in(admin, admin_email, "/dashboard/applications")
        shoot(admin, artifacts, "queue")
        admin.get_by_role("link", name="Rokeya Sultana").click()
        expect(admin.locator("iframe[title='first-aid.pdf']")).to_be_visible()
        expect(admin.get_by_role("img", name="Photo of Rokeya Sultana")).to_be_visible()
        shoot(admin, artifacts, "detail")
        admin.get_by_label("Ask for changes").check()
        admin.get_by_label("Note to the applicant").fill("Please add your years in Khulna too.")
        admin.get_by_role("button", name="Save decision").click()
        expect(admin.get_by_text("the application is now needs changes")).to_be_visible()

        applicant.goto("/become-a-caregiver")
        expect(applicant.get_by_text("Please add your years in Khulna too.")).to_be_visible()
        applicant.get_by_label("Khulna").check()
        applicant.get_by_role("button", name="Send application").click()
        expect(applicant.get_by_text("Your application: Waiting for review")).to_be_visible()

        admin.reload()
        admin.get_by_label("Approve: make them a verified caregiver").check()
        admin.get_by_role("button", name="Save decision").click()
        expect(admin.get_by_text("the application is now approved")).to_be_visible()

        log_in(applicant, applicant_email, "/dashboard")
        expect(applicant.get_by_text("Caregiver dashboard")).to_be_visible(timeout=TIMEOUT_MS)
    finally:
        person.close()
        staff.close()
