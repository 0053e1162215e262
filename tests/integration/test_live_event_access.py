"""Who may open a live stream and what each reader sees: tickets, roles, the JSON feed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from bson import ObjectId
from pymongo.asynchronous.database import AsyncDatabase

from carevia.controllers import events
from carevia.domain.notifications.tickets import EventTickets
from carevia.settings import Settings
from tests.support.accounts import UserFactory
from tests.support.sse import (
    add_notifications,
    api_client,
    open_stream,
    signed_in,
    ticket_url,
)

Database = AsyncDatabase[dict[str, Any]]


@pytest.fixture
async def browser(served_app: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=served_app, timeout=30) as client:
        yield client


def assert_unauthorized(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    assert response.json()["error"]["code"] == "unauthorized"


async def test_a_ticket_opens_exactly_one_stream(
    served_app: str, browser: httpx.AsyncClient, make_user: UserFactory
) -> None:
    admin = await make_user("ops@example.com", role="admin")
    async with api_client(served_app, admin) as staff:
        url = await ticket_url(staff)
        async with open_stream(browser, url):
            pass
        assert_unauthorized(await browser.get(url))
        # Two tabs racing with one ticket: one stream, one refusal.
        racing = await ticket_url(staff)
        requests = [browser.build_request("GET", racing) for _ in range(2)]
        responses = await asyncio.gather(*(browser.send(r, stream=True) for r in requests))
        for response in responses:
            await response.aclose()
    assert sorted(r.status_code for r in responses) == [200, 401]


async def test_expired_forged_and_missing_tickets_are_refused(
    browser: httpx.AsyncClient, database: Database, make_user: UserFactory, settings: Settings
) -> None:
    admin = await make_user("ops@example.com", role="admin")
    an_hour_ago = datetime.now(UTC) - timedelta(hours=1)
    stale = await EventTickets(database, settings.secret_key, lambda: an_hour_ago).issue(admin)
    forged = await EventTickets(database, "another-secret-" * 3).issue(admin)
    for url in [
        f"/dashboard/events?ticket={stale}",
        f"/dashboard/events?ticket={forged}",
        "/dashboard/events?ticket=never-issued",
        "/dashboard/events?ticket=%E0%A7%AF.%E0%A7%AF",  # "৯.৯": not ASCII
        "/dashboard/events",
    ]:
        assert_unauthorized(await browser.get(url))


async def test_a_ticket_dies_with_its_account(
    served_app: str, browser: httpx.AsyncClient, database: Database, make_user: UserFactory
) -> None:
    caregiver = await make_user("shirin@example.com", role="caregiver")
    async with api_client(served_app, caregiver) as staff:
        url = await ticket_url(staff)
    await database["users"].update_one({"_id": caregiver.id}, {"$set": {"is_active": False}})
    assert_unauthorized(await browser.get(url))


async def test_an_open_stream_ends_when_its_reader_loses_access(
    served_app: str,
    browser: httpx.AsyncClient,
    database: Database,
    make_user: UserFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(events, "RECHECK_SECONDS", 0.2)
    caregiver = await make_user("shirin@example.com", role="caregiver")
    async with (
        api_client(served_app, caregiver) as staff,
        open_stream(browser, await ticket_url(staff)) as stream,
    ):
        promoted = {"$set": {"role": "admin"}, "$inc": {"token_version": 1}}
        await database["users"].update_one({"_id": caregiver.id}, promoted)
        with pytest.raises(EOFError):
            await stream.next_event(within=3)


async def test_only_staff_with_a_bearer_token_get_tickets(
    served_app: str, browser: httpx.AsyncClient, make_user: UserFactory
) -> None:
    patient = await make_user("amina@example.com")
    async with api_client(served_app, patient) as api:
        refused = await api.post("/api/v1/events/ticket")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden"
    assert (await browser.post("/api/v1/events/ticket")).status_code == 401
    admin = await make_user("ops@example.com", role="admin")
    async with signed_in(served_app, admin) as session:
        # The cookie alone may read the API but not create a ticket.
        assert (await session.post("/api/v1/events/ticket")).status_code == 403


async def test_a_caregiver_stream_never_carries_another_caregivers_booking(
    served_app: str, browser: httpx.AsyncClient, database: Database, make_user: UserFactory
) -> None:
    shirin = await make_user("shirin@example.com", role="caregiver")
    other = await make_user("nasrin@example.com", role="caregiver")
    mine = await add_notifications(database, 2, caregiver_id=shirin.id)
    await add_notifications(database, 2, caregiver_id=other.id)
    await add_notifications(database, 1)  # not yet assigned to anyone
    async with (
        api_client(served_app, shirin) as staff,
        open_stream(browser, await ticket_url(staff), {"Last-Event-ID": "0"}) as stream,
    ):
        assert [int(m.id or 0) for m in await stream.events(2)] == mine
        await add_notifications(database, 2, caregiver_id=other.id)
        (live,) = await add_notifications(database, 1, caregiver_id=shirin.id)
        assert [int(m.id or 0) for m in await stream.nothing_more(within=1.5)] == [live]


async def test_a_patient_account_stream_carries_only_their_own_bookings(
    served_app: str, browser: httpx.AsyncClient, database: Database, make_user: UserFactory
) -> None:
    amina = await make_user("amina@example.com")
    karim = await make_user("karim@example.com", first_name="Karim")
    assert_unauthorized(await browser.get("/account/events"))
    own = await add_notifications(database, 1, patient_id=amina.id, caregiver_id=ObjectId())
    await add_notifications(database, 2, patient_id=karim.id)
    async with (
        signed_in(served_app, amina) as session,
        open_stream(session, "/account/events", {"Last-Event-ID": "0"}) as stream,
    ):
        assert [int(m.id or 0) for m in await stream.events(1)] == own
        await add_notifications(database, 1, patient_id=karim.id)
        (live,) = await add_notifications(database, 1, patient_id=amina.id)
        assert [int(m.id or 0) for m in await stream.nothing_more(within=1.5)] == [live]


async def test_the_notifications_feed_is_role_scoped_and_paged(
    served_app: str, database: Database, make_user: UserFactory
) -> None:
    admin = await make_user("ops@example.com", role="admin")
    shirin = await make_user("shirin@example.com", role="caregiver")
    amina = await make_user("amina@example.com")
    everything = [
        *await add_notifications(database, 3, caregiver_id=shirin.id, patient_id=amina.id),
        *await add_notifications(database, 2, caregiver_id=ObjectId(), patient_id=ObjectId()),
    ]

    async def ids(client: httpx.AsyncClient, query: str) -> list[int]:
        response = await client.get(f"/api/v1/notifications{query}")
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()]

    async with api_client(served_app, admin) as api:
        assert await ids(api, "") == everything
        assert await ids(api, f"?after={everything[1]}&limit=2") == everything[2:4]
        assert (await api.get("/api/v1/notifications?limit=101")).status_code == 400
    async with api_client(served_app, shirin) as api:
        assert await ids(api, "?after=0") == everything[:3]
    async with signed_in(served_app, amina) as session:
        assert await ids(session, f"?after={everything[0]}") == everything[1:3]
