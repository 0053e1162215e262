"""Checking a booking request against the service's rules and the calendar."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import msgspec
from bson import ObjectId

from carevia.domain.accounts.repository import parse_object_id
from carevia.domain.bookings.models import BookingForm, Location
from carevia.domain.bookings.pricing import DurationType, PaymentOption
from carevia.domain.bookings.schedule import (
    interval,
    local_start,
    parse_iso_date,
    parse_start_time,
)
from carevia.domain.catalogue import Service
from carevia.domain.coverage import is_known_division, is_valid_location
from carevia.domain.shared.text import Text
from carevia.settings import BookingSettings

MAX_HOURS = 24
MAX_DAYS = 30


class BookingRequest(msgspec.Struct, frozen=True, kw_only=True):
    caregiver_id: ObjectId | None  # None: any available caregiver
    local_date: date
    local_time: time
    duration_type: DurationType
    quantity: int
    location: Location
    payment_option: PaymentOption
    starts_at: datetime
    ends_at: datetime


def allowed_durations(service: Service) -> list[DurationType]:
    durations: list[DurationType] = []
    if {"hourly", "night"} & set(service.service_types):
        durations.append("hours")
    if {"daily", "weekly"} & set(service.service_types):
        durations.append("days")
    return durations or ["hours"]


def check_request(
    form: BookingForm, service: Service, now: datetime, rules: BookingSettings, timezone: str
) -> tuple[BookingRequest | None, dict[str, str]]:
    """The request in typed form, or a message for each field that breaks a rule."""
    errors: dict[str, str] = {}
    caregiver_id = None
    if form.caregiver_id not in ("", "any"):
        caregiver_id = parse_object_id(form.caregiver_id)
        if caregiver_id is None:
            errors["caregiver_id"] = Text("Choose a caregiver from the list.")
    duration_type: DurationType = "days" if form.duration_type == "days" else "hours"
    if form.duration_type not in allowed_durations(service):
        errors["duration_type"] = Text("This service cannot be booked that way.")
    quantity = form.quantity_number() or 0
    if duration_type == "hours":
        minimum = service.booking_rules.min_hours
        if not minimum <= quantity <= MAX_HOURS:
            errors["quantity"] = Text(
                "Book between %(minimum)d and %(maximum)d hours for this service.",
                minimum=minimum,
                maximum=MAX_HOURS,
            )
    elif not 1 <= quantity <= MAX_DAYS:
        errors["quantity"] = Text("Book between 1 and %(maximum)d days.", maximum=MAX_DAYS)
    local_date, local_time = parse_iso_date(form.date), parse_start_time(form.start_time)
    if local_date is None:
        errors["date"] = Text("Choose a date.")
    if local_time is None:
        errors["start_time"] = Text("Choose a start time on the hour or half hour.")
    starts_at = ends_at = None
    # The window is checked before any date arithmetic: 9999-12-31 plus a day overflows.
    today = now.astimezone(ZoneInfo(timezone)).date()
    if local_date and local_date < today:
        errors["date"] = Text("That date has passed. Choose today or a later date.")
    elif local_date and local_date > today + timedelta(days=rules.max_days_ahead):
        errors["date"] = Text.plural(
            "Bookings open up to %(num)d day ahead.",
            "Bookings open up to %(num)d days ahead.",
            rules.max_days_ahead,
        )
    elif local_date and local_time:
        begins = local_start(local_date, local_time, timezone)
        starts_at, ends_at = interval(begins, duration_type, max(quantity, 1))
        if starts_at < now + timedelta(hours=rules.min_notice_hours):
            errors["start_time"] = Text.plural(
                "Please allow at least %(num)d hour before the visit starts.",
                "Please allow at least %(num)d hours before the visit starts.",
                rules.min_notice_hours,
            )
    location, location_errors = check_location(
        form.division, form.district, form.address, form.notes
    )
    errors.update(location_errors)
    if form.payment_option not in ("full", "half"):
        errors["payment_option"] = Text("Choose to pay in full or 50% now.")
    if (
        errors
        or location is None
        or starts_at is None
        or ends_at is None
        or local_date is None
        or local_time is None
    ):
        return None, errors
    return BookingRequest(
        caregiver_id=caregiver_id,
        local_date=local_date,
        local_time=local_time,
        duration_type=duration_type,
        quantity=quantity,
        location=location,
        payment_option="half" if form.payment_option == "half" else "full",
        starts_at=starts_at,
        ends_at=ends_at,
    ), {}


def check_location(
    division: str, district: str, address: str, notes: str
) -> tuple[Location | None, dict[str, str]]:
    """Where care is needed, or a message for each field that breaks a rule."""
    errors: dict[str, str] = {}
    if not is_known_division(division):
        errors["division"] = Text("Choose the division where care is needed.")
    elif not is_valid_location(division, district):
        errors["district"] = Text("Choose a district in %(division)s division.", division=division)
    address, notes = address.strip(), notes.strip()
    if not 5 <= len(address) <= 200:
        errors["address"] = Text("Enter the address where care is needed (5 to 200 characters).")
    if len(notes) > 1000:
        errors["notes"] = Text("Notes can be at most 1000 characters.")
    if errors:
        return None, errors
    return Location(division=division, district=district, address=address, notes=notes), {}


def refund_for_cancellation(
    amount_paid: int,
    total: int,
    starts_at: datetime,
    free_until_hours: int,
    late_refund_percent: int,
    now: datetime,
) -> int:
    """What goes back to the patient under the policy stored at purchase."""
    if now <= starts_at - timedelta(hours=free_until_hours):
        return amount_paid
    kept = total * (100 - late_refund_percent) // 100
    return max(0, amount_paid - kept)
