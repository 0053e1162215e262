"""The live event stream over real HTTP: across app instances, replay, heartbeats, privacy."""

from __future__ import annotations

import json
import re
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from pymongo.asynchronous.database import AsyncDatabase
from sse_starlette.sse import AppStatus

from carevia.controllers import events
from carevia.domain.accounts import User
from carevia.domain.notifications import NotificationRepository
from carevia.domain.notifications.hub import NotificationHub
from carevia.settings import Settings
from tests.support.accounts import DEFAULT_PASSWORD, UserFactory
from tests.support.bookings import CaregiverFactory, booking_form
from tests.support.payments import session_event
from tests.support.served_app import app_on_a_free_port
from tests.support.sse import EventStream, add_notifications, bearer, open_stream, ticket_url

Database = AsyncDatabase[dict[str, Any]]
PATIENT = {
    "email": "amina@example.com",
    "first_name": "Amina",
    "last_name": "Rahman",
    "phone": "+8801712345678",
    "address": "House 12, Road 5",
}


@pytest.fixture
def second_app(settings: Settings) -> Iterator[str]:
    """Another instance of the app on its own port, sharing the test's database."""
    with app_on_a_free_port(settings) as base_url:
        yield base_url


@pytest.fixture
async def admin(make_user: UserFactory) -> User:
    return await make_user("ops@example.com", role="admin", first_name="Ops", last_name="Lead")


@pytest.fixture
async def staff(served_app: str, admin: User) -> AsyncIterator[httpx.AsyncClient]:
    """An admin's API client on the served app."""
    async with httpx.AsyncClient(base_url=served_app, timeout=30) as client:
        client.headers["Authorization"] = f"Bearer {await bearer(client, admin.email)}"
        yield client


@pytest.fixture
async def browser(served_app: str) -> AsyncIterator[httpx.AsyncClient]:
    """Like `EventSource`: no Authorization header, only the URL."""
    async with httpx.AsyncClient(base_url=served_app, timeout=30) as client:
        yield client


async def book_as_patient(base_url: str) -> tuple[httpx.AsyncClient, str, str]:
    """A signed-in patient who holds a booking; returns the client, Checkout session and code."""
    client = httpx.AsyncClient(base_url=base_url, timeout=30)
    login = await client.get("/login")
    token = re.search(r'name="_csrf_token" value="([^"]+)"', login.text)
    assert token
    form = {"email": PATIENT["email"], "password": DEFAULT_PASSWORD, "_csrf_token": token[1]}
    await client.post("/login", data=form)
    held = await client.post("/bookings", data={**booking_form(), "_csrf_token": token[1]})
    session = re.search(r"/dev/checkout/(cs_test_\w+)", held.headers["location"])
    assert session, held.text
    page = await client.get(f"/dev/checkout/{session[1]}")
    code = re.search(r"\((CV-[A-Z0-9]{6})\)", page.text)
    assert code
    return client, session[1], code[1]


async def event_named(stream: EventStream, name: str, within: float) -> tuple[Any, list[str]]:
    """Read until the event `name`; returns its payload and the JSON of every event read."""
    seen: list[str] = []
    deadline = time.monotonic() + within
    while True:
        message = await stream.next_event(max(deadline - time.monotonic(), 0.001))
        seen.append(message.data)
        if message.event == name:
            return message.payload, seen


@pytest.mark.usefixtures("seeded")
async def test_a_payment_on_one_instance_reaches_a_stream_on_another_within_two_seconds(
    served_app: str,
    second_app: str,
    database: Database,
    make_user: UserFactory,
    make_caregiver: CaregiverFactory,
    admin: User,
) -> None:
    await make_caregiver("shirin@example.com")
    await make_user(PATIENT["email"])
    patient, session_id, code = await book_as_patient(served_app)
    async with httpx.AsyncClient(base_url=second_app, timeout=30) as other:
        other.headers["Authorization"] = f"Bearer {await bearer(other, admin.email)}"
        url = await ticket_url(other)
        browser = httpx.AsyncClient(base_url=second_app, timeout=30)
        async with browser, open_stream(browser, url) as stream:
            payload, headers = await session_event(database, session_id)
            posted_at = time.monotonic()
            paid = await patient.post("/webhooks/stripe", content=payload, headers=headers)
            assert paid.status_code == 200, paid.text
            event, seen = await event_named(stream, "booking.paid", within=2)
            assert time.monotonic() - posted_at < 2
    await patient.aclose()
    assert event["code"] == code
    assert event["status"] == "confirmed"
    # Nothing the stream carried identifies the patient.
    booking = await database["bookings"].find_one({"code": code})
    assert booking is not None
    text = " ".join(seen)
    for personal in [*PATIENT.values(), booking_form()["address"], booking_form()["notes"]]:
        assert personal not in text, f"{personal!r} leaked into the stream"


@pytest.mark.parametrize("tail", ["in memory", "only in the database"])
async def test_last_event_id_replays_exactly_what_was_missed_then_continues_live(
    staff: httpx.AsyncClient,
    browser: httpx.AsyncClient,
    database: Database,
    tail: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if tail == "only in the database":  # as after more than the hub's tail was missed
        monkeypatch.setattr(NotificationHub, "replay", lambda hub, *args: None)
    ids = await add_notifications(database, 105)  # more than one page of the replay
    headers = {"Last-Event-ID": str(ids[1])}
    async with open_stream(browser, await ticket_url(staff), headers=headers) as stream:
        replayed = await stream.events(103)
        assert [int(m.id or 0) for m in replayed] == ids[2:]
        assert [m.payload["id"] for m in replayed] == ids[2:]
        assert await stream.nothing_more() == []
        (live_id,) = await add_notifications(database, 1)
        live = await stream.next_event(within=3)
        assert (int(live.id or 0), live.event) == (live_id, "booking.updated")
        assert await stream.nothing_more() == []


async def test_the_query_cursor_serves_a_reconnect_with_a_fresh_ticket(
    staff: httpx.AsyncClient, browser: httpx.AsyncClient, database: Database
) -> None:
    """A dashboard that needs a new ticket passes the last id it saw as `last_event_id`."""
    ids = await add_notifications(database, 4)
    url = f"{await ticket_url(staff)}&last_event_id={ids[2]}"
    async with open_stream(browser, url, headers={"Last-Event-ID": "not-a-number"}) as stream:
        (replayed,) = await stream.events(1)
        assert int(replayed.id or 0) == ids[3]
        assert await stream.nothing_more() == []


async def test_without_a_cursor_the_stream_starts_with_new_events_only(
    staff: httpx.AsyncClient, browser: httpx.AsyncClient, database: Database
) -> None:
    await add_notifications(database, 3)
    async with open_stream(browser, await ticket_url(staff)) as stream:
        assert await stream.nothing_more() == []
        ids = await add_notifications(database, 2)
        assert [int(m.id or 0) for m in await stream.events(2)] == ids


async def test_a_quiet_stream_sends_heartbeat_comments(
    staff: httpx.AsyncClient, browser: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(events, "PING_SECONDS", 0.2)
    async with open_stream(browser, await ticket_url(staff)) as stream:
        started = time.monotonic()
        beat = await stream.next_block(within=2)
        assert beat.comments == ["ping"] and beat.event is None
        assert time.monotonic() - started < 1.5
        assert (await stream.next_block(within=2)).comments == ["ping"]


async def test_a_server_shutdown_finishes_open_streams_cleanly(
    staff: httpx.AsyncClient, browser: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with open_stream(browser, await ticket_url(staff)) as stream:
        monkeypatch.setattr(AppStatus, "should_exit", True)  # what SIGTERM sets under uvicorn
        with pytest.raises(EOFError):
            await stream.next_event(within=3)
        assert stream.error is None, "the response was cut off instead of finished"


async def test_personal_fields_in_a_notification_never_leave_the_server(
    staff: httpx.AsyncClient, browser: httpx.AsyncClient, database: Database
) -> None:
    async with open_stream(browser, await ticket_url(staff)) as stream:
        await NotificationRepository(database).add(
            "message.created",
            dedupe_key="test:personal",
            data={
                "code": "CV-ABC123",
                "email": PATIENT["email"],
                "patient_name": "Amina Rahman",
                "phone": PATIENT["phone"],
                "address": PATIENT["address"],
                "preview_length": 12,
            },
            now=datetime.now(UTC),
            booking_code="CV-ABC123",
        )
        message = await stream.next_event(within=3)
    assert message.event == "message.created"
    assert json.loads(message.data) == {
        "id": int(message.id or 0),
        "event": "message.created",
        "code": "CV-ABC123",
        "created_at": message.payload["created_at"],
        "preview_length": 12,
    }
