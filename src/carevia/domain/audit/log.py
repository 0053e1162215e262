"""The audit log: who did what to which record, and from where."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import msgspec
from bson import ObjectId
from pymongo import DESCENDING, IndexModel
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from carevia.domain.shared.clock import Clock, utc_now
from carevia.domain.shared.documents import from_document, to_document

AUDIT_LOG = "audit_log"

INDEXES: Mapping[str, Sequence[IndexModel]] = {
    AUDIT_LOG: [
        IndexModel([("at", DESCENDING)]),
        IndexModel([("action", 1), ("at", DESCENDING)]),
        IndexModel([("actor_id", 1), ("at", DESCENDING)]),
        IndexModel([("target_id", 1), ("at", DESCENDING)]),
    ]
}


class AuditEntry(msgspec.Struct, frozen=True, kw_only=True):
    id: ObjectId | None = msgspec.field(default=None, name="_id")
    at: datetime
    action: str
    actor_id: str | None = None
    actor_role: str | None = None
    target_type: str | None = None
    target_id: str | None = None
    ip: str | None = None
    details: dict[str, Any] = msgspec.field(default_factory=dict)


class AuditLog:
    def __init__(self, database: AsyncDatabase[dict[str, Any]], clock: Clock = utc_now) -> None:
        self._entries = database[AUDIT_LOG]
        self._clock = clock

    async def about(self, user_id: str, booking_codes: list[str]) -> list[AuditEntry]:
        """Entries by or about this user and their bookings, oldest first (for their export)."""
        cursor = self._entries.find(
            {
                "$or": [
                    {"actor_id": user_id},
                    {"target_type": "user", "target_id": user_id},
                    {"target_type": "booking", "target_id": {"$in": booking_codes}},
                ]
            }
        ).sort("at", 1)
        return [from_document(document, AuditEntry) async for document in cursor]

    async def record(
        self,
        action: str,
        *,
        actor_id: str | None = None,
        actor_role: str | None = None,
        target_type: str | None = None,
        target_id: str | None = None,
        ip: str | None = None,
        session: AsyncClientSession | None = None,
        **details: Any,
    ) -> None:
        """Write one entry; with a `session`, in the transaction of the change it records."""
        entry = AuditEntry(
            at=self._clock(),
            action=action,
            actor_id=actor_id,
            actor_role=actor_role,
            target_type=target_type,
            target_id=target_id,
            ip=ip,
            details=details,
        )
        document = to_document(entry)
        document.pop("_id", None)
        await self._entries.insert_one(document, session=session)
