"""Visits stored through the booking code itself, and the outbox under a movable clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bson import ObjectId
from pymongo.asynchronous.database import AsyncDatabase

from carevia.domain.accounts import User, UserRepository
from carevia.domain.audit import AuditLog
from carevia.domain.bookings import Booking, BookingRepository, BookingService
from carevia.domain.bookings.factory import new_hold
from carevia.domain.bookings.models import Location
from carevia.domain.bookings.notices import BookingNotices
from carevia.domain.bookings.pricing import quote
from carevia.domain.bookings.rules import BookingRequest
from carevia.domain.bookings.schedule import interval, local_start
from carevia.domain.bookings.transitions import SYSTEM, BookingTransitions, StatusListener
from carevia.domain.care import Recipient
from carevia.domain.care.repository import CarePeopleRepository
from carevia.domain.care.service import CarePeople
from carevia.domain.caregivers import CaregiverRepository
from carevia.domain.catalogue import ServiceRepository
from carevia.domain.mail import Mailer, MailRenderer, OutboxRepository
from carevia.domain.notifications import NotificationRepository
from carevia.domain.reminders import CaregiverAgendas, VisitReminders
from carevia.domain.waitlist import FreedTime, Waitlist, WaitlistEntry, WaitlistRepository
from carevia.settings import Settings
from tests.support.reviews import MovableClock

Database = AsyncDatabase[dict[str, Any]]
DHAKA = "Asia/Dhaka"
BASE_URL = "https://testserver.local"


async def held_visit(
    database: Database,
    patient: User,
    caregiver_id: ObjectId,
    day: date,
    start: time,
    *,
    now: datetime,
    hours: int = 4,
    hold_minutes: int = 30,
    recipient: Recipient | None = None,
    service_slug: str = "infant-day-care",
) -> Booking:
    """A held booking made by the booking code's own factory, its time claimed."""
    service = await ServiceRepository(database).get_active_by_slug(service_slug)
    caregiver = await CaregiverRepository(database).get(caregiver_id)
    assert service is not None and caregiver is not None, "seeded catalogue and a caregiver"
    starts_at, ends_at = interval(local_start(day, start, DHAKA), "hours", hours)
    request = BookingRequest(
        caregiver_id=caregiver_id,
        local_date=day,
        local_time=start,
        duration_type="hours",
        quantity=hours,
        location=Location(division="Dhaka", district="Gazipur", address="House 9, Road 3"),
        payment_option="full",
        starts_at=starts_at,
        ends_at=ends_at,
    )
    price = quote(service, "hours", hours, "Dhaka", "full", 0)
    booking = new_hold(
        patient,
        service,
        caregiver,
        request,
        price,
        now=now,
        timezone=DHAKA,
        hold_minutes=hold_minutes,
        recipient=recipient,
    )
    await BookingRepository(database).add_with_claims(booking)
    return booking


@dataclass
class ReminderDesk:
    """The outbox, reminders and transitions of one process, all under `clock`."""

    clock: MovableClock
    outbox: OutboxRepository
    reminders: VisitReminders
    transitions: BookingTransitions
    agendas: CaregiverAgendas

    async def confirm(self, booking: Booking) -> Booking:
        confirmed = await self.transitions.move(booking, "confirmed", SYSTEM)
        assert confirmed is not None
        return confirmed


def reminder_desk(database: Database, clock: MovableClock, *more: StatusListener) -> ReminderDesk:
    outbox = OutboxRepository(database)
    mailer = Mailer(outbox, MailRenderer(), clock=clock)
    bookings = BookingRepository(database)
    reminders = VisitReminders(mailer, BASE_URL, clock)
    transitions = BookingTransitions(
        database,
        bookings,
        AuditLog(database),
        None,
        clock,
        listeners=[reminders.status_changed, *more],
    )
    agendas = CaregiverAgendas(
        database, mailer, bookings, UserRepository(database), BASE_URL, DHAKA, clock
    )
    return ReminderDesk(clock, outbox, reminders, transitions, agendas)


async def pending_mail(database: Database, template: str) -> list[dict[str, Any]]:
    found = database["mail_outbox"].find({"template": template, "status": "pending"})
    return await found.sort([("next_attempt_at", 1), ("_id", 1)]).to_list()


@dataclass
class WaitlistDesk:
    """Bookings and the waitlist of one process, all under `clock`, as the app wires them."""

    clock: MovableClock
    bookings: BookingService
    transitions: BookingTransitions
    waitlist: Waitlist


def waitlist_desk(
    database: Database,
    settings: Settings,
    clock: MovableClock,
    records: BookingRepository | None = None,
) -> WaitlistDesk:
    users = UserRepository(database)
    records = records or BookingRepository(database)
    audit = AuditLog(database)
    mailer = Mailer(OutboxRepository(database), MailRenderer(), clock=clock)
    notices = BookingNotices(mailer, NotificationRepository(database), BASE_URL, clock, users=users)
    entries = WaitlistRepository(database)
    freed = FreedTime(entries, clock)
    transitions = BookingTransitions(
        database, records, audit, notices, clock, listeners=[freed.status_changed]
    )
    bookings = BookingService(
        bookings=records,
        services=ServiceRepository(database),
        caregivers=CaregiverRepository(database),
        users=users,
        audit=audit,
        rules=settings.booking,
        timezone=settings.timezone,
        transitions=transitions,
        clock=clock,
        people=CarePeople(CarePeopleRepository(database)),
    )
    waitlist = Waitlist(database, entries, bookings, records, users, notices, settings, clock)
    return WaitlistDesk(clock, bookings, transitions, waitlist)


async def waiting_place(database: Database, patient: User, caregiver_id: ObjectId) -> str:
    """A place on the waitlist for the patient, three days ahead at 10:00; its id."""
    now = datetime.now(UTC)
    day = (now.astimezone(ZoneInfo(DHAKA)) + timedelta(days=3)).date()
    starts_at, ends_at = interval(local_start(day, time(10, 0), DHAKA), "hours", 4)
    entry = WaitlistEntry(
        patient_id=patient.id,
        patient_name=patient.full_name,
        service_slug="infant-day-care",
        service_name="Infant day care",
        caregiver_id=caregiver_id,
        caregiver_name="Shirin Akhter",
        timezone=DHAKA,
        starts_at=starts_at,
        ends_at=ends_at,
        duration_type="hours",
        quantity=4,
        location=Location(division="Dhaka", district="Gazipur", address="House 9, Road 3"),
        payment_option="full",
        joined_at=now,
        updated_at=now,
    )
    await WaitlistRepository(database).add(entry)
    return str(entry.id)
