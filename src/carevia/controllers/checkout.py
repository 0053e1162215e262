"""Paying for a booking: into Checkout, back from it, the remaining due, and the receipt."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from carevia.domain.accounts import User
from carevia.domain.bookings import BookingService
from carevia.domain.payments.service import PaymentService
from carevia.web.guards import require_user
from carevia.web.templating import render


class CheckoutController(Controller):
    include_in_schema = False  # a page for people; the OpenAPI document is the JSON API
    guards = [require_user]

    @post("/bookings/{code:str}/pay", name="checkout.pay")
    async def pay(
        self,
        request: Request[User, Any, Any],
        payments: NamedDependency[PaymentService],
        code: FromPath[str],
    ) -> Response[Any]:
        return Redirect(await payments.checkout_url(request.user, code, "initial"), status_code=303)

    @post("/bookings/{code:str}/pay-due", name="checkout.pay_due")
    async def pay_due(
        self,
        request: Request[User, Any, Any],
        payments: NamedDependency[PaymentService],
        code: FromPath[str],
    ) -> Response[Any]:
        return Redirect(await payments.checkout_url(request.user, code, "due"), status_code=303)

    @get("/checkout/success", name="checkout.success")
    async def success(
        self,
        request: Request[User, Any, Any],
        payments: NamedDependency[PaymentService],
        session_id: FromQuery[str] = "",
    ) -> Template:
        """Confirms through the same path as the webhook; shows "processing" until it is paid."""
        booking, paid, amount = await payments.confirm_return(request.user, session_id)
        return render(
            request,
            "checkout/success.html",
            block="payment_state",
            booking=booking,
            paid=paid,
            amount_received=amount,
            session_id=session_id,
        )

    @get("/checkout/cancelled", name="checkout.cancelled")
    async def cancelled(
        self,
        request: Request[User, Any, Any],
        bookings: NamedDependency[BookingService],
        booking: FromQuery[str] = "",
    ) -> Template:
        held = await bookings.get_for(request.user, booking)
        return render(request, "checkout/cancelled.html", booking=held)

    @get("/bookings/{code:str}/receipt", name="bookings.receipt")
    async def receipt(
        self,
        request: Request[User, Any, Any],
        bookings: NamedDependency[BookingService],
        code: FromPath[str],
    ) -> Template:
        return render(
            request,
            "bookings/receipt.html",
            booking=await bookings.get_for(request.user, code),
        )
