"""The rules of a booking's messages: who takes part, what may be written, who is told.

The patient, the booking's caregiver and support (every admin) take part; anyone else is
told the booking does not exist, as `BookingService.find_for` answers. A thread stays
readable for good but takes new messages only while the booking is live and for 30 days
after the visit ends; a cancelled or lapsed booking's thread is read-only at once, since
nothing is left to arrange (support's phone line and contact form stay open).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bson import ObjectId
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from carevia.domain.accounts import User, UserRepository
from carevia.domain.bookings import Booking, BookingRepository, BookingService
from carevia.domain.mail import Mailer
from carevia.domain.messages.models import (
    MAIL_AFTER_MINUTES,
    MAILED_SIDES,
    OPEN_DAYS_AFTER_VISIT,
    PER_DAY,
    PER_MINUTE,
    TEXT_MAX,
    Message,
    Side,
    ThreadSummary,
    ThreadView,
    side_of,
)
from carevia.domain.messages.repository import MessageRepository
from carevia.domain.notifications import NotificationRepository
from carevia.domain.shared import Conflict, Forbidden, Invalid, NotFound, RateLimited
from carevia.domain.shared.clock import Clock
from carevia.domain.shared.pagination import Page, clamp_page
from carevia.domain.shared.text import Text
from carevia.domain.shared.transactions import in_transaction

BOOKING_NOT_FOUND = Text("No such booking.")
INBOX_PAGE_SIZE = 20
# One sweep sends at most this many emails; the next sweep picks up the rest.
MAILS_PER_SWEEP = 200


def checked_text(text: str) -> str:
    text = text.strip()
    if not 1 <= len(text) <= TEXT_MAX:
        raise Invalid(
            {
                "text": Text(
                    "Please write a message of 1 to %(maximum)s characters.",
                    maximum=f"{TEXT_MAX:,}",
                )
            }
        )
    return text


def closed_reason(booking: Booking, now: datetime) -> str | None:
    """Why no new message may be written, or None while the thread is open."""
    if booking.status in ("cancelled", "expired"):
        if booking.status == "cancelled":
            return Text(
                "This booking was cancelled, so its messages can be read but no new ones sent. "
                "For anything else, please contact support."
            )
        return Text(
            "This booking was not confirmed in time, so its messages can be read but no new "
            "ones sent. For anything else, please contact support."
        )
    if now >= booking.ends_at + timedelta(days=OPEN_DAYS_AFTER_VISIT):
        return Text.plural(
            "Messages close %(num)d day after the visit. You can still read "
            "them; for anything new, please contact support.",
            "Messages close %(num)d days after the visit. You can still read "
            "them; for anything new, please contact support.",
            OPEN_DAYS_AFTER_VISIT,
        )
    return None


def last_seen(messages: list[Message], side: Side) -> tuple[ObjectId | None, datetime | None]:
    """The viewer's last own message that another side has read, and when it was first read."""
    for message in reversed(messages):
        if message.side != side:
            continue
        others = [at for reader, at in message.read_at.items() if reader != side]
        if others:
            return message.id, min(others)
    return None, None


class MessageService:
    def __init__(
        self,
        *,
        database: AsyncDatabase[dict[str, Any]],
        messages: MessageRepository,
        bookings: BookingRepository,
        users: UserRepository,
        notifications: NotificationRepository,
        mailer: Mailer,
        base_url: str,
        clock: Clock,
    ) -> None:
        self._database = database
        self._messages = messages
        self._bookings = bookings
        self._users = users
        self._notifications = notifications
        self._mailer = mailer
        self._base_url = base_url
        self._clock = clock
        # Shared with the booking notices: every notification takes its id from one counter.

    async def _booking(self, user: User, code: str) -> Booking:
        booking = await self._bookings.get_by_code(code.upper())
        if booking is None or not BookingService.may_view(user, booking):
            raise NotFound(BOOKING_NOT_FOUND)
        return booking

    # Reading

    async def on_page(self, user: User, booking: Booking, *, dashboard: bool) -> ThreadView | None:
        """The thread block of a booking page the user already may see; None for anyone else."""
        if not BookingService.may_view(user, booking):
            return None
        return await self._view(user, booking, dashboard=dashboard)

    async def thread(
        self, user: User, code: str, *, dashboard: bool, draft: str = "", error: str | None = None
    ) -> ThreadView:
        """The thread as `user` sees it, marking what the others wrote as read."""
        booking = await self._booking(user, code)
        return await self._view(user, booking, dashboard=dashboard, draft=draft, error=error)

    async def _view(
        self,
        user: User,
        booking: Booking,
        *,
        dashboard: bool,
        draft: str = "",
        error: str | None = None,
    ) -> ThreadView:
        side = side_of(user.role)
        now = self._clock()
        # The booking says who its caregiver is now; the thread follows it when it opens.
        await self._messages.follow_caregiver(booking.id, booking.caregiver_id)
        await self._messages.mark_read(booking.id, side, now)
        messages = await self._messages.thread(booking.id)
        seen_id, seen_at = last_seen(messages, side)
        page_url = ("/dashboard" if dashboard else "") + f"/bookings/{booking.code}"
        return ThreadView(
            booking_code=booking.code,
            timezone=booking.timezone,
            side=side,
            viewer_id=user.id,
            messages=messages,
            post_url=f"{page_url}/messages",
            page_url=page_url,
            closed_reason=closed_reason(booking, now),
            seen_id=seen_id,
            seen_at=seen_at,
            draft=draft,
            error=error,
        )

    async def unread_count(self, user: User) -> int:
        """Messages waiting for this person: one indexed count (support counts waiting threads)."""
        if user.role == "admin":
            return await self._messages.waiting_count()
        if user.role == "caregiver":
            return await self._messages.unread_count("caregiver_id", user.id, "caregiver")
        return await self._messages.unread_count("patient_id", user.id, "patient")

    async def inbox(self, user: User, page: int) -> Page[ThreadSummary]:
        """Support: the threads waiting for an answer, longest first; a caregiver: their own."""
        if user.role == "admin":
            total = await self._messages.waiting_count()
        elif user.role == "caregiver":
            total = await self._messages.caregiver_thread_count(user.id)
        else:
            raise Forbidden(Text("Only support and caregivers have a message inbox."))
        request = clamp_page(page, total, INBOX_PAGE_SIZE)
        if user.role == "admin":
            items, total = await self._messages.waiting_threads(request.skip, request.size)
        else:
            items, total = await self._messages.threads_of_caregiver(
                user.id, request.skip, request.size
            )
        return Page(items=items, number=request.number, size=request.size, total=total)

    # Writing

    async def post(self, user: User, code: str, text: str, *, dashboard: bool) -> ThreadView:
        """Store the message, then tell the other people of the thread, live and by their count."""
        text = checked_text(text)
        booking = await self._booking(user, code)
        now = self._clock()
        reason = closed_reason(booking, now)
        if reason is not None:
            raise Conflict(reason)
        await self._check_rate(user, now)
        side = side_of(user.role)
        recipients = [other for other in MAILED_SIDES if other != side]
        # One waiting email covers every message after it until the recipient reads them.
        owed: list[str] = [
            other
            for other in recipients
            if not await self._messages.mail_pending_in_thread(booking.id, other)
        ]
        message = Message(
            id=ObjectId(),
            booking_id=booking.id,
            booking_code=booking.code,
            patient_id=booking.patient_id,
            caregiver_id=booking.caregiver_id,
            author_id=user.id,
            author_role=user.role,
            author_name=user.first_name.strip(),
            text=text,
            created_at=now,
            unread_by=list(recipients),
            mail_pending=owed,
            mail_due_at=now + timedelta(minutes=MAIL_AFTER_MINUTES),
        )

        async def write(session: AsyncClientSession) -> None:
            await self._messages.add(message, booking.service_name, session)
            # Only the other people of the thread are told (admins see every notice); the
            # notice names the message, never its text: the page fetches the thread itself.
            await self._notifications.add(
                "message.created",
                dedupe_key=f"message.created:{message.id}",
                now=now,
                booking_code=booking.code,
                patient_id=booking.patient_id if side != "patient" else None,
                caregiver_id=booking.caregiver_id if side != "caregiver" else None,
                session=session,
                data={
                    "code": booking.code,
                    "message_id": str(message.id),
                    "author_role": user.role,
                },
            )

        await in_transaction(self._database, write)
        return await self._view(user, booking, dashboard=dashboard)

    async def _check_rate(self, user: User, now: datetime) -> None:
        if await self._messages.written_since(user.id, now - timedelta(minutes=1)) >= PER_MINUTE:
            raise RateLimited(
                Text(
                    "You have sent %(num)d messages in the last minute. "
                    "Please wait a minute before sending another.",
                    num=PER_MINUTE,
                )
            )
        if await self._messages.written_since(user.id, now - timedelta(days=1)) >= PER_DAY:
            raise RateLimited(
                Text(
                    "You have sent %(num)d messages today, the most we allow in a day. "
                    "Please call support if something is urgent.",
                    num=PER_DAY,
                )
            )

    # The unread email

    async def send_waiting_mail(self) -> int:
        """Email each recipient of a message still unread after ten minutes, once; how many."""
        sent = 0
        for side in MAILED_SIDES:
            sent += await self._mail_due(side)
        if sent:
            self._mailer.wake()
        return sent

    async def _mail_due(self, side: Side) -> int:
        async def mail_one(session: AsyncClientSession) -> int | None:
            return await self._mail_one(side, session)

        sent = 0
        for _ in range(MAILS_PER_SWEEP):
            outcome = await in_transaction(self._database, mail_one)
            if outcome is None:
                break
            sent += outcome
        return sent

    async def _mail_one(self, side: Side, session: AsyncClientSession) -> int | None:
        """Claim one due email and queue it in the same transaction; None when none is due."""
        message = await self._messages.claim_due_mail(side, self._clock(), session)
        if message is None:
            return None
        booking = await self._bookings.get(message.booking_id, session)
        if booking is None:
            return 0
        if side == "patient":
            to, first_name = booking.patient.email, booking.patient.name.split(" ")[0]
            link = f"{self._base_url}/bookings/{booking.code}#messages"
        else:
            caregiver = await self._users.get(booking.caregiver_id)
            if caregiver is None or not caregiver.is_active:
                return 0
            to, first_name = caregiver.email, caregiver.first_name
            link = f"{self._base_url}/dashboard/bookings/{booking.code}#messages"
        if "@" not in to:  # an erased account keeps no address
            return 0
        queued = await self._mailer.enqueue(
            to,
            "message_waiting",
            dedupe_key=f"message_waiting:{message.id}:{side}",
            session=session,
            booking=booking,
            first_name=first_name,
            thread_url=link,
        )
        return 1 if queued else 0
