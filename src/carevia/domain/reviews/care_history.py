"""A person's past visits with each candidate caregiver and the stars the family gave them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from bson import ObjectId

from carevia.domain.bookings.repository import BookingRepository
from carevia.domain.caregivers.matching import PastCare
from carevia.domain.reviews.repository import ReviewRepository


class CareHistoryReader:
    """Two queries for all candidates at once: the completed visits, then their reviews."""

    def __init__(self, bookings: BookingRepository, reviews: ReviewRepository) -> None:
        self._bookings = bookings
        self._reviews = reviews

    async def past_care(
        self, patient_id: ObjectId, person_id: ObjectId | None, caregiver_ids: Sequence[ObjectId]
    ) -> dict[ObjectId, PastCare]:
        if not caregiver_ids:
            return {}
        visits = await self._bookings.completed_with(patient_id, person_id, caregiver_ids)
        stars = await self._reviews.stars_of_bookings([booking for booking, _ in visits])
        counted: dict[ObjectId, int] = defaultdict(int)
        given: dict[ObjectId, list[int]] = defaultdict(list)
        for booking, caregiver in visits:
            counted[caregiver] += 1
            if booking in stars:
                given[caregiver].append(stars[booking])
        return {
            caregiver: PastCare(visits=count, stars=tuple(sorted(given[caregiver])))
            for caregiver, count in counted.items()
        }
