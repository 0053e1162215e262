from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import msgspec
from bson import ObjectId
from pymongo import ASCENDING, IndexModel, ReturnDocument
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

    async def after(self, cursor: int, limit: int = 100) -> list[Notification]:
        found = (
            self._notifications.find({"_id": {"$gt": cursor}}).sort("_id", ASCENDING).limit(limit)
        )
        return [from_document(document, Notification) async for document in found]
