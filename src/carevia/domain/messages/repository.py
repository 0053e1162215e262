"""The only code that touches the messages and message_threads collections."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from bson import ObjectId
from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from carevia.domain.messages.models import Message, Side, ThreadSummary
from carevia.domain.shared.documents import from_document, to_document
from carevia.domain.shared.text import Text

MESSAGES = "messages"
THREADS = "message_threads"
FORMER_AUTHOR = Text("Former patient")

INDEXES: Mapping[str, Sequence[IndexModel]] = {
    MESSAGES: [
        # The thread, oldest first; marking a side's reads walks the same range.
        IndexModel([("booking_id", ASCENDING), ("created_at", ASCENDING)]),
        # The header's unread count, on every page of a signed-in person: one indexed count.
        IndexModel([("patient_id", ASCENDING), ("unread_by", ASCENDING)]),
        IndexModel([("caregiver_id", ASCENDING), ("unread_by", ASCENDING)]),
        # The rate limit counts a writer's recent messages; export and erasure find them all.
        IndexModel([("author_id", ASCENDING), ("created_at", ASCENDING)]),
        # The unread-mail sweep finds only what is due.
        IndexModel([("mail_pending", ASCENDING), ("mail_due_at", ASCENDING)]),
    ],
    THREADS: [
        IndexModel([("waiting_since", ASCENDING)]),
        IndexModel([("caregiver_id", ASCENDING), ("last_at", DESCENDING)]),
    ],
}


class MessageRepository:
    def __init__(self, database: AsyncDatabase[dict[str, Any]]) -> None:
        self._messages = database[MESSAGES]
        self._threads = database[THREADS]

    async def add(self, message: Message, service_name: str, session: AsyncClientSession) -> None:
        """Store the message and bring its thread's summary up to date, in one transaction."""
        await self._messages.insert_one(to_document(message), session=session)
        summary: dict[str, Any] = {
            "$set": {
                "booking_code": message.booking_code,
                "service_name": service_name,
                "patient_id": message.patient_id,
                "caregiver_id": message.caregiver_id,
                "last_at": message.created_at,
                "last_author_role": message.author_role,
            },
            "$inc": {"messages": 1},
        }
        if message.author_role == "admin":
            summary["$set"]["waiting_since"] = None
        else:
            # The wait starts at the first message after support's last answer: an answered
            # thread (None, which `$min` would keep) starts afresh, a waiting one keeps its time.
            await self._threads.update_one(
                {"_id": message.booking_id, "waiting_since": None},
                {"$set": {"waiting_since": message.created_at}},
                session=session,
            )
            summary["$min"] = {"waiting_since": message.created_at}
        await self._threads.update_one(
            {"_id": message.booking_id}, summary, upsert=True, session=session
        )

    async def follow_caregiver(self, booking_id: ObjectId, caregiver_id: ObjectId) -> None:
        """After a reassignment the thread, its unread counts and its emails go to the new one."""
        moved = {"booking_id": booking_id, "caregiver_id": {"$ne": caregiver_id}}
        if await self._messages.find_one(moved, {"_id": 1}) is None:
            return
        await self._messages.update_many(moved, {"$set": {"caregiver_id": caregiver_id}})
        await self._threads.update_one(
            {"_id": booking_id}, {"$set": {"caregiver_id": caregiver_id}}
        )

    async def thread(self, booking_id: ObjectId) -> list[Message]:
        found = self._messages.find({"booking_id": booking_id}).sort(
            [("created_at", ASCENDING), ("_id", ASCENDING)]
        )
        return [from_document(document, Message) async for document in found]

    async def mark_read(self, booking_id: ObjectId, side: Side, now: datetime) -> int:
        """Every message of the other sides in the thread that `side` had not seen; how many."""
        result = await self._messages.update_many(
            {
                "booking_id": booking_id,
                f"read_at.{side}": {"$exists": False},
                "author_role": {"$ne": "admin" if side == "support" else side},
            },
            {
                "$set": {f"read_at.{side}": now},
                "$pull": {"unread_by": side, "mail_pending": side},
            },
        )
        return result.modified_count

    async def unread_count(self, owner_field: str, owner_id: ObjectId, side: Side) -> int:
        return await self._messages.count_documents({owner_field: owner_id, "unread_by": side})

    async def written_since(self, author_id: ObjectId, since: datetime) -> int:
        return await self._messages.count_documents(
            {"author_id": author_id, "created_at": {"$gte": since}}
        )

    async def mail_pending_in_thread(self, booking_id: ObjectId, side: Side) -> bool:
        """Whether an earlier message of the thread still owes `side` its email."""
        found = await self._messages.find_one(
            {"booking_id": booking_id, "mail_pending": side}, {"_id": 1}
        )
        return found is not None

    async def claim_due_mail(
        self, side: Side, now: datetime, session: AsyncClientSession
    ) -> Message | None:
        """Take one due email off a message, conditionally, so two workers never both send it."""
        document = await self._messages.find_one_and_update(
            {"mail_pending": side, "mail_due_at": {"$lte": now}},
            {"$pull": {"mail_pending": side}},
            sort=[("mail_due_at", ASCENDING)],
            return_document=ReturnDocument.BEFORE,
            session=session,
        )
        return None if document is None else from_document(document, Message)

    async def waiting_threads(self, skip: int, limit: int) -> tuple[list[ThreadSummary], int]:
        """Threads whose last word is not support's, the longest waiting first."""
        waiting = {"waiting_since": {"$type": "date"}}
        total = await self._threads.count_documents(waiting)
        found = (
            self._threads.find(waiting)
            .sort([("waiting_since", ASCENDING), ("_id", ASCENDING)])
            .skip(skip)
            .limit(limit)
        )
        return [from_document(document, ThreadSummary) async for document in found], total

    async def caregiver_thread_count(self, caregiver_id: ObjectId) -> int:
        return await self._threads.count_documents({"caregiver_id": caregiver_id})

    async def threads_of_caregiver(
        self, caregiver_id: ObjectId, skip: int, limit: int
    ) -> tuple[list[ThreadSummary], int]:
        """A caregiver's conversations, the latest first."""
        mine = {"caregiver_id": caregiver_id}
        total = await self.caregiver_thread_count(caregiver_id)
        found = (
            self._threads.find(mine)
            .sort([("last_at", DESCENDING), ("_id", DESCENDING)])
            .skip(skip)
            .limit(limit)
        )
        return [from_document(document, ThreadSummary) async for document in found], total

    async def written_by(self, author_id: ObjectId) -> list[Message]:
        found = self._messages.find({"author_id": author_id}).sort("created_at", ASCENDING)
        return [from_document(document, Message) async for document in found]

    async def forget_author(self, author_id: ObjectId, replacement: str) -> int:
        """A deleted account's messages keep their place in the thread, not their words."""
        result = await self._messages.update_many(
            {"author_id": author_id},
            {"$set": {"author_name": FORMER_AUTHOR, "text": replacement}},
        )
        return result.modified_count

    async def waiting_count(self) -> int:
        return await self._threads.count_documents({"waiting_since": {"$type": "date"}})
