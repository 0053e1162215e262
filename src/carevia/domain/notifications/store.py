"""Notifications and their replay order.

A writer stores a notification inside its own transaction with no sequence number, so
writers in any number of processes never touch a shared document. Any process's hub then
numbers what was committed (`sequence`): one short transaction per batch takes the next
numbers from a single counter and stamps them. Numbers are therefore given in the order
the batches commit, so once number n is visible every number below it is visible too,
and replay by number has neither gaps nor repeats. Two hubs numbering at once conflict
on the counter; the loser's transaction is retried and finds nothing left to number.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import msgspec
from bson import ObjectId
from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument, UpdateOne
from pymongo.asynchronous.change_stream import AsyncChangeStream
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from carevia.domain.shared.documents import from_document

NOTIFICATIONS = "notifications"
COUNTERS = "counters"
UNNUMBERED = "unnumbered"  # set on insert, removed when the notification gets its number
SEQUENCE_BATCH = 200

INDEXES: Mapping[str, Sequence[IndexModel]] = {
    NOTIFICATIONS: [
        IndexModel([("dedupe_key", ASCENDING)], unique=True),
        # Two notifications never share a number; only numbered ones are indexed.
        IndexModel(
            [("seq", ASCENDING)], unique=True, partialFilterExpression={"seq": {"$exists": True}}
        ),
        IndexModel([(UNNUMBERED, ASCENDING)], partialFilterExpression={UNNUMBERED: True}),
        IndexModel([("caregiver_id", ASCENDING), ("seq", ASCENDING)]),
        IndexModel([("patient_id", ASCENDING), ("seq", ASCENDING)]),
    ]
}


class Notification(msgspec.Struct, frozen=True, kw_only=True):
    """One event for the live dashboard; `id` is its number, the SSE id, strictly increasing."""

    id: int = msgspec.field(name="seq")
    event: str  # booking.paid, booking.updated, booking.cancelled, payment.refunded, …
    booking_code: str | None
    patient_id: ObjectId | None
    caregiver_id: ObjectId | None
    data: dict[str, Any]
    dedupe_key: str
    created_at: datetime


class NotificationRepository:
    def __init__(self, database: AsyncDatabase[dict[str, Any]]) -> None:
        self._database = database
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
    ) -> ObjectId:
        """Store a notification, in the caller's transaction when `session` is given.

        It gets its number once committed (see `sequence`), so the key is returned.
        """
        key = ObjectId()
        document = {
            "_id": key,
            UNNUMBERED: True,
            "event": event,
            "booking_code": booking_code,
            "patient_id": patient_id,
            "caregiver_id": caregiver_id,
            "data": data,
            "dedupe_key": dedupe_key,
            "created_at": now,
        }
        await self._notifications.insert_one(document, session=session)
        return key

    async def sequence(self) -> int:
        """Number committed notifications that have none yet; how many were numbered."""
        if await self._notifications.find_one({UNNUMBERED: True}, {"_id": 1}) is None:
            return 0  # the common case, without a transaction

        async def number(session: AsyncClientSession) -> int:
            waiting = (
                await self._notifications.find({UNNUMBERED: True}, {"_id": 1}, session=session)
                .sort("_id", ASCENDING)
                .limit(SEQUENCE_BATCH)
                .to_list()
            )
            if not waiting:
                return 0
            counter = await self._counters.find_one_and_update(
                {"_id": NOTIFICATIONS},
                {"$inc": {"value": len(waiting)}},
                upsert=True,
                return_document=ReturnDocument.AFTER,
                session=session,
            )
            assert counter is not None, "an upsert always returns the document"
            first = int(counter["value"]) - len(waiting) + 1
            numbered = {"$unset": {UNNUMBERED: ""}}
            stamps = [
                UpdateOne({"_id": found["_id"]}, {"$set": {"seq": first + n}, **numbered})
                for n, found in enumerate(waiting)
            ]
            await self._notifications.bulk_write(stamps, ordered=True, session=session)
            return len(waiting)

        numbered = 0
        async with self._database.client.start_session() as session:
            while done := await session.with_transaction(number):
                numbered += done
        return numbered

    async def numbers_of(self, keys: Sequence[ObjectId]) -> list[int]:
        """The numbers given to these notifications, in the order of `keys`."""
        found = self._notifications.find({"_id": {"$in": list(keys)}}, {"seq": 1})
        numbers = {
            document["_id"]: document["seq"] async for document in found if "seq" in document
        }
        return [int(numbers[key]) for key in keys if key in numbers]

    async def after(
        self,
        cursor: int,
        limit: int = 100,
        *,
        where: Mapping[str, Any] | None = None,
        upto: int | None = None,
    ) -> list[Notification]:
        """Notifications numbered `cursor < id (<= upto)` matching `where`, oldest first."""
        numbers: dict[str, int] = {"$gt": cursor}
        if upto is not None:
            numbers["$lte"] = upto
        found = (
            self._notifications.find({**(where or {}), "seq": numbers})
            .sort("seq", ASCENDING)
            .limit(limit)
        )
        return [from_document(document, Notification) async for document in found]

    async def latest(self, limit: int) -> list[Notification]:
        """The `limit` highest-numbered notifications, oldest first."""
        found = (
            self._notifications.find({"seq": {"$exists": True}})
            .sort("seq", DESCENDING)
            .limit(limit)
        )
        newest_first = [from_document(document, Notification) async for document in found]
        return newest_first[::-1]

    async def watch_changes(self, max_await_ms: int) -> NotificationStream:
        """A change stream of inserts and numberings; OperationFailure where there is none."""
        stream = await self._notifications.watch(
            [{"$match": {"operationType": {"$in": ["insert", "update"]}}}],
            max_await_time_ms=max_await_ms,
            full_document="updateLookup",
        )
        return NotificationStream(stream)


class NotificationStream:
    """An open change stream: each change says whether it numbered a notification."""

    def __init__(self, stream: AsyncChangeStream[dict[str, Any]]) -> None:
        self._stream = stream

    async def next_change(self) -> Notification | bool | None:
        """A newly numbered notification; True for an unnumbered insert; None after a wait.

        False for any other change (a deleted document, an update that numbered nothing).
        """
        change = await self._stream.try_next()
        if change is None:
            return None
        document = change.get("fullDocument")
        if document is None:
            return False
        if change["operationType"] == "insert":
            if "seq" in document:  # written with its number already, as older versions did
                return from_document(document, Notification)
            return bool(document.get(UNNUMBERED))
        updated = change.get("updateDescription", {}).get("updatedFields", {})
        if "seq" not in updated:
            return False
        return from_document(document, Notification)

    async def __aenter__(self) -> NotificationStream:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self._stream.close()
