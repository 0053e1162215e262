"""Series documents, and writing a series with all its bookings and their time in one go."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from bson import ObjectId
from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError

from carevia.domain.bookings.models import Booking
from carevia.domain.bookings.repository import BOOKINGS, SLOT_CLAIMS, SlotTaken, claims_of
from carevia.domain.series.models import Series
from carevia.domain.shared.documents import from_document, to_document

SERIES = "series"

INDEXES: Mapping[str, Sequence[IndexModel]] = {
    SERIES: [
        IndexModel([("created_at", DESCENDING)]),
    ],
    # `occurrences`: a series' visits in date order.
    BOOKINGS: [IndexModel([("series_id", ASCENDING), ("starts_at", ASCENDING)])],
}


class SeriesRepository:
    def __init__(self, database: AsyncDatabase[dict[str, Any]]) -> None:
        self._database = database
        self._series = database[SERIES]
        self._bookings = database[BOOKINGS]
        self._claims = database[SLOT_CLAIMS]

    async def add_with_bookings(self, series: Series, bookings: Sequence[Booking]) -> None:
        """The series, every booking and every slot claim in one transaction, or nothing.

        A slot already claimed by anyone (another series racing this one included) aborts
        the whole transaction: SlotTaken, and no booking of this series remains.
        """

        async def write(session: AsyncClientSession) -> None:
            await self._series.insert_one(to_document(series), session=session)
            await self._bookings.insert_many([to_document(b) for b in bookings], session=session)
            claims = [claim for booking in bookings for claim in claims_of(booking)]
            await self._claims.insert_many(claims, session=session)

        try:
            async with self._database.client.start_session() as session:
                await session.with_transaction(write)
        except (BulkWriteError, DuplicateKeyError) as error:
            raise SlotTaken("Some of these visits are no longer free.") from error

    async def get(self, series_id: ObjectId) -> Series | None:
        document = await self._series.find_one({"_id": series_id})
        return None if document is None else from_document(document, Series)

    async def occurrences(self, series_id: ObjectId) -> list[Booking]:
        cursor = self._bookings.find({"series_id": series_id}).sort("starts_at", ASCENDING)
        return [from_document(document, Booking) async for document in cursor]

    async def occurrences_of(self, series_ids: list[ObjectId]) -> dict[ObjectId, list[Booking]]:
        """The visits of several series with one query, by series id, in date order."""
        found: dict[ObjectId, list[Booking]] = {}
        query = {"series_id": {"$in": series_ids}}
        cursor = self._bookings.find(query).sort("starts_at", ASCENDING)
        async for document in cursor:
            found.setdefault(document["series_id"], []).append(from_document(document, Booking))
        return found

    async def recent(self, limit: int) -> list[Series]:
        cursor = self._series.find({}).sort("created_at", DESCENDING).limit(limit)
        return [from_document(document, Series) async for document in cursor]

    async def claim_link(self, series_id: ObjectId, week: int) -> bool:
        """Mark week `week`'s payment link as sent; False if another worker marked it first."""
        result = await self._series.update_one(
            {"_id": series_id, "links_sent": {"$ne": week}}, {"$push": {"links_sent": week}}
        )
        return result.modified_count == 1

    async def weekly_due(self, begin: datetime, end: datetime, limit: int) -> list[Booking]:
        """Held occurrences of weekly-paid series starting in [begin, end)."""
        cursor = self._bookings.find(
            {
                "series_id": {"$ne": None},
                "status": "pending_payment",
                "starts_at": {"$gte": begin, "$lt": end},
            }
        ).sort("starts_at", ASCENDING)
        return [from_document(document, Booking) async for document in cursor.limit(limit)]
