"""Server-side web sessions in MongoDB, so any app instance can serve any request."""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import msgspec
from bson import ObjectId
from pymongo import IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from carevia.domain.accounts.repository import token_digest
from carevia.domain.shared.documents import from_document, to_document

WEB_SESSIONS = "web_sessions"
SESSION_LIFETIME = timedelta(days=7)

INDEXES: Mapping[str, Sequence[IndexModel]] = {
    WEB_SESSIONS: [
        IndexModel([("expires_at", 1)], expireAfterSeconds=0),
        IndexModel([("user_id", 1)]),
    ]
}


class WebSession(msgspec.Struct, frozen=True, kw_only=True):
    id: str = msgspec.field(name="_id")
    user_id: ObjectId
    created_at: datetime
    expires_at: datetime
    ip: str | None = None


class SessionRepository:
    def __init__(self, database: AsyncDatabase[dict[str, Any]]) -> None:
        self._sessions = database[WEB_SESSIONS]

    async def create(self, user_id: ObjectId, now: datetime, ip: str | None) -> str:
        token = secrets.token_urlsafe(32)
        session = WebSession(
            id=token_digest(token),
            user_id=user_id,
            created_at=now,
            expires_at=now + SESSION_LIFETIME,
            ip=ip,
        )
        await self._sessions.insert_one(to_document(session))
        return token

    async def find(self, token: str, now: datetime) -> WebSession | None:
        # The TTL monitor runs about once a minute, so expiry is also checked here.
        document = await self._sessions.find_one(
            {"_id": token_digest(token), "expires_at": {"$gt": now}}
        )
        return None if document is None else from_document(document, WebSession)

    async def delete(self, token: str) -> None:
        await self._sessions.delete_one({"_id": token_digest(token)})

    async def delete_for_user(self, user_id: ObjectId) -> int:
        result = await self._sessions.delete_many({"user_id": user_id})
        return result.deleted_count
