from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from bson import ObjectId
from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.cursor import AsyncCursor
from pymongo.asynchronous.database import AsyncDatabase

from carevia.domain.catalogue.models import RatingSummary, Service, ServiceFilter, ServiceSort
from carevia.domain.shared.documents import from_document, to_document

SERVICES = "services"

# Every list query starts with the status; each filter and each sort has an index behind
# it, so a catalogue of thousands is read through an index whatever the visitor picks.
INDEXES: Mapping[str, Sequence[IndexModel]] = {
    SERVICES: [
        IndexModel([("slug", ASCENDING)], unique=True),
        IndexModel(
            [("status", ASCENDING), ("category", ASCENDING), ("rating.average", DESCENDING)]
        ),
        IndexModel(
            [
                ("status", ASCENDING),
                ("category", ASCENDING),
                ("featured", DESCENDING),
                ("rating.average", DESCENDING),
                ("slug", ASCENDING),
            ]
        ),
        IndexModel([("status", ASCENDING), ("featured", DESCENDING)]),
        IndexModel(
            [
                ("status", ASCENDING),
                ("featured", DESCENDING),
                ("rating.average", DESCENDING),
                ("slug", ASCENDING),
            ]
        ),
        IndexModel([("status", ASCENDING), ("divisions", ASCENDING)]),
        IndexModel([("status", ASCENDING), ("price_per_hour", ASCENDING), ("slug", ASCENDING)]),
        IndexModel(
            [("status", ASCENDING), ("rating.average", DESCENDING), ("rating.count", DESCENDING)]
        ),
        IndexModel([("status", ASCENDING), ("created_at", DESCENDING)]),
        IndexModel([("status", ASCENDING), ("rating.average", DESCENDING)]),
    ]
}

# SecantusDB leaves out the bound itself of a `$gte` on a key that other keys follow in the
# index ("4 and up" without the services rated exactly 4.0); MongoDB does not. A minimum
# rating therefore reads an index where the rating is the last key.
_MIN_RATING_INDEXES: dict[bool, list[tuple[str, int]]] = {
    True: [("status", ASCENDING), ("category", ASCENDING), ("rating.average", DESCENDING)],
    False: [("status", ASCENDING), ("rating.average", DESCENDING)],
}

# Sorts are chosen from this table only; a tie-break on slug keeps paging stable.
_SORTS: dict[ServiceSort, list[tuple[str, int]]] = {
    "recommended": [("featured", DESCENDING), ("rating.average", DESCENDING)],
    "price_asc": [("price_per_hour", ASCENDING)],
    "price_desc": [("price_per_hour", DESCENDING)],
    "rating": [("rating.average", DESCENDING), ("rating.count", DESCENDING)],
    "newest": [("created_at", DESCENDING)],
}

# The index each sort reads in order, for a text search (see `_search_cursor`).
_SORT_INDEXES: dict[ServiceSort, list[tuple[str, int]]] = {
    "recommended": [
        ("status", ASCENDING),
        ("featured", DESCENDING),
        ("rating.average", DESCENDING),
        ("slug", ASCENDING),
    ],
    "price_asc": [("status", ASCENDING), ("price_per_hour", ASCENDING), ("slug", ASCENDING)],
    "price_desc": [("status", ASCENDING), ("price_per_hour", ASCENDING), ("slug", ASCENDING)],
    "rating": [("status", ASCENDING), ("rating.average", DESCENDING), ("rating.count", DESCENDING)],
    "newest": [("status", ASCENDING), ("created_at", DESCENDING)],
}


# The words a catalogue search looks in, each also in Bangla.
_SEARCHED = ("name", "short_title", "highlights")


def _filter_document(service_filter: ServiceFilter) -> dict[str, Any]:
    query: dict[str, Any] = {"status": "active"}
    if service_filter.text:
        # User text is escaped, so it is matched literally and cannot backtrack.
        pattern = {"$regex": re.escape(service_filter.text), "$options": "i"}
        # Either language finds a service: a Bangla word matches the `_bn` fields.
        query["$or"] = [{field: pattern} for name in _SEARCHED for field in (name, f"{name}_bn")]
    if service_filter.category is not None:
        query["category"] = service_filter.category.value
    if service_filter.divisions:
        query["divisions"] = {"$in": list(service_filter.divisions)}
    if service_filter.min_rating is not None:
        query["rating.average"] = {"$gte": service_filter.min_rating}
    return query


def _index_to_read(service_filter: ServiceFilter) -> list[tuple[str, int]] | None:
    """The index a list query must read on SecantusDB; None lets the server choose."""
    if service_filter.min_rating is not None:
        return _MIN_RATING_INDEXES[service_filter.category is not None]
    if service_filter.text:
        # SecantusDB plans a query with a top-level `$or` (the text search) as a
        # collection scan, where MongoDB would read the status index. Naming the
        # sort's index keeps both on an index; the regex is checked on what it reads.
        return _SORT_INDEXES[service_filter.sort]
    return None


class ServiceRepository:
    def __init__(self, database: AsyncDatabase[dict[str, Any]]) -> None:
        self._services = database[SERVICES]

    async def count(self, service_filter: ServiceFilter) -> int:
        index = _index_to_read(service_filter)
        if index is None:
            return await self._services.count_documents(_filter_document(service_filter))
        return await self._services.count_documents(_filter_document(service_filter), hint=index)

    def _search_cursor(
        self, service_filter: ServiceFilter, skip: int, limit: int
    ) -> AsyncCursor[dict[str, Any]]:
        cursor = (
            self._services.find(_filter_document(service_filter))
            .sort([*_SORTS[service_filter.sort], ("slug", ASCENDING)])
            .skip(skip)
            .limit(limit)
        )
        index = _index_to_read(service_filter)
        return cursor if index is None else cursor.hint(index)

    async def search(
        self, service_filter: ServiceFilter, *, skip: int, limit: int
    ) -> list[Service]:
        cursor = self._search_cursor(service_filter, skip, limit)
        return [from_document(doc, Service) async for doc in cursor]

    async def search_plan(self, service_filter: ServiceFilter, limit: int) -> dict[str, Any]:
        """How the server runs a list query (`explain`), for checking it uses an index."""
        return await self._search_cursor(service_filter, 0, limit).explain()

    async def get_active_by_slug(self, slug: str) -> Service | None:
        document = await self._services.find_one({"slug": slug, "status": "active"})
        return None if document is None else from_document(document, Service)

    async def featured(self, limit: int) -> list[Service]:
        cursor = (
            self._services.find({"status": "active", "featured": True})
            .sort([("rating.average", DESCENDING), ("slug", ASCENDING)])
            .limit(limit)
        )
        return [from_document(doc, Service) async for doc in cursor]

    async def related(self, service: Service, limit: int) -> list[Service]:
        cursor = (
            self._services.find(
                {
                    "status": "active",
                    "category": service.category.value,
                    "slug": {"$ne": service.slug},
                }
            )
            .sort([("rating.average", DESCENDING), ("slug", ASCENDING)])
            .limit(limit)
        )
        return [from_document(doc, Service) async for doc in cursor]

    async def active_slugs_with_dates(self) -> list[tuple[str, datetime]]:
        cursor = self._services.find({"status": "active"}, {"slug": 1, "updated_at": 1}).sort(
            "slug"
        )
        return [(doc["slug"], doc["updated_at"]) async for doc in cursor]

    async def insert_if_absent(self, service: Service) -> bool:
        """Insert by slug unless it exists; an existing (possibly edited) service is left alone."""
        document = to_document(service)
        document.pop("_id", None)
        result = await self._services.update_one(
            {"slug": service.slug}, {"$setOnInsert": document}, upsert=True
        )
        return result.upserted_id is not None

    async def add_bangla_if_missing(self, service: Service) -> bool:
        """Give a service stored before services had Bangla its `_bn` fields; nothing else."""
        bangla = {k: v for k, v in to_document(service).items() if k.endswith("_bn") and v}
        result = await self._services.update_one(
            {"slug": service.slug, "name_bn": {"$exists": False}}, {"$set": bangla}
        )
        return result.modified_count > 0

    async def set_rating(
        self,
        service_id: ObjectId,
        summary: RatingSummary,
        session: AsyncClientSession | None = None,
    ) -> None:
        """Store the summary of this service's visible reviews, in the review's transaction."""
        await self._services.update_one(
            {"_id": service_id}, {"$set": {"rating": to_document(summary)}}, session=session
        )

    async def all_ids(self) -> list[ObjectId]:
        return list(await self._services.distinct("_id"))
