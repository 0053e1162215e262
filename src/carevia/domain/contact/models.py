from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec
from bson import ObjectId

ContactTopic = Literal["booking", "payment", "caregiver", "feedback", "other"]

CONTACT_TOPICS: dict[ContactTopic, str] = {
    "booking": "A booking",
    "payment": "Payments and refunds",
    "caregiver": "Becoming a caregiver",
    "feedback": "Feedback",
    "other": "Something else",
}


class ContactForm(msgspec.Struct, frozen=True, kw_only=True):
    name: str = ""
    email: str = ""
    topic: str = "other"
    message: str = ""


class ContactMessage(msgspec.Struct, frozen=True, kw_only=True):
    id: ObjectId | None = msgspec.field(default=None, name="_id")
    name: str
    email: str
    topic: ContactTopic
    message: str
    created_at: datetime
    status: Literal["new", "answered"] = "new"
