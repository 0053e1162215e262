"""Weekly visits after booking: cancelling by each visit's policy, week-by-week links, races."""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from bson import ObjectId
from pymongo.asynchronous.database import AsyncDatabase

from carevia.domain.bookings.rules import refund_for_cancellation
from carevia.domain.mail import Mailer, MailRenderer, OutboxRepository
from carevia.domain.series import SeriesRepository
from carevia.domain.series.weekly_links import WeeklyPaymentLinks
from carevia.domain.shared.money import format_money
from tests.integration.test_booking_races import signed_in
from tests.support.accounts import Client, UserFactory, csrf_token
from tests.support.bookings import CaregiverFactory
from tests.support.payment_flows import checkout_id, settle
from tests.support.payments import pay_on_test_gateway
from tests.support.series import monday_in, series_form, series_visits, submit_series

pytestmark = pytest.mark.usefixtures("seeded")
Database = AsyncDatabase[dict[str, Any]]


@pytest.fixture
async def shirin(database: Database, signed_in_patient: ObjectId) -> str:
    found = await database["caregivers"].find_one({"display_name": "Shirin Akhter"})
    assert found is not None
    return str(found["_id"])


async def test_cancelling_one_visit_refunds_exactly_its_policy_amount(
    client: Client, database: Database, shirin: str
) -> None:
    answer = await submit_series(client, caregiver_id=shirin, weeks="1", tue="", thu="")
    session_id = checkout_id(answer.headers["location"])
    assert (await pay_on_test_gateway(client, session_id)).status_code == 303
    visits = await series_visits(database)
    for visit in visits:
        assert (await settle(database, visit["code"], status="confirmed"))["status"] == "confirmed"
    # Not the first visit: the one the payment is stored against.
    late, kept = visits[1], [visits[0], *visits[2:]]
    # This visit now starts in 10 hours: inside its 24-hour free window, so half is kept.
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=10)
    await database["bookings"].update_one(
        {"_id": late["_id"]},
        {"$set": {"starts_at": starts, "ends_at": starts + timedelta(hours=4)}},
    )
    total = late["price"]["total"]
    expected = refund_for_cancellation(total, total, starts, 24, 50, datetime.now(UTC))
    assert 0 < expected < total

    series_id = late["series_id"]
    shown = await client.get(f"/series/{series_id}/cancel?visit={late['code']}")
    assert shown.status_code == 200
    assert format_money(expected, late["price"]["currency"]) in shown.text
    token = await csrf_token(client, f"/series/{series_id}")
    done = await client.post(
        f"/series/{series_id}/cancel",
        data={"visit": late["code"], "_csrf_token": token},
        follow_redirects=False,
    )
    assert done.status_code == 303

    cancelled = await settle(database, late["code"], status="cancelled")
    assert cancelled["refund_owed"] == expected
    refunds = [r async for r in database["refunds"].find({"booking_id": late["_id"]})]
    assert sum(r["amount"] for r in refunds) == expected
    # The gateway's answer lands on this visit alone, though one payment paid them all.
    refunded = await settle(database, late["code"], amount_refunded=expected)
    assert refunded["amount_refunded"] == expected
    assert refunded["payment_status"] == "partially_refunded"
    for visit in kept:
        stored = await settle(database, visit["code"])
        assert stored["status"] == "confirmed"
        assert stored["amount_refundable"] == visit["price"]["total"]
        assert stored["amount_refunded"] == 0
        assert stored["payment_status"] == "paid"
    assert await database["refunds"].count_documents({}) == 1


async def test_cancelling_the_rest_shows_each_refund_first(
    client: Client, database: Database, shirin: str
) -> None:
    answer = await submit_series(client, caregiver_id=shirin, weeks="1", mon="", wed="", fri="")
    session_id = checkout_id(answer.headers["location"])
    assert (await pay_on_test_gateway(client, session_id)).status_code == 303
    visits = await series_visits(database)
    for visit in visits:
        await settle(database, visit["code"], status="confirmed")
    series_id = visits[0]["series_id"]
    shown = await client.get(f"/series/{series_id}/cancel?visit=rest")
    full = sum(v["price"]["total"] for v in visits)
    assert format_money(full, visits[0]["price"]["currency"]) in shown.text
    assert await database["bookings"].count_documents({"status": "cancelled"}) == 0
    token = await csrf_token(client, f"/series/{series_id}")
    await client.post(f"/series/{series_id}/cancel", data={"visit": "rest", "_csrf_token": token})
    for visit in visits:
        cancelled = await settle(database, visit["code"], status="cancelled")
        assert cancelled["refund_owed"] == visit["price"]["total"]


async def test_each_later_week_link_is_emailed_once_three_days_ahead(
    client: Client, database: Database, shirin: str
) -> None:
    answer = await submit_series(client, caregiver_id=shirin, weeks="3", payment_plan="weekly")
    assert answer.status_code == 303, answer.text
    visits = await series_visits(database)
    first_week = await database["payments"].find_one(
        {"session_id": checkout_id(answer.headers["location"])}
    )
    assert first_week is not None
    assert [p["booking_id"] for p in first_week["covers"]] == [v["_id"] for v in visits[:5]]
    week_two = min(v["starts_at"] for v in visits if v["starts_at"].date() >= monday_in(3))
    # Week one is paid now; week two stays held, unpaid, until a day before it starts.
    assert all(v["hold_expires_at"] > datetime.now(UTC) + timedelta(days=5) for v in visits[5:])

    def sweeper(now: datetime) -> WeeklyPaymentLinks:
        mailer = Mailer(OutboxRepository(database), MailRenderer(), clock=lambda: now)
        return WeeklyPaymentLinks(
            SeriesRepository(database), mailer, "http://test", "Asia/Dhaka", lambda: now
        )

    too_early = week_two - timedelta(days=3, hours=1)
    assert await sweeper(too_early).send_due() == 0
    due = week_two - timedelta(days=2, hours=23)
    sent = await asyncio.gather(*(sweeper(due).send_due() for _ in range(4)))
    assert sum(sent) == 1
    outbox = [m async for m in database["mail_outbox"].find({"template": "series_week_due"})]
    assert len(outbox) == 1
    assert f"/series/{visits[0]['series_id']}?week=2" in outbox[0]["text"]


async def test_twenty_concurrent_series_over_overlapping_weeks_never_double_book(
    served_app: str,
    database: Database,
    make_user: UserFactory,
    make_caregiver: CaregiverFactory,
) -> None:
    await make_user("amina@example.com")
    caregiver = str(await make_caregiver("shirin@example.com"))
    client, token = await signed_in(served_app, "amina@example.com")
    # Four first weeks, two or three weeks long, five start times: every request overlaps others.
    shapes = [
        series_form(
            caregiver_id=caregiver,
            first_week=monday_in(2 + n % 4).isoformat(),
            weeks=str(2 + n % 2),
            start_time=("08:00", "09:00", "10:00", "11:00", "12:00")[n % 5],
            on_conflict="all_or_nothing",
        )
        for n in range(20)
    ]
    try:
        answers: list[httpx.Response] = await asyncio.gather(
            *(client.post("/series", data={**form, "_csrf_token": token}) for form in shapes)
        )
    finally:
        await client.aclose()
    assert {a.status_code for a in answers} <= {303, 409}
    booked = sum(a.status_code == 303 for a in answers)
    assert booked >= 1
    series = [s async for s in database["series"].find({})]
    assert len(series) == booked
    visits = await series_visits(database)
    for one in series:
        # All or nothing: every visit a series names exists, and no other.
        assert sorted(v["_id"] for v in visits if v["series_id"] == one["_id"]) == sorted(
            one["booking_ids"]
        )
    spans = sorted((v["starts_at"], v["ends_at"]) for v in visits)
    for (_, ended), (began, _) in itertools.pairwise(spans):
        assert ended <= began, "two visits hold the same caregiver's time"
