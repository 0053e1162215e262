"""A patient browses the catalogue in Chromium: htmx filtering, history, detail, no-JS fallback.

The live server holds the 20 demo services, 19 of them active: 5 special care services, of which
2 are offered in Mymensingh, and one service whose name mentions a nanny.
"""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Browser, Locator, Page, Response, expect
from tests.support.application import LiveServer

TIMEOUT_MS = 5_000
DASH = "\u2013"  # an en dash, as in "1-12 of 19 services" on the page
ALL_ACTIVE = f"1{DASH}12 of 19 services"
SPECIAL_CARE = f"1{DASH}5 of 5 services"
SPECIAL_CARE_IN_MYMENSINGH = f"1{DASH}2 of 2 services"


def is_fragment_response(response: Response) -> bool:
    request = response.request
    return "/services?" in response.url and request.headers.get("hx-request") == "true"


def set_marker(page: Page) -> None:
    """A value on `window` that a full page load would wipe out."""
    page.evaluate("window.__marker = 1")


def assert_no_full_load(page: Page) -> None:
    assert page.evaluate("window.__marker") == 1, "the page was reloaded instead of swapped"


def results_count(page: Page) -> Locator:
    return page.locator("#results .results-count")


def test_filtering_swaps_results_in_place_and_history_restores_them(
    page: Page, artifacts: Path
) -> None:
    page.goto("/services")
    expect(results_count(page)).to_have_text(ALL_ACTIVE, timeout=TIMEOUT_MS)
    set_marker(page)

    # First filter: a category. The form answers with the #results fragment only.
    with page.expect_response(is_fragment_response, timeout=TIMEOUT_MS) as first:
        page.select_option("#filter-category", "special-care")
    assert first.value.ok
    assert "<html" not in first.value.text()
    expect(page).to_have_url(re.compile(r"category=special-care"), timeout=TIMEOUT_MS)
    expect(results_count(page)).to_have_text(SPECIAL_CARE, timeout=TIMEOUT_MS)
    expect(page.locator("#results .service-card")).to_have_count(5)
    for eyebrow in page.locator("#results .service-card .eyebrow").all_text_contents():
        assert eyebrow == "Special Care"
    assert_no_full_load(page)
    page.screenshot(path=artifacts / "catalogue-filtered.png", full_page=True)

    # Second filter: a division, on top of the category.
    with page.expect_response(is_fragment_response, timeout=TIMEOUT_MS):
        page.check("input[name=division][value=Mymensingh]")
    expect(page).to_have_url(re.compile(r"division=Mymensingh"), timeout=TIMEOUT_MS)
    assert "category=special-care" in page.url
    expect(results_count(page)).to_have_text(SPECIAL_CARE_IN_MYMENSINGH, timeout=TIMEOUT_MS)
    assert_no_full_load(page)

    # Back: the URL, the form and the results are those of the first filter again.
    page.go_back()
    expect(page).to_have_url(re.compile(r"category=special-care"), timeout=TIMEOUT_MS)
    assert "division=" not in page.url
    expect(results_count(page)).to_have_text(SPECIAL_CARE, timeout=TIMEOUT_MS)
    expect(page.locator("#filter-category")).to_have_value("special-care")
    expect(page.locator("input[name=division][value=Mymensingh]")).not_to_be_checked()
    assert_no_full_load(page)

    # Open a service from the results: its own page shows its name and prices.
    card_link = page.locator("#results .service-card .card-title a").first
    name = card_link.inner_text()
    card_link.click()
    expect(page).to_have_url(re.compile(r"/services/[a-z0-9-]+$"), timeout=TIMEOUT_MS)
    expect(page.locator("h1")).to_have_text(name, timeout=TIMEOUT_MS)
    expect(page.locator(".price-box .price-large")).to_have_text(re.compile(r"^৳[\d,]+$"))
    expect(page.locator(".price-box")).to_contain_text("per hour")
    expect(page.locator(".price-box")).to_contain_text("per day")
    page.screenshot(path=artifacts / "service-detail.png", full_page=True)


def test_typing_a_search_filters_without_reloading(page: Page) -> None:
    page.goto("/services")
    expect(results_count(page)).to_have_text(ALL_ACTIVE, timeout=TIMEOUT_MS)
    set_marker(page)

    with page.expect_response(is_fragment_response, timeout=TIMEOUT_MS):
        page.fill("#filter-q", "nanny")
    expect(page).to_have_url(re.compile(r"q=nanny"), timeout=TIMEOUT_MS)
    expect(results_count(page)).to_have_text(f"1{DASH}1 of 1 service", timeout=TIMEOUT_MS)
    expect(page.locator("#results .card-title")).to_have_text("Newborn Night Nanny")

    # Regex syntax is searched for literally, so it matches nothing and fails nothing.
    with page.expect_response(is_fragment_response, timeout=TIMEOUT_MS) as pathological:
        page.fill("#filter-q", "(a+)+$")
    assert pathological.value.status == 200
    expect(results_count(page)).to_have_text("No services found", timeout=TIMEOUT_MS)
    expect(page.locator("#results .empty-state")).to_contain_text("(a+)+$")
    assert_no_full_load(page)


def test_pagination_links_swap_the_next_page(page: Page) -> None:
    page.goto("/services")
    set_marker(page)
    with page.expect_response(is_fragment_response, timeout=TIMEOUT_MS):
        page.locator("#results .pagination a[rel=next]").click()
    expect(page).to_have_url(re.compile(r"page=2"), timeout=TIMEOUT_MS)
    expect(results_count(page)).to_have_text(f"13{DASH}19 of 19 services", timeout=TIMEOUT_MS)
    expect(page.locator(".pagination [aria-current=page]")).to_have_text("Page 2 of 2")
    assert_no_full_load(page)

    # Back to the page as first loaded, before any htmx request.
    page.go_back()
    expect(page).to_have_url(re.compile(r"/services$"), timeout=TIMEOUT_MS)
    expect(results_count(page)).to_have_text(ALL_ACTIVE, timeout=TIMEOUT_MS)
    assert_no_full_load(page)


def test_catalogue_fits_a_phone_screen(page: Page, artifacts: Path) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/services")
    expect(results_count(page)).to_have_text(ALL_ACTIVE, timeout=TIMEOUT_MS)
    page.screenshot(path=artifacts / "catalogue-mobile.png", full_page=True)


def test_catalogue_filters_without_javascript(browser: Browser, live_server: LiveServer) -> None:
    context = browser.new_context(
        java_script_enabled=False,
        viewport={"width": 1280, "height": 900},
        base_url=live_server.base_url,
    )
    try:
        page = context.new_page()
        page.goto("/services")
        expect(results_count(page)).to_have_text(ALL_ACTIVE, timeout=TIMEOUT_MS)
        page.select_option("#filter-category", "special-care")
        page.check("input[name=division][value=Mymensingh]")
        # Without htmx nothing happens until the form is submitted as a plain GET.
        expect(results_count(page)).to_have_text(ALL_ACTIVE)
        with page.expect_navigation(timeout=TIMEOUT_MS):
            page.get_by_role("button", name="Apply filters").click()
        assert "category=special-care" in page.url
        assert "division=Mymensingh" in page.url
        expect(results_count(page)).to_have_text(SPECIAL_CARE_IN_MYMENSINGH, timeout=TIMEOUT_MS)
        expect(page.locator("#filter-category")).to_have_value("special-care")
        expect(page.locator("input[name=division][value=Mymensingh]")).to_be_checked()
        expect(page.locator("#results .card-title")).to_have_text(
            ["Physical Disability Assistance", "Spinal Cord Injury Care"]
        )
    finally:
        context.close()


def test_the_catalogue_in_bangla_holds_its_layout_at_desktop_and_phone_width(
    page: Page, live_server: LiveServer, artifacts: Path
) -> None:
    page.context.add_cookies([{"name": "lang", "value": "bn", "url": live_server.base_url}])
    for width, height in ((1280, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        for name, path, heading in (
            ("services", "/services", "বাড়িতে যত্নের সেবা"),
            ("service", "/services/newborn-night-nanny", "নবজাতকের রাতের ন্যানি"),
        ):
            page.goto(path)
            expect(page.locator("h1")).to_have_text(heading, timeout=TIMEOUT_MS)
            # Longer Bangla words and labels must not push the page sideways.
            assert page.evaluate("document.documentElement.scrollWidth") <= width, (path, width)
            page.screenshot(path=artifacts / f"catalogue-bn-{name}-{width}.png", full_page=True)
