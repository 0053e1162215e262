"""The dashboard in Bangla: its pages, and the words its script writes, have no English left.

What is left out of the check is what is not the dashboard's own words: people's names,
codes, addresses, the service's name and the labels other parts of the site own, which
their own catalogues translate.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from carevia.domain.bookings.models import PAYMENT_LABELS, STATUS_LABELS
from carevia.domain.catalogue import CATEGORY_LABELS
from carevia.domain.coverage import DIVISION_NAMES
from carevia.domain.payments.read_models import KIND_LABELS
from carevia.domain.payments.read_models import STATUS_LABELS as LEDGER_LABELS
from carevia.web.templating import TEMPLATE_DIR
from tests.support.accounts import Client, UserFactory, log_in
from tests.support.bookings import CaregiverFactory
from tests.support.payment_flows import paid_booking, stored_booking

pytestmark = pytest.mark.usefixtures("seeded")
Database = AsyncDatabase[dict[str, Any]]
# The shared date formatting writes these until it speaks Bangla too (its own change).
DATE_WORDS = {
    *["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "am", "pm"],
    *["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
}
# Proper names and the few technical words written the same way in Bangla.
KEPT = {"Carevia", "CSV", "API", "CV", "Stripe", "local"}  # "local": the test payment gateway
# Widgets the dashboard shows that other parts of the site own and translate.
SHARED_WIDGETS = (
    "_partials/filter_controls.html",
    "_partials/pagination.html",
    "_partials/booking_badges.html",
    "_partials/weekly_hours.html",
    "care/_recipient.html",
    "visits/_report.html",
    "visits/_start_form.html",
    "visits/_complete_form.html",
    "messages/_thread.html",
)


def others_labels() -> set[str]:
    labels = [
        *STATUS_LABELS.values(),
        *PAYMENT_LABELS.values(),
        *CATEGORY_LABELS.values(),
        *DIVISION_NAMES,
        *KIND_LABELS.values(),
        *LEDGER_LABELS.values(),
    ]
    words = {word for label in labels for word in re.findall(r"[A-Za-z]+", str(label))}
    for name in SHARED_WIDGETS:
        words |= set(re.findall(r"[A-Za-z]+", (TEMPLATE_DIR / name).read_text()))
    return words


def dashboard_words(page: str) -> dict[str, str]:
    found = re.search(r'<script type="application/json" id="dashboard-words">(.*?)</script>', page)
    assert found, "the dashboard carries its script's words"
    words: dict[str, str] = json.loads(found.group(1))
    return words


def english_in(page: str, booking: dict[str, Any]) -> set[str]:
    """English words in the dashboard's part of the page: its text and its labelling attributes."""
    part = page[page.index('<div class="dashboard"') : page.index('<div id="toasts"')]
    part = re.sub(r"<script.*?</script>", " ", part, flags=re.S)
    labels = re.findall(
        r'(?:aria-label|title|placeholder|alt|data-label|hx-confirm)="([^"]*)"', part
    )
    text = html.unescape(re.sub(r"<[^>]+>", " ", part) + " " + " ".join(labels))
    people = [
        booking["service_name"],
        booking["caregiver_name"],
        booking["patient"]["name"],
        booking["patient"]["email"],
        booking["location"]["address"],
        booking["location"]["district"],
        booking["location"].get("notes") or "",
        booking["code"],
        # Notes on the timeline are written by the booking's own steps, which translate them.
        *(entry.get("note") or "" for entry in booking["history"]),
    ]
    for value in people:
        text = text.replace(value, " ")
    text = re.sub(r"\S+@\S+|/\S+", " ", text)
    words = set(re.findall(r"[A-Za-z]{2,}", text))
    return words - DATE_WORDS - KEPT - others_labels()


@pytest.fixture
async def booked(
    client: Client, database: Database, make_user: UserFactory, make_caregiver: CaregiverFactory
) -> dict[str, Any]:
    """A paid booking of Amina's with Shirin; the client is then signed out."""
    await make_caregiver("shirin@example.com")
    await make_user("amina@example.com")
    await log_in(client, "amina@example.com")
    code, _ = await paid_booking(client, database)
    client.cookies.clear()
    return await stored_booking(database, code)


async def test_the_admin_and_caregiver_dashboards_are_in_bangla(
    client: Client, make_user: UserFactory, booked: dict[str, Any]
) -> None:
    await make_user("admin@example.com", role="admin", first_name="Nasrin", language="bn")
    await log_in(client, "admin@example.com")  # her account's language becomes the cookie

    overview = (await client.get("/dashboard/overview")).text
    assert '<html lang="bn"' in overview
    assert "সারসংক্ষেপ" in overview
    assert "আজকের বুকিং" in overview
    assert english_in(overview, booked) == set()
    words = dashboard_words(overview)
    assert words["booking.paid"] == "নতুন পরিশোধিত বুকিং {code}: {service}"
    assert all(re.search(r"[\u0985-\u09B9]", text) for text in words.values())

    for path in ("/dashboard/bookings", f"/dashboard/bookings/{booked['code']}"):
        page = (await client.get(path)).text
        assert "বুকিং" in page
        assert english_in(page, booked) == set(), path

    # The caregiver of the same booking: their own visits, in Bangla too.
    client.cookies.clear()
    await log_in(client, "shirin@example.com")
    # Signing in set her account's language (English); she switches for this visit.
    client.cookies.delete("lang")
    client.cookies.set("lang", "bn")
    for path in ("/dashboard", "/dashboard/bookings"):
        page = (await client.get(path)).text
        assert "আমার ভিজিট" in page
        assert english_in(page, booked) == set(), path
