"""The only code that touches the reviews collection."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from bson import ObjectId
from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from carevia.domain.catalogue.models import RatingSummary
from carevia.domain.reviews.models import Hiding, Reply, Review
from carevia.domain.shared import Conflict
from carevia.domain.shared.documents import from_document, to_document
from carevia.domain.shared.text import Text

REVIEWS = "reviews"
FORMER_PATIENT = "Former patient"

INDEXES: Mapping[str, Sequence[IndexModel]] = {
    REVIEWS: [
        # One review per booking, whoever races to write it.
        IndexModel([("booking_id", ASCENDING)], unique=True),
        IndexModel(
            [("caregiver_id", ASCENDING), ("hidden", ASCENDING), ("created_at", DESCENDING)]
        ),
        IndexModel([("service_id", ASCENDING), ("hidden", ASCENDING), ("created_at", DESCENDING)]),
        IndexModel([("hidden", ASCENDING), ("stars", DESCENDING), ("created_at", DESCENDING)]),
        IndexModel([("created_at", DESCENDING)]),
        IndexModel([("patient_id", ASCENDING)]),
    ]
}

Subject = Literal["caregiver_id", "service_id"]
# `{"hidden": None}` means the same in MongoDB, but SecantusDB answers it wrongly (no documents)
# beside a range on `stars` when it uses the (hidden, stars, created_at) index; `$eq` it gets right.
_VISIBLE: dict[str, Any] = {"hidden": {"$eq": None}}
_NEWEST_FIRST = [("created_at", DESCENDING), ("_id", DESCENDING)]


class ReviewRepository:
    def __init__(self, database: AsyncDatabase[dict[str, Any]]) -> None:
        self._reviews = database[REVIEWS]

    async def add(self, review: Review, session: AsyncClientSession) -> None:
        try:
            await self._reviews.insert_one(to_document(review), session=session)
        except DuplicateKeyError as duplicate:
            raise Conflict(Text("This booking already has a review.")) from duplicate

    async def get(self, review_id: ObjectId) -> Review | None:
        document = await self._reviews.find_one({"_id": review_id})
        return None if document is None else from_document(document, Review)

    async def for_booking(self, booking_id: ObjectId) -> Review | None:
        document = await self._reviews.find_one({"booking_id": booking_id})
        return None if document is None else from_document(document, Review)

    async def rewrite(
        self, review_id: ObjectId, fields: dict[str, Any], session: AsyncClientSession
    ) -> None:
        await self._reviews.update_one({"_id": review_id}, {"$set": fields}, session=session)

    async def set_hidden(
        self, review_id: ObjectId, hiding: Hiding | None, session: AsyncClientSession
    ) -> None:
        value = None if hiding is None else to_document(hiding)
        await self._reviews.update_one(
            {"_id": review_id}, {"$set": {"hidden": value}}, session=session
        )

    async def add_reply(self, review_id: ObjectId, reply: Reply) -> bool:
        """Store the reply unless there is one already; False when there was."""
        result = await self._reviews.update_one(
            {"_id": review_id, "reply": None}, {"$set": {"reply": to_document(reply)}}
        )
        return result.modified_count == 1

    async def summary_of(
        self, subject: Subject, subject_id: ObjectId, session: AsyncClientSession | None = None
    ) -> RatingSummary:
        """The aggregate of the subject's visible reviews, read inside `session` when given."""
        cursor = self._reviews.find(
            {subject: subject_id, **_VISIBLE}, {"stars": 1, "_id": 0}, session=session
        )
        return RatingSummary.of([document["stars"] async for document in cursor])

    async def subjects(self, subject: Subject) -> list[ObjectId]:
        return list(await self._reviews.distinct(subject))

    async def visible_for_caregiver(
        self, caregiver_id: ObjectId, *, skip: int, limit: int
    ) -> tuple[list[Review], int]:
        query = {"caregiver_id": caregiver_id, **_VISIBLE}
        return await self._page(query, skip, limit)

    async def recent_for_service(self, service_id: ObjectId, limit: int) -> list[Review]:
        query = {"service_id": service_id, **_VISIBLE}
        cursor = self._reviews.find(query).sort(_NEWEST_FIRST).limit(limit)
        return [from_document(document, Review) async for document in cursor]

    async def all_for_caregiver(
        self, caregiver_id: ObjectId, *, skip: int, limit: int
    ) -> tuple[list[Review], int]:
        return await self._page({"caregiver_id": caregiver_id}, skip, limit)

    async def everything(self, *, skip: int, limit: int) -> tuple[list[Review], int]:
        return await self._page({}, skip, limit)

    async def highlights(self, min_stars: int, limit: int) -> list[Review]:
        """Recent visible reviews of at least `min_stars`, for the home page to choose from."""
        cursor = (
            self._reviews.find({"stars": {"$gte": min_stars}, **_VISIBLE})
            .sort(_NEWEST_FIRST)
            .limit(limit)
        )
        return [from_document(document, Review) async for document in cursor]

    async def _page(self, query: dict[str, Any], skip: int, limit: int) -> tuple[list[Review], int]:
        total = await self._reviews.count_documents(query)
        cursor = self._reviews.find(query).sort(_NEWEST_FIRST).skip(skip).limit(limit)
        return [from_document(document, Review) async for document in cursor], total

    async def stars_of_bookings(self, booking_ids: Sequence[ObjectId]) -> dict[ObjectId, int]:
        """The stars of the visible reviews of these bookings, by booking id; one query."""
        if not booking_ids:
            return {}
        cursor = self._reviews.find(
            {"booking_id": {"$in": list(booking_ids)}, **_VISIBLE}, {"booking_id": 1, "stars": 1}
        )
        return {doc["booking_id"]: doc["stars"] async for doc in cursor}

    async def by_patient(self, patient_id: ObjectId) -> list[Review]:
        cursor = self._reviews.find({"patient_id": patient_id}).sort(_NEWEST_FIRST)
        return [from_document(document, Review) async for document in cursor]

    async def forget_author(self, patient_id: ObjectId) -> int:
        """Take a deleted account's name off its reviews; the words and the stars stay."""
        result = await self._reviews.update_many(
            {"patient_id": patient_id}, {"$set": {"author": FORMER_PATIENT}}
        )
        return result.modified_count
