"""The `applications` collection: one application per account, found by status for the queue."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from bson import ObjectId
from pymongo import ASCENDING, IndexModel, ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from carevia.domain.applications.models import EDITABLE, Application, Document, StatusChange
from carevia.domain.shared import Conflict
from carevia.domain.shared.documents import from_document, to_document
from carevia.domain.shared.text import Text

APPLICATIONS = "applications"
MAX_DOCUMENTS = 10

INDEXES: Mapping[str, Sequence[IndexModel]] = {
    APPLICATIONS: [
        IndexModel([("user_id", ASCENDING)], unique=True),
        # The queue: one status, oldest submitted first.
        IndexModel([("status", ASCENDING), ("submitted_at", ASCENDING), ("_id", ASCENDING)]),
    ]
}


class ApplicationRepository:
    def __init__(self, database: AsyncDatabase[dict[str, Any]]) -> None:
        self._applications = database[APPLICATIONS]

    async def get(self, application_id: ObjectId) -> Application | None:
        document = await self._applications.find_one({"_id": application_id})
        return None if document is None else from_document(document, Application)

    async def of_user(self, user_id: ObjectId) -> Application | None:
        document = await self._applications.find_one({"user_id": user_id})
        return None if document is None else from_document(document, Application)

    async def add(self, application: Application) -> None:
        try:
            await self._applications.insert_one(to_document(application))
        except DuplicateKeyError as exc:
            raise Conflict(Text("You have already applied.")) from exc

    async def update_editable(
        self, application_id: ObjectId, fields: dict[str, Any], now: datetime
    ) -> Application | None:
        """Change answers while the applicant may still edit; None once it is under review."""
        return await self._update(
            {"_id": application_id, "status": {"$in": list(EDITABLE)}},
            {"$set": {**fields, "updated_at": now}},
        )

    async def add_document(
        self, application_id: ObjectId, document: Document, now: datetime
    ) -> Application | None:
        return await self._update(
            {
                "_id": application_id,
                "status": {"$in": list(EDITABLE)},
                f"documents.{MAX_DOCUMENTS - 1}": {"$exists": False},
            },
            {"$push": {"documents": to_document(document)}, "$set": {"updated_at": now}},
        )

    async def remove_document(
        self, application_id: ObjectId, upload_id: ObjectId, now: datetime
    ) -> Application | None:
        return await self._update(
            {"_id": application_id, "status": {"$in": list(EDITABLE)}, "documents.id": upload_id},
            {"$pull": {"documents": {"id": upload_id}}, "$set": {"updated_at": now}},
        )

    async def set_photo(
        self, application_id: ObjectId, upload_id: ObjectId, now: datetime
    ) -> Application | None:
        """The new photo; returns the application as it was, to discard the photo replaced."""
        document = await self._applications.find_one_and_update(
            {"_id": application_id, "status": {"$in": list(EDITABLE)}},
            {"$set": {"photo_id": upload_id, "updated_at": now}},
            return_document=ReturnDocument.BEFORE,
        )
        return None if document is None else from_document(document, Application)

    async def move(
        self,
        application_id: ObjectId,
        change: StatusChange,
        expected: str,
        fields: dict[str, Any],
        session: AsyncClientSession | None = None,
    ) -> Application | None:
        """The status change, only if the status is still `expected`: of two, one wins."""
        document = await self._applications.find_one_and_update(
            {"_id": application_id, "status": expected},
            {
                "$set": {**fields, "status": change.status, "updated_at": change.at},
                "$push": {"history": to_document(change)},
            },
            return_document=ReturnDocument.AFTER,
            session=session,
        )
        return None if document is None else from_document(document, Application)

    async def remove_of_user(self, user_id: ObjectId) -> Application | None:
        """Erase a person's application (its national ID and references with it)."""
        document = await self._applications.find_one_and_delete({"user_id": user_id})
        return None if document is None else from_document(document, Application)

    async def count(self, status: str | None) -> int:
        return await self._applications.count_documents(_status_query(status))

    async def page(self, status: str | None, skip: int, limit: int) -> list[Application]:
        cursor = (
            self._applications.find(_status_query(status))
            .sort([("submitted_at", ASCENDING), ("_id", ASCENDING)])
            .skip(skip)
            .limit(limit)
        )
        return [from_document(document, Application) async for document in cursor]

    async def _update(self, query: dict[str, Any], update: dict[str, Any]) -> Application | None:
        document = await self._applications.find_one_and_update(
            query, update, return_document=ReturnDocument.AFTER
        )
        return None if document is None else from_document(document, Application)


def _status_query(status: str | None) -> dict[str, Any]:
    # Drafts are the applicant's own until sent: the queue never shows them.
    return {"status": status} if status else {"status": {"$ne": "draft"}}
