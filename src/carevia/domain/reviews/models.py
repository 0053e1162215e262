"""Reviews of completed bookings, the caregiver's reply and an admin's hiding of one."""

from __future__ import annotations

from datetime import datetime, timedelta

import msgspec
from bson import ObjectId

EDIT_WINDOW = timedelta(days=14)
TITLE_MAX = 120
TEXT_MIN = 10
TEXT_MAX = 2000
REPLY_MAX = 2000
REASON_MAX = 500


class ReviewForm(msgspec.Struct, frozen=True, kw_only=True):
    """The review form as typed; checked by the service."""

    stars: str = ""
    title: str = ""
    text: str = ""


class ReplyForm(msgspec.Struct, frozen=True, kw_only=True):
    reply: str = ""


class ModerationForm(msgspec.Struct, frozen=True, kw_only=True):
    reason: str = ""


class Reply(msgspec.Struct, frozen=True, kw_only=True):
    text: str
    at: datetime


class Hiding(msgspec.Struct, frozen=True, kw_only=True):
    reason: str
    by: ObjectId
    at: datetime


class Review(msgspec.Struct, frozen=True, kw_only=True):
    """One patient's review of one completed booking; `hidden` keeps it out of every summary."""

    id: ObjectId = msgspec.field(name="_id")
    booking_id: ObjectId
    booking_code: str
    patient_id: ObjectId
    # Shown publicly: the first name and the initial of the last, never the whole name.
    author: str
    caregiver_id: ObjectId
    caregiver_name: str
    service_id: ObjectId
    service_name: str
    service_name_bn: str = ""
    stars: int
    title: str = ""
    text: str
    created_at: datetime
    edited_at: datetime | None = None
    reply: Reply | None = None
    hidden: Hiding | None = None

    @property
    def visible(self) -> bool:
        return self.hidden is None

    def editable_until(self) -> datetime:
        return self.created_at + EDIT_WINDOW

    def editable_at(self, now: datetime) -> bool:
        return now < self.editable_until()
