"""Running several repositories' writes as one MongoDB transaction."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

T = TypeVar("T")


async def in_transaction(
    database: AsyncDatabase[dict[str, Any]], work: Callable[[AsyncClientSession], Awaitable[T]]
) -> T:
    """Run `work` in a transaction, retried on transient errors by the driver.

    `work` may run more than once, so it must only write to the database: no email, no
    gateway call, no event publishing inside it.
    """
    async with database.client.start_session() as session:
        return await session.with_transaction(work)
