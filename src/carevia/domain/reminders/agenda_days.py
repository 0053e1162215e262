"""The days whose caregiver agendas have been queued: one claim per local day."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

AGENDA_DAYS = "agenda_days"
# A day's claim is needed only while the day lasts; the database removes it after a month.
CLAIM_KEPT = timedelta(days=30)

INDEXES: Mapping[str, Sequence[IndexModel]] = {
    AGENDA_DAYS: [
        IndexModel([("claimed_at", ASCENDING)], expireAfterSeconds=int(CLAIM_KEPT.total_seconds()))
    ]
}


class AgendaDays:
    def __init__(self, database: AsyncDatabase[dict[str, Any]]) -> None:
        self._days = database[AGENDA_DAYS]

    async def claimed(self, day: date) -> bool:
        return await self._days.count_documents({"_id": day.isoformat()}, limit=1) > 0

    async def claim(self, day: date, now: datetime, session: AsyncClientSession) -> bool:
        """True for the one transaction that claims `day`; another process's claim wins."""
        # An upsert, not an insert: a duplicate key would abort the transaction around it,
        # while two upserts at once conflict and the driver retries the loser, who then
        # finds the day claimed.
        result = await self._days.update_one(
            {"_id": day.isoformat()},
            {"$setOnInsert": {"claimed_at": now}},
            upsert=True,
            session=session,
        )
        return result.upserted_id is not None
