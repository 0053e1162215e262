"""Weekly visits: the pattern form, its conflicts, paying, the series page and cancelling."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template

from carevia.domain.accounts import User
from carevia.domain.bookings.schedule import parse_iso_date
from carevia.domain.payments.gateway import GatewayError
from carevia.domain.series import ConflictingDates, SeriesForm, SeriesService
from carevia.domain.series.models import MAX_WEEKS, WEEKDAY_NAMES
from carevia.domain.shared import Conflict, Invalid
from carevia.domain.shared.clock import utc_now
from carevia.settings import Settings
from carevia.web.guards import require_role, require_user
from carevia.web.templating import render

FORM_TEMPLATE = "series/weekly.html"


class CancelForm(msgspec.Struct, frozen=True, kw_only=True):
    visit: str = ""


class PayForm(msgspec.Struct, frozen=True, kw_only=True):
    week: str = ""


async def weekly_page(
    request: Request[User, Any, Any],
    series: SeriesService,
    form: SeriesForm,
    *,
    errors: dict[str, str] | None = None,
    notice: str | None = None,
    conflicts: ConflictingDates | None = None,
    status_code: int = 200,
) -> Template:
    service = await series.service(form.service)
    return render(
        request,
        FORM_TEMPLATE,
        status_code=status_code,
        service=service,
        form=form,
        caregivers=await series.caregivers_for(service),
        weekday_names=WEEKDAY_NAMES,
        max_weeks=MAX_WEEKS,
        plan=conflicts.plan if conflicts else None,
        errors=errors or {},
        notice=notice or (conflicts.message if conflicts else None),
    )


def _week_number(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() and 1 <= int(text) <= MAX_WEEKS else None


class SeriesController(Controller):
    include_in_schema = False  # pages for people; the OpenAPI document is the JSON API
    guards = [require_user]

    @get("/services/{slug:str}/book/weekly", name="series.form")
    async def weekly_form(
        self,
        request: Request[User, Any, Any],
        series: NamedDependency[SeriesService],
        settings: NamedDependency[Settings],
        slug: FromPath[str],
        first_week: FromQuery[str] = "",
        caregiver_id: FromQuery[str] = "",
    ) -> Template:
        today = utc_now().astimezone(ZoneInfo(settings.timezone)).date()
        next_monday = today + timedelta(days=7 - today.weekday())
        # The booking form's calendar hands over the day picked there, and the caregiver; a
        # day that is not a date falls back to next week, and the post checks the rest.
        picked = parse_iso_date(first_week)
        user = request.user
        form = SeriesForm(
            service=slug,
            caregiver_id=caregiver_id,
            mon="on",
            tue="on",
            wed="on",
            thu="on",
            fri="on",
            first_week=(picked or next_monday).isoformat(),
            division=user.division,
            district=user.district,
            address=user.address,
        )
        return await weekly_page(request, series, form)

    @post("/series", name="series.create")
    async def create(
        self,
        request: Request[User, Any, Any],
        series: NamedDependency[SeriesService],
        data: Annotated[SeriesForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Response[Any] | Template:
        try:
            booked = await series.book(request.user, data)
        except Invalid as invalid:
            return await weekly_page(request, series, data, errors=invalid.fields, status_code=422)
        except ConflictingDates as conflicts:
            return await weekly_page(request, series, data, conflicts=conflicts, status_code=409)
        except Conflict as conflict:
            return await weekly_page(
                request, series, data, notice=conflict.message, status_code=409
            )
        try:
            checkout = await series.checkout_url(request.user, str(booked.id), None)
        except GatewayError:
            checkout = f"/series/{booked.id}"
        return Redirect(checkout, status_code=303)

    @get("/series/{series_id:str}", name="series.detail")
    async def detail(
        self,
        request: Request[User, Any, Any],
        series: NamedDependency[SeriesService],
        series_id: FromPath[str],
        week: FromQuery[str] = "",
    ) -> Template:
        found, visits = await series.get_for(request.user, series_id)
        return render(
            request,
            "series/detail.html",
            series=found,
            visits=visits,
            week=_week_number(week),
            now=utc_now(),
        )

    @post("/series/{series_id:str}/pay", name="series.pay")
    async def pay(
        self,
        request: Request[User, Any, Any],
        series: NamedDependency[SeriesService],
        series_id: FromPath[str],
        data: Annotated[PayForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Response[Any]:
        checkout = await series.checkout_url(request.user, series_id, _week_number(data.week))
        return Redirect(checkout, status_code=303)

    @get("/series/{series_id:str}/cancel", name="series.cancel_form")
    async def cancel_form(
        self,
        request: Request[User, Any, Any],
        series: NamedDependency[SeriesService],
        series_id: FromPath[str],
        visit: FromQuery[str] = "rest",
    ) -> Template:
        """What cancelling would refund, visit by visit, before anything is cancelled."""
        found, chosen = await series.cancellation(request.user, series_id, visit)
        return render(
            request,
            "series/cancel.html",
            series=found,
            chosen=chosen,
            visit=visit,
            total=sum(refund for _, refund in chosen),
        )

    @post("/series/{series_id:str}/cancel", name="series.cancel")
    async def cancel(
        self,
        request: Request[User, Any, Any],
        series: NamedDependency[SeriesService],
        series_id: FromPath[str],
        data: Annotated[CancelForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Response[Any]:
        await series.cancel(request.user, series_id, data.visit or "rest")
        return Redirect(f"/series/{series_id}", status_code=303)

    @get("/dashboard/series", name="dashboard.series", guards=[require_role("admin")])
    async def dashboard(
        self,
        request: Request[User, Any, Any],
        series: NamedDependency[SeriesService],
    ) -> Template:
        return render(
            request, "dashboard/series.html", series_list=await series.overview(request.user)
        )
