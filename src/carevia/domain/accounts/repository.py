from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Literal

from bson import ObjectId
from bson.errors import InvalidId
from pymongo import IndexModel, ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from carevia.domain.accounts.models import Role, User
from carevia.domain.shared import Conflict
from carevia.domain.shared.documents import from_document, to_document
from carevia.domain.shared.text import Text

USERS = "users"
ACCOUNT_TOKENS = "account_tokens"
TokenPurpose = Literal["verify_email", "reset_password"]

INDEXES: Mapping[str, Sequence[IndexModel]] = {
    USERS: [
        IndexModel([("email", 1)], unique=True),
        IndexModel([("role", 1), ("created_at", -1)]),
        # One account per Google identity; accounts without one are not indexed.
        IndexModel(
            [("google_subject", 1)],
            unique=True,
            partialFilterExpression={"google_subject": {"$type": "string"}},
        ),
    ],
    ACCOUNT_TOKENS: [
        IndexModel([("expires_at", 1)], expireAfterSeconds=0),
        IndexModel([("user_id", 1), ("purpose", 1)]),
    ],
}


def parse_object_id(value: str) -> ObjectId | None:
    try:
        return ObjectId(value)
    except (InvalidId, TypeError):
        return None


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class UserRepository:
    def __init__(self, database: AsyncDatabase[dict[str, Any]]) -> None:
        self._users = database[USERS]

    async def add(self, user: User) -> None:
        try:
            await self._users.insert_one(to_document(user))
        except DuplicateKeyError as exc:
            raise Conflict(Text("An account with this email already exists.")) from exc

    async def get(self, user_id: str | ObjectId) -> User | None:
        oid = user_id if isinstance(user_id, ObjectId) else parse_object_id(user_id)
        if oid is None:
            return None
        document = await self._users.find_one({"_id": oid})
        return None if document is None else from_document(document, User)

    async def get_by_email(self, email: str) -> User | None:
        document = await self._users.find_one({"email": email})
        return None if document is None else from_document(document, User)

    async def language_of(
        self,
        *,
        email: str | None = None,
        user_id: ObjectId | None = None,
        session: AsyncClientSession | None = None,
    ) -> str | None:
        """The language an account reads its mail in ("en" until it chooses); None without one."""
        query: dict[str, Any] = {"email": email} if email is not None else {"_id": user_id}
        document = await self._users.find_one(query, {"language": 1}, session=session)
        if document is None:
            return None
        return str(document.get("language") or "en")

    async def get_by_google_subject(self, subject: str) -> User | None:
        document = await self._users.find_one({"google_subject": subject})
        return None if document is None else from_document(document, User)

    async def set_google_subject(
        self, user_id: ObjectId, subject: str | None, now: datetime
    ) -> bool:
        """Link (or, with None, unlink) a Google identity; False if it is another account's."""
        try:
            result = await self._users.update_one(
                {"_id": user_id, "deleted_at": None},
                {"$set": {"google_subject": subject, "updated_at": now}},
            )
        except DuplicateKeyError:
            return False
        return result.matched_count == 1

    async def active_among(self, user_ids: list[ObjectId]) -> set[ObjectId]:
        """Which of these accounts may still act: not disabled and not deleted."""
        cursor = self._users.find(
            {"_id": {"$in": user_ids}, "is_active": True, "deleted_at": None}, {"_id": 1}
        )
        return {document["_id"] async for document in cursor}

    async def active_admins(self, session: AsyncClientSession | None = None) -> list[User]:
        """Admins who may still act, in a stable order, for alerts that need one of them."""
        cursor = self._users.find(
            {"role": "admin", "is_active": True, "deleted_at": None}, session=session
        ).sort("_id", 1)
        return [from_document(document, User) async for document in cursor]

    async def count(self, query: dict[str, Any]) -> int:
        return await self._users.count_documents(query)

    async def find(self, query: dict[str, Any], *, skip: int, limit: int) -> list[User]:
        cursor = (
            self._users.find(query).sort([("created_at", -1), ("_id", -1)]).skip(skip).limit(limit)
        )
        return [from_document(document, User) async for document in cursor]

    async def update_fields(
        self, user_id: ObjectId, fields: dict[str, Any], now: datetime
    ) -> User | None:
        document = await self._users.find_one_and_update(
            {"_id": user_id, "deleted_at": None},
            {"$set": {**fields, "updated_at": now}},
            return_document=ReturnDocument.AFTER,
        )
        return None if document is None else from_document(document, User)

    async def set_password_hash(
        self, user_id: ObjectId, password_hash: str, now: datetime, *, revoke: bool
    ) -> None:
        update: dict[str, Any] = {"$set": {"password_hash": password_hash, "updated_at": now}}
        if revoke:
            update["$inc"] = {"token_version": 1}
        await self._users.update_one({"_id": user_id}, update)

    async def revoke_tokens_with(
        self,
        user_id: ObjectId,
        fields: dict[str, Any],
        now: datetime,
        session: AsyncClientSession | None = None,
    ) -> User | None:
        """Apply a security-relevant change and invalidate every token issued before it."""
        document = await self._users.find_one_and_update(
            {"_id": user_id},
            {"$set": {**fields, "updated_at": now}, "$inc": {"token_version": 1}},
            return_document=ReturnDocument.AFTER,
            session=session,
        )
        return None if document is None else from_document(document, User)

    async def set_role(
        self,
        user_id: ObjectId,
        role: Role,
        now: datetime,
        session: AsyncClientSession | None = None,
    ) -> User | None:
        return await self.revoke_tokens_with(user_id, {"role": role}, now, session)

    async def mark_verified(self, user_id: ObjectId, now: datetime) -> None:
        await self._users.update_one(
            {"_id": user_id, "email_verified_at": None},
            {"$set": {"email_verified_at": now, "updated_at": now}},
        )

    async def replace_personal_data(
        self, user_id: ObjectId, erased: dict[str, Any], now: datetime
    ) -> None:
        await self._users.update_one(
            {"_id": user_id},
            {
                "$set": {**erased, "updated_at": now, "deleted_at": now, "is_active": False},
                "$inc": {"token_version": 1},
            },
        )


class AccountTokenRepository:
    """Single-use, expiring tokens for email links; only their digests are stored."""

    def __init__(self, database: AsyncDatabase[dict[str, Any]]) -> None:
        self._tokens = database[ACCOUNT_TOKENS]

    async def add(
        self, token: str, user_id: ObjectId, purpose: TokenPurpose, expires_at: datetime
    ) -> None:
        await self._tokens.insert_one(
            {
                "_id": token_digest(token),
                "user_id": user_id,
                "purpose": purpose,
                "expires_at": expires_at,
                "used_at": None,
            }
        )

    async def consume(self, token: str, purpose: TokenPurpose, now: datetime) -> ObjectId | None:
        document = await self._tokens.find_one_and_update(
            {
                "_id": token_digest(token),
                "purpose": purpose,
                "used_at": None,
                "expires_at": {"$gt": now},
            },
            {"$set": {"used_at": now}},
        )
        return None if document is None else document["user_id"]

    async def peek(self, token: str, purpose: TokenPurpose, now: datetime) -> ObjectId | None:
        document = await self._tokens.find_one(
            {
                "_id": token_digest(token),
                "purpose": purpose,
                "used_at": None,
                "expires_at": {"$gt": now},
            }
        )
        return None if document is None else document["user_id"]

    async def discard_for_user(
        self, user_id: ObjectId, purpose: TokenPurpose | None = None
    ) -> None:
        query: dict[str, Any] = {"user_id": user_id, "used_at": None}
        if purpose:
            query["purpose"] = purpose
        await self._tokens.delete_many(query)
