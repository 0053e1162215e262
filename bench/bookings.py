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
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as wall_time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from bson import ObjectId
from pymongo.asynchronous.database import AsyncDatabase

from carevia.db import connected_database
from carevia.domain.accounts import User, UserRepository
from carevia.domain.accounts.passwords import hash_password
from carevia.domain.bookings.schedule import local_start
from carevia.domain.caregivers import Caregiver, CaregiverRepository
from carevia.domain.catalogue.models import Category
from carevia.domain.payments.events import encode_event, session_object, sign, stripe_event
from carevia.embedded_db import EmbeddedDatabase, free_loopback_port
from carevia.settings import DEFAULT_WEBHOOK_SECRET, DatabaseSettings, Settings
from support import cpu_seconds, row, wait_until_ready

DATABASE_NAME = "carevia_bench_bookings"
TIMEZONE = "Asia/Dhaka"
PATIENT_PASSWORD = "quiet-harbour-evening-57"  # noqa: S105 - throwaway accounts in a throwaway database
# Held with caregiver "any": four verified caregivers offer baby care.
ANY_SERVICE = "infant-day-care"
# Held with one named caregiver, who does not offer baby care, so the two never share time.
NAMED_SERVICE = "elderly-companion-care"
NAMED_CAREGIVER = "abdul.karim@demo.carevia.example"
HOURS = 4  # every hold is 4 hours, on a grid of 4-hour windows, so distinct windows never overlap
WINDOW_STARTS = (0, 4, 8, 12, 16, 20)
WARM_ANY, WARM_NAMED = 3, 2  # holds made and paid before measuring
KEEPALIVE = 2.0  # seconds; below uvicorn's 5 s, so no request lands on a closing connection
CHECKOUT = re.compile(r"/dev/checkout/(cs_test_\w+)")
CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')


# ---- Results -----------------------------------------------------------------------------
@dataclass
class Sample:
    latency: float  # milliseconds
    outcome: str  # "303", "409", … for holds; the webhook's `outcome` for deliveries
    session_id: str | None = None


@dataclass
class Result:
    key: str
    name: str
    request: str
    clients: int
    expected: frozenset[str]
    throughput: bool = True
    samples: list[Sample] = field(default_factory=list)
    elapsed: float = 0.0

    def add(self, samples: list[Sample], elapsed: float) -> None:
        self.samples += samples
        self.elapsed += elapsed

    @property
    def latencies(self) -> list[float]:
        return [s.latency for s in self.samples]

    @property
    def errors(self) -> int:
        return sum(1 for s in self.samples if s.outcome not in self.expected)

    @property
    def rate(self) -> str:
        if not self.throughput or not self.elapsed:
            return "–"
        return f"{len(self.samples) / self.elapsed:.0f}"

    def percentile(self, p: int) -> float:
        """The median always; p95 from 20 samples and p99 from 100, otherwise NaN."""
        values = self.latencies
        if not values or (p == 95 and len(values) < 20) or (p == 99 and len(values) < 100):
            return float("nan")
        if p == 50:
            return statistics.median(values)
        return statistics.quantiles(values, n=100, method="inclusive")[p - 1]

    def answers(self) -> str:
        return answers_text(Counter(s.outcome for s in self.samples))


def answers_text(answers: Counter[str]) -> str:
    return ", ".join(f"{outcome} ×{n}" for outcome, n in answers.most_common())


def timed(began: float) -> float:
    return (time.perf_counter() - began) * 1000


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


# ---- Running the app ---------------------------------------------------------------------
def app_environment(database: EmbeddedDatabase, workdir: Path, base_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "APP_ENV": "development",
        "MONGODB_URI": database.uri,
        "MONGODB_DB": DATABASE_NAME,
        "CAREVIA_DATA_DIR": str(workdir),
        "PUBLIC_BASE_URL": base_url,
    }


@contextmanager
def running_app(workdir: Path) -> Iterator[tuple[str, str]]:
    """An embedded database with the demo data and `carevia serve`; yields (URL, database URI)."""
    database = EmbeddedDatabase(":memory:", log_file=workdir / "db.log")
    database.start()
    server: subprocess.Popen[bytes] | None = None
    try:
        port = free_loopback_port()
        base_url = f"http://127.0.0.1:{port}"
        environment = app_environment(database, workdir, base_url)
        seeded = subprocess.run(
            [sys.executable, "-m", "carevia", "seed"],
            cwd=workdir,
            env=environment,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if seeded.returncode != 0:
            sys.exit(f"carevia seed failed:\n{seeded.stdout}{seeded.stderr}")
        print(seeded.stdout.strip(), file=sys.stderr)
        log = workdir / "server.log"
        with open(log, "wb") as output:
            server = subprocess.Popen(
                [sys.executable, "-m", "carevia", "serve", "--port", str(port)],
                cwd=workdir,
                env=environment,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        wait_until_ready(base_url, server, log)
        yield base_url, database.uri
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
        database.stop()


# ---- People and slots --------------------------------------------------------------------
@dataclass
class Patient:
    email: str
    client: httpx.AsyncClient
    token: str = ""


async def add_patients(database: AsyncDatabase[dict[str, Any]], count: int) -> list[str]:
    """Verified patient accounts, inserted directly; they share one password hash."""
    password_hash = await hash_password(PATIENT_PASSWORD)
    users = UserRepository(database)
    now = datetime.now(UTC)
    emails = [f"patient{n:02d}@bench.carevia.example" for n in range(count)]
    for n, email in enumerate(emails):
        await users.add(
            User(
                id=ObjectId(),
                email=email,
                first_name="Bench",
                last_name=f"Patient {n:02d}",
                phone="+8801712345678",
                address="House 9, Road 3, Uttara",
                city="Dhaka",
                division="Dhaka",
                district="Gazipur",
                role="patient",
                password_hash=password_hash,
                email_verified_at=now,
                created_at=now,
                updated_at=now,
            )
        )
    return emails


async def log_in(base_url: str, email: str) -> Patient:
    limits = httpx.Limits(max_connections=4, keepalive_expiry=KEEPALIVE)
    client = httpx.AsyncClient(base_url=base_url, timeout=30, limits=limits)
    page = await client.get("/login")
    token = CSRF.search(page.text)
    assert token, "no CSRF field on /login"
    answer = await client.post(
        "/login",
        data={"email": email, "password": PATIENT_PASSWORD, "next": "", "_csrf_token": token[1]},
    )
    if answer.status_code >= 400:
        sys.exit(f"could not log in {email}: {answer.status_code}")
    form = await client.get(f"/services/{ANY_SERVICE}/book")
    token = CSRF.search(form.text)
    if form.status_code != 200 or token is None:
        sys.exit(f"{email} cannot open the booking form: {form.status_code}")
    return Patient(email, client, token[1])


def free_windows(
    caregivers: list[Caregiver], days: int, earliest: datetime
) -> list[tuple[date, wall_time]]:
    """4-hour windows, one per grid position, in which at least one caregiver works."""
    today = datetime.now(ZoneInfo(TIMEZONE)).date()
    windows = []
    for offset in range(1, days):
        day = today + timedelta(days=offset)
        for hour in WINDOW_STARTS:
            begins = local_start(day, wall_time(hour), TIMEZONE)
            if begins < earliest:
                continue
            if any(c.works_during(begins, begins + timedelta(hours=HOURS)) for c in caregivers):
                windows.append((day, wall_time(hour)))
    return windows


def booking_form(service: str, caregiver: str, window: tuple[date, wall_time]) -> dict[str, str]:
    day, start = window
    return {
        "service": service,
        "caregiver_id": caregiver,
        "date": day.isoformat(),
        "start_time": start.strftime("%H:%M"),
        "duration_type": "hours",
        "quantity": str(HOURS),
        "division": "Dhaka",
        "district": "Gazipur",
        "address": "House 9, Road 3, Uttara",
        "notes": "Benchmark booking",
        "payment_option": "full",
    }


async def hold(patient: Patient, form: dict[str, str]) -> Sample:
    began = time.perf_counter()
    try:
        response = await patient.client.post(
            "/bookings", data={**form, "_csrf_token": patient.token}
        )
    except httpx.HTTPError as error:
        return Sample(timed(began), type(error).__name__)
    latency = timed(began)
    if response.status_code != 303:
        return Sample(latency, str(response.status_code))
    session = CHECKOUT.search(response.headers.get("location", ""))
    return Sample(latency, "303" if session else "303 elsewhere", session[1] if session else None)


# ---- Webhook events ----------------------------------------------------------------------
@dataclass
class Event:
    code: str
    payload: bytes


async def completed_events(
    database: AsyncDatabase[dict[str, Any]], session_ids: list[str]
) -> list[Event]:
    """A signed-to-be `checkout.session.completed` event for each held booking, in order."""
    payments = {
        p["session_id"]: p
        async for p in database["payments"].find({"session_id": {"$in": session_ids}})
    }
    checkouts = {
        c["_id"]: c
        async for c in database["dev_checkout_sessions"].find({"_id": {"$in": session_ids}})
    }
    events = []
    for session_id in session_ids:
        payment, checkout = payments[session_id], checkouts[session_id]
        obj = session_object(
            id=session_id,
            amount_total=payment["amount"],
            currency=payment["currency"].lower(),
            status="complete",
            payment_status="paid",
            payment_intent=checkout["payment_intent"],
            client_reference_id=payment["booking_code"],
            metadata={
                "booking_code": payment["booking_code"],
                "kind": payment["kind"],
                "attempt": str(payment["attempt"]),
            },
            customer_email=None,
            expires_at=int(time.time()) + 1800,
            success_url="http://127.0.0.1/checkout/success",
            cancel_url=None,
            url=None,
        )
        events.append(
            Event(
                payment["booking_code"],
                encode_event(stripe_event("checkout.session.completed", obj)),
            )
        )
    return events


def signed(event: Event) -> dict[str, str]:
    return {
        "Stripe-Signature": sign(event.payload, DEFAULT_WEBHOOK_SECRET),
        "Content-Type": "application/json",
    }


async def deliver(client: httpx.AsyncClient, event: Event) -> Sample:
    headers = signed(event)  # signed as it is sent, as Stripe does for each delivery
    began = time.perf_counter()
    try:
        response = await client.post("/webhooks/stripe", content=event.payload, headers=headers)
    except httpx.HTTPError as error:
        return Sample(timed(began), type(error).__name__)
    latency = timed(began)
    if response.status_code != 200:
        return Sample(latency, str(response.status_code))
    return Sample(latency, str(response.json().get("outcome")))


# ---- The scenarios -----------------------------------------------------------------------
HELD, REFUSED = frozenset({"303"}), frozenset({"409"})
CONFIRMED, REPEATS = frozenset({"confirmed"}), frozenset({"already", "duplicate"})


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


@dataclass
class Checks:
    lines: list[str] = field(default_factory=list)
    failed: bool = False

    def expect(self, ok: bool, text: str) -> None:
        self.lines.append(f"- {'ok' if ok else 'FAILED'}: {text}")
        self.failed |= not ok


STARTED = time.perf_counter()


def progress(text: str) -> None:
    print(f"  {time.perf_counter() - STARTED:5.1f} s  {text}", file=sys.stderr)


def take(items: list[Any], count: int, what: str) -> list[Any]:
    if len(items) < count:
        sys.exit(f"not enough {what}: need {count}, have {len(items)}")
    taken = items[:count]
    del items[:count]
    return taken


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
        samples, elapsed = await burst([slot] * args.burst, named_call)
        results["contended"].add(samples, elapsed)
        results["winner"].add([s for s in samples if s.outcome == "303"], 0)
        results["refusals"].add([s for s in samples if s.outcome != "303"], 0)
        answers = Counter(s.outcome for s in samples)
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
        results["first 1"].add(*await pool(batch, 1, send, args.budget / args.rounds))
        results["again 1"].add(*await pool(batch, 1, send, args.budget / args.rounds))
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
        samples, elapsed = await burst([event] * args.deliveries, send)
        results["one event"].add(samples, elapsed)
        results["confirming"].add([s for s in samples if s.outcome == "confirmed"], 0)
        results["duplicates"].add([s for s in samples if s.outcome != "confirmed"], 0)
        answers = Counter(s.outcome for s in samples)
        checks.expect(
            answers["confirmed"] == 1 and sum(answers.values()) == answers.total(),
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


# ---- Reporting ---------------------------------------------------------------------------


def ms(value: float) -> str:
    return "–" if value != value else f"{value:.1f}"  # NaN: too few samples


# (numerator, denominator, compare requests per second too): all measured in the same run.
RATIOS = [
    ("contended", "hold burst", True),
    ("refusals", "winner", False),
    ("hold N", "hold 1", True),
    ("again 1", "first 1", True),
    ("duplicates", "confirming", False),
    ("first N", "first 1", True),
    ("first 1", "hold 1", True),
    ("first N", "hold N", True),
]


def label(r: Result) -> str:
    name = r.name.removeprefix("↳ ")
    return f"{name}, {r.clients} client{'s' if r.clients > 1 else ''}"


def markdown(results: dict[str, Result], checks: Checks) -> str:
    header = ["Scenario", "Request", "Clients", "Requests", "Errors", "Req/s"]
    header += ["p50 ms", "p95 ms", "p99 ms", "Answers"]
    lines = [row(*header), "|---|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in results.values():
        cells: list[object] = [r.name, r.request, r.clients, len(r.samples), r.errors, r.rate]
        lines.append(row(*cells, *(ms(r.percentile(p)) for p in (50, 95, 99)), r.answers()))
    lines += ["", row("Ratio (numerator / denominator)", "p50 latency", "Req/s")]
    lines.append("|---|---:|---:|")
    for numerator, denominator, rates in RATIOS:
        a, b = results[numerator], results[denominator]
        latency = f"{a.percentile(50) / b.percentile(50):.2f}×"
        rate = "–"
        if rates and a.elapsed and b.elapsed:
            rate = f"{(len(a.samples) / a.elapsed) / (len(b.samples) / b.elapsed):.2f}×"
        lines.append(row(f"{label(a)} / {label(b)}", latency, rate))
    lines += ["", "Checks:", "", *checks.lines]
    return "\n".join(lines)


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
        running_app(Path(tmp)) as (url, uri),
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
