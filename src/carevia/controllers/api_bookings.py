"""Admin JSON routes for bookings' money."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from carevia.domain.accounts import User
from carevia.domain.bookings import BookingStatus, PaymentStatus
from carevia.domain.payments.service import PaymentService
from carevia.web.guards import require_bearer_for_writes, require_role


class RefundRequest(msgspec.Struct, frozen=True):
    amount: int | None = None  # minor units; None refunds everything refundable
    reason: str = ""


class BookingMoney(msgspec.Struct, frozen=True):
    code: str
    status: BookingStatus
    payment_status: PaymentStatus
    total: int
    amount_paid: int
    amount_refunded: int
    currency: str


class BookingApiController(Controller):
    path = "/api/v1/bookings"
    tags = ["bookings"]
    guards = [require_role("admin"), require_bearer_for_writes]

    @post("/{code:str}/refund", status_code=200)
    async def refund(
        self,
        request: Request[User, Any, Any],
        payments: NamedDependency[PaymentService],
        code: FromPath[str],
        data: JSONBody[RefundRequest],
    ) -> BookingMoney:
        """Refund all or part of what was paid, with a per-refund idempotency key."""
        booking = await payments.refund(request.user, code, data.amount, data.reason[:200])
        return BookingMoney(
            code=booking.code,
            status=booking.status,
            payment_status=booking.payment_status,
            total=booking.price.total,
            amount_paid=booking.amount_paid,
            amount_refunded=booking.amount_refunded,
            currency=booking.price.currency,
        )
