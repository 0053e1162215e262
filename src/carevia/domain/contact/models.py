from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec
from bson import ObjectId

from carevia.domain.shared.text import Text

ContactTopic = Literal["booking", "payment", "caregiver", "feedback", "other"]

CONTACT_TOPICS: dict[ContactTopic, str] = {
    "booking": Text("A booking"),
    "payment": Text("Payments and refunds"),
    "caregiver": Text("Becoming a caregiver"),
    "feedback": Text("Feedback"),
    "other": Text("Something else"),
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
