from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec
from bson import ObjectId

OutboxStatus = Literal["pending", "sending", "sent", "failed"]
OUTBOX_STATUSES: tuple[OutboxStatus, ...] = ("pending", "sending", "sent", "failed")


class RenderedMail(msgspec.Struct, frozen=True, kw_only=True):
    subject: str
    text: str
    html: str


class OutboxMessage(msgspec.Struct, frozen=True, kw_only=True):
    """One email waiting for, or done with, delivery; workers claim it before sending."""

    id: ObjectId = msgspec.field(default_factory=ObjectId, name="_id")
    to: str
    subject: str
    text: str
    html: str
    template: str
    status: OutboxStatus = "pending"
    attempts: int = 0
    next_attempt_at: datetime
    claimed_by: str | None = None
    claimed_at: datetime | None = None
    created_at: datetime
    sent_at: datetime | None = None
    last_error: str | None = None
    # The same logical email (say, one reset token) is queued at most once.
    dedupe_key: str | None = None
    # Which transport delivered it: "smtp", or "log" when no SMTP server is configured.
    transport: str | None = None
    # What the mail is about (say, one booking's reminders), so it can be withdrawn unsent.
    topic: str | None = None
    # The language it was written in: the recipient's.
    language: str = "en"
