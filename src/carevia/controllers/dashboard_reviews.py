"""Reviews in the dashboard: a caregiver replies to their own, an admin hides or shows any."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Template

from carevia.domain.accounts import User
from carevia.domain.reviews import ModerationForm, ReplyForm, Review, ReviewService
from carevia.domain.shared import Invalid
from carevia.web.guards import require_role
from carevia.web.templating import render, render_invalid

PAGE_SIZE = 20
TEMPLATE = "dashboard/reviews.html"
Form = Body(media_type=RequestEncodingType.URL_ENCODED)


class DashboardReviewController(Controller):
    path = "/dashboard/reviews"
    guards = [require_role("caregiver", "admin")]
    include_in_schema = False

    @get("/", name="dashboard.reviews")
    async def listing(
        self,
        request: Request[User, Any, Any],
        reviews: NamedDependency[ReviewService],
        page: FromQuery[int] = 1,
    ) -> Template:
        found = await reviews.for_dashboard(request.user, page, PAGE_SIZE)
        return render(request, TEMPLATE, page=found, errors={}, open_id=None)

    @post("/{review_id:str}/reply", name="dashboard.reviews.reply", status_code=200)
    async def reply(
        self,
        request: Request[User, Any, Any],
        reviews: NamedDependency[ReviewService],
        review_id: FromPath[str],
        data: Annotated[ReplyForm, Form],
    ) -> Template:
        return await _changed(
            request, reviews, review_id, reviews.reply(request.user, review_id, data.reply)
        )

    @post("/{review_id:str}/hide", name="dashboard.reviews.hide", status_code=200)
    async def hide(
        self,
        request: Request[User, Any, Any],
        reviews: NamedDependency[ReviewService],
        review_id: FromPath[str],
        data: Annotated[ModerationForm, Form],
    ) -> Template:
        return await _changed(
            request, reviews, review_id, reviews.hide(request.user, review_id, data.reason)
        )

    @post("/{review_id:str}/unhide", name="dashboard.reviews.unhide", status_code=200)
    async def unhide(
        self,
        request: Request[User, Any, Any],
        reviews: NamedDependency[ReviewService],
        review_id: FromPath[str],
        data: Annotated[ModerationForm, Form],
    ) -> Template:
        return await _changed(
            request, reviews, review_id, reviews.unhide(request.user, review_id, data.reason)
        )


async def _changed(
    request: Request[User, Any, Any],
    reviews: ReviewService,
    review_id: str,
    change: Awaitable[Review],
) -> Template:
    """The changed row, or the form again with the reason it was refused."""
    try:
        review = await change
    except Invalid as invalid:
        return await _again(request, reviews, review_id, invalid)
    return _row(request, review)


def _row(request: Request[User, Any, Any], review: Review) -> Template:
    """The changed review alone for htmx; the whole page, showing it, without JavaScript."""
    return render(request, TEMPLATE, block="review_row", review=review, errors={}, page=None)


async def _again(
    request: Request[User, Any, Any], reviews: ReviewService, review_id: str, invalid: Invalid
) -> Template:
    review = await reviews.visible_to(request.user, review_id)
    return render_invalid(request, TEMPLATE, invalid, block="review_row", review=review, page=None)
