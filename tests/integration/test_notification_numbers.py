"""Notification numbers with many writers and two app instances on one database.

Writers share no document, so their transactions never conflict; the hubs number what was
committed, and a reader replaying from any number gets every later one exactly once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from bson import ObjectId
from pymongo import AsyncMongoClient
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from carevia.domain.accounts import User
from carevia.domain.notifications import NotificationRepository
from carevia.domain.shared.transactions import in_transaction
from carevia.settings import Settings
from tests.support.accounts import UserFactory
from tests.support.served_app import app_on_a_free_port
from tests.support.sse import api_client, open_stream, ticket_url

Database = AsyncDatabase[dict[str, Any]]
WRITERS = 3
EACH = 12


async def add_in_transaction(
    database: Database, tag: str, linger: float = 0
) -> tuple[list[str], ObjectId]:
    """One notification in a transaction that stays open `linger` s; the attempts it took."""
    attempts: list[str] = []
    repository = NotificationRepository(database)

    async def work(session: AsyncClientSession) -> ObjectId:
        attempts.append(tag)
        key = await repository.add(
            "booking.updated",
            dedupe_key=f"test:{tag}",
            data={"code": "CV-NUM001"},
            now=datetime.now(UTC),
            booking_code="CV-NUM001",
            session=session,
        )
        await asyncio.sleep(linger)
        return key

    return attempts, await in_transaction(database, work)


async def test_writers_in_concurrent_transactions_never_conflict(database: Database) -> None:
    done = await asyncio.gather(
        add_in_transaction(database, "first", linger=0.05),
        add_in_transaction(database, "second", linger=0.05),
    )

    assert [attempts for attempts, _ in done] == [["first"], ["second"]]


@pytest.fixture
async def admin(make_user: UserFactory) -> User:
    return await make_user("ops@example.com", role="admin")


@pytest.fixture
def two_instances(settings: Settings) -> Iterator[tuple[str, str]]:
    with app_on_a_free_port(settings) as first, app_on_a_free_port(settings) as second:
        yield first, second


async def write_from_another_process(settings: Settings, tag: str) -> None:
    """A writer with its own client, as another app process would be."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(settings.database.uri)
    try:
        for number in range(EACH):
            await add_in_transaction(client[settings.database.name], f"{tag}-{number}")
    finally:
        await client.close()


async def test_two_instances_deliver_and_replay_every_number_once_without_gaps(
    two_instances: tuple[str, str], admin: User, database: Database, settings: Settings
) -> None:
    first, second = two_instances
    async with (
        api_client(first, admin) as on_first,
        api_client(second, admin) as on_second,
        httpx.AsyncClient(base_url=first, timeout=30) as browser_first,
        httpx.AsyncClient(base_url=second, timeout=30) as browser_second,
        open_stream(browser_first, await ticket_url(on_first)) as stream_first,
        open_stream(browser_second, await ticket_url(on_second)) as stream_second,
    ):
        await asyncio.gather(
            *(write_from_another_process(settings, f"writer{n}") for n in range(WRITERS))
        )
        total = WRITERS * EACH
        seen_first = [int(m.id or 0) for m in await stream_first.events(total)]
        seen_second = [int(m.id or 0) for m in await stream_second.events(total)]
        assert seen_first == seen_second
        assert seen_first == list(range(seen_first[0], seen_first[0] + total))
        assert await stream_first.nothing_more() == []

        # A reader that dropped halfway reconnects to the other instance.
        halfway = seen_first[total // 2]
        resume = {"Last-Event-ID": str(halfway)}
        async with open_stream(browser_second, await ticket_url(on_second), resume) as again:
            replayed = [int(m.id or 0) for m in await again.events(total - total // 2 - 1)]
            assert replayed == seen_first[total // 2 + 1 :]
            assert await again.nothing_more() == []
    stored = await database["notifications"].distinct("seq")
    assert sorted(stored) == seen_first
