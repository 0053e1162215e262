"""Booking and payment mails: the facts a patient needs, in local time, escaped in HTML."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec
import pytest
from bson import ObjectId

from carevia.domain.bookings.models import (
    Booking,
    CancellationPolicy,
    Location,
    PatientContact,
)
from carevia.domain.bookings.pricing import quote
from carevia.domain.catalogue.seed import demo_services
from carevia.domain.mail import MailRenderer

SERVICE = next(
    s for s in demo_services(datetime(2026, 1, 1, tzinfo=UTC), "BDT") if s.slug == "toddler-care"
)
CREATED = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
BOOKING_URL = "https://carevia.test/bookings/CV-7KQ2MX"
RECEIPT_URL = "https://carevia.test/bookings/CV-7KQ2MX/receipt"
SERVICES_URL = "https://carevia.test/services"


def make_booking(**changes: Any) -> Booking:
    # Outside the service's divisions, so a travel fee applies: 6 × ৳250 + ৳500 = ৳2,000.
    price = quote(SERVICE, "hours", 6, "Mymensingh", "half", 50000)
    booking = Booking(
        id=ObjectId(),
        code="CV-7KQ2MX",
        patient_id=ObjectId(),
        patient=PatientContact(name="Rina Akter", phone="+8801711000000", email="rina@example.com"),
        caregiver_id=ObjectId(),
        caregiver_name="Nasrin Begum",
        service_id=SERVICE.id or ObjectId(),
        service_slug=SERVICE.slug,
        service_name=SERVICE.name,
        category=SERVICE.category,
        timezone="Asia/Dhaka",
        starts_at=datetime(2026, 11, 25, 4, 0, tzinfo=UTC),  # 10:00 in Dhaka
        ends_at=datetime(2026, 11, 25, 10, 0, tzinfo=UTC),
        duration_type="hours",
        quantity=6,
        location=Location(division="Mymensingh", district="Netrokona", address="House 12, Road 4"),
        price=price,
        policy=CancellationPolicy(free_until_hours=12),
        status="confirmed",
        payment_status="partially_paid",
        amount_paid=price.pay_now,
        created_at=CREATED,
        updated_at=CREATED,
    )
    return msgspec.structs.replace(booking, **changes)


@pytest.fixture(scope="module")
def renderer() -> MailRenderer:
    return MailRenderer()


def test_the_price_is_the_one_the_mails_describe() -> None:
    price = make_booking().price
    assert (price.unit_price, price.base, price.travel_fee, price.total) == (
        25000,
        150000,
        50000,
        200000,
    )
    assert (price.pay_now, price.due_later) == (100000, 100000)


CASES: list[tuple[str, dict[str, Any], dict[str, Any], str, list[str]]] = [
    (
        "booking_confirmed",
        {},
        {"receipt_url": RECEIPT_URL},
        "Booking confirmed: Toddler Care on Wed 25 Nov 2026 (CV-7KQ2MX)",
        [
            "Wed 25 Nov 2026, 10:00 am",
            "6 hours",
            "Nasrin Begum",
            "House 12, Road 4, Netrokona, Mymensingh",
            "৳250 × 6 hours: ৳1,500",
            "Travel fee: ৳500",
            "Total: ৳2,000",
            "Paid so far: ৳1,000",
            "Still due: ৳1,000",
            "before the visit starts",
            "until 12 hours before",
            "50% of the total is refunded",
            BOOKING_URL,
            RECEIPT_URL,
        ],
    ),
    (
        "payment_failed",
        {
            "status": "pending_payment",
            "payment_status": "unpaid",
            "amount_paid": 0,
            "hold_expires_at": datetime(2026, 11, 20, 8, 15, tzinfo=UTC),
        },
        {"reason": "The card was declined."},
        "Your payment did not go through (CV-7KQ2MX)",
        [
            "did not go through",
            "The card was declined.",
            "Fri 20 Nov 2026, 2:15 pm",
            BOOKING_URL,
        ],
    ),
    (
        "hold_expired",
        {"status": "expired", "payment_status": "unpaid", "amount_paid": 0},
        {"services_url": SERVICES_URL},
        "Your booking hold has ended (CV-7KQ2MX)",
        ["Wed 25 Nov 2026, 10:00 am", "Nothing was charged", SERVICES_URL],
    ),
    (
        "booking_cancelled",
        {"status": "cancelled", "refund_owed": 100000},
        {"refund_amount": 100000},
        "Booking cancelled: Toddler Care on Wed 25 Nov 2026 (CV-7KQ2MX)",
        ["is cancelled", "Refund", "৳1,000", "within 5–10 working days", BOOKING_URL],
    ),
    (
        "due_paid",
        {"payment_status": "paid", "amount_paid": 200000},
        {"amount": 100000},
        "Booking CV-7KQ2MX is fully paid",
        ["৳1,000", "fully paid", "৳2,000", "Wed 25 Nov 2026, 10:00 am", BOOKING_URL],
    ),
    (
        "late_payment_refund_requested",
        {"status": "expired", "payment_status": "refunded", "amount_paid": 100000},
        {"amount": 100000, "services_url": SERVICES_URL},
        "Your late payment is being refunded (CV-7KQ2MX)",
        ["৳1,000", "full", "automatically", "already been taken", SERVICES_URL],
    ),
]


@pytest.mark.parametrize(("name", "changes", "extra", "subject", "facts"), CASES)
def test_each_payment_mail_renders_its_facts(
    renderer: MailRenderer,
    name: str,
    changes: dict[str, Any],
    extra: dict[str, Any],
    subject: str,
    facts: list[str],
) -> None:
    booking = make_booking(**changes)
    mail = renderer.render(name, booking=booking, booking_url=BOOKING_URL, **extra)

    assert mail.subject == subject
    assert mail.text.startswith("Hello Rina Akter,\n\n")
    assert "<" not in mail.text
    assert "CV-7KQ2MX" in mail.text
    assert "CV-7KQ2MX" in mail.html
    assert f"<title>{subject}</title>" in mail.html
    assert "Hello Rina Akter," in mail.html
    for fact in facts:
        assert fact in mail.text
        if fact.startswith("https://"):
            assert f'href="{fact}"' in mail.html
        else:
            assert fact in mail.html


def test_a_fully_paid_confirmation_has_nothing_still_due(renderer: MailRenderer) -> None:
    booking = make_booking(payment_status="paid", amount_paid=200000)
    mail = renderer.render(
        "booking_confirmed", booking=booking, booking_url=BOOKING_URL, receipt_url=RECEIPT_URL
    )
    assert "Still due: ৳0" in mail.text
    assert "fully paid" in mail.text
    assert "less any part of the price" not in mail.text
    assert "Pay the remaining" not in mail.html


@pytest.mark.parametrize(
    ("paid", "expected"),
    [(100000, "the ৳1,000 you paid is not returned"), (0, "Nothing was charged")],
)
def test_a_cancellation_without_refund_says_why(
    renderer: MailRenderer, paid: int, expected: str
) -> None:
    booking = make_booking(status="cancelled", amount_paid=paid)
    mail = renderer.render(
        "booking_cancelled", booking=booking, booking_url=BOOKING_URL, refund_amount=0
    )
    assert expected in mail.text
    assert expected in mail.html
    assert "working days" not in mail.text


def test_a_partial_refund_names_what_was_paid(renderer: MailRenderer) -> None:
    booking = make_booking(status="cancelled", payment_status="paid", amount_paid=200000)
    mail = renderer.render(
        "booking_cancelled", booking=booking, booking_url=BOOKING_URL, refund_amount=100000
    )
    assert "Refund: ৳1,000 of the ৳2,000 you paid." in mail.text


def test_a_failed_balance_payment_does_not_mention_a_hold(renderer: MailRenderer) -> None:
    mail = renderer.render(
        "payment_failed", booking=make_booking(), booking_url=BOOKING_URL, reason="Declined"
    )
    assert "holding" not in mail.text
    assert "must be paid before the visit starts" in mail.text


NASTY = '<script>alert("x")</script> & Co'


@pytest.mark.parametrize(
    ("name", "extra"),
    [
        ("booking_confirmed", {"receipt_url": RECEIPT_URL}),
        ("payment_failed", {"reason": NASTY}),
        ("hold_expired", {"services_url": SERVICES_URL}),
        ("booking_cancelled", {"refund_amount": 0}),
        ("due_paid", {"amount": 100000}),
        ("late_payment_refund_requested", {"amount": 100000, "services_url": SERVICES_URL}),
    ],
)
def test_user_values_are_escaped_in_html(
    renderer: MailRenderer, name: str, extra: dict[str, Any]
) -> None:
    booking = make_booking(
        patient=PatientContact(name=NASTY, phone="+8801711000000", email="rina@example.com"),
        caregiver_name=NASTY,
        location=Location(division="Mymensingh", district="Netrokona", address=NASTY),
        hold_expires_at=datetime(2026, 11, 20, 8, 15, tzinfo=UTC),
        status="pending_payment" if name == "payment_failed" else "confirmed",
    )
    mail = renderer.render(name, booking=booking, booking_url=BOOKING_URL, **extra)

    assert "<script>" not in mail.html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co" in mail.html
    assert NASTY in mail.text
