"""The month view's free days: exactly the slot function's days, at a bounded number of reads."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from bson import ObjectId
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from pymongo import AsyncMongoClient, monitoring
from pymongo.asynchronous.database import AsyncDatabase

from carevia.composition import build_services
from carevia.devtools.local_gateway import LocalGateway
from carevia.devtools.webhook_sender import WebhookSender
from carevia.domain.bookings import BookingForm, BookingRepository
from carevia.domain.bookings.free_time import FreeTimes
from carevia.domain.bookings.schedule import SLOT, local_start
from carevia.domain.caregivers import CaregiverRepository
from carevia.domain.catalogue import Category
from carevia.settings import Settings
from tests.support.bookings import CaregiverFactory, next_local_date

pytestmark = pytest.mark.usefixtures("seeded")
Database = AsyncDatabase[dict[str, Any]]
DHAKA = "Asia/Dhaka"
SPAN_DAYS = 10
# Round the clock, office hours, an afternoon, and evenings with every third day off.
HOURS = [("00:00", "24:00"), ("08:00", "20:00"), ("13:00", "17:00"), ("17:00", "24:00")]

HELD = st.lists(
    st.tuples(
        st.integers(0, len(HOURS) - 1),  # whose time
        st.integers(0, SPAN_DAYS),  # which day
        st.integers(0, 47),  # first half hour
        st.integers(1, 48),  # half hours held
    ),
    max_size=20,
)
ASKED = st.tuples(
    st.sampled_from(["hours", "days"]),
    st.integers(1, 8),
    st.booleans(),  # night care
    st.integers(0, 23),  # the hour of "now", in UTC
    st.integers(1, len(HOURS)),  # how many caregivers are asked about
)


class CommandCounter(monitoring.CommandListener):
    def __init__(self) -> None:
        self.reads: list[str] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name in ("find", "aggregate", "count", "distinct", "getMore"):
            self.reads.append(f"{event.command_name} {event.command.get(event.command_name)}")

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


@asynccontextmanager
async def counted(settings: Settings) -> AsyncIterator[tuple[Database, CommandCounter]]:
    counter = CommandCounter()
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        settings.database.uri, tz_aware=True, event_listeners=[counter]
    )
    try:
        yield client[settings.database.name], counter
    finally:
        await client.close()


async def test_a_month_costs_the_same_few_reads_for_3_or_12_caregivers(
    settings: Settings, make_caregiver: CaregiverFactory
) -> None:
    day = next_local_date(4)
    form = BookingForm(date=day.isoformat(), quantity="4")
    reads_by_team: list[list[str]] = []
    for team in range(12):
        await make_caregiver(f"carer{team}@example.com", hours=HOURS[team % len(HOURS)])
        if team + 1 not in (3, 12):
            continue
        async with counted(settings) as (database, counter):
            sender = WebhookSender(lambda *_: asyncio.sleep(0, 200), settings.stripe.webhook_secret)
            gateway = LocalGateway(database, sender, settings.public_base_url)
            bookings = build_services(settings, database, gateway).bookings
            service = await bookings.service("infant-day-care")
            counter.reads.clear()
            picker = await bookings.when(service, form, "")
            assert picker.times is not None and picker.times.count > 0
            assert len(picker.month.weeks) >= 4
            reads_by_team.append(counter.reads)
    few, many = reads_by_team
    assert len(few) == len(many) <= 4, many
    assert [read for read in many if "slot_claims" in read] == [
        "find slot_claims",  # the whole month, for every caregiver
        "find slot_claims",  # the chosen day
    ]


def held_claims(caregivers: list[ObjectId], held: Any, first: date) -> Iterator[dict[str, Any]]:
    seen: set[str] = set()
    for who, day, start, length in held:
        caregiver = caregivers[who]
        begins = local_start(first + timedelta(days=day), time(0), DHAKA).astimezone(UTC)
        for step in range(length):
            slot = begins + (start + step) * SLOT
            key = f"{caregiver}:{slot.isoformat()}"
            if key not in seen:
                seen.add(key)
                yield {"_id": key, "caregiver_id": caregiver, "slot_start": slot}


async def test_the_days_marked_free_are_exactly_the_days_with_a_free_start(
    database: Database, make_caregiver: CaregiverFactory
) -> None:
    ids: list[ObjectId] = []
    for n, hours in enumerate(HOURS):
        days_off = tuple((next_local_date(d)).isoformat() for d in range(n, SPAN_DAYS, 3))
        ids.append(
            await make_caregiver(
                f"carer{n}@example.com", hours=hours, days_off=days_off if n else ()
            )
        )
    found = {
        c.id: c for c in await CaregiverRepository(database).candidates(Category.BABY_CARE, None)
    }
    everyone = [found[caregiver_id] for caregiver_id in ids]
    loop = asyncio.get_running_loop()
    first = next_local_date(0)
    now = [datetime.combine(first, time(0), UTC)]
    # One for every example, as in the app: months it worked out before must not be
    # answered again once the held time, the caregivers asked or the time now differ.
    free_times = FreeTimes(BookingRepository(database), DHAKA, 2, clock=lambda: now[0])

    async def check(held: Any, asked: Any) -> None:
        duration, quantity, night, hour, team = asked
        now[0] = datetime.combine(first, time(hour), UTC)
        await database["slot_claims"].delete_many({})
        claims = list(held_claims(ids, held, first))
        if claims:
            await database["slot_claims"].insert_many(claims)
        caregivers = everyone[:team]
        last = first + timedelta(days=SPAN_DAYS)
        marked = await free_times.free_days(
            caregivers, first, last, duration, quantity, night=night
        )
        expected = set()
        for offset in range(SPAN_DAYS + 1):
            day = first + timedelta(days=offset)
            starts = await free_times.starts_on(caregivers, day, duration, quantity, night=night)
            if any(starts.values()):
                expected.add(day)
        assert marked == expected
        again = await free_times.free_days(caregivers, first, last, duration, quantity, night=night)
        assert again == expected

    @hypothesis_settings(
        max_examples=10,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(HELD, ASKED)
    # Tomorrow is held round the clock up to 21:00: free only at night, for night care only.
    @example([(0, 1, 0, 42)], ("hours", 2, False, 3, 1))
    # Today (16:00 in Dhaka) is held from 18:00: its free hour lies inside the 2 hours' notice.
    @example([(0, 0, 36, 12)], ("hours", 1, True, 10, 1))
    def marked_days_match(held: Any, asked: Any) -> None:
        asyncio.run_coroutine_threadsafe(check(held, asked), loop).result(timeout=60)

    await asyncio.to_thread(marked_days_match)


async def test_free_time_asked_again_follows_new_held_time_and_the_clock(
    database: Database, make_caregiver: CaregiverFactory
) -> None:
    afternoon = await make_caregiver("carer@example.com", hours=("13:00", "17:00"))
    [caregiver] = [
        c
        for c in await CaregiverRepository(database).candidates(Category.BABY_CARE, None)
        if c.id == afternoon
    ]
    first = next_local_date(0)
    tomorrow = first + timedelta(days=1)
    now = [local_start(first, time(9, 0), DHAKA).astimezone(UTC)]
    free_times = FreeTimes(BookingRepository(database), DHAKA, 2, clock=lambda: now[0])

    async def free_days() -> set[date]:
        return await free_times.free_days([caregiver], first, tomorrow, "hours", 4)

    async def starts_tomorrow() -> list[time]:
        return (await free_times.starts_on([caregiver], tomorrow, "hours", 4))[afternoon]

    assert await free_days() == {first, tomorrow}
    assert await starts_tomorrow() == [time(13, 0)]
    # Today's only 4-hour visit starts at 13:00: after 11:00, the notice leaves no start.
    now[0] = local_start(first, time(11, 0), DHAKA).astimezone(UTC) + timedelta(seconds=1)
    assert await free_days() == {tomorrow}
    await database["slot_claims"].insert_many(
        list(held_claims([afternoon], [(0, 1, 30, 1)], first))
    )
    assert await free_days() == set(), "tomorrow's 15:00 is held now"
    assert await starts_tomorrow() == []
