"""Read-only aggregations over bookings, payments and refunds for the admin statistics.

Money is summed in integer minor units. Per-day buckets are local calendar days, grouped by
the database with `$dateToString` in the business's timezone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

import msgspec
from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from carevia.domain.stats.models import Window

BOOKINGS = "bookings"
PAYMENTS = "payments"
REFUNDS = "refunds"
OWING_STATUSES = ("confirmed", "in_progress")

# Refunds are already indexed on (status, updated_at) by the payments repository.
INDEXES: Mapping[str, Sequence[IndexModel]] = {
    BOOKINGS: [IndexModel([("created_at", ASCENDING)])],
    PAYMENTS: [IndexModel([("status", ASCENDING), ("paid_at", ASCENDING)])],
}


class _Source(msgspec.Struct, frozen=True):
    """One kind of dated record: where it lives, which time field dates it, what it adds."""

    collection: str
    when: str
    amount: str | int
    match: dict[str, Any]


CREATED_BOOKINGS = _Source(BOOKINGS, "created_at", 1, {})
PAID_PAYMENTS = _Source(PAYMENTS, "paid_at", "$amount", {"status": "paid"})
SUCCEEDED_REFUNDS = _Source(REFUNDS, "updated_at", "$amount", {"status": "succeeded"})


class StatisticsRepository:
    def __init__(self, database: AsyncDatabase[dict[str, Any]]) -> None:
        self._database = database

    async def _totals(self, source: _Source, windows: Sequence[Window]) -> list[int]:
        """One pass over the records in any of the windows, summed per window."""
        field = f"${source.when}"
        sums = {
            f"w{index}": {
                "$sum": {
                    "$cond": [
                        {"$and": [{"$gte": [field, w.start]}, {"$lt": [field, w.end]}]},
                        source.amount,
                        0,
                    ]
                }
            }
            for index, w in enumerate(windows)
        }
        pipeline: list[dict[str, Any]] = [
            {
                "$match": {
                    **source.match,
                    source.when: {
                        "$gte": min(w.start for w in windows),
                        "$lt": max(w.end for w in windows),
                    },
                }
            },
            {"$group": {"_id": None, **sums}},
        ]
        found = await self._first(source.collection, pipeline)
        return [int(found.get(f"w{index}", 0)) for index in range(len(windows))]

    async def _per_day(self, source: _Source, span: Window, timezone: str) -> dict[date, int]:
        day = {
            "$dateToString": {"format": "%Y-%m-%d", "date": f"${source.when}", "timezone": timezone}
        }
        pipeline: list[dict[str, Any]] = [
            {"$match": {**source.match, source.when: {"$gte": span.start, "$lt": span.end}}},
            {"$group": {"_id": day, "value": {"$sum": source.amount}}},
        ]
        cursor = await self._database[source.collection].aggregate(pipeline)
        return {date.fromisoformat(row["_id"]): int(row["value"]) async for row in cursor}

    async def _first(self, collection: str, pipeline: list[dict[str, Any]]) -> dict[str, Any]:
        cursor = await self._database[collection].aggregate(pipeline)
        async for row in cursor:
            return row
        return {}

    async def bookings_created(self, windows: Sequence[Window]) -> list[int]:
        return await self._totals(CREATED_BOOKINGS, windows)

    async def payments_collected(self, windows: Sequence[Window]) -> list[int]:
        return await self._totals(PAID_PAYMENTS, windows)

    async def refunds_succeeded(self, windows: Sequence[Window]) -> list[int]:
        return await self._totals(SUCCEEDED_REFUNDS, windows)

    async def bookings_per_day(self, span: Window, timezone: str) -> dict[date, int]:
        return await self._per_day(CREATED_BOOKINGS, span, timezone)

    async def payments_per_day(self, span: Window, timezone: str) -> dict[date, int]:
        return await self._per_day(PAID_PAYMENTS, span, timezone)

    async def refunds_per_day(self, span: Window, timezone: str) -> dict[date, int]:
        return await self._per_day(SUCCEEDED_REFUNDS, span, timezone)

    async def due_outstanding(self) -> int:
        """What patients still owe on bookings that are going ahead (never below 0 each)."""
        owed = {"$max": [0, {"$subtract": ["$price.total", {"$ifNull": ["$amount_paid", 0]}]}]}
        found = await self._first(
            BOOKINGS,
            [
                {"$match": {"status": {"$in": list(OWING_STATUSES)}}},
                {"$group": {"_id": None, "due": {"$sum": owed}}},
            ],
        )
        return int(found.get("due", 0))

    async def holds_pending(self, now: datetime) -> int:
        """Bookings awaiting payment whose hold on the caregiver's time has not lapsed."""
        return await self._database[BOOKINGS].count_documents(
            {"status": "pending_payment", "hold_expires_at": {"$gt": now}}
        )
