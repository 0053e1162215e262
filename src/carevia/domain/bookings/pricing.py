"""The price of a booking, always computed here from the stored service."""

from __future__ import annotations

from typing import Literal

import msgspec

from carevia.domain.catalogue import Service

DurationType = Literal["hours", "days"]
PaymentOption = Literal["full", "half"]


class PriceBreakdown(msgspec.Struct, frozen=True, kw_only=True):
    currency: str
    duration_type: DurationType
    quantity: int
    unit_price: int
    base: int
    travel_fee: int
    total: int
    payment_option: PaymentOption
    pay_now: int
    due_later: int


def quote(
    service: Service,
    duration_type: DurationType,
    quantity: int,
    division: str,
    payment_option: PaymentOption,
    travel_fee: int,
) -> PriceBreakdown:
    """Base rate × quantity, plus travel outside the service's divisions; all in minor units."""
    if quantity < 1:
        raise ValueError("a booking lasts at least one unit")
    unit_price = service.price_per_hour if duration_type == "hours" else service.price_per_day
    base = unit_price * quantity
    fee = 0 if division in service.divisions else travel_fee
    total = base + fee
    # Half now rounds up, so pay_now + due_later is always exactly the total.
    due_later = total // 2 if payment_option == "half" else 0
    return PriceBreakdown(
        currency=service.currency,
        duration_type=duration_type,
        quantity=quantity,
        unit_price=unit_price,
        base=base,
        travel_fee=fee,
        total=total,
        payment_option=payment_option,
        pay_now=total - due_later,
        due_later=due_later,
    )
