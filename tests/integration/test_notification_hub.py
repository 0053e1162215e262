"""The per-process notification hub against the real database: fan-out, order, failures."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from bson import ObjectId
from pymongo.asynchronous.change_stream import AsyncChangeStream
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import AutoReconnect, OperationFailure

from carevia.domain.notifications import Notification, NotificationRepository
from carevia.domain.notifications.hub import NotificationHub, Subscription
from carevia.domain.notifications.scoping import Viewer
from carevia.domain.shared.documents import to_document
from tests.support.sse import add_notifications

Database = AsyncDatabase[dict[str, Any]]
ADMIN = Viewer(role="admin", user_id=ObjectId())


async def running(hub: NotificationHub) -> AsyncIterator[NotificationHub]:
    stop = asyncio.Event()
    task = asyncio.create_task(hub.run(stop))
    for _ in range(200):
        if hub.last_id is not None:
            break
        await asyncio.sleep(0.01)
    assert hub.last_id is not None, "the hub did not start"
    await asyncio.sleep(0.1)  # let the change stream open
    try:
        yield hub
    finally:
        stop.set()
        await asyncio.wait_for(task, 5)


@pytest.fixture
async def hub(database: Database) -> AsyncIterator[NotificationHub]:
    async for started in running(
        NotificationHub(NotificationRepository(database), queue_size=3, gap_grace=0.3)
    ):
        yield started


async def received(subscription: Subscription, count: int, within: float = 3) -> list[int]:
    return [(await asyncio.wait_for(anext(subscription), within)).id for _ in range(count)]


async def insert_raw(database: Database, notification_id: int) -> None:
    """A notification with a chosen id, as a writer whose commit was delayed would leave it."""
    notification = Notification(
        id=notification_id,
        event="booking.updated",
        booking_code="CV-RAW001",
        patient_id=None,
        caregiver_id=None,
        data={"code": "CV-RAW001"},
        dedupe_key=f"raw:{notification_id}",
        created_at=datetime.now(UTC),
    )
    await database["notifications"].insert_one(to_document(notification))


async def test_a_reader_that_falls_behind_is_dropped_while_others_keep_up(
    hub: NotificationHub, database: Database
) -> None:
    with hub.subscribe(ADMIN) as slow, hub.subscribe(ADMIN) as keeping_up:
        ids: list[int] = []
        for _ in range(5):
            ids += await add_notifications(database, 1)
            assert await received(keeping_up, 1) == ids[-1:]
        assert slow.closed
        assert await slow.get(within=0.1) is None
        assert [n async for n in slow] == []
        assert not keeping_up.closed and hub.subscriber_count == 1
    assert hub.subscriber_count == 0


async def test_each_subscriber_gets_only_what_its_viewer_may_see(
    hub: NotificationHub, database: Database
) -> None:
    caregiver, patient = ObjectId(), ObjectId()
    as_caregiver = hub.subscribe(Viewer(role="caregiver", user_id=caregiver))
    as_patient = hub.subscribe(Viewer(role="patient", user_id=patient))
    with as_caregiver, as_patient, hub.subscribe(ADMIN) as admin:
        await add_notifications(database, 1, caregiver_id=ObjectId(), patient_id=ObjectId())
        theirs = await add_notifications(database, 1, caregiver_id=caregiver, patient_id=patient)
        assert await received(admin, 2) == [theirs[0] - 1, *theirs]
        assert await received(as_caregiver, 1) == theirs
        assert await received(as_patient, 1) == theirs


async def test_ids_are_published_in_order_even_when_commits_are_not(
    hub: NotificationHub, database: Database
) -> None:
    start = hub.last_id or 0
    with hub.subscribe(ADMIN) as subscription:
        await insert_raw(database, start + 2)
        await asyncio.sleep(0.1)
        await insert_raw(database, start + 1)
        assert await received(subscription, 2) == [start + 1, start + 2]
        # An id that never commits holds the next one back only briefly ...
        await insert_raw(database, start + 4)
        assert await received(subscription, 1, within=2) == [start + 4]
        # ... and if it turns up later it is not sent out of order.
        await insert_raw(database, start + 3)
        counter = {"$set": {"value": start + 4}}
        await database["counters"].update_one({"_id": "notifications"}, counter, upsert=True)
        (following,) = await add_notifications(database, 1)
        assert await received(subscription, 1) == [following]


async def test_without_change_streams_the_hub_polls(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def refuse(*args: Any, **kwargs: Any) -> Any:
        raise OperationFailure("The $changeStream stage is only supported on replica sets", 40573)

    monkeypatch.setattr(AsyncCollection, "watch", refuse)
    async for hub in running(NotificationHub(NotificationRepository(database))):
        with hub.subscribe(ADMIN) as subscription:
            ids = await add_notifications(database, 3)
            assert await received(subscription, 3) == ids
        assert not hub.uses_change_stream


async def test_after_a_broken_watch_the_hub_resumes_from_the_last_id(
    hub: NotificationHub, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = AsyncChangeStream.try_next
    breaks = asyncio.Event()

    async def try_next(self: AsyncChangeStream[Any]) -> Any:
        if breaks.is_set():
            breaks.clear()
            await asyncio.sleep(0.2)  # what the writer below does meanwhile is missed
            raise AutoReconnect("connection reset by peer")
        return await original(self)

    monkeypatch.setattr(AsyncChangeStream, "try_next", try_next)
    with hub.subscribe(ADMIN) as subscription:
        before = await add_notifications(database, 1)
        assert await received(subscription, 1) == before
        breaks.set()
        await asyncio.sleep(0.05)
        during = await add_notifications(database, 2)
        assert await received(subscription, 2, within=5) == during


async def test_stopping_the_hub_ends_every_subscription(database: Database) -> None:
    hub = NotificationHub(NotificationRepository(database))
    stop = asyncio.Event()
    task = asyncio.create_task(hub.run(stop))
    subscription = hub.subscribe(ADMIN)
    reader = asyncio.create_task(anext(subscription, None))
    await asyncio.sleep(0.2)
    stop.set()
    await asyncio.wait_for(task, 5)
    assert await asyncio.wait_for(reader, 1) is None
    assert subscription.closed and hub.subscriber_count == 0


async def test_reconnects_are_replayed_from_memory_only_while_the_tail_covers_them(
    database: Database,
) -> None:
    async for hub in running(NotificationHub(NotificationRepository(database), tail_size=3)):
        caregiver = Viewer(role="caregiver", user_id=ObjectId())
        with hub.subscribe(ADMIN) as subscription:
            ids = await add_notifications(database, 4)
            ids += await add_notifications(database, 1, caregiver_id=caregiver.user_id)
            assert await received(subscription, 5) == ids
        last = hub.last_id or 0
        assert [n.id for n in hub.replay(ADMIN, ids[1], last) or []] == ids[2:]
        assert [n.id for n in hub.replay(caregiver, ids[1], last) or []] == ids[4:]
        assert hub.replay(ADMIN, ids[0], last) is None, "ids[1] left the tail: read the database"
        assert hub.replay(ADMIN, last, last) == []
