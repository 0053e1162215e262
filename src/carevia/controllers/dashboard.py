"""The staff dashboard shell and the bridge from a web session to API tokens."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, NamedTuple
from zoneinfo import ZoneInfo

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template

from carevia.domain.accounts import User
from carevia.domain.auth import AuthService
from carevia.domain.bookings import Booking, BookingService
from carevia.domain.caregivers.availability import AvailabilityForm
from carevia.domain.caregivers.models import WEEKDAYS
from carevia.domain.caregivers.service import CaregiverDirectory
from carevia.domain.shared import Invalid
from carevia.domain.shared.clock import utc_now
from carevia.settings import Settings
from carevia.web.guards import require_role
from carevia.web.requests import client_ip
from carevia.web.templating import render, render_invalid
from carevia.web.tokens import TokenResponse, token_response


class Visit(NamedTuple):
    booking: Booking
    local_day: date


class DashboardController(Controller):
    path = "/dashboard"
    guards = [require_role("admin", "caregiver")]
    include_in_schema = False

    @get("/", name="dashboard.home")
    async def home(
        self,
        request: Request[User, Any, Any],
        bookings: NamedDependency[BookingService],
        settings: NamedDependency[Settings],
    ) -> Response[Any] | Template:
        """Admins start at the overview; caregivers at their own visits."""
        if request.user.role == "admin":
            return Redirect("/dashboard/overview", status_code=303)
        visits = [
            Visit(b, b.starts_at.astimezone(ZoneInfo(b.timezone)).date())
            for b in await bookings.visits_for(request.user)
        ]
        today = utc_now().astimezone(ZoneInfo(settings.timezone)).date()
        return render(
            request,
            "dashboard/workspace.html",
            block="visits",
            visits=visits,
            today=today,
        )

    @get("/availability", name="dashboard.availability", guards=[require_role("caregiver")])
    async def availability(
        self, request: Request[User, Any, Any], caregivers: NamedDependency[CaregiverDirectory]
    ) -> Template:
        caregiver = await caregivers.own_profile(request.user)
        return render(
            request,
            "dashboard/availability.html",
            form=AvailabilityForm.of(caregiver),
            errors={},
            saved=False,
            weekdays=WEEKDAYS,
        )

    @post(
        "/availability",
        name="dashboard.availability.save",
        guards=[require_role("caregiver")],
        status_code=200,
    )
    async def save_availability(
        self,
        request: Request[User, Any, Any],
        caregivers: NamedDependency[CaregiverDirectory],
        data: Annotated[AvailabilityForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Template:
        try:
            caregiver = await caregivers.update_availability(request.user, data)
        except Invalid as invalid:
            return render_invalid(
                request,
                "dashboard/availability.html",
                invalid,
                block="availability_form",
                form=data,
                saved=False,
                weekdays=WEEKDAYS,
            )
        return render(
            request,
            "dashboard/availability.html",
            block="availability_form",
            form=AvailabilityForm.of(caregiver),
            errors={},
            saved=True,
            weekdays=WEEKDAYS,
        )

    @post("/token", name="dashboard.token", status_code=200)
    async def token(
        self,
        request: Request[User, Any, Any],
        auth: NamedDependency[AuthService],
        settings: NamedDependency[Settings],
    ) -> Response[TokenResponse]:
        """Tokens for the page's script, in a response body: never in a URL.

        This is an ordinary CSRF-protected form route, so only our own page can call it.
        """
        return token_response(settings, await auth.issue_tokens(request.user, client_ip(request)))
