"""The partial-refund mail and the admins' alerts: the facts to act on, escaped in HTML."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from carevia.domain.bookings.models import PatientContact
from carevia.domain.mail import MailRenderer
from tests.unit.test_payment_mails import BOOKING_URL, NASTY, make_booking

ADMIN_URL = "https://carevia.test/dashboard/bookings/CV-7KQ2MX"


@pytest.fixture(scope="module")
def renderer() -> MailRenderer:
    return MailRenderer()


def test_a_partial_refund_says_what_came_back_and_what_stays_paid(renderer: MailRenderer) -> None:
    booking = make_booking(amount_paid=200000, amount_refunded=75000)
    mail = renderer.render(
        "refunded",
        booking=booking,
        booking_url=BOOKING_URL,
        refund_amount=50000,
        remaining_paid=125000,
    )
    assert mail.subject == "Part of your payment is refunded (CV-7KQ2MX)"
    assert "Refunded now: ৳500\n" in mail.text
    assert "Refunded in total: ৳750\n" in mail.text
    assert "Still paid: ৳1,250\n" in mail.text
    assert BOOKING_URL in mail.text and BOOKING_URL in mail.html


@pytest.mark.parametrize(
    ("name", "subject", "fact", "extra"),
    [
        (
            "admin_dispute",
            "Action needed: payment disputed on booking CV-7KQ2MX",
            "The reason given is",
            {"amount": 100000, "reason": NASTY},
        ),
        (
            "admin_refund_failed",
            "Action needed: a refund failed on booking CV-7KQ2MX",
            "Gateway answer:",
            {"amount": 100000, "error": NASTY, "refund_reason": NASTY},
        ),
        (
            "admin_late_payment",
            "Late payment on booking CV-7KQ2MX: refunded",
            "refunded in full",
            {"amount": 100000, "confirmed": False},
        ),
        (
            "admin_late_payment",
            "Late payment on booking CV-7KQ2MX: confirmed",
            "confirmed again",
            {"amount": 100000, "confirmed": True},
        ),
    ],
)
def test_an_admin_alert_names_the_booking_and_escapes_what_others_wrote(
    renderer: MailRenderer, name: str, subject: str, fact: str, extra: dict[str, Any]
) -> None:
    booking = make_booking(
        patient=PatientContact(name=NASTY, phone="+8801711000000", email="rina@example.com")
    )
    admin = SimpleNamespace(full_name="Nadia Rahman")
    mail = renderer.render(name, booking=booking, admin=admin, admin_url=ADMIN_URL, **extra)

    assert mail.subject == subject
    assert fact in mail.text and "Hello Nadia Rahman," in mail.text
    assert "৳1,000" in mail.text and ADMIN_URL in mail.text and ADMIN_URL in mail.html
    assert "<script>" not in mail.html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co" in mail.html
    assert NASTY in mail.text


def test_a_refund_is_on_its_way_when_requested_and_refunded_in_full_when_paid_out(
    renderer: MailRenderer,
) -> None:
    booking = make_booking(amount_paid=200000, amount_refunded=200000)
    requested = renderer.render(
        "refund_requested", booking=booking, booking_url=BOOKING_URL, amount=200000
    )
    assert requested.subject == "Your refund is on its way (CV-7KQ2MX)"
    assert "refund ৳2,000" in requested.text and "email you again" in requested.text
    refunded = renderer.render(
        "refunded", booking=booking, booking_url=BOOKING_URL, refund_amount=200000, remaining_paid=0
    )
    assert refunded.subject == "Your payment is refunded (CV-7KQ2MX)"
    assert "has been paid out" in refunded.text and "Still paid: ৳0\n" in refunded.text


def test_the_caregivers_review_mail_names_the_stars_and_escapes_the_author(
    renderer: MailRenderer,
) -> None:
    review = SimpleNamespace(author=NASTY, stars=4)
    caregiver = SimpleNamespace(first_name="Shirin")
    mail = renderer.render(
        "review_received",
        booking=make_booking(),
        review=review,
        caregiver=caregiver,
        dashboard_url="https://carevia.test/dashboard",
    )
    assert mail.subject == "A new 4-star review of visit CV-7KQ2MX"
    assert "https://carevia.test/dashboard/reviews" in mail.text
    assert NASTY not in mail.html and "&lt;" in mail.html
