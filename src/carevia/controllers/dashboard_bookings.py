"""Bookings in the staff dashboard: the filtered table, its CSV, the drawer and its actions.

Caregivers see only their own bookings and may only start and complete them; the domain
checks that on every request, whatever buttons a page shows.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template

from carevia.domain.accounts import User
from carevia.domain.bookings import PAYMENT_LABELS
from carevia.domain.bookings.administration import BookingAdministration
from carevia.domain.bookings.models import MOODS
from carevia.domain.bookings.read_models import BookingFilters, BookingQueries
from carevia.domain.bookings.visit_report import ReportForm
from carevia.domain.care.access import CareNeedsAccess
from carevia.domain.messages import MessageService
from carevia.domain.shared import Conflict, Invalid
from carevia.domain.shared.money import parse_taka
from carevia.domain.shared.text import Text
from carevia.web.guards import require_role
from carevia.web.templating import is_fragment_request, render, trigger

LIST_TEMPLATE = "dashboard/bookings.html"
DRAWER_TEMPLATE = "dashboard/booking_detail.html"
PAGE_SIZE = 25
NO_STORE = {"Cache-Control": "no-store"}
DONE = {
    "assigned": Text("The caregiver was changed and the time moved with the booking."),
    "started": Text("The visit is now in progress."),
    "completed": Text("The visit is complete."),
    "cancelled": Text("The booking is cancelled; any refund owed has been requested."),
    "refunded": Text("The refund was requested."),
    "resent": Text("The confirmation email is queued again."),
}
SORT_LABELS = {
    "newest": Text("Newest first"),
    "oldest": Text("Oldest first"),
    "starts_soonest": Text("Visit starts soonest"),
    "total_desc": Text("Highest total"),
}
ASSIGNED_LABELS = {
    "any": Text("Any caregiver"),
    "yes": Text("Verified caregiver"),
    "no": Text("Needs a caregiver"),
}
UrlForm = Body(media_type=RequestEncodingType.URL_ENCODED)
admin_only = [require_role("admin")]


class AssignForm(msgspec.Struct, frozen=True, kw_only=True):
    caregiver_id: str = ""


class StartForm(msgspec.Struct, frozen=True, kw_only=True):
    """Start needs its box ticked; an admin outside the visit's window also gives a reason."""

    confirm: str = ""
    reason: str = ""


class CompleteForm(ReportForm, frozen=True, kw_only=True):
    """The visit report, and the box that confirms the visit is over."""

    confirm: str = ""


class RefundForm(msgspec.Struct, frozen=True, kw_only=True):
    """The drawer's refund: "full", or "partial" with an amount in taka; never a guess."""

    scope: str = ""
    amount: str = ""
    reason: str = ""

    def amount_asked(self) -> int | None:
        """Minor units for a partial refund; None for all that is refundable.

        An empty amount once meant "everything", so a forgotten field refunded in full.
        The choice is now explicit, and a partial refund needs its amount.
        """
        if self.scope == "full":
            return None
        if self.scope != "partial":
            raise Invalid({"scope": Text("Choose a full refund or a partial amount.")})
        if not self.amount.strip():
            raise Invalid({"amount": Text("Enter the amount to refund, or choose a full refund.")})
        minor_units = parse_taka(self.amount)
        if not minor_units:
            raise Invalid({"amount": Text("Enter an amount in taka, such as 500 or 500.50.")})
        return minor_units


async def drawer_page(
    request: Request[User, Any, Any],
    booking_admin: BookingAdministration,
    code: str,
    *,
    notice: str | None = None,
    error: str | None = None,
    fields: dict[str, str] | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    care_needs: CareNeedsAccess | None = None,
    typed: msgspec.Struct | None = None,
    **parts: Any,
) -> Template:
    """With `care_needs`, a new view of the page: care needs are read (and audited) once.

    Without it the drawer is redrawn after an action and the care needs already shown stay.
    `parts` are the page's own sections beside the drawer (the thread), on a whole page.
    """
    drawer = await booking_admin.drawer(request.user, code)
    care = await care_needs.view(request.user, drawer.booking) if care_needs else None
    return render(
        request,
        DRAWER_TEMPLATE,
        block="drawer",
        status_code=status_code,
        headers={**NO_STORE, **(headers or {})},
        drawer=drawer,
        booking=drawer.booking,
        care=care,
        care_kept=care_needs is None,
        is_admin=request.user.role == "admin",
        notice=notice,
        error=error,
        fields=fields or {},
        **parts,
        report=drawer.report,
        moods=MOODS,
        typed=typed,
    )


async def act(
    request: Request[User, Any, Any],
    booking_admin: BookingAdministration,
    code: str,
    done: str,
    action: Callable[[], Awaitable[object]],
    typed: msgspec.Struct | None = None,
) -> Response[Any] | Template:
    """Run one action; htmx gets the new drawer and a `bookingChanged` event, a form a 303.

    A refused action re-renders the drawer with the reason (422, which htmx swaps), and
    with what was `typed`, so a long visit report is not lost to one mistake.
    """
    try:
        await action()
    except (Invalid, Conflict) as refused:
        fields = refused.fields if isinstance(refused, Invalid) else {}
        message = next(iter(fields.values()), refused.message)
        return await drawer_page(
            request,
            booking_admin,
            code,
            error=message,
            fields=fields,
            status_code=422,
            typed=typed,
        )
    if is_fragment_request(request):
        return await drawer_page(
            request,
            booking_admin,
            code,
            notice=DONE[done],
            headers=trigger("bookingChanged"),
        )
    return Redirect(f"/dashboard/bookings/{code.upper()}?done={done}", status_code=303)


class DashboardBookingController(Controller):
    path = "/dashboard"
    guards = [require_role("admin", "caregiver")]
    include_in_schema = False

    @get("/bookings", name="dashboard.bookings")
    async def list_bookings(
        self,
        request: Request[User, Any, Any],
        booking_queries: NamedDependency[BookingQueries],
        page: FromQuery[int] = 1,
    ) -> Template:
        filters = BookingFilters.from_params(request.query_params)
        results = await booking_queries.search(request.user, filters, page, PAGE_SIZE)
        return render(
            request,
            LIST_TEMPLATE,
            block="booking_rows",
            headers=NO_STORE,
            filters=filters,
            results=results,
            is_admin=request.user.role == "admin",
            sort_labels=SORT_LABELS,
            payment_labels=PAYMENT_LABELS,
            assigned_labels=ASSIGNED_LABELS,
        )

    @get("/bookings.csv", name="dashboard.bookings.csv", guards=admin_only)
    async def export(
        self,
        request: Request[User, Any, Any],
        booking_admin: NamedDependency[BookingAdministration],
    ) -> Response[str]:
        filters = BookingFilters.from_params(request.query_params)
        return Response(
            await booking_admin.export_csv(request.user, filters),
            media_type="text/csv; charset=utf-8",
            headers={
                **NO_STORE,
                "Content-Disposition": 'attachment; filename="carevia-bookings.csv"',
            },
        )

    @get("/bookings/{code:str}", name="dashboard.booking")
    async def booking(
        self,
        request: Request[User, Any, Any],
        booking_admin: NamedDependency[BookingAdministration],
        messages: NamedDependency[MessageService],
        care_needs: NamedDependency[CareNeedsAccess],
        code: FromPath[str],
        done: FromQuery[str] = "",
    ) -> Template:
        thread = await messages.thread(request.user, code, dashboard=True)
        return await drawer_page(
            request,
            booking_admin,
            code,
            notice=DONE.get(done),
            care_needs=care_needs,
            thread=thread,
        )

    @post("/bookings/{code:str}/assign", name="dashboard.booking.assign", guards=admin_only)
    async def assign(
        self,
        request: Request[User, Any, Any],
        booking_admin: NamedDependency[BookingAdministration],
        code: FromPath[str],
        data: Annotated[AssignForm, UrlForm],
    ) -> Response[Any] | Template:
        return await act(
            request,
            booking_admin,
            code,
            "assigned",
            lambda: booking_admin.assign(request.user, code, data.caregiver_id),
        )

    @post("/bookings/{code:str}/start", name="dashboard.booking.start")
    async def start(
        self,
        request: Request[User, Any, Any],
        booking_admin: NamedDependency[BookingAdministration],
        code: FromPath[str],
        data: Annotated[StartForm, UrlForm],
    ) -> Response[Any] | Template:
        return await act(
            request,
            booking_admin,
            code,
            "started",
            lambda: booking_admin.start(
                request.user, code, confirmed=bool(data.confirm), reason=data.reason
            ),
        )

    @post("/bookings/{code:str}/complete", name="dashboard.booking.complete")
    async def complete(
        self,
        request: Request[User, Any, Any],
        booking_admin: NamedDependency[BookingAdministration],
        code: FromPath[str],
        data: Annotated[CompleteForm, UrlForm],
    ) -> Response[Any] | Template:
        return await act(
            request,
            booking_admin,
            code,
            "completed",
            lambda: booking_admin.complete(request.user, code, data, confirmed=bool(data.confirm)),
            typed=data,
        )

    @post("/bookings/{code:str}/cancel", name="dashboard.booking.cancel", guards=admin_only)
    async def cancel(
        self,
        request: Request[User, Any, Any],
        booking_admin: NamedDependency[BookingAdministration],
        code: FromPath[str],
    ) -> Response[Any] | Template:
        return await act(
            request,
            booking_admin,
            code,
            "cancelled",
            lambda: booking_admin.cancel(request.user, code),
        )

    @post("/bookings/{code:str}/refund", name="dashboard.booking.refund", guards=admin_only)
    async def refund(
        self,
        request: Request[User, Any, Any],
        booking_admin: NamedDependency[BookingAdministration],
        code: FromPath[str],
        data: Annotated[RefundForm, UrlForm],
    ) -> Response[Any] | Template:
        return await act(
            request,
            booking_admin,
            code,
            "refunded",
            lambda: booking_admin.refund(request.user, code, data.amount_asked(), data.reason),
        )

    @post("/bookings/{code:str}/resend", name="dashboard.booking.resend", guards=admin_only)
    async def resend(
        self,
        request: Request[User, Any, Any],
        booking_admin: NamedDependency[BookingAdministration],
        code: FromPath[str],
    ) -> Response[Any] | Template:
        return await act(
            request,
            booking_admin,
            code,
            "resent",
            lambda: booking_admin.resend_confirmation(request.user, code),
        )
