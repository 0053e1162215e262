"""The cost of one month of the booking calendar, for 11 and for 500 caregivers.

Run with `.venv/bin/python bench/calendar_month.py [--repeat N]`. It starts its own in-memory
database, adds the caregivers (half of them with a day's visits held every weekday), and
times `FreeTimes.free_days` over a whole month for "any caregiver", counting the database
reads with pymongo's command monitoring. The result is printed as Markdown.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from time import perf_counter
from typing import Any

from bson import ObjectId
from pymongo import AsyncMongoClient, monitoring

from carevia.domain.bookings import BookingRepository
from carevia.domain.bookings.booking_calendar import BookingWindow, month_span
from carevia.domain.bookings.free_time import FreeTimes
from carevia.domain.bookings.schedule import SLOT
from carevia.domain.caregivers import CaregiverRepository
from carevia.domain.catalogue import Category
from carevia.embedded_db import EmbeddedDatabase
from support import row

TIMEZONE = "Asia/Dhaka"
WEEK = ("saturday", "sunday", "monday", "tuesday", "wednesday", "thursday")
HOURS = [("08:00", "20:00"), ("06:00", "14:00"), ("12:00", "22:00"), ("00:00", "24:00")]


class Reads(monitoring.CommandListener):
    def __init__(self) -> None:
        self.count = 0

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        self.count += event.command_name in ("find", "getMore", "aggregate")

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


def caregiver(n: int, now: datetime) -> dict[str, Any]:
    start, end = HOURS[n % len(HOURS)]
    return {
        "_id": ObjectId(),
        "display_name": f"Carer {n:03d}",
        "bio": "Calm and careful.",
        "categories": ["baby-care"],
        "divisions": ["Dhaka"],
        "languages": ["Bangla"],
        "years_experience": n % 20,
        "certifications": [],
        "verified": True,
        "availability": {day: [{"start": start, "end": end}] for day in WEEK},
        "days_off": [],
        "rating": {"average": 4.5, "count": 3},
        "timezone": TIMEZONE,
        "created_at": now,
        "updated_at": now,
    }


def held_day(caregiver_id: ObjectId, day_start: datetime) -> list[dict[str, Any]]:
    """Four hours held from 10:00 local (04:00 UTC) on the day starting `day_start`."""
    first = day_start + timedelta(hours=4)
    return [
        {
            "_id": f"{caregiver_id}:{(first + i * SLOT).isoformat()}",
            "caregiver_id": caregiver_id,
            "slot_start": first + i * SLOT,
        }
        for i in range(8)
    ]


async def measure(uri: str, team: int, repeat: int) -> str:
    reads = Reads()
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        uri, tz_aware=True, event_listeners=[reads]
    )
    database = client[f"bench_{team}"]
    now = datetime.now(UTC)
    people = [caregiver(n, now) for n in range(team)]
    await database["caregivers"].insert_many(people)
    today = now.date()
    claims = [
        claim
        for person in people[::2]
        for offset in range(31)
        for claim in held_day(
            person["_id"], datetime.combine(today + timedelta(days=offset), time(0), UTC)
        )
    ]
    await database["slot_claims"].insert_many(claims)
    await database["slot_claims"].create_index([("caregiver_id", 1), ("slot_start", 1)])
    free_times = FreeTimes(BookingRepository(database), TIMEZONE, 2)
    window = BookingWindow(today, today + timedelta(days=90))
    first, last = month_span((today + timedelta(days=31)).replace(day=1), window)
    timings: list[float] = []
    counts: list[int] = []
    free = 0
    for _ in range(repeat):
        reads.count = 0
        started = perf_counter()
        candidates = await CaregiverRepository(database).candidates(Category.BABY_CARE, None)
        free = len(await free_times.free_days(candidates, first, last, "hours", 4, night=False))
        timings.append(perf_counter() - started)
        counts.append(reads.count)
    await client.close()
    return row(
        team,
        f"{len(claims)} held slots",
        f"{free} of {(last - first).days + 1}",
        max(counts),
        f"{statistics.median(timings) * 1000:.0f} ms",
        f"{max(timings) * 1000:.0f} ms",
    )


async def main(repeat: int) -> None:
    with tempfile.TemporaryDirectory() as workdir:
        server = EmbeddedDatabase(":memory:", log_file=Path(workdir) / "db.log")
        server.start()
        try:
            print("| Caregivers | Held time | Free days | Reads | Median | Max |")
            print("|---|---|---|---|---|---|")
            for team in (11, 500):
                print(await measure(server.uri, team, repeat))
        finally:
            server.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="months computed per size")
    asyncio.run(main(parser.parse_args().repeat))
