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
from bson import ObjectId
from playwright.sync_api import Browser, Page, ViewportSize, expect
from pymongo import MongoClient
from tests.support.application import LiveServer

from carevia.domain.accounts.passwords import HASHER
from e2e.test_live_dashboard import PASSWORD, log_in

AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}

MISSING = "/no-such-page"
PUBLIC_PAGES = [
    "/",
    "/services",
    "/services?category=elderly-care&division=Dhaka",
    "/services/newborn-night-nanny",
    "/login",
    "/register",
    "/forgot-password",
    "/contact",
    "/about",
    "/help",
    "/safety",
    "/refund-policy",
    "/terms",
    "/privacy",
    MISSING,
]
PATIENT_PAGES = ["/account", "/account/bookings", "/services/infant-day-care/book"]
ADMIN_PAGES = [
    "/dashboard/overview",
    "/dashboard/bookings",
    "/dashboard/payments",
    "/dashboard/services",
    "/dashboard/services/new",
    "/dashboard/users",
    "/dashboard/audit",
]
CAREGIVER_PAGES = ["/dashboard", "/dashboard/availability", "/dashboard/profile"]


def violations(page: Page, path: str) -> list[str]:
    response = page.goto(path)
    assert response is not None
    assert response.status == (404 if path == MISSING else 200), path
    expect(page).to_have_url(re.compile(re.escape(path) + "$"))  # not sent to /login instead
    expect(page.locator("main")).to_be_visible()
    page.add_script_tag(path=str(AXE))
    found: list[dict[str, Any]] = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [
        f"{path}: {v['id']} ({v['impact']}) {v['help']} at {node['target']}"
        for v in found
        for node in v["nodes"]
    ]


def audit(page: Page, paths: list[str]) -> None:
    problems = [problem for path in paths for problem in violations(page, path)]
    assert not problems, "\n".join(problems)


@pytest.fixture
def context_for(browser: Browser, live_server: LiveServer) -> Iterator[Any]:
    """New browser contexts that let axe's script in despite the pages' CSP."""
    opened = []

    def open_page(viewport: ViewportSize = DESKTOP) -> Page:
        context = browser.new_context(
            base_url=live_server.base_url, viewport=viewport, bypass_csp=True
        )
        opened.append(context)
        return context.new_page()

    yield open_page
    for context in opened:
        context.close()


def signed_in(open_page: Any, live_server: LiveServer, role: str, target: str) -> Page:
    email = f"a11y.{role}.{time.monotonic_ns()}@example.com"
    live_server.create_user(email, "Tahmina Akter", role, PASSWORD)
    page: Page = open_page()
    log_in(page, email, target)
    expect(page.locator("main")).to_be_visible()
    return page


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_public_pages_have_no_accessibility_violations(
    context_for: Any, viewport: ViewportSize
) -> None:
    audit(context_for(viewport), PUBLIC_PAGES)


def test_patient_pages_have_no_accessibility_violations(
    context_for: Any, live_server: LiveServer
) -> None:
    audit(signed_in(context_for, live_server, "patient", "/account"), PATIENT_PAGES)


def test_admin_dashboard_pages_have_no_accessibility_violations(
    context_for: Any, live_server: LiveServer
) -> None:
    audit(signed_in(context_for, live_server, "admin", "/dashboard/overview"), ADMIN_PAGES)


def test_caregiver_workspace_pages_have_no_accessibility_violations(
    context_for: Any, live_server: LiveServer
) -> None:
    # A seeded caregiver, with a profile; their password is random outside development.
    with MongoClient[dict[str, Any]](live_server.environment["MONGODB_URI"]) as mongo:
        users = mongo[live_server.environment["MONGODB_DB"]].users
        caregiver = users.find_one({"role": "caregiver", "disabled_at": None})
        assert caregiver is not None
        users.update_one(
            {"_id": ObjectId(caregiver["_id"])}, {"$set": {"password_hash": HASHER.hash(PASSWORD)}}
        )
    page: Page = context_for()
    log_in(page, caregiver["email"], "/dashboard")
    expect(page.locator("main")).to_be_visible()
    audit(page, CAREGIVER_PAGES)
