"""Several `carevia serve` processes on one database: confirmations/s and exactly-once streams.

Run with `.venv/bin/python bench/multi.py`. It starts its own in-memory database, loads the
demo data and, for each process count of `--processes` (default 1, 2, 4), runs that many app
processes on free loopback ports. Admin streams are open on every process. Bookings held
beforehand are then paid with signed webhooks from `--concurrency` clients, spread round-robin
over the processes. It reports confirmations per second, as a ratio to one process, and checks
that every stream on every process received each `booking.paid` exactly once, with stream ids
that have no gaps. The database is a single embedded server on the same machine, so on a
2-core machine more processes mostly share the same two cores.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import platform
import sys
import tempfile
import time
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import httpx

from booking_requests import Event, deliver
from bookings import load_demo_data
from carevia.db import connected_database
from carevia.settings import DatabaseSettings, Settings
from stream_clients import (
    Dashboard,
    admin_client,
    open_dashboards,
    paid_bookings,
    reader_client,
    stream_urls,
)
from support import app_process, row, running_app

DATABASE_NAME = "carevia_bench_multi"


@dataclass
class Outcome:
    processes: int
    confirmed: int
    seconds: float
    redelivered: int
    streams: int
    missing: int
    repeated: int
    gaps: int

    @property
    def per_second(self) -> float:
        return self.confirmed / self.seconds if self.seconds else 0.0


async def confirm_all(urls: list[str], events: list[Event], concurrency: int) -> tuple[float, int]:
    """Deliver every event, `concurrency` at a time, round-robin over the processes.

    A 503 (the database's deadline passed under the load) is delivered again, as Stripe
    redelivers any answer that is not a 2xx. Returns the seconds taken and the redeliveries.
    """
    clients = [httpx.AsyncClient(base_url=url, timeout=30) for url in urls]
    rotation = itertools.cycle(clients)
    queue = list(events)
    redelivered = 0
    retried: set[str] = set()
    try:

        async def worker() -> None:
            nonlocal redelivered
            while queue:
                event = queue.pop()
                delivered = await deliver(next(rotation), event)
                if delivered.outcome == "503":
                    redelivered += 1
                    retried.add(event.code)
                    queue.insert(0, event)
                elif event.code in retried and delivered.outcome in ("duplicate", "already"):
                    pass  # the 503 came after the confirmation was written, as it may
                elif delivered.outcome != "confirmed":
                    raise SystemExit(f"a payment was not confirmed: {delivered.outcome}")

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return time.perf_counter() - began, redelivered
    finally:
        for client in clients:
            await client.aclose()


def gaps(dashboard: Dashboard) -> int:
    """Ids an admin stream skipped: an admin sees every notification, so ids follow on."""
    ids = dashboard.ids
    return sum(later - earlier - 1 for earlier, later in itertools.pairwise(ids) if later > earlier)


async def one_count(urls: list[str], events: list[Event], args: argparse.Namespace) -> Outcome:
    readers, tasks, dashboards = [], [], []
    for url in urls:
        admin = await admin_client(url)
        try:
            tickets = await stream_urls(admin, args.streams)
        finally:
            await admin.aclose()
        reader = reader_client(url, args.streams)
        opened, started, _ = await open_dashboards(reader, tickets, 0)
        readers.append(reader)
        tasks += started
        dashboards += opened
    try:
        seconds, redelivered = await confirm_all(urls, events, args.concurrency)
        codes = {event.code for event in events}
        deadline = time.perf_counter() + 15
        while time.perf_counter() < deadline and any(  # noqa: ASYNC110 - polls many streams
            not codes <= d.paid_at.keys() for d in dashboards
        ):
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)  # a repeat would arrive after the first copy
        missing = sum(len(codes - d.paid_at.keys()) for d in dashboards)
        repeated = sum(sum(n - 1 for n in Counter(d.paid).values()) for d in dashboards)
        return Outcome(
            len(urls),
            len(events),
            seconds,
            redelivered,
            len(dashboards),
            missing,
            repeated,
            sum(gaps(d) for d in dashboards),
        )
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for reader in readers:
            await reader.aclose()


async def held(base_url: str, database_uri: str, count: int) -> list[Event]:
    settings = Settings(database=DatabaseSettings(uri=database_uri, name=DATABASE_NAME))
    async with connected_database(settings) as database:
        return await paid_bookings(base_url, database, count)


def report(outcomes: list[Outcome]) -> str:
    base = outcomes[0].per_second or 1.0
    lines = [
        row(
            "Processes",
            "Confirmations",
            "Confirmations/s",
            "× 1 process",
            "Redelivered after a 503",
            "Streams",
            "Events missed",
            "Events repeated",
            "Id gaps",
        ),
        row(*["---"] * 9),
    ]
    for o in outcomes:
        lines.append(
            row(
                o.processes,
                o.confirmed,
                f"{o.per_second:.1f}",
                f"{o.per_second / base:.2f}",
                o.redelivered,
                o.streams,
                o.missing,
                o.repeated,
                o.gaps,
            )
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", default="1,2,4", help="process counts, comma-separated")
    parser.add_argument("--confirmations", type=int, default=100, help="payments per count")
    parser.add_argument("--concurrency", type=int, default=16, help="webhook clients at once")
    parser.add_argument("--streams", type=int, default=20, help="admin streams per process")
    args = parser.parse_args()
    counts = sorted({int(n) for n in args.processes.split(",")})
    started = time.perf_counter()
    outcomes = []
    with (
        tempfile.TemporaryDirectory(prefix="carevia-bench-") as tmp,
        running_app(Path(tmp), DATABASE_NAME, load_demo_data) as (first, uri),
    ):
        events = asyncio.run(held(first, uri, args.confirmations * len(counts)))
        with ExitStack() as extra:
            urls = [first]
            for number, count in enumerate(counts):
                while len(urls) < count:
                    process = app_process(
                        Path(tmp), uri, DATABASE_NAME, log_name=f"server-{len(urls)}.log"
                    )
                    urls.append(extra.enter_context(process))
                share = events[number * args.confirmations : (number + 1) * args.confirmations]
                outcomes.append(asyncio.run(one_count(urls[:count], share, args)))
    print(
        f"\nPython {platform.python_version()} on {platform.system()} {platform.machine()}, "
        f"{os.cpu_count()} CPUs; app processes, database and clients on the same machine; "
        f"run took {time.perf_counter() - started:.0f} s.\n"
    )
    print(report(outcomes))
    if any(o.missing or o.repeated or o.gaps for o in outcomes):
        sys.exit("a stream missed, repeated or skipped an event")


if __name__ == "__main__":
    main()
