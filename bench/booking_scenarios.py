"""The bookings benchmark's scenarios: holds one at a time, concurrently and in bursts, then
webhook deliveries the same ways, and the checks that each booking was confirmed exactly once."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, date
from datetime import time as wall_time
from typing import Any

import httpx
from bson import ObjectId
from pymongo.asynchronous.database import AsyncDatabase

from booking_report import Checks, Result, answers_text
from booking_requests import (
    ANY_SERVICE,
    NAMED_SERVICE,
    TIMEZONE,
    Event,
    Patient,
    Sample,
    booking_form,
    completed_events,
    deliver,
    hold,
)
from carevia.domain.bookings.schedule import local_start

WARM_ANY, WARM_NAMED = 3, 2  # holds made and paid before measuring
HELD, REFUSED = frozenset({"303"}), frozenset({"409"})
CONFIRMED, REPEATS = frozenset({"confirmed"}), frozenset({"already", "duplicate"})


async def pool(
    items: Sequence[Any],
    clients: int,
    call: Callable[[int, Any], Awaitable[Sample]],
    budget: float,
) -> tuple[list[Sample], float]:
    """`clients` workers take the items in turn until none is left or the budget is spent."""
    samples: list[Sample] = []
    pending = iter(items)
    start = time.perf_counter()
    deadline = start + budget

    async def worker(index: int) -> None:
        while time.perf_counter() < deadline:
            item = next(pending, None)
            if item is None:
                return
            samples.append(await call(index, item))

    await asyncio.gather(*(worker(i) for i in range(clients)))
    return samples, time.perf_counter() - start


async def burst(
    items: Sequence[Any], call: Callable[[int, Any], Awaitable[Sample]]
) -> tuple[list[Sample], float]:
    """Every item at once."""
    start = time.perf_counter()
    samples = await asyncio.gather(*(call(i, item) for i, item in enumerate(items)))
    return list(samples), time.perf_counter() - start


async def contended_burst(
    item: Any,
    count: int,
    call: Callable[[int, Any], Awaitable[Sample]],
    rows: tuple[Result, Result, Result],
    winning: str,
) -> Counter[str]:
    """`count` requests for the same item at once; returns how they were answered.

    The whole burst goes on the first row, the answers `winning` on the second, the rest on
    the third.
    """
    samples, elapsed = await burst([item] * count, call)
    whole, winners, others = rows
    whole.add(samples, elapsed)
    winners.add([s for s in samples if s.outcome == winning], 0)
    others.add([s for s in samples if s.outcome != winning], 0)
    return Counter(s.outcome for s in samples)


def planned_results(args: argparse.Namespace) -> list[Result]:
    """The table's rows; the `↳` rows split the burst above them by answer."""
    any_hold, named_hold = "`POST /bookings`, caregiver `any`", "`POST /bookings`, one caregiver"
    hook, n, burst, width = "`POST /webhooks/stripe`", args.concurrency, args.burst, args.deliveries
    events = f"{args.event_burst} events, one per booking"
    return [
        Result("hold 1", "hold, distinct slots", any_hold, 1, HELD),
        Result("hold N", "hold, distinct slots", any_hold, n, HELD),
        Result("hold burst", "hold burst, distinct slots", named_hold, burst, HELD),
        Result("contended", "hold burst, same slot (all)", named_hold, burst, HELD | REFUSED),
        Result("winner", "↳ the one that got the slot", "", burst, HELD, False),
        Result("refusals", "↳ the refused ones", "", burst, REFUSED, False),
        Result("first 1", "webhook, first delivery", hook, 1, CONFIRMED),
        Result("again 1", "webhook, repeated delivery", "the same event again", 1, REPEATS),
        Result("first N", "webhook, first delivery", hook, n, CONFIRMED),
        Result(
            "event burst", "webhook burst, distinct events", events, args.event_burst, CONFIRMED
        ),
        Result(
            "one event",
            "webhook burst, one event (all)",
            f"one event delivered {width}×",
            width,
            CONFIRMED | REPEATS,
        ),
        Result("confirming", "↳ the one that confirmed", "", width, CONFIRMED, False),
        Result("duplicates", "↳ the duplicates", "", width, REPEATS, False),
    ]


STARTED = time.perf_counter()


def progress(text: str) -> None:
    print(f"  {time.perf_counter() - STARTED:5.1f} s  {text}", file=sys.stderr)


def take(items: list[Any], count: int, what: str) -> list[Any]:
    if len(items) < count:
        sys.exit(f"not enough {what}: need {count}, have {len(items)}")
    taken = items[:count]
    del items[:count]
    return taken


async def scenarios(
    database: AsyncDatabase[dict[str, Any]],
    patients: list[Patient],
    stripe: httpx.AsyncClient,
    any_windows: list[tuple[date, wall_time]],
    named_windows: list[tuple[date, wall_time]],
    named_id: str,
    args: argparse.Namespace,
) -> tuple[dict[str, Result], Checks, dict[str, int]]:
    checks = Checks()
    results = {r.key: r for r in planned_results(args)}

    async def any_call(index: int, window: tuple[date, wall_time]) -> Sample:
        return await hold(patients[index], booking_form(ANY_SERVICE, "any", window))

    async def named_call(index: int, window: tuple[date, wall_time]) -> Sample:
        return await hold(patients[index], booking_form(NAMED_SERVICE, named_id, window))

    async def send(index: int, event: Event) -> Sample:
        return await deliver(stripe, event)

    # Warm templates, the transaction paths and connections; none of this is measured.
    warm, _ = await pool(take(any_windows, WARM_ANY, "free windows"), 1, any_call, 30)
    warm_named, _ = await pool(take(named_windows, WARM_NAMED, "free windows"), 1, named_call, 30)
    warm_events = await completed_events(
        database, [s.session_id for s in warm + warm_named if s.session_id]
    )
    warmed = [(await deliver(stripe, event)).outcome for event in warm_events]
    if warmed != ["confirmed"] * (WARM_ANY + WARM_NAMED):
        sys.exit(f"warming up failed: holds {[s.outcome for s in warm + warm_named]}, {warmed}")

    results["hold 1"].add(
        *await pool(take(any_windows, args.holds, "free windows"), 1, any_call, args.budget)
    )
    results["hold N"].add(
        *await pool(
            take(any_windows, args.concurrent_holds, "free windows"),
            args.concurrency,
            any_call,
            args.budget,
        )
    )
    progress(f"measured holds with 1 and {args.concurrency} clients")
    contested: list[tuple[date, wall_time]] = []
    for _ in range(args.rounds):
        windows = take(named_windows, args.burst, "free windows")
        results["hold burst"].add(*await burst(windows, named_call))
        slot = take(named_windows, 1, "free windows")[0]
        contested.append(slot)
        rows = (results["contended"], results["winner"], results["refusals"])
        answers = await contended_burst(slot, args.burst, named_call, rows, "303")
        checks.expect(
            answers == Counter({"303": 1, "409": args.burst - 1}),
            f"{args.burst} simultaneous holds of one slot ({slot[0]} {slot[1]:%H:%M}, one "
            f"caregiver): {answers_text(answers)}",
        )
    for day, start in contested:
        starts_at = local_start(day, start, TIMEZONE).astimezone(UTC)
        held = await database["bookings"].count_documents(
            {"caregiver_id": ObjectId(named_id), "starts_at": starts_at}
        )
        checks.expect(held == 1, f"the contested slot {day} {start:%H:%M} has {held} booking(s)")
    progress("measured hold bursts")

    events = await completed_events(
        database,
        [
            s.session_id
            for key in ("hold 1", "hold N", "hold burst", "contended")
            for s in results[key].samples
            if s.session_id
        ],
    )
    # First and repeated deliveries take turns in short rounds, so they share slow moments.
    for turn in range(args.rounds):
        size = args.webhooks // args.rounds + (turn < args.webhooks % args.rounds)
        batch = take(events, size, "held bookings")
        first, seconds = await pool(batch, 1, send, args.budget / args.rounds)
        results["first 1"].add(first, seconds)
        # Only what was delivered once is delivered again: an event the budget left out
        # would otherwise be confirmed by its "repeat".
        delivered = batch[: len(first)]
        results["again 1"].add(*await pool(delivered, 1, send, args.budget / args.rounds))
    results["first N"].add(
        *await pool(
            take(events, args.webhooks, "held bookings"), args.concurrency, send, args.budget
        )
    )
    progress(f"measured webhooks with 1 and {args.concurrency} clients")
    duplicated: list[str] = []
    for _ in range(args.rounds):
        results["event burst"].add(
            *await burst(take(events, args.event_burst, "held bookings"), send)
        )
        (event,) = take(events, 1, "held bookings")
        duplicated.append(event.code)
        rows = (results["one event"], results["confirming"], results["duplicates"])
        answers = await contended_burst(event, args.deliveries, send, rows, "confirmed")
        checks.expect(
            answers["confirmed"] == 1
            and answers["already"] + answers["duplicate"] == args.deliveries - 1,
            f"one event delivered {args.deliveries}× at once ({event.code}): "
            f"{answers_text(answers)}",
        )
    progress("measured webhook bursts")
    await verify(database, duplicated, results, checks)
    sizes = {
        "bookings": await database["bookings"].count_documents({}),
        "slot claims": await database["slot_claims"].count_documents({}),
        "notifications": await database["notifications"].count_documents({}),
    }
    return results, checks, sizes


async def verify(
    database: AsyncDatabase[dict[str, Any]],
    duplicated: list[str],
    results: dict[str, Result],
    checks: Checks,
) -> None:
    """Each booking paid once: one confirmation, one notification, one email, one payment."""
    for code in duplicated:
        booking = await database["bookings"].find_one({"code": code})
        assert booking is not None
        confirmations = sum(1 for h in booking["history"] if h["to_status"] == "confirmed")
        notifications = await database["notifications"].count_documents(
            {"event": "booking.paid", "booking_code": code}
        )
        mails = await database["mail_outbox"].count_documents(
            {"dedupe_key": {"$regex": f"^mail:{code}:"}}
        )
        paid = await database["payments"].count_documents({"booking_code": code, "status": "paid"})
        checks.expect(
            (booking["status"], confirmations, notifications, mails, paid)
            == ("confirmed", 1, 1, 1, 1),
            f"{code}: {booking['status']}, {confirmations} confirmation in its history, "
            f"{notifications} `booking.paid` notification, {mails} email, {paid} paid payment",
        )
    answered = (
        WARM_ANY
        + WARM_NAMED
        + sum(
            s.outcome == "confirmed"
            for key in ("first 1", "first N", "event burst", "one event")
            for s in results[key].samples
        )
    )
    totals = {
        "confirmed bookings": await database["bookings"].count_documents({"status": "confirmed"}),
        "`booking.paid` notifications": await database["notifications"].count_documents(
            {"event": "booking.paid"}
        ),
        "confirmation emails": await database["mail_outbox"].count_documents(
            {"template": "booking_confirmed"}
        ),
        "paid payments": await database["payments"].count_documents({"status": "paid"}),
    }
    for what, count in totals.items():
        checks.expect(
            count == answered, f"{count} {what} for {answered} deliveries answered `confirmed`"
        )
