"""Rotating, opaque refresh tokens with reuse detection.

Each login starts a family. Every refresh marks the presented token used and issues the
next one in the same family. Presenting a token that was already used means a copy of it is
in someone else's hands, so the whole family is revoked, including the newest token.
Only SHA-256 hashes of the tokens are stored.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
from pymongo import ASCENDING, IndexModel, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

from carevia.domain.auth.tokens import InvalidToken
from carevia.domain.shared.clock import utc_now
from carevia.domain.shared.documents import from_document, to_document
from carevia.domain.shared.text import Text

REFRESH_TOKENS = "refresh_tokens"
DEFAULT_REFRESH_TTL = timedelta(days=14)
MAX_REFRESH_TOKEN_LENGTH = 256

INDEXES: Mapping[str, Sequence[IndexModel]] = {
    REFRESH_TOKENS: [
        IndexModel([("family_id", ASCENDING)]),
        IndexModel([("user_id", ASCENDING)]),
        # The server deletes a token once it expires; a used token is kept until then so
        # that a replay is recognised as reuse, not merely as an unknown token.
        IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=0),
    ]
}


class RefreshReuse(InvalidToken):
    """A refresh token was presented again after it had been used; its family is revoked."""

    code = "refresh_reused"

    def __init__(self, family_id: str, user_id: str) -> None:
        super().__init__(Text("This refresh token was already used; its session has been revoked."))
        self.family_id = family_id
        self.user_id = user_id


class RefreshToken(msgspec.Struct, frozen=True, kw_only=True):
    id: str = msgspec.field(name="_id")
    family_id: str
    user_id: str
    token_version: int
    issued_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    revoked_at: datetime | None = None
    replaced_by: str | None = None


class IssuedRefresh(msgspec.Struct, frozen=True, kw_only=True):
    token: str
    expires_at: datetime
    family_id: str


def hash_refresh_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class RefreshTokenRepository:
    def __init__(self, database: AsyncDatabase[dict[str, Any]]) -> None:
        self._tokens = database[REFRESH_TOKENS]

    async def insert(self, token: RefreshToken) -> None:
        await self._tokens.insert_one(to_document(token))

    async def get(self, token_hash: str) -> RefreshToken | None:
        document = await self._tokens.find_one({"_id": token_hash})
        return None if document is None else from_document(document, RefreshToken)

    async def mark_used(
        self, token_hash: str, *, replaced_by: str, now: datetime
    ) -> RefreshToken | None:
        """Consume a live token in one conditional update; None if it was not live."""
        document = await self._tokens.find_one_and_update(
            {
                "_id": token_hash,
                "used_at": None,
                "revoked_at": None,
                "expires_at": {"$gt": now},
            },
            {"$set": {"used_at": now, "replaced_by": replaced_by}},
            return_document=ReturnDocument.AFTER,
        )
        return None if document is None else from_document(document, RefreshToken)

    async def delete(self, token_hash: str) -> None:
        await self._tokens.delete_one({"_id": token_hash})

    async def revoke_family(self, family_id: str, now: datetime) -> int:
        result = await self._tokens.update_many(
            {"family_id": family_id, "revoked_at": None}, {"$set": {"revoked_at": now}}
        )
        return result.modified_count

    async def revoke_all_for_user(self, user_id: str, now: datetime) -> int:
        result = await self._tokens.update_many(
            {"user_id": user_id, "revoked_at": None}, {"$set": {"revoked_at": now}}
        )
        return result.modified_count


class RefreshTokenService:
    def __init__(
        self, repository: RefreshTokenRepository, ttl: timedelta = DEFAULT_REFRESH_TTL
    ) -> None:
        if ttl <= timedelta(0):
            raise ValueError("the refresh token lifetime must be positive")
        self._repository = repository
        self._ttl = ttl

    async def start_family(
        self, user_id: str, token_version: int, now: datetime | None = None
    ) -> IssuedRefresh:
        """The first refresh token of a new login."""
        moment = _moment(now)
        token, record = self._new_token(
            family_id=secrets.token_hex(16),
            user_id=user_id,
            token_version=token_version,
            now=moment,
        )
        await self._repository.insert(record)
        return IssuedRefresh(token=token, expires_at=record.expires_at, family_id=record.family_id)

    async def rotate(
        self, token: str, now: datetime | None = None
    ) -> tuple[RefreshToken, IssuedRefresh]:
        """Consume `token` and issue its successor; the consumed record is returned.

        The successor is stored before the presented token is marked used. Whoever sees the
        presented token used therefore also sees its successor, so revoking the family on
        reuse cannot miss a token that a concurrent rotation is about to hand out.
        """
        moment = _moment(now)
        token_hash = _checked_hash(token)
        current = await self._repository.get(token_hash)
        if current is None:
            raise InvalidToken()
        if current.used_at is not None:
            raise await self._reuse(current, moment)
        if current.revoked_at is not None or current.expires_at <= moment:
            raise InvalidToken()
        successor_token, successor = self._new_token(
            family_id=current.family_id,
            user_id=current.user_id,
            token_version=current.token_version,
            now=moment,
        )
        await self._repository.insert(successor)
        consumed = await self._repository.mark_used(
            token_hash, replaced_by=successor.id, now=moment
        )
        if consumed is None:
            # Another request consumed or revoked the token between the read and the update.
            await self._repository.delete(successor.id)
            latest = await self._repository.get(token_hash)
            if latest is not None and latest.used_at is not None:
                raise await self._reuse(latest, moment)
            raise InvalidToken()
        issued = IssuedRefresh(
            token=successor_token, expires_at=successor.expires_at, family_id=successor.family_id
        )
        return consumed, issued

    async def revoke(self, token: str, now: datetime | None = None) -> bool:
        """Log out the session a token belongs to; False if the token is unknown."""
        try:
            token_hash = _checked_hash(token)
        except InvalidToken:
            return False
        current = await self._repository.get(token_hash)
        if current is None:
            return False
        await self._repository.revoke_family(current.family_id, _moment(now))
        return True

    async def revoke_family(self, family_id: str, now: datetime | None = None) -> int:
        return await self._repository.revoke_family(family_id, _moment(now))

    async def revoke_all_for_user(self, user_id: str, now: datetime | None = None) -> int:
        """Revoke every refresh token of a user (password change, disable, role change)."""
        return await self._repository.revoke_all_for_user(user_id, _moment(now))

    async def _reuse(self, token: RefreshToken, now: datetime) -> RefreshReuse:
        await self._repository.revoke_family(token.family_id, now)
        return RefreshReuse(token.family_id, token.user_id)

    def _new_token(
        self, *, family_id: str, user_id: str, token_version: int, now: datetime
    ) -> tuple[str, RefreshToken]:
        token = secrets.token_urlsafe(32)
        record = RefreshToken(
            id=hash_refresh_token(token),
            family_id=family_id,
            user_id=user_id,
            token_version=token_version,
            issued_at=now,
            expires_at=now + self._ttl,
        )
        return token, record


def _checked_hash(token: str) -> str:
    if not isinstance(token, str) or not 0 < len(token) <= MAX_REFRESH_TOKEN_LENGTH:
        raise InvalidToken()
    return hash_refresh_token(token)


def _moment(now: datetime | None) -> datetime:
    """An aware UTC time at the millisecond precision BSON stores."""
    moment = utc_now() if now is None else now
    if moment.tzinfo is None:
        raise ValueError("a naive datetime is ambiguous; pass an aware one")
    moment = moment.astimezone(UTC)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)
