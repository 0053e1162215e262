"""A patient's bookings: the list, one booking, and cancelling it."""

from __future__ import annotations

from typing import Any, Literal

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from carevia.domain.accounts import User
from carevia.domain.bookings import BookingService
from carevia.domain.payments.service import PaymentService
from carevia.web.guards import require_user
from carevia.web.templating import render

PAGE_SIZE = 10
BookingView = Literal["upcoming", "past", "cancelled"]


class BookingController(Controller):
    include_in_schema = False  # a page for people; the OpenAPI document is the JSON API
    guards = [require_user]

    @get("/account/bookings", name="bookings.mine")
    async def my_bookings(
        self,
        request: Request[User, Any, Any],
        bookings: NamedDependency[BookingService],
        view: FromQuery[BookingView] = "upcoming",
        page: FromQuery[int] = 1,
    ) -> Template:
        items, total = await bookings.list_for_patient(request.user, view, page, PAGE_SIZE)
        return render(
            request,
            "bookings/list.html",
            block="booking_list",
            items=items,
            total=total,
            view=view,
            page=max(page, 1),
            pages=max(1, -(-total // PAGE_SIZE)),
        )

    @get("/bookings/{code:str}", name="bookings.detail")
    async def detail(
        self,
        request: Request[User, Any, Any],
        bookings: NamedDependency[BookingService],
        code: FromPath[str],
    ) -> Template:
        booking = await bookings.get_for(request.user, code)
        return render(
            request,
            "bookings/detail.html",
            booking=booking,
            can_cancel=bookings.can_cancel(request.user, booking),
            refund_now=bookings.refund_if_cancelled_now(booking),
        )

    @get("/bookings/{code:str}/cancel", name="bookings.cancel.confirm")
    async def confirm_cancel(
        self,
        request: Request[User, Any, Any],
        bookings: NamedDependency[BookingService],
        code: FromPath[str],
    ) -> Template:
        booking = await bookings.get_for(request.user, code)
        return render(
            request,
            "bookings/cancel.html",
            booking=booking,
            can_cancel=bookings.can_cancel(request.user, booking),
            refund_now=bookings.refund_if_cancelled_now(booking),
        )

    @post("/bookings/{code:str}/cancel", name="bookings.cancel")
    async def cancel(
        self,
        request: Request[User, Any, Any],
        payments: NamedDependency[PaymentService],
        code: FromPath[str],
    ) -> Response[Any]:
        """Cancels and refunds what the stored policy returns, with the email that says so."""
        booking = await payments.cancel(request.user, code)
        return Redirect(f"/bookings/{booking.code}?cancelled=1", status_code=303)
