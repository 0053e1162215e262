"""Transactions that write one shared document take turns instead of conflicting."""

from __future__ import annotations

import asyncio
from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from carevia.domain.shared.transactions import in_transaction

Database = AsyncDatabase[dict[str, Any]]


async def _bump_together(database: Database, lock: asyncio.Lock | None) -> list[str]:
    """Two transactions that increment one counter and linger; returns what each attempt did."""
    attempts: list[str] = []

    def bump(name: str) -> Any:
        async def work(session: AsyncClientSession) -> None:
            attempts.append(f"{name} starts")
            await database["counters"].update_one(
                {"_id": "shared"}, {"$inc": {"value": 1}}, upsert=True, session=session
            )
            await asyncio.sleep(0.05)
            attempts.append(f"{name} ends")

        return work

    await database["counters"].insert_one({"_id": "shared", "value": 0})
    await asyncio.gather(
        in_transaction(database, bump("first"), one_at_a_time=lock),
        in_transaction(database, bump("second"), one_at_a_time=lock),
    )
    counter = await database["counters"].find_one({"_id": "shared"})
    assert counter is not None and counter["value"] == 2
    return attempts


async def test_transactions_sharing_a_lock_run_once_each_one_after_the_other(
    database: Database,
) -> None:
    attempts = await _bump_together(database, asyncio.Lock())

    assert attempts == ["first starts", "first ends", "second starts", "second ends"]


async def test_without_the_lock_the_same_transactions_conflict_and_one_is_retried(
    database: Database,
) -> None:
    attempts = await _bump_together(database, None)

    assert len(attempts) > 4, "a write conflict made the driver run one transaction again"
