"""Payments, refunds and the record of webhook events already applied."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from bson import ObjectId
from pymongo import ASCENDING, IndexModel, ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from carevia.domain.payments.models import Payment, PaymentKind, Refund
from carevia.domain.shared.documents import from_document, to_document

PAYMENTS = "payments"
REFUNDS = "refunds"
WEBHOOK_EVENTS = "webhook_events"

INDEXES: Mapping[str, Sequence[IndexModel]] = {
    PAYMENTS: [
        IndexModel([("session_id", ASCENDING)], unique=True),
        IndexModel(
            [("booking_id", ASCENDING), ("kind", ASCENDING), ("attempt", ASCENDING)], unique=True
        ),
        IndexModel([("payment_intent", ASCENDING)]),
        IndexModel([("covers.booking_id", ASCENDING)]),
        IndexModel([("status", ASCENDING), ("created_at", ASCENDING)]),
    ],
    REFUNDS: [
        IndexModel([("idempotency_key", ASCENDING)], unique=True),
        IndexModel([("status", ASCENDING), ("updated_at", ASCENDING)]),
        # `claim_due_refund`: requested rows in the order they fall due.
        IndexModel([("status", ASCENDING), ("next_attempt_at", ASCENDING)]),
        IndexModel([("booking_id", ASCENDING)]),
    ],
    WEBHOOK_EVENTS: [
        IndexModel([("received_at", ASCENDING)], expireAfterSeconds=60 * 60 * 24 * 90)
    ],
}


class PaymentRepository:
    def __init__(self, database: AsyncDatabase[dict[str, Any]]) -> None:
        self._payments = database[PAYMENTS]
        self._refunds = database[REFUNDS]
        self._events = database[WEBHOOK_EVENTS]

    async def add(self, payment: Payment) -> None:
        await self._payments.insert_one(to_document(payment))

    async def by_session(
        self, session_id: str, session: AsyncClientSession | None = None
    ) -> Payment | None:
        document = await self._payments.find_one({"session_id": session_id}, session=session)
        return None if document is None else from_document(document, Payment)

    async def by_intent(self, payment_intent: str) -> Payment | None:
        document = await self._payments.find_one({"payment_intent": payment_intent})
        return None if document is None else from_document(document, Payment)

    async def for_booking(
        self, booking_id: ObjectId, session: AsyncClientSession | None = None
    ) -> list[Payment]:
        # A series' payment also pays for the visits its `covers` lists.
        query = {"$or": [{"booking_id": booking_id}, {"covers.booking_id": booking_id}]}
        cursor = self._payments.find(query, session=session).sort("created_at", ASCENDING)
        return [from_document(document, Payment) async for document in cursor]

    async def open_for(self, booking_id: ObjectId, kind: PaymentKind) -> Payment | None:
        document = await self._payments.find_one(
            {"booking_id": booking_id, "kind": kind, "status": "open"}, sort=[("attempt", -1)]
        )
        return None if document is None else from_document(document, Payment)

    async def attempts(self, booking_id: ObjectId, kind: PaymentKind) -> int:
        return await self._payments.count_documents({"booking_id": booking_id, "kind": kind})

    async def mark(
        self,
        payment_id: ObjectId,
        expected: Sequence[str],
        fields: dict[str, Any],
        session: AsyncClientSession | None = None,
    ) -> Payment | None:
        """Conditional status change; None when the payment is no longer in an expected state."""
        document = await self._payments.find_one_and_update(
            {"_id": payment_id, "status": {"$in": list(expected)}},
            {"$set": fields},
            return_document=ReturnDocument.AFTER,
            session=session,
        )
        return None if document is None else from_document(document, Payment)

    async def raise_refunded(
        self, payment_id: ObjectId, amount_refunded: int, session: AsyncClientSession | None = None
    ) -> None:
        """Refund totals only grow, so late or repeated events can never lower them."""
        await self._payments.update_one(
            {"_id": payment_id}, {"$max": {"amount_refunded": amount_refunded}}, session=session
        )

    async def stale_open(self, older_than: datetime, limit: int) -> list[Payment]:
        cursor = self._payments.find(
            {"status": {"$in": ["open", "processing"]}, "created_at": {"$lte": older_than}}
        ).limit(limit)
        return [from_document(document, Payment) async for document in cursor]

    async def add_refund(self, refund: Refund, session: AsyncClientSession | None = None) -> None:
        await self._refunds.insert_one(to_document(refund), session=session)

    async def refunds_for(
        self, booking_id: ObjectId, session: AsyncClientSession | None = None
    ) -> list[Refund]:
        cursor = self._refunds.find({"booking_id": booking_id}, session=session).sort(
            "created_at", ASCENDING
        )
        return [from_document(document, Refund) async for document in cursor]

    async def count_refunds(
        self, booking_id: ObjectId, session: AsyncClientSession | None = None
    ) -> int:
        return await self._refunds.count_documents({"booking_id": booking_id}, session=session)

    async def claim_due_refund(self, now: datetime, until: datetime) -> Refund | None:
        """The requested refund due longest, claimed for this worker until `until`.

        Moving `next_attempt_at` past now is the claim: no other worker finds the row due,
        and if this one dies the row falls due again when the claim runs out.
        """
        document = await self._refunds.find_one_and_update(
            {"status": "requested", "next_attempt_at": {"$not": {"$gt": now}}},
            {"$set": {"next_attempt_at": until, "updated_at": now}, "$inc": {"attempts": 1}},
            sort=[("next_attempt_at", ASCENDING), ("_id", ASCENDING)],
            return_document=ReturnDocument.AFTER,
        )
        return None if document is None else from_document(document, Refund)

    async def retry_refund_later(
        self, refund: Refund, error: str, now: datetime, next_attempt_at: datetime
    ) -> None:
        """A transient error: the claimed attempt ends, and the next one waits until then."""
        await self._refunds.update_one(
            {"_id": refund.id, "status": "requested", "attempts": refund.attempts},
            {"$set": {"last_error": error, "updated_at": now, "next_attempt_at": next_attempt_at}},
        )

    async def finish_refund(
        self,
        refund_id: ObjectId,
        fields: dict[str, Any],
        session: AsyncClientSession | None = None,
    ) -> Refund | None:
        """Settle a requested refund once; None when another attempt settled it first."""
        document = await self._refunds.find_one_and_update(
            {"_id": refund_id, "status": "requested"},
            {"$set": fields},
            return_document=ReturnDocument.AFTER,
            session=session,
        )
        return None if document is None else from_document(document, Refund)

    async def event_seen(self, event_id: str) -> bool:
        return await self._events.count_documents({"_id": event_id}, limit=1) > 0

    async def record_event(self, event_id: str, event_type: str, now: datetime) -> None:
        # A concurrent delivery of the same event may have recorded it first.
        with contextlib.suppress(DuplicateKeyError):
            await self._events.insert_one({"_id": event_id, "type": event_type, "received_at": now})
