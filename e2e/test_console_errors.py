"""The browser tests notice what a visitor's console would show: errors, CSP refusals, 404s."""

from __future__ import annotations

import contextlib

from playwright.sync_api import Browser, Error
from tests.support.application import LiveServer

from e2e.conftest import CONSOLE_ERRORS


def test_errors_in_any_context_are_collected_for_the_running_test(
    browser: Browser, live_server: LiveServer
) -> None:
    context = browser.new_context(base_url=live_server.base_url)
    try:
        page = context.new_page()
        page.goto("/about")
        page.evaluate("console.error('the widget broke')")
        page.evaluate("fetch('/static/css/missing.css')")
        page.wait_for_load_state("networkidle")
        with contextlib.suppress(Error):  # the CSP refuses an inline script, which is the point
            page.add_script_tag(content="window.inlined = true")
        assert page.evaluate("window.inlined === undefined")
        page.goto("/no-such-page")  # a page the test opens itself may be a 404
    finally:
        context.close()
    errors = CONSOLE_ERRORS.take()  # taken, so this test itself passes
    assert any("the widget broke" in error for error in errors), errors
    assert any("missing.css" in error for error in errors), errors
    assert any("Content Security Policy" in error for error in errors), errors
    assert not any("/no-such-page" in error for error in errors), errors
