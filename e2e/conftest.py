"""Chromium (through Playwright's sync API) against the live server from tests/support.

The tests are plain sync functions: Playwright's sync API must not run inside an event loop,
and pytest-asyncio only starts one for `async def` tests.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Error,
    Page,
    ViewportSize,
    sync_playwright,
)
from tests.support.application import ROOT, LiveServer

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
VIEWPORT: ViewportSize = {"width": 1280, "height": 900}
E2E_DIR = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.path)).resolve().is_relative_to(E2E_DIR):
            item.add_marker(pytest.mark.e2e)


def chromium_path() -> Path:
    return Path(os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = chromium_path()
    if not executable.exists():
        pytest.fail(
            f"Chromium was not found at {executable}. The browser tests need it: install it "
            "with `apt-get install chromium` (Debian) or set CHROMIUM_PATH to a Chromium binary.",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(executable), headless=True, args=CHROMIUM_ARGS
        )
        open_context = launched.new_context

        def watched_context(**options: Any) -> BrowserContext:
            context = open_context(**options)
            CONSOLE_ERRORS.extend_from(context)
            return context

        # Every context a test opens, through a fixture or by itself, is watched.
        launched.new_context = watched_context  # type: ignore[method-assign]
        try:
            yield launched
        finally:
            launched.close()


# htmx logs a request it cancelled itself (hx-sync="this:replace" drops an outdated price or
# times request) as two errors. A failed or timed-out request still logs its own error event.
HTMX_ABORT_LOGS = ("htmx:sendAbort", "htmx:afterRequest")


FORM_RERENDER_LOG = "Failed to load resource: the server responded with a status of 422"


def watch_console(context: BrowserContext) -> list[str]:
    """Console errors and uncaught exceptions of every page in `context`, as they happen.

    A CSP violation, a failed script or a missing asset shows up here as an error. A page the
    test opened itself may answer with an error status (a 404 page, say): the test checks that.
    """
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        where = message.page.url if message.page else "?"
        if message.text.startswith("Failed to load resource") and message.location["url"] == where:
            return
        if message.text.startswith(HTMX_ABORT_LOGS):
            return
        if message.text.startswith(FORM_RERENDER_LOG):
            return  # a form sent back with its errors: htmx swaps the 422 in on purpose
        errors.append(f"{where}: {message.text} ({message.location['url']})")

    def on_page_error(error: Error) -> None:
        errors.append(f"uncaught: {error.message}")

    context.on("console", on_console)
    context.on("weberror", lambda web_error: on_page_error(web_error.error))
    return errors


class ConsoleErrors:
    """The console errors of every browser context opened during the current test."""

    def __init__(self) -> None:
        self.watched: list[list[str]] = []

    def extend_from(self, context: BrowserContext) -> None:
        self.watched.append(watch_console(context))

    def take(self) -> list[str]:
        errors = [error for watched in self.watched for error in watched]
        self.watched.clear()
        return errors


CONSOLE_ERRORS = ConsoleErrors()


@pytest.fixture(autouse=True)
def no_console_errors() -> Iterator[None]:
    """Fail a test, once its contexts are closed, if any page logged an error or threw."""
    CONSOLE_ERRORS.take()
    yield
    errors = CONSOLE_ERRORS.take()
    if errors:
        pytest.fail("The browser logged errors:\n" + "\n".join(errors), pytrace=False)


@pytest.fixture
def page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    context = browser.new_context(viewport=VIEWPORT, base_url=live_server.base_url)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def open_page(browser: Browser, live_server: LiveServer) -> Iterator[Callable[..., Page]]:
    """Pages in new contexts, each with its own options (viewport, colour scheme, no JS...)."""
    contexts: list[BrowserContext] = []

    def open_one(**options: Any) -> Page:
        context = browser.new_context(base_url=live_server.base_url, **options)
        contexts.append(context)
        return context.new_page()

    yield open_one
    for context in contexts:
        context.close()


@pytest.fixture
def artifacts() -> Path:
    """Screenshots land in e2e/artifacts (ignored by git)."""
    directory = ROOT / "e2e" / "artifacts"
    directory.mkdir(parents=True, exist_ok=True)
    return directory
