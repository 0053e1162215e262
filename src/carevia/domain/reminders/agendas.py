"""The caregiver's morning agenda: drawn once a day from the visits as they stand then.

Confirming, moving or cancelling a visit writes nothing here. Rewriting one shared agenda
inside each of those transactions made every confirmation for the same caregiver and day
write the same document, so confirmations arriving together aborted each other and were
retried whole until the payment webhook ran past its deadline.

Instead, from 07:00 local time, a sweep that every app process runs claims the day once
(the first process to insert the day's claim wins) and, in the same transaction, queues one
agenda per caregiver with visits still to come that day. A crash before commit leaves
neither claim nor mail, so the next sweep does the day again.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from bson import ObjectId
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from carevia.domain.accounts import UserRepository
from carevia.domain.bookings.models import Booking
from carevia.domain.bookings.repository import BookingRepository
from carevia.domain.mail import Mailer
from carevia.domain.reminders.agenda_days import AgendaDays
from carevia.domain.reminders.schedule import agenda_due, day_bounds, visit_day
from carevia.domain.shared.clock import Clock, utc_now
from carevia.domain.shared.transactions import in_transaction


def agenda_topic(caregiver_id: ObjectId, day: object) -> str:
    return f"agenda:{caregiver_id}:{day}"


class CaregiverAgendas:
    def __init__(
        self,
        database: AsyncDatabase[dict[str, Any]],
        mailer: Mailer,
        bookings: BookingRepository,
        users: UserRepository,
        base_url: str,
        timezone: str,
        clock: Clock = utc_now,
    ) -> None:
        self._database = database
        self._days = AgendaDays(database)
        self._mailer = mailer
        self._bookings = bookings
        self._users = users
        self._base_url = base_url
        self._timezone = timezone
        self._clock = clock

    async def send_due(self) -> int:
        """Queue today's agendas if their time has come and no process has yet; how many."""
        now = self._clock()
        day = visit_day(now, self._timezone)
        if now < agenda_due(day, self._timezone) or await self._days.claimed(day):
            return 0
        _, end = day_bounds(day, self._timezone)
        # Late (the app was down at seven): visits already begun are left out.
        by_caregiver: dict[ObjectId, list[Booking]] = defaultdict(list)
        for visit in await self._bookings.confirmed_starting(now, end):
            by_caregiver[visit.caregiver_id].append(visit)

        async def queue(session: AsyncClientSession) -> int:
            if not await self._days.claim(day, now, session):
                return 0
            queued = 0
            for caregiver_id, visits in by_caregiver.items():
                caregiver = await self._users.get(caregiver_id)
                if caregiver is None or not caregiver.is_active or not caregiver.email:
                    continue
                queued += await self._mailer.enqueue(
                    caregiver.email,
                    "caregiver_agenda",
                    session=session,
                    topic=agenda_topic(caregiver_id, day),
                    caregiver=caregiver,
                    day=day,
                    visits=visits,
                    base_url=self._base_url,
                )
            return queued

        queued = await in_transaction(self._database, queue)
        if queued:
            self._mailer.wake()
        return queued
