"""Running several repositories' writes as one MongoDB transaction."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import nullcontext
from typing import Any, TypeVar

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

T = TypeVar("T")


async def in_transaction(
    database: AsyncDatabase[dict[str, Any]],
    work: Callable[[AsyncClientSession], Awaitable[T]],
    *,
    one_at_a_time: asyncio.Lock | None = None,
) -> T:
    """Run `work` in a transaction, retried on transient errors by the driver.

    `work` may run more than once, so it must only write to the database: no email, no
    gateway call, no event publishing inside it. Transactions that all write one document
    pass a shared `one_at_a_time` lock: run together in one process they would only
    conflict on it and be retried whole, which is slower than taking turns.
    """
    async with one_at_a_time or nullcontext(), database.client.start_session() as session:
        return await session.with_transaction(work)
