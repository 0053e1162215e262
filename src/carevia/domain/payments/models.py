from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec
from bson import ObjectId

PaymentKind = Literal["initial", "due"]
PaymentState = Literal["open", "processing", "paid", "failed", "expired"]
RefundState = Literal["requested", "succeeded", "failed"]


class PaymentPart(msgspec.Struct, frozen=True, kw_only=True):
    """What one Checkout session for several visits of a series pays for one of them."""

    booking_id: ObjectId
    booking_code: str
    amount: int


class Payment(msgspec.Struct, frozen=True, kw_only=True):
    """One Checkout Session for a booking: the first payment or the remaining due.

    A series pays several visits with one session: `covers` lists each visit's part, and
    `booking_id` is the first of them.
    """

    id: ObjectId = msgspec.field(name="_id")
    booking_id: ObjectId
    booking_code: str
    kind: PaymentKind
    attempt: int
    gateway: str
    session_id: str
    url: str | None
    amount: int
    currency: str
    status: PaymentState = "open"
    payment_intent: str | None = None
    amount_refunded: int = 0
    created_at: datetime
    paid_at: datetime | None = None
    covers: list[PaymentPart] = msgspec.field(default_factory=list)

    def part_for(self, booking_id: ObjectId) -> int:
        """What this payment paid for `booking_id`."""
        if not self.covers:
            return self.amount if booking_id == self.booking_id else 0
        return sum(part.amount for part in self.covers if part.booking_id == booking_id)


class Refund(msgspec.Struct, frozen=True, kw_only=True):
    """A refund request: `requested` until the gateway answers, then succeeded or failed.

    `attempts` counts the tries made; a transient error sets `next_attempt_at` later, and a
    worker claims a due row by moving it forward, so no other worker sends it meanwhile.
    """

    id: ObjectId = msgspec.field(name="_id")
    booking_id: ObjectId
    booking_code: str
    payment_id: ObjectId
    payment_intent: str
    amount: int
    reason: str
    idempotency_key: str
    status: RefundState = "requested"
    gateway_refund_id: str | None = None
    attempts: int = 0
    last_error: str | None = None
    # None on rows stored before the schedule was kept: those are due at once.
    next_attempt_at: datetime | None = None
    created_at: datetime
    updated_at: datetime
