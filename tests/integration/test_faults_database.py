"""The database stalls, slows down or drops connections: the app answers quickly and honestly,
writes all or nothing, and a webhook that failed half-way is applied once when retried.

The app reaches the database through a fault proxy; the test's own connection does not.
"""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from bson import ObjectId
from litestar import Litestar
from pymongo.asynchronous.database import AsyncDatabase

from carevia.app import create_app
from carevia.settings import Settings
from tests.support.accounts import Client, api_token, csrf_token
from tests.support.bookings import booking_form, submit_booking
from tests.support.fault_proxy import (
    ANSWER_WITHIN,
    RECOVER_WITHIN,
    FaultProxy,
    bson_command,
    through_proxy,
)
from tests.support.payment_flows import stored_booking
from tests.support.payments import held_booking, session_event

pytestmark = pytest.mark.usefixtures("seeded")
Database = AsyncDatabase[dict[str, Any]]


@pytest.fixture
def app(settings: Settings, fault_proxy: FaultProxy) -> Litestar:
    return create_app(through_proxy(settings, fault_proxy))


async def timed(client: Client, method: str, path: str, **kwargs: Any) -> tuple[Any, float]:
    started = time.monotonic()
    response = await client.request(method, path, follow_redirects=False, **kwargs)
    return response, time.monotonic() - started


async def recovery_time(client: Client, path: str = "/services") -> float:
    started = time.monotonic()
    while time.monotonic() - started < 3 * RECOVER_WITHIN:
        if (await client.get(path)).status_code == 200:
            return time.monotonic() - started
    raise AssertionError(f"{path} did not recover")


async def every_route_answers_in_time(
    client: Client, bearer: dict[str, str], token: str
) -> list[Any]:
    """Pages, a fragment, the JSON API and a form post, each answered in time."""
    requests: list[tuple[str, str, dict[str, Any]]] = [
        ("GET", "/services", {}),
        ("GET", "/services/infant-day-care/book", {}),
        ("GET", "/account/bookings?view=upcoming", {"headers": {"HX-Request": "true"}}),
        ("GET", "/api/v1/bookings", {"headers": bearer}),
        ("POST", "/bookings", {"data": {**booking_form(), "_csrf_token": token}}),
    ]
    responses = []
    for method, path, kwargs in requests:
        response, took = await timed(client, method, path, **kwargs)
        assert took < ANSWER_WITHIN, f"{method} {path} took {took:.1f} s"
        assert response.status_code < 500 or response.status_code == 503, response.text
        responses.append(response)
    return responses


@pytest.mark.usefixtures("signed_in_patient")
async def test_a_paused_database_gets_quick_503_pages_and_service_returns_when_it_clears(
    client: Client, fault_proxy: FaultProxy
) -> None:
    bearer = {"Authorization": f"Bearer {await api_token(client, 'amina@example.com')}"}
    token = await csrf_token(client, "/services/infant-day-care/book")
    fault_proxy.pause()

    answers = await every_route_answers_in_time(client, bearer, token)

    assert [a.status_code for a in answers] == [503] * len(answers)
    assert "We cannot reach our database right now" in answers[0].text
    assert answers[3].json()["error"]["code"] == "unavailable"
    fault_proxy.resume()
    assert await recovery_time(client) < RECOVER_WITHIN


@pytest.mark.usefixtures("signed_in_patient")
async def test_a_slow_database_still_answers_in_time_and_cut_connections_recover(
    client: Client, fault_proxy: FaultProxy
) -> None:
    bearer = {"Authorization": f"Bearer {await api_token(client, 'amina@example.com')}"}
    token = await csrf_token(client, "/services/infant-day-care/book")
    fault_proxy.latency = 0.25

    await every_route_answers_in_time(client, bearer, token)

    fault_proxy.latency = 0
    fault_proxy.cut()
    assert await recovery_time(client) < RECOVER_WITHIN


@pytest.mark.parametrize("cut_at", [b"slot_claims", b"commitTransaction"])
async def test_a_cut_during_booking_creation_leaves_the_whole_hold_or_nothing(
    client: Client,
    database: Database,
    fault_proxy: FaultProxy,
    signed_in_patient: ObjectId,
    cut_at: bytes,
) -> None:
    fault_proxy.cut_on(cut_at)

    response, took = await _book(client)

    assert fault_proxy.triggered.is_set()
    assert took < ANSWER_WITHIN
    assert response.status_code in (303, 503)
    bookings = await database["bookings"].find({"patient_id": signed_in_patient}).to_list()
    claims = await database["slot_claims"].find().to_list()
    if bookings:
        [booking] = bookings
        assert booking["status"] == "pending_payment"
        assert {c["booking_id"] for c in claims} == {booking["_id"]}
        assert len(claims) == 8  # four hours of half-hour slots
    else:
        assert claims == []


async def _book(client: Client) -> tuple[Any, float]:
    started = time.monotonic()
    response = await submit_booking(client)
    return response, time.monotonic() - started


async def test_a_stall_after_the_hold_is_written_tells_the_patient_where_the_hold_is(
    client: Client, database: Database, fault_proxy: FaultProxy, signed_in_patient: ObjectId
) -> None:
    # The hold commits, then the next write (its audit entry) stalls.
    fault_proxy.pause_on(b"booking.created")

    response, took = await _book(client)

    assert fault_proxy.triggered.is_set()
    assert (response.status_code, took < ANSWER_WITHIN) == (503, True)
    assert "may already be held for you" in response.text
    assert 'href="/account/bookings"' in response.text
    fault_proxy.resume()
    held = await database["bookings"].find_one({"patient_id": signed_in_patient})
    assert held is not None and held["status"] == "pending_payment"

    assert await recovery_time(client, "/account/bookings") < RECOVER_WITHIN
    page = (await client.get("/account/bookings")).text
    row = page[page.index(held["code"]) :]
    assert re.search(r"Held for you until <strong>\d{1,2}:\d\d [ap]m</strong>", row)
    assert f'action="/bookings/{held["code"]}/pay"' in row
    assert re.search(r"Pay ৳[\d,]+ now", row)


async def effects(database: Database, code: str) -> dict[str, int]:
    """What confirming a booking leaves behind; each must exist exactly once."""
    booking = await stored_booking(database, code)
    return {
        "history": sum(e["to_status"] == "confirmed" for e in booking["history"]),
        "audit": await database["audit_log"].count_documents(
            {"target_id": code, "action": {"$regex": "confirmed"}}
        ),
        "payments": await database["payments"].count_documents(
            {"booking_code": code, "status": "paid"}
        ),
        "mails": await database["mail_outbox"].count_documents(
            {"template": {"$regex": "confirmed"}}
        ),
    }


@pytest.mark.usefixtures("signed_in_patient")
@pytest.mark.parametrize(
    "stall_at",
    [bson_command("findAndModify", "payments"), bson_command("insert", "webhook_events")],
    ids=["inside-the-settlement", "after-the-settlement"],
)
async def test_a_webhook_whose_write_failed_is_applied_exactly_once_on_retry(
    client: Client, database: Database, fault_proxy: FaultProxy, stall_at: bytes
) -> None:
    code, session_id = await held_booking(client)
    payload, headers = await session_event(database, session_id)
    fault_proxy.pause_on(stall_at)

    started = time.monotonic()
    failed = await client.post("/webhooks/stripe", content=payload, headers=headers)
    took = time.monotonic() - started

    assert fault_proxy.triggered.is_set()
    assert (failed.status_code, took < ANSWER_WITHIN) == (503, True)
    # The stalled command dies with its connection, never reaching the server; delivering it
    # late would race the session kill below and could reopen the transaction it ends.
    fault_proxy.cut()
    fault_proxy.resume()
    # Stripe retries a minute or more later. By then the server has aborted the transaction
    # the stalled request left open (after 60 s of idling); end it now instead of waiting.
    await database.client.admin.command("killAllSessions", [])
    retried = await client.post("/webhooks/stripe", content=payload, headers=headers)
    again = await client.post("/webhooks/stripe", content=payload, headers=headers)

    assert retried.status_code == 200, retried.text
    assert again.json()["outcome"] == "duplicate"
    assert (await stored_booking(database, code))["status"] == "confirmed"
    assert await effects(database, code) == {"history": 1, "audit": 1, "payments": 1, "mails": 1}
