"""A patient registers, confirms the emailed link, logs out and in, and edits the profile."""

from __future__ import annotations

import re
import time
from pathlib import Path

from playwright.sync_api import Page, expect
from tests.support.application import LiveServer

PASSWORD = "sunrise-over-the-padma"


def wait_for_link(server: LiveServer, address: str, path: str) -> str:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for message in server.mailbox.handler.to(address):
            body = message.get_body(preferencelist=("plain",))
            match = body and re.search(
                rf"https?://\S+{re.escape(path)}\?token=[\w-]+", body.get_content()
            )
            if match:
                return match.group(0)
        time.sleep(0.1)
    raise AssertionError(f"no email with a {path} link reached {address}")


def test_register_verify_log_out_log_in_and_edit_profile(
    page: Page, live_server: LiveServer, artifacts: Path
) -> None:
    email = f"nasrin.{time.monotonic_ns()}@example.com"
    page.goto("/register")
    page.get_by_label("First name").fill("Nasrin")
    page.get_by_label("Last name").fill("Sultana")
    page.get_by_label("Mobile number").fill("01711 223344")
    page.get_by_label("Street address").fill("House 4, Road 2, Dhanmondi")
    page.get_by_label("City or area").fill("Dhaka")
    page.get_by_label("Division").select_option("Rajshahi")
    # htmx narrows the districts to the chosen division.
    expect(page.locator("#field-district option")).to_have_count(9)
    page.get_by_label("District").select_option("Bogura")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()

    page.goto(wait_for_link(live_server, email, "/verify-email"))
    page.get_by_role("button", name="Confirm my email address").click()
    expect(page.get_by_text("Your email address is confirmed. Log in to continue.")).to_be_visible()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Hello, Nasrin")).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()
    page.goto("/account")
    expect(page).to_have_url(re.compile(r"/login\?next=/account$"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/account$"))

    page.evaluate("window.__stayed = true")
    page.get_by_label("City or area").fill("Bogura Sadar")
    page.get_by_label("Mobile number").fill("017")
    page.get_by_role("button", name="Save details").click()
    expect(page.get_by_text("Enter a Bangladeshi mobile number")).to_be_visible()
    expect(page.get_by_label("City or area")).to_have_value("Bogura Sadar")
    page.get_by_label("Mobile number").fill("01711 223355")
    page.get_by_role("button", name="Save details").click()
    expect(page.get_by_text("Your details are saved.")).to_be_visible()
    assert page.evaluate("window.__stayed") is True
    page.screenshot(path=str(artifacts / "account-profile.png"), full_page=True)

    page.reload()
    expect(page.get_by_label("Mobile number")).to_have_value("+8801711223355")
    expect(page.get_by_label("City or area")).to_have_value("Bogura Sadar")


def test_caregiver_dashboard_talks_to_the_api_with_an_in_memory_token(
    page: Page, live_server: LiveServer
) -> None:
    email = f"carer.{time.monotonic_ns()}@example.com"
    live_server.create_user(email, "Shirin Akhter", "caregiver", PASSWORD)
    requested_urls: list[str] = []
    page.on("request", lambda request: requested_urls.append(request.url))

    page.goto("/dashboard")
    expect(page).to_have_url(re.compile(r"/login\?next=/dashboard$"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_response("**/dashboard/token") as answered:
        page.get_by_role("button", name="Log in").click()
    access_token = answered.value.json()["access_token"]
    expect(page.get_by_text("Signed in to the API as Shirin Akhter (caregiver).")).to_be_visible()
    assert "/dashboard/token" in " ".join(requested_urls)
    # The live stream's URL carries a one-use ticket; the bearer token itself never travels there.
    assert not any(access_token in url or "access_token" in url for url in requested_urls)
    stored = page.evaluate(
        "JSON.stringify([{...localStorage}, {...sessionStorage}, document.cookie])"
    )
    assert "eyJ" not in stored, "a JWT was written to browser storage"
    assert "/dashboard" in page.url and "token" not in page.url
