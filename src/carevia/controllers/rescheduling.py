"""Changing a visit's time: the patient's "Change time" page, and an admin's decision."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template

from carevia.domain.accounts import User
from carevia.domain.bookings import Booking, BookingService
from carevia.domain.bookings.repository import SlotTaken
from carevia.domain.bookings.rescheduling import MoveForm, Rescheduling
from carevia.domain.shared import Invalid
from carevia.web.guards import require_role, require_user
from carevia.web.templating import render

MOVE_TEMPLATE = "bookings/move.html"
UrlForm = Body(media_type=RequestEncodingType.URL_ENCODED)


async def move_page(
    request: Request[User, Any, Any],
    rescheduling: Rescheduling,
    booking: Booking,
    form: MoveForm,
    *,
    errors: dict[str, str] | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> Template:
    try:
        options = await rescheduling.options(request.user, booking, form.date)
    except Invalid as invalid:
        options = await rescheduling.options(request.user, booking, "")
        errors, status_code = {**invalid.fields, **(errors or {})}, 422
    return render(
        request,
        MOVE_TEMPLATE,
        status_code=status_code,
        booking=booking,
        form=form,
        options=options,
        errors=errors or {},
        notice=notice,
    )


class ReschedulingController(Controller):
    include_in_schema = False  # pages for people; the OpenAPI document is the JSON API
    guards = [require_user]

    @get("/bookings/{code:str}/move", name="bookings.move.form")
    async def form(
        self,
        request: Request[User, Any, Any],
        bookings: NamedDependency[BookingService],
        rescheduling: NamedDependency[Rescheduling],
        code: FromPath[str],
        date: FromQuery[str] = "",
    ) -> Template:
        """The free times on a date; without JavaScript the date is sent by GET."""
        booking = await bookings.get_for(request.user, code)
        return await move_page(request, rescheduling, booking, MoveForm(date=date))

    @post("/bookings/{code:str}/move", name="bookings.move")
    async def move(
        self,
        request: Request[User, Any, Any],
        bookings: NamedDependency[BookingService],
        rescheduling: NamedDependency[Rescheduling],
        code: FromPath[str],
        data: Annotated[MoveForm, UrlForm],
    ) -> Response[Any] | Template:
        booking = await bookings.get_for(request.user, code)
        try:
            moved = await rescheduling.move(request.user, booking, data)
        except Invalid as invalid:
            return await move_page(
                request, rescheduling, booking, data, errors=invalid.fields, status_code=422
            )
        except SlotTaken as taken:
            return await move_page(
                request, rescheduling, booking, data, notice=taken.message, status_code=409
            )
        outcome = "move_requested" if moved.move_request else "moved"
        return Redirect(f"/bookings/{moved.code}?{outcome}=1", status_code=303)

    @post(
        "/dashboard/bookings/{code:str}/move/approve",
        name="dashboard.booking.move.approve",
        guards=[require_role("admin")],
    )
    async def approve(
        self,
        request: Request[User, Any, Any],
        bookings: NamedDependency[BookingService],
        rescheduling: NamedDependency[Rescheduling],
        code: FromPath[str],
    ) -> Response[Any]:
        booking = await bookings.get_for(request.user, code)
        await rescheduling.approve(request.user, booking)
        return Redirect(f"/dashboard/bookings/{booking.code}?done=assigned", status_code=303)

    @post(
        "/dashboard/bookings/{code:str}/move/decline",
        name="dashboard.booking.move.decline",
        guards=[require_role("admin")],
    )
    async def decline(
        self,
        request: Request[User, Any, Any],
        bookings: NamedDependency[BookingService],
        rescheduling: NamedDependency[Rescheduling],
        code: FromPath[str],
    ) -> Response[Any]:
        booking = await bookings.get_for(request.user, code)
        await rescheduling.decline(request.user, booking)
        return Redirect(f"/dashboard/bookings/{booking.code}", status_code=303)
