"""The rules of reviews; every write stores the rating summaries in its own transaction."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
from bson import ObjectId
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from carevia.domain.accounts import User
from carevia.domain.accounts.repository import parse_object_id
from carevia.domain.audit import AuditLog
from carevia.domain.bookings import BookingRepository
from carevia.domain.bookings.models import Booking
from carevia.domain.bookings.notices import BookingNotices
from carevia.domain.caregivers import CaregiverRepository
from carevia.domain.catalogue import ServiceRepository
from carevia.domain.reviews.models import (
    REASON_MAX,
    REPLY_MAX,
    TEXT_MAX,
    TEXT_MIN,
    TITLE_MAX,
    Hiding,
    Reply,
    Review,
    ReviewForm,
)
from carevia.domain.reviews.repository import ReviewRepository
from carevia.domain.shared import Conflict, Forbidden, Invalid, NotFound
from carevia.domain.shared.clock import Clock
from carevia.domain.shared.pagination import Page, clamp_page
from carevia.domain.shared.text import Text
from carevia.domain.shared.transactions import in_transaction

REVIEW_NOT_FOUND = Text("No such review.")
TESTIMONIAL_MIN_STARS = 4


def checked_review(form: ReviewForm) -> tuple[int, str, str]:
    """Stars, title and text, or Invalid with a message per field."""
    stars_text, title, text = form.stars.strip(), form.title.strip(), form.text.strip()
    fields: dict[str, str] = {}
    if stars_text not in ("1", "2", "3", "4", "5"):
        fields["stars"] = Text("Please choose from 1 to 5 stars.")
    if len(title) > TITLE_MAX:
        fields["title"] = Text("Please keep the title to %(limit)d characters.", limit=TITLE_MAX)
    if not TEXT_MIN <= len(text) <= TEXT_MAX:
        fields["text"] = Text(
            "Please write %(least)d to %(most)s characters about the visit.",
            least=TEXT_MIN,
            most=format(TEXT_MAX, ","),
        )
    if fields:
        raise Invalid(fields)
    return int(stars_text), title, text


def public_name(user: User) -> str:
    """The first name and the initial of the last: enough to be real, not enough to find."""
    last = user.last_name.strip()
    return f"{user.first_name.strip()} {last[0]}." if last else user.first_name.strip()


class ReviewPanel(msgspec.Struct, frozen=True, kw_only=True):
    review: Review | None
    may_write: bool
    may_edit: bool


class ReviewService:
    def __init__(
        self,
        *,
        database: AsyncDatabase[dict[str, Any]],
        reviews: ReviewRepository,
        bookings: BookingRepository,
        caregivers: CaregiverRepository,
        services: ServiceRepository,
        audit: AuditLog,
        clock: Clock,
        notices: BookingNotices | None = None,
    ) -> None:
        # Without `notices` (the demo seed, the rebuild command) nobody is told of a review.
        self._notices = notices
        self._database = database
        self._reviews = reviews
        self._bookings = bookings
        self._caregivers = caregivers
        self._services = services
        self._audit = audit
        self._clock = clock

    # Patients

    async def panel(self, user: User, booking: Booking) -> ReviewPanel:
        """What the booking page shows about its review to this user."""
        review = await self._reviews.for_booking(booking.id)
        own = user.role == "patient" and booking.patient_id == user.id
        may_write = own and booking.status == "completed"
        return ReviewPanel(
            review=review,
            may_write=may_write and review is None,
            may_edit=may_write and review is not None and review.editable_at(self._clock()),
        )

    async def submit(self, user: User, code: str, form: ReviewForm) -> Review:
        """The patient's review of their completed booking: written once, then edited."""
        booking = await self._bookings.get_by_code(code.upper())
        if booking is None or user.role != "patient" or booking.patient_id != user.id:
            raise NotFound(Text("No such booking."))
        if booking.status != "completed":
            raise Invalid(
                {"review": Text("You can review a booking once the visit is completed.")},
                Text("Only a completed booking can be reviewed."),
            )
        stars, title, text = checked_review(form)
        existing = await self._reviews.for_booking(booking.id)
        if existing is not None:
            return await self._edit(existing, stars, title, text)
        now = self._clock()
        review = Review(
            id=ObjectId(),
            booking_id=booking.id,
            booking_code=booking.code,
            patient_id=user.id,
            author=public_name(user),
            caregiver_id=booking.caregiver_id,
            caregiver_name=booking.caregiver_name,
            service_id=booking.service_id,
            service_name=booking.service_name,
            service_name_bn=booking.service_name_bn,
            stars=stars,
            title=title,
            text=text,
            created_at=now,
        )

        async def write(session: AsyncClientSession) -> None:
            await self._reviews.add(review, session)
            await self._store_summaries(review, session)
            if self._notices is not None:
                await self._notices.tell_caregiver(
                    booking,
                    "review_received",
                    "review.created",
                    session,
                    key=str(review.id),
                    data={"stars": stars},
                    review=review,
                )

        await in_transaction(self._database, write)
        if self._notices is not None:
            self._notices.wake()
        return review

    async def _edit(self, review: Review, stars: int, title: str, text: str) -> Review:
        now = self._clock()
        if not review.editable_at(now):
            raise Conflict(Text("A review can be changed for 14 days after it was written."))
        fields = {"stars": stars, "title": title, "text": text, "edited_at": now}
        await self._write_with_summaries(
            review, lambda session: self._reviews.rewrite(review.id, fields, session)
        )
        return await self._found(review.id)

    # Caregivers

    async def reply(self, user: User, review_id: str, text: str) -> Review:
        review = await self.visible_to(user, review_id)
        if user.role != "caregiver" or review.caregiver_id != user.id:
            raise Forbidden(Text("Only the caregiver of the visit may reply."))
        text = text.strip()
        if not 2 <= len(text) <= REPLY_MAX:
            raise Invalid(
                {
                    "reply": Text(
                        "Please write a reply of 2 to %(most)s characters.",
                        most=format(REPLY_MAX, ","),
                    )
                }
            )
        if not await self._reviews.add_reply(review.id, Reply(text=text, at=self._clock())):
            raise Conflict(Text("You have already replied to this review."))
        return await self._found(review.id)

    # Admins

    async def hide(self, admin: User, review_id: str, reason: str) -> Review:
        return await self._moderate(admin, review_id, reason, hide=True)

    async def unhide(self, admin: User, review_id: str, reason: str) -> Review:
        return await self._moderate(admin, review_id, reason, hide=False)

    async def _moderate(self, admin: User, review_id: str, reason: str, *, hide: bool) -> Review:
        if admin.role != "admin":
            raise Forbidden(Text("Only an admin may hide or show reviews."))
        review = await self.visible_to(admin, review_id)
        reason = reason.strip()
        if not 3 <= len(reason) <= REASON_MAX:
            raise Invalid(
                {
                    "reason": Text(
                        "Please give a reason of 3 to %(most)d characters.", most=REASON_MAX
                    )
                }
            )
        hiding = Hiding(reason=reason, by=admin.id, at=self._clock()) if hide else None

        async def write(session: AsyncClientSession) -> None:
            await self._reviews.set_hidden(review.id, hiding, session)
            await self._audit.record(
                "admin.review_hidden" if hide else "admin.review_unhidden",
                actor_id=str(admin.id),
                actor_role=admin.role,
                target_type="review",
                target_id=str(review.id),
                session=session,
                reason=reason,
                booking=review.booking_code,
            )

        await self._write_with_summaries(review, write)
        return await self._found(review.id)

    # Reading

    async def for_caregiver_page(
        self, caregiver_id: ObjectId, page: int, size: int
    ) -> Page[Review]:
        _, total = await self._reviews.visible_for_caregiver(caregiver_id, skip=0, limit=1)
        request = clamp_page(page, total, size)
        items, total = await self._reviews.visible_for_caregiver(
            caregiver_id, skip=request.skip, limit=request.size
        )
        return Page(items=items, number=request.number, size=size, total=total)

    async def recent_for_service(self, service_id: ObjectId | None, limit: int) -> list[Review]:
        """The newest visible reviews of a service, for its page."""
        if service_id is None:
            return []
        return await self._reviews.recent_for_service(service_id, limit)

    async def for_dashboard(self, user: User, page: int, size: int) -> Page[Review]:
        """Every review for an admin, hidden ones too; a caregiver's own for a caregiver."""
        if user.role == "admin":
            items, total = await self._reviews.everything(
                skip=(max(page, 1) - 1) * size, limit=size
            )
        elif user.role == "caregiver":
            items, total = await self._reviews.all_for_caregiver(
                user.id, skip=(max(page, 1) - 1) * size, limit=size
            )
        else:
            raise Forbidden(Text("Reviews are managed from the caregiver's and admin's dashboard."))
        return Page(items=items, number=max(page, 1), size=size, total=total)

    async def testimonials(self, limit: int = 3) -> list[Review]:
        """Recent, well-rated, visible reviews with the most to say, for the home page."""
        candidates = await self._reviews.highlights(TESTIMONIAL_MIN_STARS, limit * 10)
        chosen = sorted(candidates, key=lambda r: (r.stars, len(r.text)), reverse=True)
        return chosen[:limit]

    async def rebuild_summaries(self) -> int:
        """Recompute every caregiver's and service's summary from the stored reviews.

        Every caregiver and service gets one, so a summary without reviews behind it goes
        back to zero. Returns how many summaries were written.
        """
        written = 0
        for caregiver_id in await self._caregivers.all_ids():
            summary = await self._reviews.summary_of("caregiver_id", caregiver_id)
            await self._caregivers.set_rating(caregiver_id, summary)
            written += 1
        for service_id in await self._services.all_ids():
            summary = await self._reviews.summary_of("service_id", service_id)
            await self._services.set_rating(service_id, summary)
            written += 1
        return written

    # Helpers

    async def visible_to(self, user: User, review_id: str) -> Review:
        oid = parse_object_id(review_id)
        review = None if oid is None else await self._reviews.get(oid)
        if review is None or not (
            user.role == "admin" or (user.role == "caregiver" and review.caregiver_id == user.id)
        ):
            raise NotFound(REVIEW_NOT_FOUND)
        return review

    async def _found(self, review_id: ObjectId) -> Review:
        review = await self._reviews.get(review_id)
        if review is None:
            raise NotFound(REVIEW_NOT_FOUND)
        return review

    async def _write_with_summaries(
        self, review: Review, change: Callable[[AsyncClientSession], Awaitable[None]]
    ) -> None:
        async def write(session: AsyncClientSession) -> None:
            await change(session)
            await self._store_summaries(review, session)

        await in_transaction(self._database, write)

    async def _store_summaries(self, review: Review, session: AsyncClientSession) -> None:
        """Recompute from the reviews as this transaction sees them, its own change included.

        Two reviews of one caregiver written at once both write that caregiver's document,
        so one transaction conflicts and is retried with the other's review in view.
        """
        caregiver = await self._reviews.summary_of("caregiver_id", review.caregiver_id, session)
        await self._caregivers.set_rating(review.caregiver_id, caregiver, session)
        service = await self._reviews.summary_of("service_id", review.service_id, session)
        await self._services.set_rating(review.service_id, service, session)
