"""A patient's bookings: the list, one booking, and cancelling it."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template

from carevia.domain.accounts import User
from carevia.domain.bookings import Booking, BookingService
from carevia.domain.bookings.rescheduling import Rescheduling
from carevia.domain.care.access import CareNeedsAccess
from carevia.domain.messages import MessageService
from carevia.domain.payments.service import PaymentService
from carevia.domain.reviews import Review, ReviewForm, ReviewService
from carevia.domain.shared import Invalid
from carevia.web.guards import require_user
from carevia.web.templating import is_fragment_request, render, render_invalid

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
        reviews: NamedDependency[ReviewService],
        messages: NamedDependency[MessageService],
        care_needs: NamedDependency[CareNeedsAccess],
        rescheduling: NamedDependency[Rescheduling],
        code: FromPath[str],
        edit_review: FromQuery[bool] = False,
    ) -> Template:
        booking = await bookings.get_for(request.user, code)
        context = await _detail(request.user, booking, bookings, reviews)
        form = _form_of(context["review_panel"].review) if edit_review else ReviewForm()
        return render(
            request,
            "bookings/detail.html",
            care=await care_needs.view(request.user, booking),
            review_form=form,
            editing=edit_review,
            errors={},
            thread=await messages.on_page(request.user, booking, dashboard=False),
            can_move=rescheduling.may_move(request.user, booking),
            **context,
        )

    @post("/bookings/{code:str}/review", name="bookings.review", status_code=200)
    async def review(
        self,
        request: Request[User, Any, Any],
        bookings: NamedDependency[BookingService],
        reviews: NamedDependency[ReviewService],
        code: FromPath[str],
        data: Annotated[ReviewForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Response[Any]:
        """Writes the patient's review, or changes it inside its edit window."""
        booking = await bookings.get_for(request.user, code)
        try:
            await reviews.submit(request.user, booking.code, data)
        except Invalid as invalid:
            context = await _detail(request.user, booking, bookings, reviews)
            return render_invalid(
                request,
                "bookings/detail.html",
                invalid,
                block="booking_review",
                review_form=data,
                editing=True,
                **context,
            )
        if not is_fragment_request(request):
            return Redirect(f"/bookings/{booking.code}?reviewed=1#review", status_code=303)
        context = await _detail(request.user, booking, bookings, reviews)
        return render(
            request,
            "bookings/detail.html",
            block="booking_review",
            review_form=ReviewForm(),
            editing=False,
            errors={},
            reviewed=True,
            **context,
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


async def _detail(
    user: User, booking: Booking, bookings: BookingService, reviews: ReviewService
) -> dict[str, Any]:
    """What the booking page shows besides the review form."""
    return {
        "booking": booking,
        "can_cancel": bookings.can_cancel(user, booking),
        "refund_now": bookings.refund_if_cancelled_now(booking),
        "review_panel": await reviews.panel(user, booking),
        "report": bookings.visit_report(user, booking),
    }


def _form_of(review: Review | None) -> ReviewForm:
    if review is None:
        return ReviewForm()
    return ReviewForm(stars=str(review.stars), title=review.title, text=review.text)
