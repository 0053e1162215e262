from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import msgspec
from bson import ObjectId
from pymongo import ASCENDING, IndexModel, ReturnDocument
from pymongo.asynchronous.change_stream import AsyncChangeStream
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from carevia.domain.shared.documents import from_document, to_document

NOTIFICATIONS = "notifications"
COUNTERS = "counters"

INDEXES: Mapping[str, Sequence[IndexModel]] = {
    NOTIFICATIONS: [
        IndexModel([("dedupe_key", ASCENDING)], unique=True),
        IndexModel([("caregiver_id", ASCENDING), ("_id", ASCENDING)]),
        IndexModel([("patient_id", ASCENDING), ("_id", ASCENDING)]),
    ]
}


class Notification(msgspec.Struct, frozen=True, kw_only=True):
    """One event for the live dashboard; `id` increases monotonically, as SSE ids must."""

    id: int = msgspec.field(name="_id")
    event: str  # booking.paid, booking.updated, booking.cancelled, payment.refunded, …
    booking_code: str | None
    patient_id: ObjectId | None
    caregiver_id: ObjectId | None
    data: dict[str, Any]
    dedupe_key: str
    created_at: datetime


class NotificationRepository:
    def __init__(self, database: AsyncDatabase[dict[str, Any]]) -> None:
        self._notifications = database[NOTIFICATIONS]
        self._counters = database[COUNTERS]

    async def add(
        self,
        event: str,
        *,
        dedupe_key: str,
        data: dict[str, Any],
        now: datetime,
        booking_code: str | None = None,
        patient_id: ObjectId | None = None,
        caregiver_id: ObjectId | None = None,
        session: AsyncClientSession | None = None,
    ) -> Notification:
        """Store a notification, in the caller's transaction when `session` is given."""
        counter = await self._counters.find_one_and_update(
            {"_id": NOTIFICATIONS},
            {"$inc": {"value": 1}},
            upsert=True,
            return_document=ReturnDocument.AFTER,
            session=session,
        )
        assert counter is not None, "an upsert always returns the document"
        notification = Notification(
            id=int(counter["value"]),
            event=event,
            booking_code=booking_code,
            patient_id=patient_id,
            caregiver_id=caregiver_id,
            data=data,
            dedupe_key=dedupe_key,
            created_at=now,
        )
        await self._notifications.insert_one(to_document(notification), session=session)
        return notification

    async def after(
        self,
        cursor: int,
        limit: int = 100,
        *,
        where: Mapping[str, Any] | None = None,
        upto: int | None = None,
    ) -> list[Notification]:
        """Notifications with `cursor < id (<= upto)` matching `where`, oldest first."""
        ids: dict[str, int] = {"$gt": cursor}
        if upto is not None:
            ids["$lte"] = upto
        found = (
            self._notifications.find({**(where or {}), "_id": ids})
            .sort("_id", ASCENDING)
            .limit(limit)
        )
        return [from_document(document, Notification) async for document in found]

    async def latest_id(self) -> int:
        """The highest id stored so far, 0 for none."""
        latest = await self._notifications.find_one({}, {"_id": 1}, sort=[("_id", -1)])
        return int(latest["_id"]) if latest is not None else 0

    async def watch_inserts(self, max_await_ms: int) -> NotificationStream:
        """A change stream of new notifications; raises OperationFailure where there is none."""
        stream = await self._notifications.watch(
            [{"$match": {"operationType": "insert"}}], max_await_time_ms=max_await_ms
        )
        return NotificationStream(stream)


class NotificationStream:
    """An open change stream that yields each inserted notification, or None after a wait."""

    def __init__(self, stream: AsyncChangeStream[dict[str, Any]]) -> None:
        self._stream = stream

    async def next_insert(self) -> Notification | None:
        change = await self._stream.try_next()
        return None if change is None else from_document(change["fullDocument"], Notification)

    async def __aenter__(self) -> NotificationStream:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self._stream.close()
