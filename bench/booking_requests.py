"""What the bookings benchmark sends: patients holding slots through the booking form, and
Stripe confirming those holds with signed webhook events. Each request answers with a Sample."""

from __future__ import annotations

import re
import sys
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as wall_time
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from bson import ObjectId
from pymongo.asynchronous.database import AsyncDatabase

from carevia.devtools.local_checkout import LocalCheckout
from carevia.domain.accounts import User, UserRepository
from carevia.domain.accounts.passwords import hash_password
from carevia.domain.bookings.schedule import local_start
from carevia.domain.caregivers import Caregiver
from carevia.domain.payments.events import encode_event, sign, stripe_event
from carevia.domain.shared.documents import from_document
from carevia.settings import DEFAULT_WEBHOOK_SECRET

TIMEZONE = "Asia/Dhaka"
PATIENT_PASSWORD = "quiet-harbour-evening-57"  # noqa: S105 - throwaway accounts in a throwaway database
# Held with caregiver "any": four verified caregivers offer baby care.
ANY_SERVICE = "infant-day-care"
# Held with one named caregiver, who does not offer baby care, so the two never share time.
NAMED_SERVICE = "elderly-companion-care"
NAMED_CAREGIVER = "abdul.karim@demo.carevia.example"
HOURS = 4  # every hold is 4 hours, on a grid of 4-hour windows, so distinct windows never overlap
WINDOW_STARTS = (0, 4, 8, 12, 16, 20)
KEEPALIVE = 2.0  # seconds; below uvicorn's 5 s, so no request lands on a closing connection
CHECKOUT = re.compile(r"/dev/checkout/(cs_test_\w+)")
CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')


@dataclass
class Sample:
    latency: float  # milliseconds
    outcome: str  # "303", "409", … for holds; the webhook's `outcome` for deliveries
    session_id: str | None = None


def timed(began: float) -> float:
    return (time.perf_counter() - began) * 1000


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
    checkouts = {
        c["_id"]: from_document(c, LocalCheckout)
        async for c in database["dev_checkout_sessions"].find({"_id": {"$in": session_ids}})
    }
    events = []
    for session_id in session_ids:
        paid = checkouts[session_id].as_paid()
        payload = encode_event(stripe_event("checkout.session.completed", paid.stripe_object()))
        events.append(Event(paid.client_reference_id, payload))
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
