"""Every page of the browser tests' page set is valid HTML and reads as plain text.

The markup checked by the Nu HTML Checker is what the server sent, for a visitor, a patient,
an admin and a caregiver: the same pages the accessibility audit opens. The text checked is
what the browser shows once the page's scripts have run.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from tests.support.application import LiveServer
from tests.support.html_validator import html_errors
from tests.support.page_sets import ADMIN_PAGES, CAREGIVER_PAGES, PATIENT_PAGES, PUBLIC_PAGES
from tests.support.visible_text import LEAKS

from e2e.test_live_dashboard import PASSWORD, log_in, seeded_caregiver_email


@pytest.fixture
def contexts(browser: Browser, live_server: LiveServer) -> Iterator[list[BrowserContext]]:
    opened: list[BrowserContext] = []
    yield opened
    for context in opened:
        context.close()


def signed_in_page(
    browser: Browser, live_server: LiveServer, opened: list[BrowserContext], email: str, to: str
) -> Page:
    context = browser.new_context(base_url=live_server.base_url)
    opened.append(context)
    page = context.new_page()
    log_in(page, email, to)
    page.wait_for_url(f"**{to}")
    return page


def sources(page: Page, paths: list[str]) -> dict[str, str]:
    """The HTML the server sent for each path, with the page's cookies."""
    found = {}
    for path in paths:
        response = page.request.get(path)
        assert response.status < 500, f"{path} answered {response.status}"
        found[path] = response.text()
    return found


def test_every_page_of_the_browser_tests_is_valid_html(
    browser: Browser, live_server: LiveServer, contexts: list[BrowserContext], tmp_path: Path
) -> None:
    stamp = time.monotonic_ns()
    visitor = browser.new_context(base_url=live_server.base_url)
    contexts.append(visitor)
    pages = {f"visitor {p}": html for p, html in sources(visitor.new_page(), PUBLIC_PAGES).items()}
    for role, landing, paths in (
        ("patient", "/account", PATIENT_PAGES),
        ("admin", "/dashboard/overview", ADMIN_PAGES),
    ):
        email = f"vnu.{role}.{stamp}@example.com"
        live_server.create_user(email, "Tahmina Akter", role, PASSWORD)
        page = signed_in_page(browser, live_server, contexts, email, landing)
        pages |= {f"{role} {p}": html for p, html in sources(page, paths).items()}
    caregiver = signed_in_page(
        browser, live_server, contexts, seeded_caregiver_email(live_server), "/dashboard"
    )
    pages |= {f"caregiver {p}": html for p, html in sources(caregiver, CAREGIVER_PAGES).items()}

    errors = html_errors(pages, tmp_path)
    assert not errors, f"{len(errors)} HTML errors:\n" + "\n".join(errors)


def shown_leaks(page: Page, paths: list[str]) -> list[str]:
    found = []
    for path in paths:
        page.goto(path)
        expect(page.locator("main")).to_be_visible()
        text = page.locator("body").inner_text()
        found += [f"{path}: {match.group(0)!r}" for match in LEAKS.finditer(text)]
    return found


def test_no_page_shows_none_or_a_raw_validation_message(
    browser: Browser, live_server: LiveServer, contexts: list[BrowserContext]
) -> None:
    visitor = browser.new_context(base_url=live_server.base_url)
    contexts.append(visitor)
    mistyped = [
        "/services?page=abc",
        "/services?min_rating=x",
        "/services?sort=drop",
        "/caregivers?division=Atlantis",
    ]
    problems = shown_leaks(visitor.new_page(), PUBLIC_PAGES + mistyped)
    email = f"text.admin.{time.monotonic_ns()}@example.com"
    live_server.create_user(email, "Tahmina Akter", "admin", PASSWORD)
    admin = signed_in_page(browser, live_server, contexts, email, "/dashboard/overview")
    problems += shown_leaks(admin, [*ADMIN_PAGES, "/dashboard/bookings?page=abc"])
    assert not problems, "\n".join(problems)
