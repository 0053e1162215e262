"""Staff access to every service whatever its status; the public catalogue shows active ones."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import msgspec
from bson import ObjectId
from pymongo import ASCENDING, IndexModel, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from carevia.domain.catalogue.models import Service, ServiceStatus
from carevia.domain.catalogue.repository import SERVICES
from carevia.domain.shared import Conflict
from carevia.domain.shared.documents import from_document, to_document

BOOKINGS = "bookings"

INDEXES: Mapping[str, Sequence[IndexModel]] = {
    # `has_bookings` asks whether any booking names a service before it may be deleted.
    BOOKINGS: [IndexModel([("service_id", ASCENDING)])],
}

# Kept as they are on edits: reviews own the rating, creation and currency never change.
_KEPT_ON_UPDATE = ("_id", "rating", "created_at", "currency", "at_home")


class SlugTaken(Conflict):
    """Another service already answers at this address."""


def _admin_filter(text: str | None, status: ServiceStatus | None) -> dict[str, Any]:
    query: dict[str, Any] = {}
    if status is not None:
        query["status"] = status
    if text:
        # Escaped, so admin text is matched literally and cannot backtrack.
        pattern = {"$regex": re.escape(text), "$options": "i"}
        query["$or"] = [{"name": pattern}, {"slug": pattern}, {"short_title": pattern}]
    return query


class ServiceAdminRepository:
    def __init__(self, database: AsyncDatabase[dict[str, Any]]) -> None:
        self._services = database[SERVICES]
        self._bookings = database[BOOKINGS]

    async def count(self, text: str | None, status: ServiceStatus | None) -> int:
        return await self._services.count_documents(_admin_filter(text, status))

    async def search(
        self, text: str | None, status: ServiceStatus | None, *, skip: int, limit: int
    ) -> list[Service]:
        cursor = (
            self._services.find(_admin_filter(text, status))
            .sort([("name", ASCENDING), ("slug", ASCENDING)])
            .skip(skip)
            .limit(limit)
        )
        return [from_document(doc, Service) async for doc in cursor]

    async def get_by_slug(self, slug: str) -> Service | None:
        document = await self._services.find_one({"slug": slug})
        return None if document is None else from_document(document, Service)

    async def insert(self, service: Service) -> Service:
        document = to_document(service)
        document.pop("_id", None)
        try:
            result = await self._services.insert_one(document)
        except DuplicateKeyError as error:
            raise SlugTaken(service.slug) from error
        return msgspec.structs.replace(service, id=result.inserted_id)

    async def update(self, current: Service, changed: Service) -> Service | None:
        """Save `changed` over `current` unless someone saved the service in between."""
        fields = to_document(changed)
        for name in _KEPT_ON_UPDATE:
            fields.pop(name, None)
        try:
            document = await self._services.find_one_and_update(
                {"_id": current.id, "updated_at": current.updated_at},
                {"$set": fields},
                return_document=ReturnDocument.AFTER,
            )
        except DuplicateKeyError as error:
            raise SlugTaken(changed.slug) from error
        return None if document is None else from_document(document, Service)

    async def set_status(
        self, service_id: ObjectId, *, was: ServiceStatus, becomes: ServiceStatus, at: datetime
    ) -> Service | None:
        """Move a service from `was` to `becomes`; None when it is no longer in `was`."""
        document = await self._services.find_one_and_update(
            {"_id": service_id, "status": was},
            {"$set": {"status": becomes, "updated_at": at}},
            return_document=ReturnDocument.AFTER,
        )
        return None if document is None else from_document(document, Service)

    async def set_image(self, service_id: ObjectId, image: str, at: datetime) -> Service | None:
        document = await self._services.find_one_and_update(
            {"_id": service_id},
            {"$set": {"image": image, "updated_at": at}},
            return_document=ReturnDocument.AFTER,
        )
        return None if document is None else from_document(document, Service)

    async def delete_archived(self, service_id: ObjectId) -> bool:
        result = await self._services.delete_one({"_id": service_id, "status": "archived"})
        return result.deleted_count == 1

    async def has_bookings(self, service_id: ObjectId) -> bool:
        return await self._bookings.count_documents({"service_id": service_id}, limit=1) > 0
