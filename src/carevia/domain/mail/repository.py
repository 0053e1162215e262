from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from bson import ObjectId
from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from carevia.domain.mail.models import OUTBOX_STATUSES, OutboxMessage, OutboxStatus
from carevia.domain.shared.documents import from_document, to_document

MAIL_OUTBOX = "mail_outbox"

INDEXES: Mapping[str, Sequence[IndexModel]] = {
    MAIL_OUTBOX: [
        # The two branches of `claim_next`: due pending mail, and claims left by a dead worker.
        IndexModel([("status", ASCENDING), ("next_attempt_at", ASCENDING)]),
        IndexModel([("status", ASCENDING), ("claimed_at", ASCENDING)]),
        IndexModel([("created_at", DESCENDING)]),
        # Only string keys are unique; messages without a key (null) never collide.
        IndexModel(
            [("dedupe_key", ASCENDING)],
            unique=True,
            partialFilterExpression={"dedupe_key": {"$type": "string"}},
        ),
        # `withdraw`: the unsent mail about one topic.
        IndexModel([("topic", ASCENDING), ("status", ASCENDING)], sparse=True),
    ]
}


class OutboxRepository:
    def __init__(self, database: AsyncDatabase[dict[str, Any]]) -> None:
        self._outbox = database[MAIL_OUTBOX]

    async def add(self, message: OutboxMessage, session: AsyncClientSession | None = None) -> bool:
        """Store the message; False when one with the same `dedupe_key` is already queued.

        With a `session` the message is written in the caller's transaction, together with the
        state change it reports; inside a transaction a duplicate key aborts the transaction.
        """
        try:
            await self._outbox.insert_one(to_document(message), session=session)
        except DuplicateKeyError:
            return False
        return True

    async def withdraw(self, topic: str, session: AsyncClientSession | None = None) -> int:
        """Delete the mail about `topic` that no worker has taken yet; what was sent stays."""
        result = await self._outbox.delete_many(
            {"topic": topic, "status": "pending"}, session=session
        )
        return result.deleted_count

    async def claim_next(
        self, worker_id: str, now: datetime, stale_after: timedelta
    ) -> OutboxMessage | None:
        """Atomically take one due message, so no two workers ever hold the same one.

        A claim left by a dead worker first, then the longest-due pending message: two
        queries, each on its own index. One `$or` of both, sorted by due time, could use
        neither and read the whole outbox (every message ever sent) for each claim.
        """
        claim = {
            "$set": {"status": "sending", "claimed_by": worker_id, "claimed_at": now},
            "$inc": {"attempts": 1},
        }
        for query, order in _claimable(now, stale_after):
            document = await self._outbox.find_one_and_update(
                query, claim, sort=order, return_document=ReturnDocument.AFTER
            )
            if document is not None:
                return from_document(document, OutboxMessage)
        return None

    async def claim_plans(self, now: datetime, stale_after: timedelta) -> list[dict[str, Any]]:
        """How the server finds what `claim_next` takes (`explain`), to check its indexes."""
        return [
            await self._outbox.find(query).sort(order).limit(1).explain()
            for query, order in _claimable(now, stale_after)
        ]

    async def mark_sent(
        self, message_id: ObjectId, worker_id: str, transport: str, sent_at: datetime
    ) -> bool:
        return await self._finish(
            message_id,
            worker_id,
            {"status": "sent", "sent_at": sent_at, "transport": transport, "last_error": None},
        )

    async def mark_retry(
        self, message_id: ObjectId, worker_id: str, error: str, next_attempt_at: datetime
    ) -> bool:
        return await self._finish(
            message_id,
            worker_id,
            {
                "status": "pending",
                "next_attempt_at": next_attempt_at,
                "last_error": error,
                "claimed_by": None,
                "claimed_at": None,
            },
        )

    async def mark_failed(self, message_id: ObjectId, worker_id: str, error: str) -> bool:
        return await self._finish(message_id, worker_id, {"status": "failed", "last_error": error})

    async def _finish(self, message_id: ObjectId, worker_id: str, changes: dict[str, Any]) -> bool:
        """Apply `changes` only while this worker still holds the claim."""
        result = await self._outbox.update_one(
            {"_id": message_id, "status": "sending", "claimed_by": worker_id}, {"$set": changes}
        )
        return result.modified_count == 1

    async def forget_recipient(self, address: str) -> int:
        """Delete every message to, or naming, this address: sent, queued or failed."""
        pattern = {"$regex": re.escape(address), "$options": "i"}
        result = await self._outbox.delete_many(
            {"$or": [{"to": address}, {"text": pattern}, {"subject": pattern}]}
        )
        return result.deleted_count

    async def get(self, message_id: ObjectId) -> OutboxMessage | None:
        document = await self._outbox.find_one({"_id": message_id})
        return None if document is None else from_document(document, OutboxMessage)

    async def recent(self, limit: int) -> list[OutboxMessage]:
        cursor = self._outbox.find().sort([("created_at", DESCENDING), ("_id", DESCENDING)])
        return [from_document(doc, OutboxMessage) async for doc in cursor.limit(limit)]

    async def count_by_status(self) -> dict[OutboxStatus, int]:
        counts: dict[OutboxStatus, int] = dict.fromkeys(OUTBOX_STATUSES, 0)
        cursor = await self._outbox.aggregate([{"$group": {"_id": "$status", "n": {"$sum": 1}}}])
        async for row in cursor:
            if row["_id"] in counts:
                counts[row["_id"]] = row["n"]
        return counts


def _claimable(
    now: datetime, stale_after: timedelta
) -> list[tuple[dict[str, Any], list[tuple[str, int]]]]:
    """What a worker may take, in the order it looks: abandoned claims, then due mail."""
    return [
        (
            {"status": "sending", "claimed_at": {"$lt": now - stale_after}},
            [("claimed_at", ASCENDING), ("_id", ASCENDING)],
        ),
        (
            {"status": "pending", "next_attempt_at": {"$lte": now}},
            [("next_attempt_at", ASCENDING), ("_id", ASCENDING)],
        ),
    ]
