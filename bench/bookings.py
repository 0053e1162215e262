"""Booking holds and payment confirmations against a real `carevia serve` and an embedded database.

Run with `.venv/bin/python bench/bookings.py`. It starts its own in-memory database, loads the
demo data with `carevia seed`, adds patients, starts the app on a free loopback port and then
measures, over HTTP only:

1. holding bookings through the form (`POST /bookings`, answered with a 303 into Checkout) on
   distinct, non-conflicting slots, with 1 client and with 8 concurrent clients;
2. bursts of 50 simultaneous holds, either on 50 distinct slots of one caregiver or all on the
   same slot (exactly one must win, the other 49 are refused with a 409);
3. confirming those holds with signed `checkout.session.completed` webhook events: first and
   repeated deliveries with 1 client, first deliveries with 8 clients, bursts of 16 distinct
   events at once, and bursts of one event delivered 100 times at once (exactly one delivery
   confirms, the others must change nothing).

Every loop is bounded by a count and a time budget. The database is then checked: each
booking confirmed exactly once, with one `booking.paid` notification and one confirmation
email. The result is printed as Markdown, with ratios measured in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from booking_report import Checks, Result, markdown
from booking_requests import KEEPALIVE, NAMED_CAREGIVER, add_patients, free_windows, log_in
from booking_scenarios import WARM_ANY, WARM_NAMED, scenarios
from carevia.db import connected_database
from carevia.domain.caregivers import CaregiverRepository
from carevia.domain.catalogue.models import Category
from carevia.settings import DatabaseSettings, Settings
from support import cpu_seconds, running_app

DATABASE_NAME = "carevia_bench_bookings"


def load_demo_data(environment: dict[str, str]) -> None:
    seeded = subprocess.run(
        [sys.executable, "-m", "carevia", "seed"],
        cwd=environment["CAREVIA_DATA_DIR"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if seeded.returncode != 0:
        sys.exit(f"carevia seed failed:\n{seeded.stdout}{seeded.stderr}")
    print(seeded.stdout.strip(), file=sys.stderr)


async def run(
    base_url: str, database_uri: str, args: argparse.Namespace
) -> tuple[dict[str, Result], Checks, dict[str, int]]:
    settings = Settings(database=DatabaseSettings(uri=database_uri, name=DATABASE_NAME))
    async with connected_database(settings) as database:
        emails = await add_patients(database, max(args.burst, args.concurrency))
        baby_care = await CaregiverRepository(database).candidates(Category.BABY_CARE, None)
        named = await database["users"].find_one({"email": NAMED_CAREGIVER})
        assert named is not None, "the demo data has the named caregiver"
        named_profile = await CaregiverRepository(database).get(named["_id"])
        assert named_profile is not None
        earliest = datetime.now(UTC) + timedelta(hours=3)
        any_windows = free_windows(baby_care, 90, earliest)
        named_windows = free_windows([named_profile], 90, earliest)
        print(
            f"{len(any_windows)} free windows for `any`, {len(named_windows)} with "
            f"{named_profile.display_name}.",
            file=sys.stderr,
        )
        for what, have, need in (
            (
                "free windows for `any`",
                len(any_windows),
                WARM_ANY + args.holds + args.concurrent_holds,
            ),
            (
                "free windows with one caregiver",
                len(named_windows),
                WARM_NAMED + args.rounds * (args.burst + 1),
            ),
        ):
            if have < need:
                sys.exit(f"not enough {what}: {need} needed, {have} in the next 90 days")
        patients = []
        for start in range(0, len(emails), 8):
            patients += await asyncio.gather(
                *(log_in(base_url, e) for e in emails[start : start + 8])
            )
        width = max(args.deliveries, args.event_burst)
        webhook_limits = httpx.Limits(
            max_connections=width, max_keepalive_connections=width, keepalive_expiry=KEEPALIVE
        )
        stripe = httpx.AsyncClient(base_url=base_url, timeout=30, limits=webhook_limits)
        try:
            results, checks, sizes = await scenarios(
                database, patients, stripe, any_windows, named_windows, str(named["_id"]), args
            )
        finally:
            await stripe.aclose()
            for patient in patients:
                await patient.client.aclose()
    return results, checks, sizes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--holds", type=int, default=100, help="holds with 1 client")
    parser.add_argument("--concurrent-holds", type=int, default=200, help="holds with N clients")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent clients")
    parser.add_argument("--burst", type=int, default=50, help="simultaneous holds per burst")
    parser.add_argument("--webhooks", type=int, default=100, help="deliveries per webhook run")
    parser.add_argument(
        "--event-burst", type=int, default=16, help="simultaneous distinct events per burst"
    )
    parser.add_argument(
        "--deliveries", type=int, default=100, help="simultaneous deliveries of one event"
    )
    parser.add_argument("--rounds", type=int, default=3, help="bursts of each kind, and turns")
    parser.add_argument("--budget", type=float, default=10.0, help="seconds at most per run")
    args = parser.parse_args()
    holds = args.holds + args.concurrent_holds + args.rounds * (args.burst + 1)
    confirmations = 2 * args.webhooks
    confirmations += args.rounds * (args.event_burst + 1)
    if confirmations > holds:
        parser.error(f"the webhook runs need {confirmations} held bookings; only {holds} are held")
    started = time.perf_counter()
    with (
        tempfile.TemporaryDirectory(prefix="carevia-bench-") as tmp,
        running_app(Path(tmp), DATABASE_NAME, load_demo_data) as (url, uri),
    ):
        before, measuring = cpu_seconds(), time.perf_counter()
        results, checks, sizes = asyncio.run(run(url, uri, args))
        measuring = time.perf_counter() - measuring
        used = {name: seconds - before.get(name, 0.0) for name, seconds in cpu_seconds().items()}
    print(
        f"\nPython {platform.python_version()} on {platform.system()} {platform.machine()}, "
        f"{os.cpu_count()} CPUs; app, database and client on the same machine; "
        f"run took {time.perf_counter() - started:.0f} s.\n"
    )
    if Path("/proc").is_dir():
        spent = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in sorted(used.items()))
        print(f"CPU time once the app was up ({measuring:.1f} s of wall time): {spent}.")
    print(", ".join(f"{count} {what}" for what, count in sizes.items()) + " at the end.\n")
    print(markdown(results, checks))
    if checks.failed or any(r.errors for r in results.values()):
        sys.exit("some requests failed, answered unexpectedly, or a check did not hold")


if __name__ == "__main__":
    main()
