"""Prices in minor units, computed only from the stored service."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from carevia.domain.bookings.pricing import quote
from carevia.domain.catalogue.seed import demo_services

SERVICE = next(
    s
    for s in demo_services(datetime(2026, 1, 1, tzinfo=UTC), "BDT")
    if s.slug == "newborn-night-nanny"
)
TRAVEL_FEE = 50000


def test_hours_are_priced_at_the_hourly_rate() -> None:
    price = quote(SERVICE, "hours", 8, "Dhaka", "full", TRAVEL_FEE)
    assert SERVICE.price_per_hour == 45000
    assert (price.unit_price, price.base, price.travel_fee, price.total) == (
        45000,
        360000,
        0,
        360000,
    )
    assert (price.pay_now, price.due_later) == (360000, 0)
    assert price.currency == "BDT"


def test_days_are_priced_at_the_daily_rate() -> None:
    price = quote(SERVICE, "days", 3, "Dhaka", "full", TRAVEL_FEE)
    assert price.unit_price == SERVICE.price_per_day
    assert price.total == 3 * SERVICE.price_per_day


def test_travel_fee_outside_the_service_area() -> None:
    outside = next(
        d for d in ["Rangpur", "Barishal", "Sylhet", "Mymensingh"] if d not in SERVICE.divisions
    )
    price = quote(SERVICE, "hours", 4, outside, "full", TRAVEL_FEE)
    assert price.travel_fee == TRAVEL_FEE
    assert price.total == 4 * SERVICE.price_per_hour + TRAVEL_FEE


@pytest.mark.parametrize("quantity", [1, 3, 5, 7])
def test_half_payment_never_loses_a_minor_unit(quantity: int) -> None:
    odd_rate = type(SERVICE)(
        **{**{f: getattr(SERVICE, f) for f in SERVICE.__struct_fields__}, "price_per_hour": 33333}
    )
    price = quote(odd_rate, "hours", quantity, "Dhaka", "half", TRAVEL_FEE)
    assert price.pay_now + price.due_later == price.total
    assert price.pay_now - price.due_later in (0, 1)
    assert price.total % 2 == 0 or price.pay_now == price.due_later + 1


def test_a_booking_lasts_at_least_one_unit() -> None:
    with pytest.raises(ValueError, match="at least one"):
        quote(SERVICE, "hours", 0, "Dhaka", "full", TRAVEL_FEE)
