"""The care-needs access rule at its edges, and live payloads that drop care needs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import pytest
from bson import ObjectId

from carevia.domain.accounts import User
from carevia.domain.care.access import CareNeedsAccess
from carevia.domain.care.models import PersonForm
from carevia.domain.care.validation import clean_person
from carevia.domain.notifications.scoping import encode_payload
from carevia.domain.notifications.store import Notification
from tests.support.care import CARE_NEEDS, MOTHER, mother
from tests.unit.test_payment_mails import make_booking

ENDS = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def viewer(role: Any, user_id: ObjectId) -> User:
    return User(
        id=user_id,
        email="viewer@example.com",
        first_name="Viewer",
        last_name="One",
        role=role,
        password_hash="!",
        created_at=ENDS,
        updated_at=ENDS,
    )


@pytest.mark.parametrize(
    ("after_end", "sees"),
    [
        (timedelta(days=7), True),
        (timedelta(days=7, seconds=1), False),
        (-timedelta(days=30), True),  # from confirmation, however early
    ],
)
def test_the_assigned_caregiver_sees_until_seven_days_after_the_visit(
    after_end: timedelta, sees: bool
) -> None:
    booking = make_booking(recipient=mother(), status="completed", ends_at=ENDS)
    access = CareNeedsAccess(audit=None, clock=lambda: ENDS + after_end)  # type: ignore[arg-type]

    assert access.may_view(viewer("caregiver", booking.caregiver_id), booking) is sees
    assert access.may_view(viewer("caregiver", ObjectId()), booking) is False
    assert access.may_view(viewer("patient", ObjectId()), booking) is False
    assert access.may_view(viewer("patient", booking.patient_id), booking) is True
    assert access.may_view(viewer("admin", ObjectId()), booking) is True


@pytest.mark.parametrize("status", ["pending_payment", "expired", "cancelled"])
def test_a_caregiver_never_sees_a_booking_that_is_not_theirs_yet_or_anymore(status: Any) -> None:
    booking = make_booking(recipient=mother(), status=status)
    access = CareNeedsAccess(audit=None, clock=lambda: booking.starts_at)  # type: ignore[arg-type]

    assert access.may_view(viewer("caregiver", booking.caregiver_id), booking) is False


def test_a_live_payload_drops_the_recipient_and_care_needs_whoever_wrote_them() -> None:
    notification = Notification(
        id=1,
        event="visit.started",
        booking_code="CV-7KQ2MX",
        patient_id=None,
        caregiver_id=None,
        data={"recipient": msgspec.to_builtins(mother()), **CARE_NEEDS, "at": "10:00"},
        dedupe_key="k",
        created_at=ENDS,
    )

    payload = encode_payload(notification)

    assert '"at":"10:00"' in payload
    assert [value for value in CARE_NEEDS.values() if value in payload] == []
    assert "recipient" not in payload


def test_a_person_with_everything_right_is_cleaned() -> None:
    form = PersonForm(**{key: value for key, value in MOTHER.items() if key != "recipient"})
    recipient, errors = clean_person(form)

    assert errors == {}
    assert recipient is not None and recipient.age == 72
    assert recipient.emergency_contact.phone == "+8801812345678"
    assert recipient.emergency_contact.visit_updates is True
