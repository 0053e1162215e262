"""Past visits stored as the seed stores them, and the one review service under a movable clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
from bson import ObjectId
from pymongo.asynchronous.database import AsyncDatabase

from carevia.composition import review_service_for
from carevia.domain.accounts import User
from carevia.domain.bookings import Booking, BookingRepository
from carevia.domain.bookings.codes import new_booking_code
from carevia.domain.bookings.models import BookingStatus
from carevia.domain.caregivers.seed import seed_caregivers
from carevia.domain.catalogue import ServiceRepository
from carevia.domain.reviews import ReviewForm, ReviewService
from carevia.domain.reviews.seed import DemoVisit, past_visit_booking, seed_reviews
from tests.support.accounts import DEFAULT_PASSWORD

Database = AsyncDatabase[dict[str, Any]]


class MovableClock:
    """The service's clock, which a test moves forward to reach the end of a window."""

    def __init__(self) -> None:
        now = datetime.now(UTC)
        # Whole milliseconds, as BSON stores them, so stored times compare equal.
        self.now = now.replace(microsecond=now.microsecond // 1000 * 1000)

    def __call__(self) -> datetime:
        return self.now

    def move(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def reviews_at(database: Database, clock: MovableClock) -> ReviewService:
    return review_service_for(database, clock=clock)


async def past_booking(
    database: Database,
    patient: User,
    caregiver_id: ObjectId,
    *,
    status: BookingStatus = "completed",
    days_ago: int = 3,
    service: str = "infant-day-care",
) -> Booking:
    """A visit `days_ago` days back, stored with `status`, by the seed's own builder."""
    stored = await ServiceRepository(database).get_active_by_slug(service)
    assert stored is not None, "the catalogue is seeded first"
    visit = DemoVisit(
        patient=0, caregiver="", service=service, days_ago=days_ago, stars=5, text="", hours=4
    )
    booking = past_visit_booking(
        new_booking_code(), visit, patient, caregiver_id, "Shirin Akhter", stored, datetime.now(UTC)
    )
    booking = msgspec.structs.replace(booking, status=status)
    await BookingRepository(database).add_with_claims(booking)
    return booking


async def stored_summary(database: Database, collection: str, subject_id: ObjectId) -> Any:
    document = await database[collection].find_one({"_id": subject_id}, {"rating": 1})
    assert document is not None
    return document.get("rating")


async def reviewed_booking(database: Database, patient: User, caregiver_id: ObjectId) -> ObjectId:
    """A completed visit of `patient` with the caregiver, reviewed by the patient; the review id."""
    booking = await past_booking(database, patient, caregiver_id, days_ago=20)
    form = ReviewForm(stars="5", title="Gentle and on time", text="She came on time and was kind.")
    review = await reviews_at(database, MovableClock()).submit(patient, booking.code, form)
    return review.id


async def summary_from_reviews(database: Database, subject: str, subject_id: ObjectId) -> Any:
    """The summary the stored, visible reviews imply, computed here without the app's code."""
    stars = [
        document["stars"]
        async for document in database["reviews"].find({subject: subject_id, "hidden": None})
    ]
    distribution = [stars.count(n) for n in range(1, 6)]
    average = round(sum(stars) / len(stars), 2) if stars else 0.0
    return {"average": average, "count": len(stars), "distribution": distribution}


async def seed_demo_reviews(database: Database) -> int:
    """The demo caregivers and their reviewed visits, on top of the seeded catalogue."""
    now = datetime.now(UTC)
    await seed_caregivers(database, now, DEFAULT_PASSWORD)
    return await seed_reviews(database, now, DEFAULT_PASSWORD)
