"""Visit reminders, queued in the outbox with a due time in the transaction that confirms,
moves or ends the visit, so they exist exactly while the visit does.

The patient hears 24 hours and 2 hours before each visit; the caregiver gets one agenda of
the day's visits at 07:00 local time. A reminder whose moment has already passed when the
visit is confirmed or moved is not queued: a late reminder is worse than none.
"""

from __future__ import annotations

from datetime import date, timedelta

from bson import ObjectId
from pymongo.asynchronous.client_session import AsyncClientSession

from carevia.domain.accounts import UserRepository
from carevia.domain.bookings.models import Booking, BookingStatus
from carevia.domain.bookings.repository import BookingRepository
from carevia.domain.mail import Mailer
from carevia.domain.reminders.schedule import agenda_due, day_bounds, reminder_times, visit_day
from carevia.domain.shared.clock import Clock, utc_now

# The visits that need reminding: a visit under way already had its reminders.
REMINDED: frozenset[BookingStatus] = frozenset({"confirmed"})
# Statuses in which the time is no longer the visit's.
ENDED: frozenset[BookingStatus] = frozenset({"cancelled", "expired"})
# An agenda is rewritten only while it is comfortably unsent: one a worker may be taking now
# keeps its unique key, and writing it again would abort the transaction around it.
AGENDA_MARGIN = timedelta(minutes=1)


def reminder_topic(booking: Booking) -> str:
    return f"reminders:{booking.id}"


def agenda_topic(caregiver_id: ObjectId, day: date) -> str:
    return f"agenda:{caregiver_id}:{day.isoformat()}"


class VisitReminders:
    def __init__(
        self,
        mailer: Mailer,
        bookings: BookingRepository,
        users: UserRepository,
        base_url: str,
        timezone: str,
        clock: Clock = utc_now,
    ) -> None:
        self._mailer = mailer
        self._bookings = bookings
        self._users = users
        self._base_url = base_url
        self._timezone = timezone
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
        """Queue the patient's reminders and rewrite the caregiver's agenda; reminders queued."""
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
        await self._refresh_agenda(booking.caregiver_id, self._day_of(booking), session)
        return queued

    async def drop(self, booking: Booking, session: AsyncClientSession) -> None:
        """Withdraw the visit's unsent reminders and take it off its caregiver's agenda."""
        await self._mailer.withdraw(reminder_topic(booking), session)
        await self._refresh_agenda(booking.caregiver_id, self._day_of(booking), session)

    def _day_of(self, booking: Booking) -> date:
        return visit_day(booking.starts_at, booking.timezone or self._timezone)

    async def _refresh_agenda(
        self, caregiver_id: ObjectId, day: date, session: AsyncClientSession
    ) -> None:
        """One agenda per caregiver and day, written again from the visits as they now stand."""
        topic = agenda_topic(caregiver_id, day)
        due = agenda_due(day, self._timezone)
        if due <= self._clock() + AGENDA_MARGIN:
            return
        await self._mailer.withdraw(topic, session)
        begin, end = day_bounds(day, self._timezone)
        visits = [
            visit
            for visit in await self._bookings.for_caregiver(
                caregiver_id, begin, end, sorted(REMINDED), session=session
            )
            if begin <= visit.starts_at < end
        ]
        caregiver = await self._users.get(caregiver_id)
        if not visits or caregiver is None or not caregiver.is_active or not caregiver.email:
            return
        await self._mailer.enqueue(
            caregiver.email,
            "caregiver_agenda",
            # Unique while unsent: two visits confirmed at once cannot leave two agendas.
            dedupe_key=topic,
            session=session,
            due_at=due,
            topic=topic,
            caregiver=caregiver,
            day=day,
            visits=visits,
            base_url=self._base_url,
        )
