from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pymongo import DESCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from carevia.domain.contact.models import ContactMessage
from carevia.domain.shared.documents import to_document

CONTACT_MESSAGES = "contact_messages"

INDEXES: Mapping[str, Sequence[IndexModel]] = {
    CONTACT_MESSAGES: [IndexModel([("status", 1), ("created_at", DESCENDING)])],
}


class ContactRepository:
    def __init__(self, database: AsyncDatabase[dict[str, Any]]) -> None:
        self._messages = database[CONTACT_MESSAGES]

    async def forget_sender(self, email: str) -> int:
        """Delete the messages a deleted account's owner sent through the contact form."""
        result = await self._messages.delete_many({"email": email})
        return result.deleted_count

    async def add(self, message: ContactMessage) -> None:
        document = to_document(message)
        document.pop("_id", None)
        await self._messages.insert_one(document)
