"""Admin statistics from stored bookings, payments and refunds: JSON, page, fragment, access."""

from __future__ import annotations

import asyncio
import re
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from bson import ObjectId
from pymongo.asynchronous.database import AsyncDatabase

from carevia.domain.bookings import Booking, BookingStatus, PriceBreakdown
from carevia.domain.bookings.models import CancellationPolicy, Location, PatientContact
from carevia.domain.payments.models import Payment, PaymentState, Refund, RefundState
from carevia.domain.shared.documents import to_document
from carevia.domain.stats.models import Periods, Window, periods
from tests.support.accounts import Client, UserFactory, api_token, log_in
from tests.support.bookings import CaregiverFactory
from tests.support.payments import held_booking, pay_on_test_gateway

Database = AsyncDatabase[dict[str, Any]]
DHAKA = ZoneInfo("Asia/Dhaka")


def within(window: Window, moment: datetime) -> bool:
    return window.start <= moment < window.end


def booking(
    created: datetime, status: BookingStatus, total: int, paid: int, **extra: Any
) -> Booking:
    starts = created + timedelta(days=2)
    return Booking(
        id=ObjectId(),
        code=f"CV-{str(ObjectId())[-6:].upper()}",
        patient_id=ObjectId(),
        patient=PatientContact(name="Amina Rahman", phone="+8801712345678", email="a@example.com"),
        caregiver_id=ObjectId(),
        caregiver_name="Shirin Akhter",
        service_id=ObjectId(),
        service_slug="infant-day-care",
        service_name="Infant day care",
        category="baby-care",
        timezone="Asia/Dhaka",
        starts_at=starts,
        ends_at=starts + timedelta(hours=4),
        duration_type="hours",
        quantity=4,
        location=Location(division="Dhaka", district="Dhaka", address="House 9, Road 3"),
        price=PriceBreakdown(
            currency="BDT",
            duration_type="hours",
            quantity=4,
            unit_price=total // 4,
            base=total,
            travel_fee=0,
            total=total,
            payment_option="full" if paid in (0, total) else "half",
            pay_now=paid or total,
            due_later=total - (paid or total),
        ),
        policy=CancellationPolicy(free_until_hours=24),
        status=status,
        amount_paid=paid,
        created_at=created,
        updated_at=created,
        **extra,
    )


def payment(paid_at: datetime, amount: int, status: PaymentState = "paid") -> Payment:
    return Payment(
        id=ObjectId(),
        booking_id=ObjectId(),
        booking_code="CV-TEST01",
        kind="initial",
        attempt=1,
        gateway="local",
        session_id=f"cs_test_{ObjectId()}",
        url=None,
        amount=amount,
        currency="BDT",
        status=status,
        payment_intent=f"pi_{ObjectId()}",
        created_at=paid_at,
        paid_at=paid_at if status == "paid" else None,
    )


def refund(at: datetime, amount: int, status: RefundState = "succeeded") -> Refund:
    return Refund(
        id=ObjectId(),
        booking_id=ObjectId(),
        booking_code="CV-TEST01",
        payment_id=ObjectId(),
        payment_intent="pi_test",
        amount=amount,
        reason="Cancelled by admin",
        idempotency_key=f"refund:{ObjectId()}",
        status=status,
        created_at=at,
        updated_at=at,
    )


class History:
    """What was stored, so expected figures follow the same calendar as the test run."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.periods: Periods = periods(now, "Asia/Dhaka")
        self.created: list[datetime] = []
        self.paid: list[tuple[datetime, int]] = []
        self.refunded: list[tuple[datetime, int]] = []

    def revenue(self, window: Window) -> int:
        return sum(a for t, a in self.paid if within(window, t)) - sum(
            a for t, a in self.refunded if within(window, t)
        )


@pytest.fixture
async def history(database: Database) -> History:
    now = datetime.now(UTC)
    stored = History(now)
    p = stored.periods
    local_today = p.today.start.astimezone(DHAKA)
    first_of_series = (local_today - timedelta(days=29)).astimezone(UTC)
    before_series = (local_today - timedelta(days=30)).astimezone(UTC)
    hold = now + timedelta(minutes=10)
    bookings = [
        booking(p.today.start, "confirmed", 400_000, 200_000),  # half paid: 2,000 due
        booking(p.today.start, "pending_payment", 300_000, 0, hold_expires_at=hold),
        booking(p.today.start, "pending_payment", 300_000, 0, hold_expires_at=now),  # lapsed
        booking(p.yesterday.start, "completed", 100_000, 100_000),
        booking(p.previous_month.start, "cancelled", 100_000, 0),
        booking(first_of_series, "expired", 100_000, 0),
        booking(before_series, "in_progress", 500_000, 250_000),  # 2,500 due
    ]
    await database["bookings"].insert_many([to_document(b) for b in bookings])
    stored.created = [b.created_at for b in bookings]
    stored.paid = [(p.today.start, 200_000), (p.yesterday.start, 100_000)]
    stored.paid.append((p.previous_month.start, 250_000))
    payments = [payment(t, a) for t, a in stored.paid]
    payments.append(payment(p.today.start, 300_000, status="open"))
    await database["payments"].insert_many([to_document(x) for x in payments])
    stored.refunded = [(p.today.start, 50_000)]
    refunds = [refund(p.today.start, 50_000), refund(p.today.start, 999, status="requested")]
    await database["refunds"].insert_many([to_document(x) for x in refunds])
    return stored


@pytest.fixture
async def admin(make_user: UserFactory) -> str:
    await make_user("admin@example.com", role="admin", first_name="Rafiq")
    return "admin@example.com"


async def stats_as(client: Client, email: str) -> dict[str, Any]:
    token = await api_token(client, email)
    response = await client.get("/api/v1/stats", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_stats_reflect_what_was_stored(client: Client, history: History, admin: str) -> None:
    body = await stats_as(client, admin)
    kpis = {kpi["key"]: kpi for kpi in body["kpis"]}
    p = history.periods
    assert (kpis["bookings_today"]["value"], kpis["bookings_today"]["previous"]) == (3, 1)
    assert kpis["bookings_today"]["change"] == 200
    this_month = sum(within(p.month, t) for t in history.created)
    last_month = sum(within(p.previous_month, t) for t in history.created)
    assert (kpis["bookings_month"]["value"], kpis["bookings_month"]["previous"]) == (
        this_month,
        last_month,
    )
    revenue = kpis["revenue_month"]
    assert revenue["value"] == history.revenue(p.month)
    assert revenue["previous"] == history.revenue(p.previous_month)
    assert revenue["unit"] == "money"
    # Nothing refunded before: the change is "new", never a division by a made-up 1.
    assert (kpis["refunds_month"]["value"], kpis["refunds_month"]["change"]) == (50_000, "new")
    assert kpis["refunds_month"]["previous"] == 0
    due = kpis["due_outstanding"]
    assert (due["value"], due["previous"], due["change"]) == (450_000, None, None)
    assert (kpis["holds_pending"]["value"], kpis["holds_pending"]["previous"]) == (1, None)

    series = {s["key"]: s["points"] for s in body["series"]}
    assert [len(series[k]) for k in ("bookings_7d", "bookings_30d", "revenue_30d")] == [7, 30, 30]
    today = p.today.start.astimezone(DHAKA).date().isoformat()
    assert series["bookings_7d"][-1] == {"day": today, "value": 3}
    assert series["bookings_7d"][-2]["value"] == 1
    per_day = Counter(t.astimezone(DHAKA).date().isoformat() for t in history.created)
    assert {pt["day"]: pt["value"] for pt in series["bookings_30d"]} == {
        pt["day"]: per_day.get(pt["day"], 0) for pt in series["bookings_30d"]
    }
    assert series["bookings_30d"][0]["value"] >= 1  # the booking 29 days ago counts
    assert series["revenue_30d"][-1] == {"day": today, "value": 150_000}
    assert series["revenue_30d"][-2]["value"] == 100_000


@pytest.mark.parametrize("role", ["patient", "caregiver"])
async def test_only_admins_see_statistics(
    client: Client, make_user: UserFactory, role: str
) -> None:
    await make_user("someone@example.com", role=role)
    token = await api_token(client, "someone@example.com")
    response = await client.get("/api/v1/stats", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    await log_in(client, "someone@example.com")
    assert (await client.get("/dashboard/overview")).status_code == 403
    assert (await client.get("/dashboard/kpis")).status_code == 403


async def test_strangers_are_asked_to_log_in(client: Client) -> None:
    assert (await client.get("/api/v1/stats")).status_code == 401


async def test_overview_page_draws_accessible_charts(
    client: Client, history: History, admin: str
) -> None:
    await log_in(client, admin)
    page = await client.get("/dashboard/overview")
    assert page.status_code == 200
    html = page.text
    assert page.headers["cache-control"] == "no-store"
    svgs = re.findall(r"<svg.*?</svg>", html, re.S)
    assert [svg.count("<title>") for svg in svgs] == [7, 30, 30]  # a tooltip on every bar
    assert all('role="img"' in svg and 'viewBox="0 0 ' in svg for svg in svgs)
    assert 'aria-label="Bookings per day, last 7 days: 4 bookings in total' in html
    assert html.count('<div class="visually-hidden">\n  <table>') == 3
    assert '<th scope="row">' in html and "<td>৳1,500</td>" in html
    kpis = re.search(r'<section id="kpis".*?</section>', html, re.S)
    assert kpis is not None
    block = kpis.group(0)
    assert 'hx-get="/dashboard/kpis"' in block and "carevia:booking from:body" in block
    assert re.search(r'data-kpi="bookings_today".*?>3</p>', block, re.S)
    assert re.search(r"▲ </span><span class=\"visually-hidden\">Up </span>200%", block)
    assert re.search(r'data-kpi="refunds_month".*?kpi-change-new', block, re.S)
    assert re.search(r'data-kpi="due_outstanding".*?৳4,500.*?Right now', block, re.S)
    assert '<section id="live-feed"' in html
    assert "same days and hours of last month" in html


async def test_kpi_fragment_is_only_the_cards(client: Client, history: History, admin: str) -> None:
    await log_in(client, admin)
    fragment = await client.get("/dashboard/kpis", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    text = fragment.text.strip()
    assert text.startswith('<section id="kpis"') and text.endswith("</section>")
    assert "<svg" not in text and "<html" not in text and 'data-kpi="holds_pending"' in text


@pytest.mark.usefixtures("seeded")
async def test_a_paid_checkout_counts_as_todays_booking_and_revenue(
    client: Client, make_user: UserFactory, make_caregiver: CaregiverFactory, database: Database
) -> None:
    await make_caregiver("shirin@example.com")
    await make_user("amina@example.com")
    await log_in(client, "amina@example.com")
    code, session_id = await held_booking(client)
    await make_user("admin@example.com", role="admin")
    holding = {k["key"]: k["value"] for k in (await stats_as(client, "admin@example.com"))["kpis"]}
    assert (holding["bookings_today"], holding["holds_pending"]) == (1, 1)
    assert (await pay_on_test_gateway(client, session_id)).status_code == 303
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        found = await database["bookings"].find_one({"code": code})
        if found and found["status"] == "confirmed":
            break
        await asyncio.sleep(0.05)
    assert found is not None and found["status"] == "confirmed"
    paid = {k["key"]: k["value"] for k in (await stats_as(client, "admin@example.com"))["kpis"]}
    assert paid["holds_pending"] == 0 and paid["revenue_month"] == found["price"]["total"]
    assert paid["due_outstanding"] == 0
