"""A patient's rights over their own data: a complete export, and erasure.

The export holds everything kept about the person and nothing about anyone else. Erasure
first cancels the upcoming bookings through the normal cancellation path (so paid ones are
refunded under the policy, with audit and notices), then removes the person's details from
every collection that kept them. Bookings, payments and audit entries stay, without the
person, because the accounts must be kept.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import msgspec
from bson import ObjectId

from carevia.domain.accounts import AccountTokenRepository, User, UserRepository
from carevia.domain.accounts.administration import StreamCloser
from carevia.domain.accounts.passwords import verify_password
from carevia.domain.applications.repository import ApplicationRepository
from carevia.domain.audit import AuditLog
from carevia.domain.auth.refresh import RefreshTokenService
from carevia.domain.auth.sessions import SessionRepository
from carevia.domain.bookings.models import Booking
from carevia.domain.bookings.repository import BookingRepository
from carevia.domain.care.service import CarePeople
from carevia.domain.contact import ContactRepository
from carevia.domain.mail import OutboxRepository
from carevia.domain.messages.repository import MessageRepository
from carevia.domain.notifications import NotificationRepository
from carevia.domain.notifications.scoping import MAX_PAGE, Viewer, public_payload, visible_after
from carevia.domain.payments.repository import PaymentRepository
from carevia.domain.reviews.repository import ReviewRepository
from carevia.domain.shared import Invalid
from carevia.domain.shared.clock import Clock, utc_now
from carevia.domain.shared.text import Text
from carevia.domain.waitlist.repository import WaitlistRepository

UPCOMING = ("pending_payment", "confirmed")
PAGE = 200
ERASED_MESSAGE = Text("This message was removed when its writer deleted their account.")
VISIT_UNDER_WAY = Text(
    "A visit is under way. You can delete your account once it has ended; "
    "or contact us and we will help."
)

# Cancels one booking as its patient would: the transition, refund request and notices.
CancelBooking = Callable[[User, str], Awaitable[Booking]]


def _plain(value: Any) -> Any:
    """Structs and documents as JSON-ready values: ids as strings, times in ISO 8601."""
    return msgspec.to_builtins(value, enc_hook=str)


def _profile(user: User) -> dict[str, Any]:
    return {
        "id": str(user.id),
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "phone": user.phone,
        "address": user.address,
        "city": user.city,
        "division": user.division,
        "district": user.district,
        "postal_code": user.postal_code,
        "role": user.role,
        "email_verified_at": user.email_verified_at.isoformat() if user.email_verified_at else None,
        "created_at": user.created_at.isoformat(),
    }


class PersonalData:
    def __init__(
        self,
        *,
        users: UserRepository,
        tokens: AccountTokenRepository,
        sessions: SessionRepository,
        refresh_tokens: RefreshTokenService,
        bookings: BookingRepository,
        payments: PaymentRepository,
        notifications: NotificationRepository,
        outbox: OutboxRepository,
        contact: ContactRepository,
        reviews: ReviewRepository,
        applications: ApplicationRepository,
        messages: MessageRepository,
        discard_file: Callable[[ObjectId], Awaitable[None]],
        care_people: CarePeople,
        audit: AuditLog,
        cancel_booking: CancelBooking,
        close_streams: StreamCloser,
        waitlist: WaitlistRepository,
        clock: Clock = utc_now,
    ) -> None:
        self._users = users
        self._tokens = tokens
        self._sessions = sessions
        self._refresh_tokens = refresh_tokens
        self._bookings = bookings
        self._payments = payments
        self._notifications = notifications
        self._outbox = outbox
        self._contact = contact
        self._reviews = reviews
        self._applications = applications
        self._messages = messages
        self._discard_file = discard_file
        self._care_people = care_people
        self._audit = audit
        self._cancel_booking = cancel_booking
        self._close_streams = close_streams
        self._waitlist = waitlist
        self._clock = clock

    async def export(self, user: User) -> dict[str, Any]:
        """Everything kept about `user`, with the people they care for and their care needs.

        Of the booking threads, the messages the person wrote: the others' words are theirs.
        """
        await self._audit.record(
            "user.exported", actor_id=str(user.id), target_type="user", target_id=str(user.id)
        )
        bookings = await self._all_bookings(user.id)
        payments, refunds = [], []
        for booking in bookings:
            payments += await self._payments.for_booking(booking.id)
            refunds += await self._payments.refunds_for(booking.id)
        codes = [booking.code for booking in bookings]
        return {
            "exported_at": self._clock().isoformat(),
            "profile": _profile(user),
            "bookings": _plain(bookings),
            "payments": _plain(payments),
            "refunds": _plain(refunds),
            "notifications": [public_payload(n) for n in await self._notifications_of(user)],
            "audit": [
                self._audit_entry(entry, user)
                for entry in await self._audit.about(str(user.id), codes)
            ],
            "reviews": _plain(await self._reviews.by_patient(user.id)),
            "caregiver_application": _plain(
                [a for a in [await self._applications.of_user(user.id)] if a is not None]
            ),
            "messages": _plain(await self._messages.written_by(user.id)),
            "recipients": _plain(await self._care_people.of_patient(user))
            if user.role == "patient"
            else [],
        }

    async def upcoming_bookings(self, user: User) -> list[Booking]:
        """What deleting the account would cancel."""
        found, _ = await self._bookings.for_patient(
            user.id, UPCOMING, upcoming=True, now=self._clock(), skip=0, limit=PAGE
        )
        return [booking for booking in found if booking.starts_at > self._clock()]

    async def delete_account(self, user: User, password: str) -> int:
        """Cancel the upcoming bookings, then erase the person; the number cancelled."""
        if not await verify_password(user.password_hash, password):
            raise Invalid({"password": Text("Your password is not right.")})
        under_way, _ = await self._bookings.for_patient(
            user.id, ["in_progress"], upcoming=None, now=self._clock(), skip=0, limit=1
        )
        if under_way:
            raise Invalid({"password": VISIT_UNDER_WAY})
        upcoming = await self.upcoming_bookings(user)
        for booking in upcoming:
            await self._cancel_booking(user, booking.code)
        await self._erase(user, self._clock())
        await self._audit.record(
            "user.deleted",
            actor_id=str(user.id),
            target_type="user",
            target_id=str(user.id),
            bookings_cancelled=[booking.code for booking in upcoming],
        )
        return len(upcoming)

    async def _erase(self, user: User, now: datetime) -> None:
        await self._users.replace_personal_data(
            user.id,
            {
                "email": f"deleted-{user.id}@deleted.invalid",
                "first_name": "Deleted",
                "last_name": "user",
                "phone": "",
                "address": "",
                "city": "",
                "district": "",
                "postal_code": None,
                "password_hash": "!deleted",
                "google_subject": None,
            },
            now,
        )
        await self._bookings.forget_patient(user.id, now)
        await self._care_people.forget_patient(user.id)
        await self._waitlist.forget_patient(user.id)
        await self._outbox.forget_recipient(user.email)
        await self._contact.forget_sender(user.email)
        await self._reviews.forget_author(user.id)
        await self._messages.forget_author(user.id, ERASED_MESSAGE)
        application = await self._applications.remove_of_user(user.id)
        if application is not None:
            for upload in [document.id for document in application.documents]:
                await self._discard_file(upload)
            if application.photo_id is not None and application.status != "approved":
                await self._discard_file(application.photo_id)
        await self._sessions.delete_for_user(user.id)
        await self._tokens.discard_for_user(user.id)
        await self._refresh_tokens.revoke_all_for_user(str(user.id), now)
        self._close_streams(user.id)

    async def _all_bookings(self, patient_id: ObjectId) -> list[Booking]:
        bookings: list[Booking] = []
        while True:
            page, total = await self._bookings.for_patient(
                patient_id, None, upcoming=None, now=self._clock(), skip=len(bookings), limit=PAGE
            )
            bookings += page
            if not page or len(bookings) >= total:
                return bookings

    async def _notifications_of(self, user: User) -> list[Any]:
        viewer = Viewer(role="patient", user_id=user.id)
        found: list[Any] = []
        cursor = 0
        while page := await visible_after(self._notifications, viewer, cursor, limit=MAX_PAGE):
            found += page
            cursor = page[-1].id
        return found

    @staticmethod
    def _audit_entry(entry: Any, user: User) -> dict[str, Any]:
        """Another person who acted on the account is named by role only."""
        plain: dict[str, Any] = _plain(entry)
        plain.pop("_id", None)
        if plain.get("actor_id") != str(user.id):
            plain["actor_id"] = None
        return plain
