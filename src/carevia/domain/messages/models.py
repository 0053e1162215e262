"""A booking's conversation: its messages, the summary the support inbox reads, the views."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec
from bson import ObjectId

from carevia.domain.shared.text import Text

# The three sides of a thread; every admin speaks and reads for support.
Side = Literal["patient", "caregiver", "support"]
AuthorRole = Literal["patient", "caregiver", "admin"]

TEXT_MAX = 2_000
PER_MINUTE = 10
PER_DAY = 100
OPEN_DAYS_AFTER_VISIT = 30
MAIL_AFTER_MINUTES = 10
# Support reads the inbox; an unread email goes only to the people of the visit.
MAILED_SIDES: tuple[Side, ...] = ("patient", "caregiver")
SIDE_LABELS: dict[str, str] = {
    "patient": Text("Patient"),
    "caregiver": Text("Caregiver"),
    "support": Text("Support"),
}


def side_of(role: str) -> Side:
    if role == "admin":
        return "support"
    if role == "caregiver":
        return "caregiver"
    return "patient"


class Message(msgspec.Struct, frozen=True, kw_only=True):
    id: ObjectId = msgspec.field(name="_id")
    booking_id: ObjectId
    booking_code: str
    patient_id: ObjectId
    caregiver_id: ObjectId
    author_id: ObjectId
    author_role: AuthorRole
    author_name: str
    text: str
    created_at: datetime
    # When each side other than the author's first saw it.
    read_at: dict[str, datetime] = msgspec.field(default_factory=dict)
    # The people of the visit who have not seen it yet: the header's unread count reads this.
    unread_by: list[str] = msgspec.field(default_factory=list)
    # Sides still owed the "a message is waiting" email once `mail_due_at` passes.
    mail_pending: list[str] = msgspec.field(default_factory=list)
    mail_due_at: datetime | None = None

    @property
    def side(self) -> Side:
        return side_of(self.author_role)


class ThreadSummary(msgspec.Struct, frozen=True, kw_only=True):
    """One document per thread, written with each message, for the support inbox."""

    id: ObjectId = msgspec.field(name="_id")  # the booking's id
    booking_code: str
    service_name: str
    patient_id: ObjectId
    caregiver_id: ObjectId
    last_at: datetime
    last_author_role: AuthorRole
    messages: int
    # Since when a patient or caregiver has waited for an answer from support; None once answered.
    waiting_since: datetime | None = None


class MessageForm(msgspec.Struct, frozen=True, kw_only=True):
    text: str = ""


class ThreadView(msgspec.Struct, frozen=True, kw_only=True):
    """What the thread block shows one viewer."""

    booking_code: str
    timezone: str
    side: Side
    viewer_id: ObjectId
    messages: list[Message]
    post_url: str
    page_url: str
    # None while messages may be written; otherwise why the thread is read-only.
    closed_reason: str | None
    # The last of the viewer's own messages someone else has seen, and when.
    seen_id: ObjectId | None = None
    seen_at: datetime | None = None
    draft: str = ""
    error: str | None = None

    @property
    def is_open(self) -> bool:
        return self.closed_reason is None
