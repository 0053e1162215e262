"""Staff work in a dashboard of their own: where they land, its header, menus and tables."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, ViewportSize, expect
from tests.support.application import LiveServer

from e2e.test_booking import choose_date, fill_address, held_code, sign_in, working_day
from e2e.test_live_dashboard import PASSWORD

LAPTOP: ViewportSize = {"width": 1366, "height": 768}
PHONE: ViewportSize = {"width": 390, "height": 844}
OpenPage = Callable[..., Page]
OTHER_TABLES = [f"/dashboard/{name}" for name in ("payments", "services", "users", "audit")]


def staff_member(live_server: LiveServer, role: str) -> str:
    email = f"workspace.{role}.{time.monotonic_ns()}@example.com"
    live_server.create_user(email, "Nusrat Jahan", role, PASSWORD)
    return email


def log_in_without_next(page: Page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def table_fit(page: Page) -> dict[str, Any]:
    """How the bookings table sits in its box, and whether the key cells are on screen."""
    result: dict[str, Any] = page.locator("#booking-rows .table-wrap").evaluate(
        """(wrap) => {
          const table = wrap.querySelector('table');
          const row = table.querySelector('tbody tr');
          const onScreen = (label) => {
            const cell = row.querySelector(`td[data-label="${label}"]`);
            const box = cell.getBoundingClientRect();
            const area = wrap.getBoundingClientRect();
            return cell.checkVisibility() && box.width > 0
              && box.left >= area.left - 1 && box.right <= area.right + 1
              && box.right <= window.innerWidth;
          };
          return {
            tableWidth: table.scrollWidth, wrapWidth: wrap.clientWidth,
            wrapScrolls: wrap.scrollWidth > wrap.clientWidth,
            pageScrolls: document.documentElement.scrollWidth > window.innerWidth,
            visible: Object.fromEntries(['Code', 'Status', 'Starts', 'Total'].map(
              (label) => [label, onScreen(label)])),
          };
        }"""
    )
    return result


@pytest.fixture(scope="module")
def booking_code(browser: Any, live_server: LiveServer) -> str:
    """A patient holds a visit, so the staff's bookings table has a row."""
    context = browser.new_context(base_url=live_server.base_url)
    try:
        page = context.new_page()
        sign_in(page, live_server)
        choose_date(page, working_day(17))
        page.get_by_label("Start time").select_option("11:00")
        fill_address(page)
        page.get_by_role("button", name="Hold this time and pay").click()
        return held_code(page)
    finally:
        context.close()


@pytest.mark.parametrize(
    ("role", "landing"), [("admin", "/dashboard/overview"), ("caregiver", "/dashboard")]
)
def test_staff_land_on_their_dashboard_after_logging_in(
    open_page: OpenPage, live_server: LiveServer, role: str, landing: str
) -> None:
    page = open_page(viewport=LAPTOP)
    log_in_without_next(page, staff_member(live_server, role))
    expect(page).to_have_url(live_server.base_url + landing)
    expect(page.get_by_role("navigation", name="Dashboard")).to_be_visible()


def test_an_explicit_next_page_still_wins(open_page: OpenPage, live_server: LiveServer) -> None:
    page = open_page(viewport=LAPTOP)
    email = staff_member(live_server, "admin")
    page.goto("/login?next=/dashboard/payments")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(live_server.base_url + "/dashboard/payments")


def test_the_workspace_has_its_own_header_and_user_menu_and_no_footer(
    open_page: OpenPage, live_server: LiveServer
) -> None:
    page = open_page(viewport=LAPTOP)
    log_in_without_next(page, staff_member(live_server, "admin"))
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    expect(page.locator("footer")).to_have_count(0)
    expect(page.get_by_role("navigation", name="Main")).to_have_count(0)

    menu = page.locator(".user-menu")
    expect(menu.locator("summary")).to_contain_text("Nusrat Jahan")
    menu.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(menu.get_by_role("link", name="Public site")).to_have_attribute("href", "/")
    expect(menu.get_by_role("link", name="My account")).to_be_visible()
    menu.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(live_server.base_url + "/")
    expect(page.get_by_role("link", name="Log in")).to_be_visible()


def test_on_a_phone_the_sidebar_opens_from_a_menu_button_without_javascript(
    open_page: OpenPage, live_server: LiveServer
) -> None:
    page = open_page(viewport=PHONE, java_script_enabled=False)
    email = staff_member(live_server, "admin")
    page.goto("/login?next=/dashboard/bookings")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Bookings", exact=True)).to_be_visible()

    payments = page.get_by_role("link", name="Payments")
    expect(payments).to_be_hidden()
    page.get_by_text("Dashboard menu").focus()
    page.keyboard.press("Enter")
    expect(payments).to_be_visible()
    # The content keeps a margin from the screen's edges.
    left = page.locator(".dashboard-main h1").evaluate("(h) => h.getBoundingClientRect().left")
    assert left >= 12
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    payments.click()
    expect(page).to_have_url(live_server.base_url + "/dashboard/payments")


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_the_bookings_table_fits_with_status_and_total_in_view(
    open_page: OpenPage, live_server: LiveServer, booking_code: str, viewport: ViewportSize
) -> None:
    page = open_page(viewport=viewport)
    log_in_without_next(page, staff_member(live_server, "admin"))
    page.goto(f"/dashboard/bookings?q={booking_code}")
    expect(page.locator("#booking-rows tbody tr")).to_have_count(1)
    fit = table_fit(page)
    assert fit["tableWidth"] <= fit["wrapWidth"], fit
    assert not fit["wrapScrolls"] and not fit["pageScrolls"], fit
    assert all(fit["visible"].values()), fit


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_every_dashboard_table_fits_its_area(
    open_page: OpenPage, live_server: LiveServer, booking_code: str, viewport: ViewportSize
) -> None:
    page = open_page(viewport=viewport)
    log_in_without_next(page, staff_member(live_server, "admin"))
    problems = []
    for path in OTHER_TABLES:
        page.goto(path)
        expect(page.locator(".table tbody tr").first).to_be_visible()
        widths = page.locator(".table-wrap").first.evaluate(
            "(wrap) => [wrap.querySelector('table').scrollWidth, wrap.clientWidth,"
            " document.documentElement.scrollWidth - window.innerWidth]"
        )
        if widths[0] > widths[1] or widths[2] > 0:
            problems.append(f"{path}: table {widths[0]} in {widths[1]}px, page over by {widths[2]}")
    assert not problems, problems
