"""Joining, seeing and leaving the waitlist."""

from __future__ import annotations

from typing import Any, cast

from pymongo.asynchronous.database import AsyncDatabase

from carevia.domain.accounts import User, UserRepository
from carevia.domain.accounts.repository import parse_object_id
from carevia.domain.bookings import BookingForm, BookingRepository, BookingService
from carevia.domain.bookings.notices import BookingNotices
from carevia.domain.bookings.rules import check_request
from carevia.domain.shared import Forbidden, Invalid, NotFound
from carevia.domain.shared.clock import Clock, utc_now
from carevia.domain.shared.text import Text
from carevia.domain.waitlist.models import ENTRY_LABELS, EntryStatus, WaitlistEntry
from carevia.domain.waitlist.offers import WaitlistOffers
from carevia.domain.waitlist.repository import WaitlistRepository
from carevia.settings import Settings

ENTRY_NOT_FOUND = Text("We could not find that waitlist entry.")
ADMIN_PAGE_SIZE = 25
MAX_PAGE = 10_000  # a typed page number never reaches date or skip arithmetic unbounded


class Waitlist:
    def __init__(
        self,
        database: AsyncDatabase[dict[str, Any]],
        entries: WaitlistRepository,
        bookings: BookingService,
        booking_records: BookingRepository,
        users: UserRepository,
        notices: BookingNotices,
        settings: Settings,
        clock: Clock = utc_now,
    ) -> None:
        self._entries = entries
        self._bookings = bookings
        self._rules = settings.booking
        self._timezone = settings.timezone
        self._clock = clock
        self.offers = WaitlistOffers(
            database,
            entries,
            bookings,
            booking_records,
            users,
            notices,
            settings.booking,
            settings.timezone,
            clock,
        )

    async def sweep(self) -> int:
        """Offer freed time to whoever waits for it; see `WaitlistOffers`."""
        return await self.offers.sweep()

    async def join(self, patient: User, form: BookingForm) -> WaitlistEntry:
        """Put the patient in line for the time, service and caregiver the form asks for."""
        _check_patient(patient)
        try:
            service = await self._bookings.service(form.service)
        except NotFound as missing:
            raise Invalid({"service": missing.message}) from missing
        now = self._clock()
        request, errors = check_request(form, service, now, self._rules, self._timezone)
        recipient, recipient_errors = await self._bookings.recipient_for(patient, form)
        if request is None or recipient_errors:
            raise Invalid({**errors, **recipient_errors})
        caregiver_name = None
        if request.caregiver_id is not None:
            chosen = await self._bookings.candidates(service, str(request.caregiver_id))
            if not chosen:
                raise Invalid({"caregiver_id": Text("This caregiver does not offer this service.")})
            caregiver_name = chosen[0].display_name
        entry = WaitlistEntry(
            patient_id=patient.id,
            patient_name=patient.full_name,
            service_slug=service.slug,
            service_name=service.name,
            caregiver_id=request.caregiver_id,
            caregiver_name=caregiver_name,
            timezone=self._timezone,
            starts_at=request.starts_at,
            ends_at=request.ends_at,
            duration_type=request.duration_type,
            quantity=request.quantity,
            location=request.location,
            payment_option=request.payment_option,
            recipient=recipient,
            # Looked at once straight away: the time may have come free while the form was open.
            recheck_at=now,
            joined_at=now,
            updated_at=now,
        )
        await self._entries.add(entry)
        return entry

    async def entries_for(self, patient: User) -> list[WaitlistEntry]:
        _check_patient(patient)
        return await self._entries.for_patient(patient.id)

    async def offers_for(self, patient: User) -> list[WaitlistEntry]:
        _check_patient(patient)
        return await self._entries.open_offers(patient.id)

    async def leave(self, patient: User, entry_id: str) -> WaitlistEntry:
        _check_patient(patient)
        oid = parse_object_id(entry_id)
        entry = await self._entries.get(oid) if oid is not None else None
        if entry is None or entry.patient_id != patient.id:
            raise NotFound(ENTRY_NOT_FOUND)
        if not await self._entries.leave(entry.id, patient.id, self._clock()):
            raise Invalid(
                {"entry": Text("Only a place that is still waiting can be given up here.")}
            )
        left = await self._entries.get(entry.id)
        assert left is not None
        return left

    async def listing(self, status: str, page: int) -> tuple[list[WaitlistEntry], int]:
        """Every entry for the dashboard, newest first, optionally of one status."""
        statuses = [cast(EntryStatus, status)] if status in ENTRY_LABELS else None
        skip = (min(max(page, 1), MAX_PAGE) - 1) * ADMIN_PAGE_SIZE
        return await self._entries.listing(statuses, skip, ADMIN_PAGE_SIZE)


def _check_patient(user: User) -> None:
    if user.role != "patient":
        raise Forbidden(Text("Only patient accounts have a waitlist."))
