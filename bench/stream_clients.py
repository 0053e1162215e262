"""What the stream benchmarks share: dashboards reading streams, paid bookings, process memory."""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from pymongo.asynchronous.database import AsyncDatabase

from booking_requests import (
    ANY_SERVICE,
    Event,
    add_patients,
    booking_form,
    completed_events,
    deliver,
    free_windows,
    hold,
    log_in,
)
from carevia.cli import DEMO_PASSWORD
from carevia.domain.accounts.seed import DEMO_ADMIN_EMAIL
from carevia.domain.caregivers import CaregiverRepository
from carevia.domain.catalogue.models import Category

SETTLE_SECONDS = 1.0  # a stream told to retry ends at once; one still open after this is open


@dataclass
class Dashboard:
    """One admin's stream, read line by line; when each paid booking arrived."""

    url: str
    status: int | None = None
    told_to_retry: bool = False
    ended: bool = False
    error: str | None = None
    paid_at: dict[str, float] = field(default_factory=dict)
    paid: list[str] = field(default_factory=list)  # every booking.paid, repeats included
    ids: list[int] = field(default_factory=list)

    @property
    def open(self) -> bool:
        return self.status == 200 and not self.ended and not self.told_to_retry

    async def read(self, client: httpx.AsyncClient) -> None:
        try:
            async with client.stream("GET", self.url) as response:
                self.status = response.status_code
                event = None
                async for line in response.aiter_lines():
                    if line.startswith("retry:"):
                        self.told_to_retry = True
                    elif line.startswith("id:"):
                        self.ids.append(int(line[3:]))
                    elif line.startswith("event:"):
                        event = line[6:].strip()
                    elif line.startswith("data:") and event == "booking.paid":
                        code = json.loads(line[5:])["code"]
                        self.paid_at[code] = time.perf_counter()
                        self.paid.append(code)
                    elif not line:
                        event = None
        except httpx.HTTPError as failure:
            self.error = type(failure).__name__
        finally:
            self.ended = True


async def admin_client(base_url: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=base_url, timeout=60)
    answer = await client.post(
        "/api/v1/auth/token", json={"email": DEMO_ADMIN_EMAIL, "password": DEMO_PASSWORD}
    )
    answer.raise_for_status()
    client.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"
    return client


async def stream_urls(admin: httpx.AsyncClient, count: int, width: int = 25) -> list[str]:
    """One fresh ticket URL per stream, asked for `width` at a time."""
    urls: list[str] = []
    while len(urls) < count:
        asked = [admin.post("/api/v1/events/ticket") for _ in range(min(width, count - len(urls)))]
        for answer in await asyncio.gather(*asked):
            answer.raise_for_status()
            urls.append(answer.json()["url"])
    return urls


def reader_client(base_url: str, streams: int) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=streams + 10, max_keepalive_connections=0)
    return httpx.AsyncClient(base_url=base_url, timeout=httpx.Timeout(60, read=None), limits=limits)


async def open_dashboards(
    client: httpx.AsyncClient, urls: list[str], wave: int
) -> tuple[list[Dashboard], list[asyncio.Task[None]], float]:
    """Open a stream per URL, `wave` at a time (all at once for wave 0); seconds to answer all."""
    dashboards = [Dashboard(url) for url in urls]
    tasks: list[asyncio.Task[None]] = []
    began = time.perf_counter()
    step = wave or len(dashboards)
    for start in range(0, len(dashboards), step):
        batch = dashboards[start : start + step]
        tasks += [asyncio.create_task(d.read(client)) for d in batch]
        while any(d.status is None and not d.ended for d in batch):  # noqa: ASYNC110 - a poll of many
            await asyncio.sleep(0.01)
    answered = time.perf_counter() - began
    await asyncio.sleep(SETTLE_SECONDS)
    return dashboards, tasks, answered


async def paid_bookings(
    base_url: str, database: AsyncDatabase[dict[str, Any]], count: int
) -> list[Event]:
    """`count` bookings held through the form, each with its signed payment event."""
    emails = await add_patients(database, count)
    caregivers = await CaregiverRepository(database).candidates(Category.BABY_CARE, None)
    windows = free_windows(caregivers, 90, datetime.now(UTC) + timedelta(hours=3))
    sessions = []
    for email, window in zip(emails, windows, strict=False):
        patient = await log_in(base_url, email)
        try:
            held = await hold(patient, booking_form(ANY_SERVICE, "any", window))
        finally:
            await patient.client.aclose()
        if held.session_id is None:
            raise SystemExit(f"could not hold a booking: {held.outcome}")
        sessions.append(held.session_id)
    return await completed_events(database, sessions)


async def pay_and_time(
    base_url: str, events: list[Event], dashboards: list[Dashboard], within: float = 15
) -> tuple[list[float], int]:
    """Deliver each event in turn; delays (ms) from each 2xx to each open stream, and losses."""
    listening = [d for d in dashboards if d.open]
    delays: list[float] = []
    lost = 0
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as stripe:
        for event in events:
            delivered = await deliver(stripe, event)
            answered = time.perf_counter()
            if delivered.outcome != "confirmed":
                raise SystemExit(f"the payment was not confirmed: {delivered.outcome}")
            deadline = answered + within
            while time.perf_counter() < deadline and any(  # noqa: ASYNC110 - polls many streams
                event.code not in d.paid_at for d in listening
            ):
                await asyncio.sleep(0.01)
            for dashboard in listening:
                if event.code in dashboard.paid_at:
                    delays.append((dashboard.paid_at[event.code] - answered) * 1000)
                else:
                    lost += 1
    return delays, lost


def percentiles(delays: list[float]) -> tuple[float, float, float]:
    """p50, p99 and max, in ms; zeros for no samples.

    An event can reach a stream before this process has read the 2xx that announced it
    (both arrive on the same loop); such a delay counts as 0.
    """
    if not delays:
        return 0.0, 0.0, 0.0
    ordered = sorted(max(delay, 0.0) for delay in delays)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return statistics.median(ordered), p99, ordered[-1]


def resident_kib(pid: int) -> int:
    """Resident memory of the process and its children (granian's workers), in KiB."""
    total = 0
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
        for task in Path(f"/proc/{pid}/task").glob("*"):
            for child in (task / "children").read_text().split():
                total += resident_kib(int(child))
    except OSError:
        pass
    return total


def app_pids() -> list[int]:
    """This process's children that serve the app (not the database, not a seeding run)."""
    found = []
    for task in Path("/proc/self/task").glob("*"):
        for pid in (task / "children").read_text().split():
            try:
                command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if " serve" in command or "granian" in command:
                found.append(int(pid))
    return found
