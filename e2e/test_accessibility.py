"""Every kind of page passes an automated accessibility audit (axe-core, from npm).

axe checks what a machine can: labels, names, landmarks, contrast, ARIA use, heading order.
It does not replace trying the pages with a keyboard and a screen reader.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect
from tests.support.application import LiveServer
from tests.support.page_sets import (
    ADMIN_PAGES,
    CAREGIVER_PAGES,
    MISSING,
    PATIENT_PAGES,
    PUBLIC_PAGES,
)

from e2e.test_live_dashboard import PASSWORD, log_in, seeded_caregiver_email

AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}


# A theme is the device's colour scheme plus, perhaps, the visitor's remembered choice.
THEMES = {
    "light": ("light", None),
    "dark-device": ("dark", None),
    "dark-cookie": ("light", "dark"),
    "light-cookie-on-dark-device": ("dark", "light"),
}
# Public pages: each theme once, and each width in a light and a dark theme.
PUBLIC_RUNS = [
    ("light", DESKTOP),
    ("dark-device", DESKTOP),
    ("dark-cookie", PHONE),
    ("light-cookie-on-dark-device", PHONE),
]
PUBLIC_IDS = ["light-desktop", "dark-desktop", "dark-cookie-phone", "light-cookie-phone"]
# Signed-in pages: each theme once, at desktop or phone width.
SIGNED_IN_RUNS = [("light", DESKTOP), ("dark-device", DESKTOP), ("dark-cookie", PHONE)]
SIGNED_IN_IDS = ["light-desktop", "dark-desktop", "dark-phone"]


def axe_violations(page: Page, where: str, context: str = "document") -> list[str]:
    """axe's findings on what the page shows now (`context`: a CSS selector or the document)."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    found: list[dict[str, Any]] = page.evaluate(
        "async (context) => (await axe.run(context === 'document' ? document : context,"
        " {resultTypes: ['violations']})).violations",
        context,
    )
    return [
        f"{where}: {v['id']} ({v['impact']}) {v['help']} at {node['target']}"
        for v in found
        for node in v["nodes"]
    ]


def violations(page: Page, path: str) -> list[str]:
    response = page.goto(path)
    assert response is not None
    assert response.status == (404 if path == MISSING else 200), path
    expect(page).to_have_url(re.compile(re.escape(path) + "$"))  # not sent to /login instead
    expect(page.locator("main")).to_be_visible()
    return axe_violations(page, path)


def audit(page: Page, paths: list[str]) -> None:
    problems = [problem for path in paths for problem in violations(page, path)]
    assert not problems, "\n".join(problems)


@pytest.fixture
def context_for(browser: Browser, live_server: LiveServer) -> Iterator[Any]:
    """New browser contexts in a theme that let axe's script in despite the pages' CSP."""
    opened = []

    def open_page(viewport: ViewportSize = DESKTOP, theme: str = "light") -> Page:
        scheme, cookie = THEMES[theme]
        context = browser.new_context(
            base_url=live_server.base_url,
            viewport=viewport,
            bypass_csp=True,
            color_scheme=scheme,  # type: ignore[arg-type]
        )
        if cookie is not None:
            context.add_cookies([{"name": "theme", "value": cookie, "url": live_server.base_url}])
        opened.append(context)
        return context.new_page()

    yield open_page
    for context in opened:
        context.close()


def signed_in(
    open_page: Any,
    live_server: LiveServer,
    role: str,
    target: str,
    theme: str = "light",
    viewport: ViewportSize = DESKTOP,
) -> Page:
    email = f"a11y.{role}.{time.monotonic_ns()}@example.com"
    live_server.create_user(email, "Tahmina Akter", role, PASSWORD)
    page: Page = open_page(viewport, theme)
    log_in(page, email, target)
    expect(page.locator("main")).to_be_visible()
    return page


@pytest.mark.parametrize(("theme", "viewport"), PUBLIC_RUNS, ids=PUBLIC_IDS)
def test_public_pages_have_no_accessibility_violations(
    context_for: Any, viewport: ViewportSize, theme: str
) -> None:
    audit(context_for(viewport, theme), PUBLIC_PAGES)


@pytest.mark.parametrize("theme", list(THEMES))
def test_the_header_buttons_pass_in_every_state(context_for: Any, theme: str) -> None:
    """The Register button (at rest, hovered, focused) and the open theme menu, for visitors."""
    page: Page = context_for(DESKTOP, theme)
    page.goto("/services")
    register = page.locator(".site-header").get_by_role("link", name="Register")
    problems = axe_violations(page, "header", ".site-header")
    register.hover()
    problems += axe_violations(page, "header, Register hovered", ".site-header")
    page.keyboard.press("Tab")  # the skip link, then focus moves on to the Register link
    register.focus()
    problems += axe_violations(page, "header, Register focused", ".site-header")
    page.locator(".theme-menu summary").click()
    expect(page.get_by_role("button", name="Dark")).to_be_visible()
    problems += axe_violations(page, "header, theme menu open", ".site-header")

    phone: Page = context_for(PHONE, theme)
    phone.goto("/")
    phone.get_by_text("Menu", exact=True).click()
    expect(phone.get_by_role("link", name="Register")).to_be_visible()
    problems += axe_violations(phone, "phone header, menu open", ".site-header")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(("theme", "viewport"), SIGNED_IN_RUNS, ids=SIGNED_IN_IDS)
def test_patient_pages_have_no_accessibility_violations(
    context_for: Any, live_server: LiveServer, theme: str, viewport: ViewportSize
) -> None:
    page = signed_in(context_for, live_server, "patient", "/account", theme, viewport)
    audit(page, PATIENT_PAGES)


@pytest.mark.parametrize(("theme", "viewport"), SIGNED_IN_RUNS, ids=SIGNED_IN_IDS)
def test_admin_dashboard_pages_have_no_accessibility_violations(
    context_for: Any, live_server: LiveServer, theme: str, viewport: ViewportSize
) -> None:
    page = signed_in(context_for, live_server, "admin", "/dashboard/overview", theme, viewport)
    audit(page, ADMIN_PAGES)


@pytest.mark.parametrize(("theme", "viewport"), SIGNED_IN_RUNS, ids=SIGNED_IN_IDS)
def test_caregiver_workspace_pages_have_no_accessibility_violations(
    context_for: Any, live_server: LiveServer, theme: str, viewport: ViewportSize
) -> None:
    page: Page = context_for(viewport, theme)
    log_in(page, seeded_caregiver_email(live_server), "/dashboard")
    expect(page.locator("main")).to_be_visible()
    audit(page, CAREGIVER_PAGES)
