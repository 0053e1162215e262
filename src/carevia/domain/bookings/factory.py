"""Building a new held booking from a checked request."""

from __future__ import annotations

from datetime import datetime, timedelta

from bson import ObjectId

from carevia.domain.accounts import User
from carevia.domain.bookings.codes import new_booking_code
from carevia.domain.bookings.models import Actor, Booking, CancellationPolicy, PatientContact
from carevia.domain.bookings.pricing import PriceBreakdown
from carevia.domain.bookings.rules import BookingRequest
from carevia.domain.bookings.transitions import history_entry
from carevia.domain.care.models import Recipient
from carevia.domain.caregivers import Caregiver
from carevia.domain.catalogue import Service


def new_hold(
    patient: User,
    service: Service,
    caregiver: Caregiver,
    request: BookingRequest,
    price: PriceBreakdown,
    *,
    now: datetime,
    timezone: str,
    hold_minutes: int,
    recipient: Recipient | None = None,
    series_id: ObjectId | None = None,
) -> Booking:
    """A pending booking holding the caregiver's time; the patient's contact is copied in."""
    return Booking(
        id=ObjectId(),
        code=new_booking_code(),
        patient_id=patient.id,
        patient=PatientContact(name=patient.full_name, phone=patient.phone, email=patient.email),
        caregiver_id=caregiver.id,
        caregiver_name=caregiver.display_name,
        service_id=service.id or ObjectId(),
        service_slug=service.slug,
        service_name=service.name,
        service_name_bn=service.name_bn,
        category=service.category.value,
        timezone=timezone,
        starts_at=request.starts_at,
        ends_at=request.ends_at,
        duration_type=request.duration_type,
        quantity=request.quantity,
        location=request.location,
        price=price,
        policy=CancellationPolicy(free_until_hours=service.booking_rules.free_cancellation_hours),
        status="pending_payment",
        amount_refundable=0,  # nothing paid yet; each recorded payment adds to it
        hold_expires_at=now + timedelta(minutes=hold_minutes),
        recipient=recipient,
        series_id=series_id,
        history=[history_entry(now, None, "pending_payment", Actor(str(patient.id), "patient"))],
        created_at=now,
        updated_at=now,
    )
