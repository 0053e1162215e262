"""What the waitlist learns from bookings, inside the transaction that changes them.

Freed time only marks the waiting entries it overlaps; the sweep (`WaitlistOffers`) makes
the offer afterwards, in a transaction of its own, so a cancellation never waits on it.
"""

from __future__ import annotations

from pymongo.asynchronous.client_session import AsyncClientSession

from carevia.domain.bookings.models import Booking, BookingStatus
from carevia.domain.bookings.state_machine import HOLDS_TIME
from carevia.domain.shared.clock import Clock, utc_now
from carevia.domain.waitlist.repository import WaitlistRepository

RELEASED: frozenset[BookingStatus] = frozenset({"cancelled", "expired"})


class FreedTime:
    def __init__(self, entries: WaitlistRepository, clock: Clock = utc_now) -> None:
        self._entries = entries
        self._clock = clock

    async def status_changed(
        self, was: BookingStatus, moved: Booking, session: AsyncClientSession
    ) -> None:
        """The listener `BookingTransitions` calls on every status change."""
        now = self._clock()
        if moved.status == "confirmed":
            await self._entries.settle_offer(moved.id, "booked", now, session)
        elif moved.status in RELEASED and was in HOLDS_TIME:
            # An offer that lapses or is declined passes on: its own entry leaves the line.
            await self._entries.settle_offer(moved.id, "passed", now, session)
            await self.time_freed(moved, session)

    async def visit_moved(self, old: Booking, new: Booking, session: AsyncClientSession) -> None:
        """A moved visit frees the time it held."""
        await self.time_freed(old, session)

    async def time_freed(self, booking: Booking, session: AsyncClientSession) -> None:
        await self._entries.mark_overlapping(
            booking.caregiver_id, booking.starts_at, booking.ends_at, self._clock(), session
        )
