"""The live dashboard comes back after its stream is turned away, spread out and backing off."""

from __future__ import annotations

import time

from playwright.sync_api import Page, Route, expect
from tests.support.application import LiveServer

from e2e.test_live_dashboard import PASSWORD, log_in

# Every reconnect wait is recorded; the random factor is pinned so the waits can be compared.
RECORD_WAITS = """
Math.random = () => 0.5;
window.__waits = [];
const schedule = window.setTimeout;
window.setTimeout = (callback, wait, ...rest) => {
  if (callback && callback.name === "openStream") window.__waits.push(wait);
  return schedule(callback, wait, ...rest);
};
"""
# What the server answers while it cannot serve a stream yet: the stream opens and ends.
COME_BACK_LATER = ": busy, please reconnect\nretry: 3000\n\n"


def test_a_dashboard_turned_away_backs_off_with_jitter_until_its_stream_opens(
    page: Page, live_server: LiveServer
) -> None:
    email = f"admin.{time.monotonic_ns()}@example.com"
    live_server.create_user(email, "Nusrat Jahan", "admin", PASSWORD)
    turned_away: list[str] = []

    def busy_twice(route: Route) -> None:
        if len(turned_away) < 2:
            turned_away.append(route.request.url)
            route.fulfill(status=200, content_type="text/event-stream", body=COME_BACK_LATER)
        else:
            route.continue_()

    page.add_init_script(RECORD_WAITS)
    page.route("**/dashboard/events?*", busy_twice)
    log_in(page, email, "/dashboard/bookings")

    expect(page.locator("body[data-live='connected']")).to_be_attached(timeout=10_000)
    assert len(turned_away) == 2
    # A stream that opens and ends at once does not reset the back-off: 250 ms plus half of
    # a ceiling that doubles from 1 s (half, because the random factor is pinned to 0.5).
    assert page.evaluate("window.__waits") == [750, 1250]
