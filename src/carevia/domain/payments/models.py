from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec
from bson import ObjectId

PaymentKind = Literal["initial", "due"]
PaymentState = Literal["open", "processing", "paid", "failed", "expired"]
RefundState = Literal["requested", "succeeded", "failed"]


class Payment(msgspec.Struct, frozen=True, kw_only=True):
    """One Checkout Session for a booking: the first payment or the remaining due."""

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
