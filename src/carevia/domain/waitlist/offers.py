"""Offering freed time to the first patient in line: an exclusive hold for 15 minutes.

The offer is a real held booking. Its claims, the entry's move from waiting to offered,
the live notice and the email are written in one transaction, so two sweeps running at
once (in one process or several) make one offer: the second finds the entry no longer
waiting, or the time claimed. An offer not paid in time expires like any hold, through
`BookingTransitions`, and `FreedTime` passes it on to the next in line.
"""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError

from carevia.domain.accounts import UserRepository
from carevia.domain.bookings import BookingRepository, BookingService
from carevia.domain.bookings.factory import new_hold
from carevia.domain.bookings.free_time import FreeTimes
from carevia.domain.bookings.models import Booking
from carevia.domain.bookings.notices import BookingNotices
from carevia.domain.bookings.pricing import quote
from carevia.domain.bookings.rules import BookingRequest
from carevia.domain.caregivers import Caregiver
from carevia.domain.catalogue import Service
from carevia.domain.shared import NotFound
from carevia.domain.shared.clock import Clock, utc_now
from carevia.domain.shared.transactions import in_transaction
from carevia.domain.waitlist.models import WaitlistEntry
from carevia.domain.waitlist.repository import WaitlistRepository
from carevia.settings import BookingSettings

OFFER_MINUTES = 15
OFFER_EVENT = "waitlist.offer"
# Entries looked at per sweep; the rest wait for the next one, seconds later.
SWEEP_LIMIT = 50


class WaitlistOffers:
    def __init__(
        self,
        database: AsyncDatabase[dict[str, Any]],
        entries: WaitlistRepository,
        bookings: BookingService,
        booking_records: BookingRepository,
        users: UserRepository,
        notices: BookingNotices,
        rules: BookingSettings,
        timezone: str,
        clock: Clock = utc_now,
    ) -> None:
        self._database = database
        self._entries = entries
        self._bookings = bookings
        self._users = users
        self._records = booking_records
        self._notices = notices
        self._rules = rules
        self._clock = clock
        self._free_times = FreeTimes(booking_records, timezone, rules.min_notice_hours, clock)

    async def sweep(self) -> int:
        """Offer freed time to the waiting entries it may fit, in line order; offers made."""
        now = self._clock()
        await self._entries.end_passed(now + timedelta(hours=self._rules.min_notice_hours), now)
        offered = 0
        for entry in await self._entries.to_recheck(SWEEP_LIMIT):
            if await self.offer(entry):
                offered += 1
            else:
                await self._entries.checked(entry)
        if offered:
            self._notices.wake()
        return offered

    async def offer(self, entry: WaitlistEntry) -> Booking | None:
        """Hold the first free fitting caregiver's time for the entry; None if none is free."""
        patient = await self._users.get(entry.patient_id)
        if patient is None or not patient.is_active or patient.deleted_at is not None:
            return None
        try:
            service = await self._bookings.service(entry.service_slug)
        except NotFound:
            return None
        request = self._request(entry)
        for caregiver in await self._free_caregivers(service, entry, request):
            price = quote(
                service,
                entry.duration_type,
                entry.quantity,
                entry.location.division,
                entry.payment_option,
                self._rules.travel_fee,
            )
            booking = new_hold(
                patient,
                service,
                caregiver,
                request,
                price,
                now=self._clock(),
                timezone=entry.timezone,
                hold_minutes=OFFER_MINUTES,
                recipient=entry.recipient,
            )
            try:
                made = await in_transaction(
                    self._database,
                    partial(self._hold, entry=entry, booking=booking),
                )
            except (BulkWriteError, DuplicateKeyError):
                continue  # taken meanwhile: the next free caregiver, if any
            return booking if made else None
        return None

    async def _hold(
        self, session: AsyncClientSession, *, entry: WaitlistEntry, booking: Booking
    ) -> bool:
        if not await self._entries.offer(entry.id, booking, self._clock(), session):
            return False
        await self._records.insert_with_claims(booking, session)
        # The patient's email and live notice; the key makes each offer's notices unique.
        await self._notices.tell(
            booking, "waitlist_offer", OFFER_EVENT, session, key="offer", minutes=OFFER_MINUTES
        )
        return True

    def _request(self, entry: WaitlistEntry) -> BookingRequest:
        local = entry.starts_at.astimezone(ZoneInfo(entry.timezone))
        return BookingRequest(
            caregiver_id=entry.caregiver_id,
            local_date=local.date(),
            local_time=local.time().replace(tzinfo=None),
            duration_type=entry.duration_type,
            quantity=entry.quantity,
            location=entry.location,
            payment_option=entry.payment_option,
            starts_at=entry.starts_at,
            ends_at=entry.ends_at,
        )

    async def _free_caregivers(
        self, service: Service, entry: WaitlistEntry, request: BookingRequest
    ) -> list[Caregiver]:
        choice = "any" if entry.caregiver_id is None else str(entry.caregiver_id)
        candidates = await self._bookings.candidates(service, choice)
        starts = await self._free_times.starts_on(
            candidates, request.local_date, entry.duration_type, entry.quantity
        )
        return [c for c in candidates if request.local_time in starts.get(c.id, [])]
