"""Who may see which notification, and what of it leaves the server.

Admins see everything; a caregiver only notifications about their own bookings; a
patient only their own. The payload never carries a patient's personal data.
"""

from __future__ import annotations

from typing import Any

import msgspec
from bson import ObjectId

from carevia.domain.accounts import Role, User
from carevia.domain.notifications.store import Notification, NotificationRepository

MAX_PAGE = 100

# Keys that could carry personal data are dropped from every payload, whoever wrote it.
PERSONAL_KEYS = frozenset(
    {
        "name",
        "first_name",
        "last_name",
        "full_name",
        "patient",
        "patient_name",
        "email",
        "patient_email",
        "phone",
        "patient_phone",
        "address",
        "patient_address",
        "notes",
        # The person a booking is for and their care needs (health data).
        "recipient",
        "recipient_name",
        "care",
        "needs",
        "care_needs",
        "mobility",
        "conditions",
        "allergies",
        "medication",
        "emergency_contact",
    }
)
_ENVELOPE_KEYS = frozenset({"id", "event", "code", "created_at"})


class Viewer(msgspec.Struct, frozen=True, kw_only=True):
    """The reader of a stream; `token_version` pins it to the credentials it came from."""

    role: Role
    user_id: ObjectId
    token_version: int | None = None

    @classmethod
    def of(cls, user: User) -> Viewer:
        return cls(role=user.role, user_id=user.id, token_version=user.token_version)


def visible_to(notification: Notification, viewer: Viewer) -> bool:
    if viewer.role == "admin":
        return True
    if viewer.role == "caregiver":
        return notification.caregiver_id == viewer.user_id
    return notification.patient_id == viewer.user_id


def scope_filter(viewer: Viewer) -> dict[str, Any]:
    """The query equivalent of `visible_to`, served by the (owner, _id) indexes."""
    if viewer.role == "admin":
        return {}
    if viewer.role == "caregiver":
        return {"caregiver_id": viewer.user_id}
    return {"patient_id": viewer.user_id}


def public_payload(notification: Notification) -> dict[str, Any]:
    """`{"id", "event", "code", "created_at", ...data}` without personal fields."""
    data = {
        key: value
        for key, value in notification.data.items()
        if key not in PERSONAL_KEYS and key not in _ENVELOPE_KEYS
    }
    return {
        "id": notification.id,
        "event": notification.event,
        "code": notification.booking_code,
        "created_at": notification.created_at.isoformat(),
        **data,
    }


def encode_payload(notification: Notification) -> str:
    return msgspec.json.encode(public_payload(notification), enc_hook=str).decode()


async def visible_after(
    notifications: NotificationRepository,
    viewer: Viewer,
    cursor: int,
    *,
    limit: int = MAX_PAGE,
    upto: int | None = None,
) -> list[Notification]:
    """The viewer's notifications with `cursor < id (<= upto)`, oldest first."""
    return await notifications.after(
        cursor, max(1, min(limit, MAX_PAGE)), where=scope_filter(viewer), upto=upto
    )
