"""The waitlist under a movable clock: the first in line gets the freed time, an offer not
taken passes on, two sweeps at once make one offer, and an offer is confirmed exactly once."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

import pytest
from bson import ObjectId

from carevia.domain.accounts import User
from carevia.domain.bookings import Booking, BookingForm, BookingRepository
from carevia.domain.bookings.transitions import SYSTEM
from carevia.settings import Settings
from tests.support.accounts import UserFactory
from tests.support.bookings import CaregiverFactory, booking_form
from tests.support.reviews import MovableClock
from tests.support.scheduling import Database, WaitlistDesk, waitlist_desk

pytestmark = pytest.mark.usefixtures("seeded")


@pytest.fixture
def desk(database: Database, settings: Settings) -> WaitlistDesk:
    return waitlist_desk(database, settings, MovableClock())


@pytest.fixture
async def taken(
    desk: WaitlistDesk, make_user: UserFactory, make_caregiver: CaregiverFactory
) -> Booking:
    """Shirin, the only caregiver, is held by Amina for the time everyone wants."""
    await make_caregiver("shirin@example.com")
    amina = await make_user("amina@example.com")
    return await desk.bookings.create(amina, "infant-day-care", BookingForm(**booking_form()))


async def join(desk: WaitlistDesk, make_user: UserFactory, email: str) -> User:
    patient = await make_user(email, first_name=email.split("@")[0].capitalize())
    await desk.waitlist.join(patient, BookingForm(**booking_form()))
    desk.clock.move(seconds=30)
    return patient


async def entry_of(database: Database, patient: User) -> dict[str, Any]:
    found = await database["waitlist"].find_one({"patient_id": patient.id})
    assert found is not None
    return found


async def offer_of(database: Database, patient: User) -> Booking:
    entry = await entry_of(database, patient)
    assert entry["status"] == "offered", entry["status"]
    booking = await BookingRepository(database).get(entry["offer_booking_id"])
    assert booking is not None
    assert booking.patient_id == patient.id and booking.status == "pending_payment"
    return booking


async def test_the_first_in_line_gets_the_time_and_it_passes_on_when_not_taken(
    database: Database, desk: WaitlistDesk, taken: Booking, make_user: UserFactory
) -> None:
    rahim = await join(desk, make_user, "rahim@example.com")
    nadia = await join(desk, make_user, "nadia@example.com")
    assert await desk.waitlist.sweep() == 0, "nothing is free yet"

    desk.clock.move(minutes=31)
    assert await desk.bookings.expire_lapsed() == 1
    assert await desk.waitlist.sweep() == 1
    first = await offer_of(database, rahim)
    assert (first.starts_at, first.caregiver_id) == (taken.starts_at, taken.caregiver_id)
    assert first.hold_expires_at == desk.clock.now + timedelta(minutes=15)
    assert (await entry_of(database, nadia))["status"] == "waiting"
    notices = await database["notifications"].find({"event": "waitlist.offer"}).to_list()
    assert [n["patient_id"] for n in notices] == [rahim.id]
    mails = await database["mail_outbox"].find({"template": "waitlist_offer"}).to_list()
    assert [m["to"] for m in mails] == ["rahim@example.com"]

    desk.clock.move(minutes=16)
    assert await desk.bookings.expire_lapsed() == 1
    assert (await entry_of(database, rahim))["status"] == "passed"
    assert await desk.waitlist.sweep() == 1
    second = await offer_of(database, nadia)

    assert await desk.transitions.move(second, "confirmed", SYSTEM) is not None
    assert (await entry_of(database, nadia))["status"] == "booked"
    confirmed = await database["bookings"].count_documents(
        {"starts_at": taken.starts_at, "status": "confirmed"}
    )
    assert confirmed == 1
    assert await desk.waitlist.sweep() == 0


async def test_two_sweeps_at_once_make_one_offer(
    database: Database,
    desk: WaitlistDesk,
    settings: Settings,
    taken: Booking,
    make_user: UserFactory,
) -> None:
    for name in ("rahim", "nadia", "karim"):
        await join(desk, make_user, f"{name}@example.com")
    desk.clock.move(minutes=31)
    await desk.bookings.expire_lapsed()
    # Two processes: each with its own services and its own notice lock.
    other = waitlist_desk(database, settings, desk.clock)

    made = await asyncio.gather(desk.waitlist.sweep(), other.waitlist.sweep())

    assert sorted(made) == [0, 1]
    held = await database["bookings"].count_documents(
        {"starts_at": taken.starts_at, "status": "pending_payment"}
    )
    assert held == 1
    statuses = [e["status"] async for e in database["waitlist"].find().sort("joined_at", 1)]
    assert statuses == ["offered", "waiting", "waiting"]


async def test_a_cancelled_visit_frees_its_time_for_the_waitlist(
    database: Database, desk: WaitlistDesk, taken: Booking, make_user: UserFactory
) -> None:
    confirmed = await desk.transitions.move(taken, "confirmed", SYSTEM)
    assert confirmed is not None
    rahim = await join(desk, make_user, "rahim@example.com")
    assert await desk.waitlist.sweep() == 0

    assert await desk.transitions.move(confirmed, "cancelled", SYSTEM) is not None
    assert await desk.waitlist.sweep() == 1
    await offer_of(database, rahim)


async def test_a_waiting_place_ends_when_its_time_can_no_longer_be_booked(
    database: Database, desk: WaitlistDesk, taken: Booking, make_user: UserFactory
) -> None:
    rahim = await join(desk, make_user, "rahim@example.com")
    desk.clock.now = taken.starts_at
    await desk.waitlist.sweep()
    assert (await entry_of(database, rahim))["status"] == "ended"


class ExpiredMeanwhile(BookingRepository):
    """Another process (the sweep) expires the lapsed holds just as this one looks for them."""

    def __init__(self, database: Database, competitor: WaitlistDesk) -> None:
        super().__init__(database)
        self._competitor = competitor

    async def lapsed_holds(
        self, now: datetime, limit: int, caregiver_id: ObjectId | None = None
    ) -> list[Booking]:
        found = await super().lapsed_holds(now, limit, caregiver_id)
        assert await self._competitor.bookings.expire_lapsed() == len(found)
        return found


async def test_a_hold_expired_by_the_sweep_meanwhile_does_not_refuse_the_next_patient(
    database: Database,
    desk: WaitlistDesk,
    settings: Settings,
    taken: Booking,
    make_user: UserFactory,
) -> None:
    desk.clock.move(minutes=31)
    racing = waitlist_desk(database, settings, desk.clock, ExpiredMeanwhile(database, desk))
    rahim = await make_user("rahim@example.com", first_name="Rahim")

    booking = await racing.bookings.create(rahim, "infant-day-care", BookingForm(**booking_form()))

    assert (booking.starts_at, booking.caregiver_id) == (taken.starts_at, taken.caregiver_id)
