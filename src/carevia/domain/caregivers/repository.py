from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from bson import ObjectId
from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from carevia.domain.accounts.repository import parse_object_id
from carevia.domain.caregivers.availability import AboutCaregiver
from carevia.domain.caregivers.directory import DirectoryFilter
from carevia.domain.caregivers.models import Caregiver, WeeklyAvailability
from carevia.domain.catalogue.models import Category, RatingSummary
from carevia.domain.shared.clock import utc_now
from carevia.domain.shared.documents import from_document, to_document

CAREGIVERS = "caregivers"
MAX_LIST = 200

INDEXES: Mapping[str, Sequence[IndexModel]] = {
    CAREGIVERS: [
        IndexModel(
            [("verified", ASCENDING), ("categories", ASCENDING), ("rating.average", DESCENDING)]
        ),
        IndexModel([("divisions", ASCENDING)]),
        IndexModel([("verified", ASCENDING), ("rating.average", DESCENDING)]),
        IndexModel([("pending_photo_id", ASCENDING)], sparse=True),
        # The directory's other orders; its filters narrow the verified profiles further.
        IndexModel([("verified", ASCENDING), ("years_experience", DESCENDING)]),
        IndexModel([("verified", ASCENDING), ("created_at", DESCENDING)]),
        IndexModel([("verified", ASCENDING), ("display_name", ASCENDING)]),
        IndexModel([("verified", ASCENDING), ("languages", ASCENDING)]),
    ]
}

# Best rated first; the id breaks ties so every caller sees the same order.
_BEST_FIRST = [("rating.average", DESCENDING), ("_id", ASCENDING)]
DIRECTORY_ORDERS: Mapping[str, list[tuple[str, int]]] = {
    "rating": [("rating.average", DESCENDING), ("rating.count", DESCENDING), ("_id", ASCENDING)],
    "experience": [("years_experience", DESCENDING), ("_id", ASCENDING)],
    "newest": [("created_at", DESCENDING), ("_id", DESCENDING)],
    "name": [("display_name", ASCENDING), ("_id", ASCENDING)],
}


def directory_query(among: Sequence[ObjectId], wanted: DirectoryFilter) -> dict[str, Any]:
    """The verified profiles among `among` that match every stored field the filter names."""
    query: dict[str, Any] = {"_id": {"$in": list(among)}, "verified": True}
    if wanted.category is not None:
        query["categories"] = wanted.category.value
    if wanted.division is not None:
        query["divisions"] = wanted.division
    if wanted.language is not None:
        # Whole value, any case; the typed text is escaped, never read as a pattern.
        pattern = f"^{re.escape(wanted.language)}$"
        query["languages"] = {"$regex": pattern, "$options": "i"}
    if wanted.min_rating is not None:
        query["rating.average"] = {"$gte": wanted.min_rating}
    return query


class CaregiverRepository:
    def __init__(self, database: AsyncDatabase[dict[str, Any]]) -> None:
        self._caregivers = database[CAREGIVERS]

    async def get(self, caregiver_id: str | ObjectId) -> Caregiver | None:
        oid = caregiver_id if isinstance(caregiver_id, ObjectId) else parse_object_id(caregiver_id)
        if oid is None:
            return None
        document = await self._caregivers.find_one({"_id": oid})
        return None if document is None else from_document(document, Caregiver)

    async def ids_where_verified(self, verified: bool) -> list[ObjectId]:
        """Profiles that are verified, or (False) every profile that is not."""
        wanted: Any = True if verified else {"$ne": True}
        return list(await self._caregivers.distinct("_id", {"verified": wanted}))

    async def by_ids(self, ids: Sequence[ObjectId]) -> dict[ObjectId, Caregiver]:
        if not ids:
            return {}
        cursor = self._caregivers.find({"_id": {"$in": list(ids)}})
        return {document["_id"]: from_document(document, Caregiver) async for document in cursor}

    async def candidates(self, category: Category, division: str | None) -> list[Caregiver]:
        """Verified caregivers offering `category`, in `division` unless it is None."""
        query: dict[str, Any] = {"verified": True, "categories": Category(category).value}
        if division is not None:
            query["divisions"] = division
        cursor = self._caregivers.find(query).sort(_BEST_FIRST)
        return [from_document(document, Caregiver) async for document in cursor]

    async def list_verified(self, limit: int) -> list[Caregiver]:
        cursor = (
            self._caregivers.find({"verified": True})
            .sort(_BEST_FIRST)
            .limit(max(1, min(limit, MAX_LIST)))
        )
        return [from_document(document, Caregiver) async for document in cursor]

    async def directory_count(self, among: Sequence[ObjectId], wanted: DirectoryFilter) -> int:
        return await self._caregivers.count_documents(directory_query(among, wanted))

    async def directory_page(
        self, among: Sequence[ObjectId], wanted: DirectoryFilter, skip: int, limit: int
    ) -> list[Caregiver]:
        """One page of the directory in the filter's order."""
        cursor = (
            self._caregivers.find(directory_query(among, wanted))
            .sort(DIRECTORY_ORDERS[wanted.sort])
            .skip(max(0, skip))
            .limit(max(1, min(limit, MAX_LIST)))
        )
        return [from_document(document, Caregiver) async for document in cursor]

    async def directory_all(
        self, among: Sequence[ObjectId], wanted: DirectoryFilter
    ) -> list[Caregiver]:
        """Every match in the filter's order, for a filter the database cannot answer alone."""
        cursor = self._caregivers.find(directory_query(among, wanted)).sort(
            DIRECTORY_ORDERS[wanted.sort]
        )
        return [from_document(document, Caregiver) async for document in cursor]

    async def listed_languages(self) -> list[str]:
        """The languages verified caregivers speak, for the directory's choice list."""
        languages = await self._caregivers.distinct("languages", {"verified": True})
        return sorted({str(language) for language in languages}, key=str.casefold)

    async def sitemap_entries(self, among: Sequence[ObjectId]) -> list[tuple[ObjectId, datetime]]:
        """Ids and last changes of the verified profiles among `among`."""
        cursor = self._caregivers.find(
            {"_id": {"$in": list(among)}, "verified": True}, {"updated_at": 1}
        ).sort("_id", ASCENDING)
        return [(document["_id"], document["updated_at"]) async for document in cursor]

    async def upsert_profile(self, caregiver: Caregiver) -> bool:
        """Insert the profile unless its id exists; an existing (maybe edited) one is kept."""
        document = to_document(caregiver)
        document.pop("_id")
        result = await self._caregivers.update_one(
            {"_id": caregiver.id}, {"$setOnInsert": document}, upsert=True
        )
        return result.upserted_id is not None

    async def add_bangla_bio_if_missing(self, caregiver_id: ObjectId, bio_bn: str) -> bool:
        """Give a profile stored before bios had Bangla its `bio_bn`; nothing else."""
        result = await self._caregivers.update_one(
            {"_id": caregiver_id, "bio_bn": {"$exists": False}}, {"$set": {"bio_bn": bio_bn}}
        )
        return result.modified_count > 0

    async def save_approved(
        self, caregiver: Caregiver, session: AsyncClientSession | None = None
    ) -> None:
        """An approved application's profile; a profile kept from before keeps its rating."""
        document = to_document(caregiver)
        document.pop("_id")
        kept = {"rating": document.pop("rating"), "created_at": document.pop("created_at")}
        await self._caregivers.update_one(
            {"_id": caregiver.id},
            {"$set": document, "$setOnInsert": kept},
            upsert=True,
            session=session,
        )

    async def set_verified(self, caregiver_id: ObjectId, verified: bool) -> Caregiver | None:
        return await self._update(caregiver_id, {"verified": verified})

    async def set_availability(
        self, caregiver_id: ObjectId, availability: WeeklyAvailability, days_off: list[str]
    ) -> Caregiver | None:
        return await self._update(
            caregiver_id,
            {"availability": to_document(availability), "days_off": sorted(set(days_off))},
        )

    async def set_profile(self, caregiver_id: ObjectId, about: AboutCaregiver) -> Caregiver | None:
        return await self._update(caregiver_id, to_document(about))

    async def set_pending_photo(
        self, caregiver_id: ObjectId, upload_id: ObjectId
    ) -> tuple[Caregiver, ObjectId | None] | None:
        """The new photo waits for approval; returns the profile and the photo it replaced."""
        before = await self._caregivers.find_one_and_update(
            {"_id": caregiver_id},
            {"$set": {"pending_photo_id": upload_id, "updated_at": utc_now()}},
            return_document=ReturnDocument.BEFORE,
        )
        if before is None:
            return None
        caregiver = from_document(before, Caregiver)
        return caregiver, caregiver.pending_photo_id

    async def with_pending_photos(self, limit: int = MAX_LIST) -> list[Caregiver]:
        cursor = (
            self._caregivers.find({"pending_photo_id": {"$type": "objectId"}})
            .sort("updated_at", ASCENDING)
            .limit(limit)
        )
        return [from_document(document, Caregiver) async for document in cursor]

    async def settle_pending_photo(
        self, caregiver_id: ObjectId, upload_id: ObjectId, approved: bool
    ) -> Caregiver | None:
        """Approve or reject exactly this pending photo; None when it is no longer pending."""
        fields: dict[str, Any] = {"pending_photo_id": None, "updated_at": utc_now()}
        if approved:
            fields["photo_id"] = upload_id
        before = await self._caregivers.find_one_and_update(
            {"_id": caregiver_id, "pending_photo_id": upload_id},
            {"$set": fields},
            return_document=ReturnDocument.BEFORE,
        )
        return None if before is None else from_document(before, Caregiver)

    async def _update(self, caregiver_id: ObjectId, fields: dict[str, Any]) -> Caregiver | None:
        document = await self._caregivers.find_one_and_update(
            {"_id": caregiver_id},
            {"$set": {**fields, "updated_at": utc_now()}},
            return_document=ReturnDocument.AFTER,
        )
        return None if document is None else from_document(document, Caregiver)

    async def set_rating(
        self,
        caregiver_id: ObjectId,
        summary: RatingSummary,
        session: AsyncClientSession | None = None,
    ) -> None:
        """Store the summary of this caregiver's visible reviews, in the review's transaction."""
        await self._caregivers.update_one(
            {"_id": caregiver_id}, {"$set": {"rating": to_document(summary)}}, session=session
        )

    async def all_ids(self) -> list[ObjectId]:
        return list(await self._caregivers.distinct("_id"))
