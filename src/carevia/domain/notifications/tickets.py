"""Short-lived, single-use tickets that open a staff event stream.

`EventSource` cannot send an Authorization header, so a bearer-authenticated call trades
its token for a ticket that goes in the stream's URL. A ticket is self-contained: who it
is for and until when, signed with the app's secret, so issuing one stores nothing.
Redeeming one must still be single-use across every process, so the ticket's nonce is
stored once used; the redemptions that arrive together (a reconnect storm after a deploy)
share one insert and one read of their accounts instead of a round trip each.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import hmac
import logging
import secrets
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
from bson import ObjectId
from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

from carevia.domain.accounts import Role, User, UserRepository
from carevia.domain.notifications.scoping import Viewer
from carevia.domain.shared.clock import Clock, utc_now

logger = logging.getLogger("carevia.notifications")

EVENT_TICKETS = "event_tickets"  # the nonces of used tickets, until they would have expired
TICKET_LIFETIME = timedelta(seconds=60)
BATCH_WINDOW_SECONDS = 0.005  # redemptions arriving this close together share round trips
DUPLICATE_KEY = 11000

INDEXES: Mapping[str, Sequence[IndexModel]] = {
    EVENT_TICKETS: [IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=0)],
}


class RedemptionDelayed(Exception):
    """The database could not settle a redemption now; the client should try again shortly."""


class TicketClaims(msgspec.Struct, frozen=True):
    user: str
    role: Role
    token_version: int | None
    expires: int  # Unix seconds
    nonce: str


def _encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class EventTickets:
    def __init__(
        self, database: AsyncDatabase[dict[str, Any]], secret: str, clock: Clock = utc_now
    ) -> None:
        self._used = database[EVENT_TICKETS]
        self._users = UserRepository(database)
        self._key = hmac.new(secret.encode(), b"carevia event tickets", hashlib.sha256).digest()
        self._clock = clock
        self._waiting: list[tuple[TicketClaims, asyncio.Future[Viewer | None]]] = []
        self._redeemer: asyncio.Task[None] | None = None

    @property
    def lifetime_seconds(self) -> int:
        return int(TICKET_LIFETIME.total_seconds())

    async def issue(self, user: User) -> str:
        claims = TicketClaims(
            user=str(user.id),
            role=user.role,
            token_version=user.token_version,
            expires=int((self._clock() + TICKET_LIFETIME).timestamp()),
            nonce=secrets.token_urlsafe(16),
        )
        body = _encode(msgspec.json.encode(claims))
        return f"{body}.{self._sign(body)}"

    def read(self, ticket: str) -> TicketClaims | None:
        """The claims of a well-signed, unexpired ticket, used or not; no database involved."""
        body, _, signature = ticket.partition(".")
        expected = self._sign(body).encode()
        if len(ticket) > 512 or not hmac.compare_digest(signature.encode(), expected):
            return None
        try:
            claims = msgspec.json.decode(_decode(body), type=TicketClaims)
        except (binascii.Error, ValueError, msgspec.ValidationError):
            return None
        if claims.expires <= self._clock().timestamp() or not ObjectId.is_valid(claims.user):
            return None
        return claims

    async def redeem(self, ticket: str) -> Viewer | None:
        """The viewer behind a valid ticket used for the first time, whose account may still read.

        Raises RedemptionDelayed when the batch it joined could not be settled.
        """
        claims = self.read(ticket)
        if claims is None:
            return None
        settled: asyncio.Future[Viewer | None] = asyncio.get_running_loop().create_future()
        self._waiting.append((claims, settled))
        if self._redeemer is None or self._redeemer.done():
            self._redeemer = asyncio.create_task(self._redeem_waiting())
        return await settled

    async def still_allowed(self, viewer: Viewer) -> bool:
        """False once the account is disabled, its role changed or its tokens were revoked."""
        return _allows(await self._users.get(viewer.user_id), viewer)

    def _sign(self, body: str) -> str:
        return _encode(hmac.new(self._key, body.encode(), hashlib.sha256).digest())

    async def _redeem_waiting(self) -> None:
        # One batch in flight at a time; whatever arrives meanwhile forms the next one.
        while self._waiting:
            await asyncio.sleep(BATCH_WINDOW_SECONDS)
            batch, self._waiting = self._waiting, []
            try:
                viewers = await self._settle([claims for claims, _ in batch])
            except Exception:
                logger.warning("could not redeem %d event tickets", len(batch), exc_info=True)
                for _, settled in batch:
                    if not settled.done():
                        settled.set_exception(RedemptionDelayed())
                continue
            for (_, settled), viewer in zip(batch, viewers, strict=True):
                if not settled.done():
                    settled.set_result(viewer)

    async def _settle(self, batch: list[TicketClaims]) -> list[Viewer | None]:
        used = [
            {
                "_id": hashlib.sha256(claims.nonce.encode()).hexdigest(),
                "expires_at": datetime.fromtimestamp(claims.expires, UTC),
            }
            for claims in batch
        ]
        ids = list({ObjectId(claims.user) for claims in batch})
        spent, users = await asyncio.gather(
            self._mark_used(used), self._users.find({"_id": {"$in": ids}}, skip=0, limit=len(ids))
        )
        accounts = {user.id: user for user in users}
        viewers: list[Viewer | None] = []
        for index, claims in enumerate(batch):
            viewer = Viewer(
                role=claims.role, user_id=ObjectId(claims.user), token_version=claims.token_version
            )
            allowed = index not in spent and _allows(accounts.get(viewer.user_id), viewer)
            viewers.append(viewer if allowed else None)
        return viewers

    async def _mark_used(self, used: list[dict[str, Any]]) -> set[int]:
        """Store the nonces; the positions of those that were already used."""
        try:
            await self._used.insert_many(used, ordered=False)
        except BulkWriteError as refused:
            errors = refused.details.get("writeErrors", [])
            if any(error["code"] != DUPLICATE_KEY for error in errors):
                raise
            return {int(error["index"]) for error in errors}
        return set()


def _allows(user: User | None, viewer: Viewer) -> bool:
    return (
        user is not None
        and user.is_active
        and user.role == viewer.role
        and (viewer.token_version is None or user.token_version == viewer.token_version)
    )
