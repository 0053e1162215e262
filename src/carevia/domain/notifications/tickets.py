"""Short-lived, single-use tickets that open a staff event stream.

`EventSource` cannot send an Authorization header, so a bearer-authenticated call trades
its token for a ticket that goes in the stream's URL. Only the ticket's SHA-256 is stored.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from carevia.domain.accounts import User, UserRepository
from carevia.domain.notifications.scoping import Viewer
from carevia.domain.shared.clock import Clock, utc_now

EVENT_TICKETS = "event_tickets"
TICKET_LIFETIME = timedelta(seconds=60)

INDEXES: Mapping[str, Sequence[IndexModel]] = {
    EVENT_TICKETS: [IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=0)],
}


def ticket_digest(ticket: str) -> str:
    return hashlib.sha256(ticket.encode()).hexdigest()


class EventTickets:
    def __init__(self, database: AsyncDatabase[dict[str, Any]], clock: Clock = utc_now) -> None:
        self._tickets = database[EVENT_TICKETS]
        self._users = UserRepository(database)
        self._clock = clock

    @property
    def lifetime_seconds(self) -> int:
        return int(TICKET_LIFETIME.total_seconds())

    async def issue(self, user: User) -> str:
        ticket = secrets.token_urlsafe(24)
        now = self._clock()
        await self._tickets.insert_one(
            {
                "_id": ticket_digest(ticket),
                "user_id": user.id,
                "role": user.role,
                "token_version": user.token_version,
                "created_at": now,
                "expires_at": now + TICKET_LIFETIME,
            }
        )
        return ticket

    async def redeem(self, ticket: str) -> Viewer | None:
        """The viewer behind an unexpired, unused ticket; one delete makes it single-use.

        The TTL index only sweeps now and then, so the expiry is part of the query.
        """
        if not ticket or len(ticket) > 128:
            return None
        found = await self._tickets.find_one_and_delete(
            {"_id": ticket_digest(ticket), "expires_at": {"$gt": self._clock()}}
        )
        if found is None:
            return None
        viewer = Viewer(
            role=found["role"], user_id=found["user_id"], token_version=found["token_version"]
        )
        return viewer if await self.still_allowed(viewer) else None

    async def still_allowed(self, viewer: Viewer) -> bool:
        """False once the account is disabled, its role changed or its tokens were revoked."""
        user = await self._users.get(viewer.user_id)
        return (
            user is not None
            and user.is_active
            and user.role == viewer.role
            and (viewer.token_version is None or user.token_version == viewer.token_version)
        )
