"""Moving visits in tests: where a visit's time is claimed, and the service with listeners."""

from __future__ import annotations

from datetime import UTC, date, datetime

from carevia.domain.accounts import UserRepository
from carevia.domain.audit import AuditLog
from carevia.domain.bookings import BookingRepository
from carevia.domain.bookings.notices import BookingNotices
from carevia.domain.bookings.rescheduling import AfterMove, Rescheduling
from carevia.domain.caregivers import CaregiverRepository
from carevia.domain.mail import Mailer, MailRenderer, OutboxRepository
from carevia.domain.notifications import NotificationRepository
from carevia.domain.shared.clock import utc_now
from carevia.settings import Settings
from tests.support.bookings import DHAKA
from tests.support.listings import Database
from tests.support.payment_flows import stored_booking


def local(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=DHAKA).astimezone(UTC)


async def claimed(database: Database, code: str) -> list[datetime]:
    booking = await stored_booking(database, code)
    claims = database["slot_claims"].find({"booking_id": booking["_id"]}).sort("slot_start")
    return [claim["slot_start"] async for claim in claims]


def mover_with(database: Database, settings: Settings, *listeners: AfterMove) -> Rescheduling:
    """The rescheduling service as the composition root builds it, with `listeners` after a move."""
    users = UserRepository(database)
    notices = BookingNotices(
        Mailer(OutboxRepository(database), MailRenderer(), None),
        NotificationRepository(database),
        settings.public_base_url,
        utc_now,
        users=users,
    )
    return Rescheduling(
        database,
        BookingRepository(database),
        CaregiverRepository(database),
        users,
        AuditLog(database),
        notices,
        settings.booking,
        settings.timezone,
        after_move=listeners,
    )
