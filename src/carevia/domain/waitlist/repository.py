"""The waitlist: entries in line order, and the conditional writes that move them on."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from bson import ObjectId
from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from carevia.domain.bookings.models import Booking
from carevia.domain.shared.documents import from_document, to_document
from carevia.domain.waitlist.models import OPEN_STATUSES, EntryStatus, WaitlistEntry

WAITLIST = "waitlist"

INDEXES: Mapping[str, Sequence[IndexModel]] = {
    WAITLIST: [
        # The line: waiting entries with time to look at again, first come first.
        IndexModel([("status", ASCENDING), ("recheck_at", ASCENDING), ("joined_at", ASCENDING)]),
        # Freed time finds the waiting entries it overlaps.
        IndexModel([("status", ASCENDING), ("starts_at", ASCENDING)]),
        IndexModel([("patient_id", ASCENDING), ("joined_at", DESCENDING)]),
        IndexModel([("offer_booking_id", ASCENDING)], sparse=True),
        IndexModel([("joined_at", DESCENDING)]),
    ]
}


class WaitlistRepository:
    def __init__(self, database: AsyncDatabase[dict[str, Any]]) -> None:
        self._entries = database[WAITLIST]

    async def add(self, entry: WaitlistEntry) -> None:
        await self._entries.insert_one(to_document(entry))

    async def get(self, entry_id: ObjectId) -> WaitlistEntry | None:
        document = await self._entries.find_one({"_id": entry_id})
        return None if document is None else from_document(document, WaitlistEntry)

    async def for_patient(self, patient_id: ObjectId, limit: int = 50) -> list[WaitlistEntry]:
        cursor = self._entries.find({"patient_id": patient_id}).sort("joined_at", DESCENDING)
        return [from_document(doc, WaitlistEntry) async for doc in cursor.limit(limit)]

    async def open_offers(self, patient_id: ObjectId) -> list[WaitlistEntry]:
        cursor = self._entries.find({"patient_id": patient_id, "status": "offered"})
        return [from_document(doc, WaitlistEntry) async for doc in cursor.sort("joined_at", 1)]

    async def listing(
        self, statuses: Sequence[EntryStatus] | None, skip: int, limit: int
    ) -> tuple[list[WaitlistEntry], int]:
        query: dict[str, Any] = {} if statuses is None else {"status": {"$in": list(statuses)}}
        total = await self._entries.count_documents(query)
        cursor = self._entries.find(query).sort([("joined_at", DESCENDING), ("_id", DESCENDING)])
        entries = [
            from_document(doc, WaitlistEntry) async for doc in cursor.skip(skip).limit(limit)
        ]
        return entries, total

    async def forget_patient(self, patient_id: ObjectId) -> int:
        """A deleted patient's places go with them: they hold a name, an address, care needs."""
        result = await self._entries.delete_many({"patient_id": patient_id})
        return result.deleted_count

    async def leave(self, entry_id: ObjectId, patient_id: ObjectId, now: datetime) -> bool:
        result = await self._entries.update_one(
            {"_id": entry_id, "patient_id": patient_id, "status": "waiting"},
            {"$set": {"status": "left", "updated_at": now}},
        )
        return result.modified_count == 1

    async def to_recheck(self, limit: int) -> list[WaitlistEntry]:
        """Waiting entries that freed time may now fit, first in line first."""
        cursor = (
            self._entries.find({"status": "waiting", "recheck_at": {"$ne": None}})
            .sort([("joined_at", ASCENDING), ("_id", ASCENDING)])
            .limit(limit)
        )
        return [from_document(doc, WaitlistEntry) async for doc in cursor]

    async def checked(self, entry: WaitlistEntry) -> None:
        """Nothing fits now; a freeing that came while looking keeps its newer mark."""
        await self._entries.update_one(
            {"_id": entry.id, "status": "waiting", "recheck_at": entry.recheck_at},
            {"$set": {"recheck_at": None}},
        )

    async def end_passed(self, before: datetime, now: datetime) -> int:
        """Waiting entries whose time can no longer be booked have ended."""
        result = await self._entries.update_many(
            {"status": "waiting", "starts_at": {"$lt": before}},
            {"$set": {"status": "ended", "recheck_at": None, "updated_at": now}},
        )
        return result.modified_count

    async def offer(
        self, entry_id: ObjectId, booking: Booking, now: datetime, session: AsyncClientSession
    ) -> bool:
        """Give the entry its held booking, only while it is still waiting."""
        result = await self._entries.update_one(
            {"_id": entry_id, "status": "waiting"},
            {
                "$set": {
                    "status": "offered",
                    "recheck_at": None,
                    "offer_booking_id": booking.id,
                    "offer_code": booking.code,
                    "offer_expires_at": booking.hold_expires_at,
                    "updated_at": now,
                }
            },
            session=session,
        )
        return result.modified_count == 1

    async def settle_offer(
        self, booking_id: ObjectId, status: EntryStatus, now: datetime, session: AsyncClientSession
    ) -> None:
        """The offer of this booking was taken (booked) or lapsed or was declined (passed)."""
        await self._entries.update_one(
            {"offer_booking_id": booking_id, "status": {"$in": list(OPEN_STATUSES)}},
            {"$set": {"status": status, "updated_at": now}},
            session=session,
        )

    async def mark_overlapping(
        self,
        caregiver_id: ObjectId,
        begin: datetime,
        end: datetime,
        now: datetime,
        session: AsyncClientSession,
    ) -> None:
        """Waiting entries for this caregiver (or any) whose time overlaps [begin, end)."""
        await self._entries.update_many(
            {
                "status": "waiting",
                "starts_at": {"$lt": end},
                "ends_at": {"$gt": begin},
                "caregiver_id": {"$in": [caregiver_id, None]},
            },
            {"$set": {"recheck_at": now}},
            session=session,
        )
