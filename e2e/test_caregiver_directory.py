"""A patient finds a caregiver in the directory with htmx, then picks them by keyboard to book.

The live server holds the demo caregivers: two verified ones give baby care in Chattogram.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, Request, Response, expect
from tests.support.application import LiveServer

from e2e.test_booking import sign_in

TIMEOUT_MS = 5_000


def is_directory_fragment(response: Response) -> bool:
    request = response.request
    return "/caregivers?" in response.url and request.headers.get("hx-request") == "true"


def test_filter_the_directory_then_choose_that_caregiver_by_keyboard(
    page: Page, live_server: LiveServer
) -> None:
    page.goto("/caregivers")
    page.evaluate("window.__marker = 1")
    cards = page.locator("#results .caregiver-card")
    everyone = cards.count()

    with page.expect_response(is_directory_fragment, timeout=TIMEOUT_MS) as answer:
        page.select_option("#filter-category", "baby-care")
    assert "<html" not in answer.value.text()
    with page.expect_response(is_directory_fragment, timeout=TIMEOUT_MS):
        page.select_option("#filter-division", "Chattogram")
    expect(page).to_have_url(re.compile(r"category=baby-care&division=Chattogram"))
    expect(page.locator("#results .results-count")).to_have_text(re.compile(r"of 2 caregivers\s*$"))
    assert cards.count() < everyone
    assert page.evaluate("window.__marker") == 1, "the page was reloaded instead of swapped"
    for divisions in cards.locator(".caregiver-facts dd").all_text_contents()[2::3]:
        assert "Chattogram" in divisions
    name = cards.first.locator(".card-title a").inner_text()
    profile = cards.first.locator(".card-title a").get_attribute("href") or ""
    caregiver_id = profile.rsplit("/", 1)[-1]

    sign_in(page, live_server)  # lands on the Infant Day Care booking form
    choice = page.get_by_role("radio", name=re.compile(rf"^{re.escape(name)}"))
    expect(page.get_by_role("radio", name=re.compile("^Any available caregiver"))).to_be_checked()

    def asks_times_for_the_choice(request: Request) -> bool:
        return "/book/times?" in request.url and f"caregiver_id={caregiver_id}" in request.url

    with page.expect_request(asks_times_for_the_choice, timeout=TIMEOUT_MS):
        choice.focus()
        page.keyboard.press("Space")
    expect(choice).to_be_checked()
    card = page.locator(".choice-card", has=choice)
    ring = card.evaluate("el => getComputedStyle(el).boxShadow")
    assert ring != "none" and "inset" not in ring, "the focused card shows the focus ring"
    expect(card.get_by_role("link", name=re.compile("profile$"))).to_have_attribute("href", profile)
    # The choice is what the form sends: the no-JS "show times" answer keeps it checked.
    page.goto(f"/services/infant-day-care/book?caregiver_id={caregiver_id}")
    expect(page.get_by_role("radio", name=re.compile(rf"^{re.escape(name)}"))).to_be_checked()
