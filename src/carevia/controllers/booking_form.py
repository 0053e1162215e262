"""The booking form: live times and price as fragments, and creating the hold."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template

from carevia.domain.accounts import User
from carevia.domain.bookings import BookingForm, BookingService
from carevia.domain.care import RELATIONSHIPS, PersonForm
from carevia.domain.payments.gateway import GatewayError
from carevia.domain.payments.service import PaymentService
from carevia.domain.shared import Conflict, Invalid
from carevia.domain.shared.text import Text
from carevia.web.errors import UNAVAILABLE_NOTICE_OPT, UnavailableNotice
from carevia.web.guards import require_user
from carevia.web.templating import is_fragment_request, render

FORM_TEMPLATE = "bookings/form.html"
# The hold is written first; if the database goes away after it, the time may be held.
MAYBE_HELD = UnavailableNotice(
    message=Text(
        "Your booking may already be held for you: look under My bookings, where you "
        "can pay for it while the hold lasts."
    ),
    href="/account/bookings",
    label=Text("My bookings"),
)
# The live times and price need none of the cared-for person's details, so none go in a URL.
PRIVATE_FIELDS = ["recipient", "dont_save", *PersonForm.__struct_fields__]
LIVE_PARAMS = "not " + ",".join(["_csrf_token", *PRIVATE_FIELDS])
# What a calendar link carries without JavaScript, so the page it opens keeps the form as typed.
LINK_FIELDS = [f for f in BookingForm.__struct_fields__ if f not in ["service", *PRIVATE_FIELDS]]
# The ranking needs whom the care is for (continuity of care): "myself" or a saved person's
# opaque id, still without any of their details.
RANKING_PARAMS = "not " + ",".join(["_csrf_token", "dont_save", *PersonForm.__struct_fields__])


async def form_page(
    request: Request[Any, Any, Any],
    bookings: BookingService,
    slug: str,
    form: BookingForm,
    *,
    block: str | None = None,
    errors: dict[str, str] | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> Template:
    service = await bookings.service(slug)
    book_path = f"/services/{service.slug}/book"
    # A fragment reads only what it draws: the price needs neither the calendar nor the cards.
    # Without htmx the same address answers with the whole page, which draws everything.
    drawn = block if is_fragment_request(request) else None
    picker = None
    if drawn in (None, "times"):
        picker = await bookings.when(service, form, str(request.query_params.get("month", "")))
        if picker.refusal and block != "price" and status_code == 200:
            status_code = 422  # a date outside the booking window, asked for its times
    ranked = drawn in (None, "caregivers")
    people = await bookings.people_for(request.user) if ranked else []
    return render(
        request,
        FORM_TEMPLATE,
        block=block,
        status_code=status_code,
        service=service,
        form=form,
        recommended=(
            await bookings.recommended(service, request.user, form, people) if ranked else []
        ),
        people=people,
        relationships=RELATIONSHIPS,
        live_params=LIVE_PARAMS,
        ranking_params=RANKING_PARAMS,
        picker=picker,
        day_href=lambda **changes: f"{book_path}?{link_query(form, **changes)}",
        price=bookings.quote(service, form),
        book_path=book_path,
        errors=errors or {},
        notice=notice,
    )


class BookingFormController(Controller):
    include_in_schema = False  # a page for people; the OpenAPI document is the JSON API
    guards = [require_user]

    @get("/services/{slug:str}/book", name="bookings.form")
    async def booking_form(
        self,
        request: Request[User, Any, Any],
        bookings: NamedDependency[BookingService],
        slug: FromPath[str],
    ) -> Template:
        """Also answers the no-JavaScript "show times and price" button, which submits by GET."""
        form = form_from_query(request)
        if not form.division:
            form = BookingForm(
                **{
                    **_as_dict(form),
                    "division": request.user.division,
                    "district": request.user.district,
                    "address": request.user.address,
                }
            )
        return await form_page(request, bookings, slug, form)

    @get("/services/{slug:str}/book/times", name="bookings.form.times")
    async def times(
        self,
        request: Request[User, Any, Any],
        bookings: NamedDependency[BookingService],
        slug: FromPath[str],
    ) -> Template:
        form = form_from_query(request)
        return await form_page(request, bookings, slug, form, block="times")

    @get("/services/{slug:str}/book/caregivers", name="bookings.form.caregivers")
    async def caregivers(
        self,
        request: Request[User, Any, Any],
        bookings: NamedDependency[BookingService],
        slug: FromPath[str],
    ) -> Template:
        """The caregiver cards ranked again for the date and time now chosen."""
        form = form_from_query(request)
        return await form_page(request, bookings, slug, form, block="caregivers")

    @get("/services/{slug:str}/book/price", name="bookings.form.price")
    async def price(
        self,
        request: Request[User, Any, Any],
        bookings: NamedDependency[BookingService],
        slug: FromPath[str],
    ) -> Template:
        form = form_from_query(request)
        return await form_page(request, bookings, slug, form, block="price")

    @post("/bookings", name="bookings.create", opt={UNAVAILABLE_NOTICE_OPT: MAYBE_HELD})
    async def create(
        self,
        request: Request[User, Any, Any],
        bookings: NamedDependency[BookingService],
        payments: NamedDependency[PaymentService],
        data: Annotated[BookingForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Response[Any] | Template:
        try:
            booking = await bookings.create(request.user, data.service, data)
        except Invalid as invalid:
            return await form_page(
                request, bookings, data.service, data, errors=invalid.fields, status_code=422
            )
        except Conflict as conflict:
            return await form_page(
                request, bookings, data.service, data, notice=conflict.message, status_code=409
            )
        try:
            checkout = await payments.checkout_for_hold(request.user, booking)
        except GatewayError:
            # The time is held either way; the booking page offers to pay again.
            checkout = f"/bookings/{booking.code}"
        return Redirect(checkout, status_code=303)


def form_from_query(request: Request[Any, Any, Any]) -> BookingForm:
    """The form's fields from the query string; every value stays a plain string."""
    values = {
        name: str(request.query_params[name])
        for name in BookingForm.__struct_fields__
        if name in request.query_params
    }
    return msgspec.convert(values, BookingForm)


def link_query(form: BookingForm, **changes: str) -> str:
    """The form's non-private fields as a query string, with `changes` applied."""
    values = {name: getattr(form, name) for name in LINK_FIELDS} | changes
    return urlencode({name: value for name, value in values.items() if value})


def _as_dict(form: BookingForm) -> dict[str, str]:
    return {field: getattr(form, field) for field in BookingForm.__struct_fields__}
