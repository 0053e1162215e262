"""Checking booking requests: dates, notice, minimum hours, locations, times around midnight."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import msgspec

from carevia.domain.bookings.models import BookingForm
from carevia.domain.bookings.rules import check_request, refund_for_cancellation
from carevia.domain.bookings.schedule import interval, local_start, parse_start_time, slots
from carevia.domain.catalogue.seed import demo_services
from carevia.settings import BookingSettings

SERVICE = next(
    s
    for s in demo_services(datetime(2026, 1, 1, tzinfo=UTC), "BDT")
    if s.slug == "newborn-night-nanny"
)
NOW = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)  # 12:00 in Dhaka
RULES = BookingSettings()
VALID = BookingForm(
    service=SERVICE.slug,
    date="2026-11-25",
    start_time="22:00",
    duration_type="hours",
    quantity=str(SERVICE.booking_rules.min_hours),
    division="Dhaka",
    district="Gazipur",
    address="House 9, Road 3, Uttara",
    payment_option="half",
)


def check(**changes: str) -> dict[str, str]:
    _request, errors = check_request(
        msgspec.structs.replace(VALID, **changes), SERVICE, NOW, RULES, "Asia/Dhaka"
    )
    return errors


def test_a_valid_request_is_converted_to_utc() -> None:
    request, errors = check_request(VALID, SERVICE, NOW, RULES, "Asia/Dhaka")
    assert errors == {}
    assert request is not None
    assert request.starts_at == datetime(2026, 11, 25, 16, 0, tzinfo=UTC)
    assert request.ends_at - request.starts_at == timedelta(hours=SERVICE.booking_rules.min_hours)
    assert request.payment_option == "half"


def test_each_rule_names_its_field() -> None:
    assert "quantity" in check(quantity=str(SERVICE.booking_rules.min_hours - 1))
    assert "quantity" in check(quantity="abc")
    assert "date" in check(date="2026-11-23")
    assert "date" in check(date="2027-06-01")
    assert "date" in check(date="25/11/2026")
    assert "start_time" in check(start_time="22:15")
    assert "start_time" in check(date="2026-11-24", start_time="13:00")  # less than 2 hours' notice
    assert "district" in check(division="Sylhet")
    assert "division" in check(division="Atlantis")
    assert "address" in check(address="x")
    assert "payment_option" in check(payment_option="free")
    assert "duration_type" in check(duration_type="weeks")


def test_today_is_judged_in_the_local_timezone() -> None:
    late_evening_utc = datetime(
        2026, 11, 24, 19, 0, tzinfo=UTC
    )  # already 01:00 on the 25th in Dhaka
    _request, errors = check_request(
        msgspec.structs.replace(VALID, date="2026-11-24", start_time="23:30"),
        SERVICE,
        late_evening_utc,
        RULES,
        "Asia/Dhaka",
    )
    assert errors.get("date") == "That date has passed. Choose today or a later date."


def test_a_visit_across_midnight_covers_slots_on_both_days() -> None:
    begins = local_start(date(2026, 11, 25), time(23, 0), "Asia/Dhaka")
    start, end = interval(begins, "hours", 3)
    covered = [s.astimezone(begins.tzinfo).strftime("%d %H:%M") for s in slots(start, end)]
    assert covered == ["25 23:00", "25 23:30", "26 00:00", "26 00:30", "26 01:00", "26 01:30"]


def test_parse_start_time_accepts_only_half_hours() -> None:
    assert parse_start_time("09:30") is not None
    for value in ["9:30", "09:15", "24:00", "", "09:30:00"]:
        assert parse_start_time(value) is None


def test_cancellation_refund_follows_the_stored_policy() -> None:
    starts = NOW + timedelta(hours=48)
    assert refund_for_cancellation(10000, 10000, starts, 24, 50, NOW) == 10000
    assert refund_for_cancellation(10000, 10000, starts, 72, 50, NOW) == 5000
    assert refund_for_cancellation(5000, 10000, starts, 72, 50, NOW) == 0
    assert refund_for_cancellation(0, 10000, starts, 24, 50, NOW) == 0
    assert refund_for_cancellation(10001, 10001, starts, 72, 50, NOW) == 5001
