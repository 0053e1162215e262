"""The rules of a booking's messages that need no database: length, closing, receipts, mail."""

from __future__ import annotations

from datetime import timedelta

import msgspec
import pytest
from bson import ObjectId

from carevia.domain.mail import MailRenderer
from carevia.domain.messages.models import Message
from carevia.domain.messages.service import checked_text, closed_reason, last_seen
from carevia.domain.shared import Invalid
from tests.unit.test_payment_mails import BOOKING_URL, make_booking


def test_text_is_trimmed_and_must_hold_1_to_2000_characters() -> None:
    assert checked_text("  Hello \n") == "Hello"
    assert checked_text("x" * 2_000) == "x" * 2_000
    for refused in ("", " \n\t ", "x" * 2_001):
        with pytest.raises(Invalid) as error:
            checked_text(refused)
        assert error.value.fields == {"text": "Please write a message of 1 to 2,000 characters."}


def test_a_thread_closes_30_days_after_the_visit_ends_and_at_once_when_cancelled() -> None:
    booking = make_booking(status="completed")
    closes = booking.ends_at + timedelta(days=30)
    assert closed_reason(booking, closes - timedelta(seconds=1)) is None
    assert "30 days after the visit" in (closed_reason(booking, closes) or "")
    before_visit = booking.starts_at - timedelta(days=3)
    for status, word in (("cancelled", "was cancelled"), ("expired", "not confirmed in time")):
        cancelled = msgspec.structs.replace(booking, status=status)
        assert word in (closed_reason(cancelled, before_visit) or "")


def message(author_role: str, **read_at: object) -> Message:
    booking = make_booking()
    return Message(
        id=ObjectId(),
        booking_id=booking.id,
        booking_code=booking.code,
        patient_id=booking.patient_id,
        caregiver_id=booking.caregiver_id,
        author_id=ObjectId(),
        author_role=author_role,  # type: ignore[arg-type]
        author_name="Amina",
        text="Hello",
        created_at=booking.created_at,
        read_at=dict(read_at),  # type: ignore[arg-type]
    )


def test_seen_sits_under_the_last_own_message_another_side_has_read() -> None:
    at = make_booking().created_at
    first = message("patient", caregiver=at)
    second = message("patient", support=at + timedelta(minutes=2), caregiver=at + timedelta(1))
    unread = message("patient")
    answer = message("caregiver", patient=at)
    assert last_seen([first, second, answer, unread], "patient") == (
        second.id,
        at + timedelta(minutes=2),
    )
    assert last_seen([first, answer], "caregiver") == (answer.id, at)
    assert last_seen([answer], "support") == (None, None)


def test_the_waiting_mail_links_to_the_thread_and_never_carries_its_text() -> None:
    booking = make_booking()
    mail = MailRenderer().render(
        "message_waiting",
        booking=booking,
        first_name="Amina",
        thread_url=f"{BOOKING_URL}#messages",
    )
    assert mail.subject == f"A message about booking {booking.code} is waiting for you"
    assert f"{BOOKING_URL}#messages" in mail.text and f'href="{BOOKING_URL}#messages"' in mail.html
    assert "Hello Amina," in mail.text
