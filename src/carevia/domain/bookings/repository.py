"""Bookings and the caregiver-time claims that make double-booking impossible.

Each held or confirmed booking owns one `slot_claims` document per 30-minute slot of its
caregiver's time, keyed `<caregiver>:<slot start>`. The unique `_id` is what refuses an
overlapping booking, even under concurrent requests; claims are written in one transaction
with the booking and removed in one transaction with its expiry or cancellation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from bson import ObjectId
from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError

from carevia.domain.bookings.models import Booking, BookingStatus, HistoryEntry
from carevia.domain.bookings.schedule import slots
from carevia.domain.shared import Conflict
from carevia.domain.shared.documents import from_document, to_document
from carevia.domain.shared.single_flight import Turns

BOOKINGS = "bookings"
SLOT_CLAIMS = "slot_claims"
DUPLICATE_KEY = 11000

INDEXES: Mapping[str, Sequence[IndexModel]] = {
    BOOKINGS: [
        IndexModel([("code", ASCENDING)], unique=True),
        IndexModel([("patient_id", ASCENDING), ("starts_at", DESCENDING)]),
        IndexModel([("caregiver_id", ASCENDING), ("starts_at", ASCENDING)]),
        IndexModel([("status", ASCENDING), ("hold_expires_at", ASCENDING)]),
        # `confirmed_starting`: the visits of a day, for the caregivers' agendas.
        IndexModel([("status", ASCENDING), ("starts_at", ASCENDING)]),
    ],
    SLOT_CLAIMS: [
        IndexModel([("booking_id", ASCENDING)]),
        IndexModel([("caregiver_id", ASCENDING), ("slot_start", ASCENDING)]),
    ],
}


class SlotTaken(Conflict):
    """Some of the caregiver's time is already held by another booking."""


class CodeTaken(Exception):
    """The random booking code collided with an existing one; draw another."""


def claims_of(booking: Booking) -> list[dict[str, Any]]:
    return [
        {
            "_id": f"{booking.caregiver_id}:{slot.isoformat()}",
            "caregiver_id": booking.caregiver_id,
            "booking_id": booking.id,
            "slot_start": slot,
        }
        for slot in slots(booking.starts_at, booking.ends_at)
    ]


def _is_duplicate(error: BulkWriteError | DuplicateKeyError) -> bool:
    if isinstance(error, DuplicateKeyError):
        return True
    return all(item.get("code") == DUPLICATE_KEY for item in error.details.get("writeErrors", []))


def _refuse_status(fields: Mapping[str, Any]) -> None:
    if "status" in fields:
        raise ValueError("a booking's status changes only through BookingTransitions")


class BookingRepository:
    def __init__(self, database: AsyncDatabase[dict[str, Any]]) -> None:
        self._database = database
        self._bookings = database[BOOKINGS]
        self._claims = database[SLOT_CLAIMS]
        self._same_time: Turns[tuple[ObjectId, datetime]] = Turns()

    async def add_with_claims(self, booking: Booking) -> None:
        """Insert the booking and claim its time atomically; SlotTaken if any slot is held."""

        async def write(session: AsyncClientSession) -> None:
            await self._bookings.insert_one(to_document(booking), session=session)
            await self._claims.insert_many(claims_of(booking), session=session)

        try:
            async with (
                self._same_time.take((booking.caregiver_id, booking.starts_at)),
                self._database.client.start_session() as session,
            ):
                await session.with_transaction(write)
        except (BulkWriteError, DuplicateKeyError) as error:
            if not _is_duplicate(error):
                raise
            if isinstance(error, DuplicateKeyError) and "code" in (error.details or {}).get(
                "keyPattern", {}
            ):
                raise CodeTaken from error
            raise SlotTaken("That time is no longer free with this caregiver.") from error

    async def insert_with_claims(self, booking: Booking, session: AsyncClientSession) -> None:
        """Insert the booking and claim its time inside the caller's transaction.

        A held slot raises DuplicateKeyError or BulkWriteError, which aborts that transaction.
        """
        await self._bookings.insert_one(to_document(booking), session=session)
        await self._claims.insert_many(claims_of(booking), session=session)

    async def change_status(
        self,
        booking_id: ObjectId,
        expected: BookingStatus,
        entry: HistoryEntry,
        fields: dict[str, Any],
        *,
        release_time: bool,
        session: AsyncClientSession,
    ) -> Booking | None:
        """The only write of a booking's `status`; None when it is no longer `expected`.

        Only `BookingTransitions` calls it, inside the transaction that also writes the
        transition's audit entry and notices.
        """
        document = await self._bookings.find_one_and_update(
            {"_id": booking_id, "status": expected},
            {
                "$set": {**fields, "status": entry.to_status, "updated_at": entry.at},
                "$push": {"history": to_document(entry)},
            },
            return_document=True,
            session=session,
        )
        if document is not None and release_time:
            await self._claims.delete_many({"booking_id": booking_id}, session=session)
        return None if document is None else from_document(document, Booking)

    async def get(
        self, booking_id: ObjectId, session: AsyncClientSession | None = None
    ) -> Booking | None:
        document = await self._bookings.find_one({"_id": booking_id}, session=session)
        return None if document is None else from_document(document, Booking)

    async def apply(
        self,
        booking_id: ObjectId,
        expected: Sequence[BookingStatus],
        fields: dict[str, Any],
        *,
        now: datetime,
        entry: HistoryEntry | None,
        session: AsyncClientSession,
    ) -> Booking | None:
        """A conditional update inside the caller's transaction; None if the status moved on.

        It never changes the status itself: that is `change_status`, through the transitions.
        """
        _refuse_status(fields)
        update: dict[str, Any] = {"$set": {**fields, "updated_at": now}}
        if entry is not None:
            update["$push"] = {"history": to_document(entry)}
        document = await self._bookings.find_one_and_update(
            {"_id": booking_id, "status": {"$in": list(expected)}},
            update,
            return_document=True,
            session=session,
        )
        return None if document is None else from_document(document, Booking)

    async def take_refundable(
        self, booking_id: ObjectId, amount: int, session: AsyncClientSession
    ) -> bool:
        """Take `amount` off the refundable balance if that much is left; False if not.

        One conditional update, so concurrent refund requests can never overdraw it.
        """
        taken = await self._bookings.update_one(
            {"_id": booking_id, "amount_refundable": {"$gte": amount}},
            {"$inc": {"amount_refundable": -amount}},
            session=session,
        )
        return taken.modified_count == 1

    async def give_back_refundable(
        self, booking_id: ObjectId, amount: int, session: AsyncClientSession
    ) -> None:
        """A refund that failed: its amount can be refunded again."""
        await self._bookings.update_one(
            {"_id": booking_id}, {"$inc": {"amount_refundable": amount}}, session=session
        )

    async def start_refundable(
        self, booking_id: ObjectId, amount: int, session: AsyncClientSession
    ) -> None:
        """Set the balance of a booking stored before it was kept; a kept one is left alone."""
        await self._bookings.update_one(
            {"_id": booking_id, "amount_refundable": None},
            {"$set": {"amount_refundable": amount}},
            session=session,
        )

    async def move_visit(
        self,
        booking: Booking,
        fields: dict[str, Any],
        entry: HistoryEntry,
        session: AsyncClientSession,
    ) -> Booking | None:
        """Give a confirmed visit a new time (and caregiver) and claim it; None if it changed.

        Only the booking as it was read is moved, so two moves of one visit cannot both
        apply. The old claims go before the new ones are written, so a move that overlaps
        its own time is allowed; a slot held by anyone else raises and aborts the transaction.
        """
        _refuse_status(fields)
        document = await self._bookings.find_one_and_update(
            {
                "_id": booking.id,
                "status": "confirmed",
                "starts_at": booking.starts_at,
                "caregiver_id": booking.caregiver_id,
            },
            {
                "$set": {**fields, "updated_at": entry.at},
                "$push": {"history": to_document(entry)},
            },
            return_document=True,
            session=session,
        )
        if document is None:
            return None
        moved = from_document(document, Booking)
        await self._claims.delete_many({"booking_id": booking.id}, session=session)
        await self._claims.insert_many(claims_of(moved), session=session)
        return moved

    async def claim_time(self, booking: Booking, session: AsyncClientSession) -> None:
        """Claim the booking's time again (a late payment); raises if any slot is taken."""
        await self._claims.insert_many(claims_of(booking), session=session)

    async def release_time(self, booking_id: ObjectId, session: AsyncClientSession) -> None:
        await self._claims.delete_many({"booking_id": booking_id}, session=session)

    async def get_by_code(self, code: str) -> Booking | None:
        document = await self._bookings.find_one({"code": code})
        return None if document is None else from_document(document, Booking)

    async def for_patient(
        self,
        patient_id: ObjectId,
        statuses: Iterable[str] | None,
        *,
        upcoming: bool | None,
        now: datetime,
        skip: int,
        limit: int,
    ) -> tuple[list[Booking], int]:
        query: dict[str, Any] = {"patient_id": patient_id}
        if statuses is not None:
            query["status"] = {"$in": list(statuses)}
        if upcoming is True:
            query["ends_at"] = {"$gt": now}
        elif upcoming is False:
            query["ends_at"] = {"$lte": now}
        order = ASCENDING if upcoming else DESCENDING
        total = await self._bookings.count_documents(query)
        cursor = (
            self._bookings.find(query)
            .sort([("starts_at", order), ("_id", order)])
            .skip(skip)
            .limit(limit)
        )
        return [from_document(doc, Booking) async for doc in cursor], total

    async def forget_patient(self, patient_id: ObjectId, now: datetime) -> int:
        """Erase the contacts, address, recipient and visit reports of a deleted patient's bookings.

        The bookings themselves stay, without the person, for the accounts.
        """
        result = await self._bookings.update_many(
            {"patient_id": patient_id},
            {
                "$set": {
                    "patient.name": "Deleted user",
                    "patient.phone": "",
                    "patient.email": "",
                    "location.address": "",
                    "location.notes": "",
                    "recipient": None,
                    # How the person was on the day is about them, so it goes with them.
                    "report": None,
                    "has_concern": False,
                    "updated_at": now,
                }
            },
        )
        return result.modified_count

    async def for_caregiver(
        self,
        caregiver_id: ObjectId,
        begin: datetime,
        end: datetime,
        statuses: Sequence[str],
        *,
        session: AsyncClientSession | None = None,
    ) -> list[Booking]:
        cursor = self._bookings.find(
            {
                "caregiver_id": caregiver_id,
                "status": {"$in": list(statuses)},
                "ends_at": {"$gt": begin},
                "starts_at": {"$lt": end},
            },
            session=session,
        ).sort("starts_at", ASCENDING)
        return [from_document(doc, Booking) async for doc in cursor]

    async def confirmed_starting(self, begin: datetime, end: datetime) -> list[Booking]:
        """Confirmed visits starting in [begin, end), every caregiver's, in time order."""
        cursor = self._bookings.find(
            {"status": "confirmed", "starts_at": {"$gte": begin, "$lt": end}}
        ).sort("starts_at", ASCENDING)
        return [from_document(doc, Booking) async for doc in cursor]

    async def completed_with(
        self, patient_id: ObjectId, person_id: ObjectId | None, caregiver_ids: Sequence[ObjectId]
    ) -> list[tuple[ObjectId, ObjectId]]:
        """(booking id, caregiver id) of the completed visits these caregivers made to one person.

        The person is the patient when `person_id` is None, else the saved person cared for.
        One query for every candidate at once.
        """
        # `$eq: None` also matches bookings stored before a recipient was kept.
        recipient: dict[str, Any] = (
            {"recipient": {"$eq": None}}
            if person_id is None
            else {"recipient.person_id": person_id}
        )
        cursor = self._bookings.find(
            {
                "patient_id": patient_id,
                "caregiver_id": {"$in": list(caregiver_ids)},
                "status": "completed",
                **recipient,
            },
            {"caregiver_id": 1},
        )
        return [(doc["_id"], doc["caregiver_id"]) async for doc in cursor]

    async def lapsed_holds(
        self, now: datetime, limit: int, caregiver_id: ObjectId | None = None
    ) -> list[Booking]:
        query: dict[str, Any] = {"status": "pending_payment", "hold_expires_at": {"$lte": now}}
        if caregiver_id is not None:
            query["caregiver_id"] = caregiver_id
        cursor = self._bookings.find(query).sort("hold_expires_at", ASCENDING).limit(limit)
        return [from_document(doc, Booking) async for doc in cursor]

    async def claimed_slots(
        self, caregiver_ids: Sequence[ObjectId], begin: datetime, end: datetime
    ) -> dict[ObjectId, set[datetime]]:
        cursor = self._claims.find(
            {
                "caregiver_id": {"$in": list(caregiver_ids)},
                "slot_start": {"$gte": begin, "$lt": end},
            },
            {"caregiver_id": 1, "slot_start": 1},
        )
        taken: dict[ObjectId, set[datetime]] = {cid: set() for cid in caregiver_ids}
        async for claim in cursor:
            taken[claim["caregiver_id"]].add(claim["slot_start"])
        return taken
