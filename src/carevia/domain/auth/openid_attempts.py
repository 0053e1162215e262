"""Sign-ins with Google in flight, and Google identities waiting for a password to link.

Each is single-use, short-lived and bound to the browser that started it: only digests of
the `state`, the link token and the browser's key are stored, so neither a replayed `state`
nor one carried into another browser is honoured.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Literal

import msgspec
from bson import ObjectId
from pymongo import IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from carevia.domain.accounts.repository import token_digest
from carevia.domain.shared.documents import from_document

OPENID_ATTEMPTS = "openid_attempts"
ATTEMPT_LIFETIME = timedelta(minutes=10)

INDEXES: Mapping[str, Sequence[IndexModel]] = {
    OPENID_ATTEMPTS: [IndexModel([("expires_at", 1)], expireAfterSeconds=0)]
}


class SignInAttempt(msgspec.Struct, frozen=True, kw_only=True):
    nonce: str
    code_verifier: str
    next: str


class PendingLink(msgspec.Struct, frozen=True, kw_only=True):
    user_id: ObjectId
    email: str
    subject: str
    next: str


class OpenIDAttemptRepository:
    def __init__(self, database: AsyncDatabase[dict[str, Any]]) -> None:
        self._attempts = database[OPENID_ATTEMPTS]

    async def add_attempt(
        self, state: str, browser_key: str, attempt: SignInAttempt, now: datetime
    ) -> None:
        await self._add("sign_in", state, browser_key, msgspec.to_builtins(attempt), now)

    async def take_attempt(
        self, state: str, browser_key: str, now: datetime
    ) -> SignInAttempt | None:
        """The attempt `state` names, used up by this call: a second answer finds nothing."""
        document = await self._take("sign_in", state, browser_key, now)
        return None if document is None else from_document(document, SignInAttempt)

    async def add_link(
        self, token: str, browser_key: str, link: PendingLink, now: datetime
    ) -> None:
        fields = msgspec.to_builtins(link, builtin_types=(ObjectId,))
        await self._add("link", token, browser_key, fields, now)

    async def peek_link(self, token: str, browser_key: str, now: datetime) -> PendingLink | None:
        document = await self._attempts.find_one(self._usable("link", token, browser_key, now))
        return None if document is None else from_document(document, PendingLink)

    async def take_link(self, token: str, browser_key: str, now: datetime) -> PendingLink | None:
        document = await self._take("link", token, browser_key, now)
        return None if document is None else from_document(document, PendingLink)

    async def _add(
        self,
        kind: Literal["sign_in", "link"],
        secret: str,
        browser_key: str,
        fields: dict[str, Any],
        now: datetime,
    ) -> None:
        await self._attempts.insert_one(
            {
                **fields,
                "_id": token_digest(secret),
                "kind": kind,
                "browser": token_digest(browser_key),
                "expires_at": now + ATTEMPT_LIFETIME,
                "used_at": None,
            }
        )

    async def _take(
        self, kind: Literal["sign_in", "link"], secret: str, browser_key: str, now: datetime
    ) -> dict[str, Any] | None:
        document: dict[str, Any] | None = await self._attempts.find_one_and_update(
            self._usable(kind, secret, browser_key, now), {"$set": {"used_at": now}}
        )
        return document

    @staticmethod
    def _usable(
        kind: Literal["sign_in", "link"], secret: str, browser_key: str, now: datetime
    ) -> dict[str, Any]:
        return {
            "_id": token_digest(secret),
            "kind": kind,
            "browser": token_digest(browser_key),
            "used_at": None,
            "expires_at": {"$gt": now},
        }
