"""Visit reminders, queued in the outbox with a due time in the transaction that confirms,
moves or ends the visit, so they exist exactly while the visit does.

The patient hears 24 hours and 2 hours before each visit. A reminder whose moment has
already passed when the visit is confirmed or moved is not queued: a late reminder is worse
than none. (The caregiver's agenda of the day is drawn by `agendas.CaregiverAgendas` at
07:00, from the visits as they stand then.)
"""

from __future__ import annotations

from pymongo.asynchronous.client_session import AsyncClientSession

from carevia.domain.bookings.models import Booking, BookingStatus
from carevia.domain.mail import Mailer
from carevia.domain.reminders.schedule import reminder_times
from carevia.domain.shared.clock import Clock, utc_now

# The visits that need reminding: a visit under way already had its reminders.
REMINDED: frozenset[BookingStatus] = frozenset({"confirmed"})
# Statuses in which the time is no longer the visit's.
ENDED: frozenset[BookingStatus] = frozenset({"cancelled", "expired"})


def reminder_topic(booking: Booking) -> str:
    return f"reminders:{booking.id}"


class VisitReminders:
    def __init__(
        self,
        mailer: Mailer,
        base_url: str,
        clock: Clock = utc_now,
    ) -> None:
        self._mailer = mailer
        self._base_url = base_url
        self._clock = clock

    async def status_changed(
        self, was: BookingStatus, moved: Booking, session: AsyncClientSession
    ) -> None:
        """The listener `BookingTransitions` calls inside every status change's transaction."""
        if moved.status in REMINDED and was not in REMINDED:
            await self.schedule(moved, session)
        elif moved.status in ENDED and was in REMINDED:
            await self.drop(moved, session)

    async def visit_moved(self, old: Booking, new: Booking, session: AsyncClientSession) -> None:
        """Reminders follow a visit to its new time or caregiver, in the move's transaction."""
        await self.drop(old, session)
        if new.status in REMINDED:
            await self.schedule(new, session)

    async def schedule(self, booking: Booking, session: AsyncClientSession) -> int:
        """Queue the patient's reminders; how many."""
        now = self._clock()
        queued = 0
        address = booking.patient.email  # a deleted patient's booking keeps no address
        for name, due in reminder_times(booking.starts_at):
            if due <= now or not address:
                continue
            queued += await self._mailer.enqueue(
                address,
                "visit_reminder",
                session=session,
                due_at=due,
                topic=reminder_topic(booking),
                booking=booking,
                soon=name == "2h",
                booking_url=f"{self._base_url}/bookings/{booking.code}",
            )
        return queued

    async def drop(self, booking: Booking, session: AsyncClientSession) -> None:
        """Withdraw the visit's unsent reminders."""
        await self._mailer.withdraw(reminder_topic(booking), session)
