"""JSON routes for bookings: role-scoped reading, staff actions and refunds."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, Parameter

from carevia.domain.accounts import User
from carevia.domain.bookings import Booking, BookingStatus, PaymentStatus
from carevia.domain.bookings.administration import BookingAdministration, Target
from carevia.domain.bookings.models import ActorRole
from carevia.domain.bookings.read_models import BookingFilters, BookingQueries
from carevia.domain.bookings.visit_report import ReportForm
from carevia.domain.coverage import DIVISION_NAMES
from carevia.domain.payments.service import PaymentService
from carevia.web.guards import require_bearer_for_writes, require_role, require_user
from carevia.web.openapi import errors

DIVISION_PATTERN = "^(" + "|".join(re.escape(name) for name in DIVISION_NAMES) + ")$"


class RefundRequest(msgspec.Struct, frozen=True):
    amount: int | None = None  # minor units; None refunds everything refundable
    reason: str = ""


class VisitReportRequest(msgspec.Struct, frozen=True, kw_only=True):
    """The report filed with Complete; tasks come from the service's responsibilities."""

    tasks: list[Annotated[str, msgspec.Meta(max_length=200)]] = msgspec.field(default_factory=list)
    meals: Annotated[str, msgspec.Meta(max_length=500)] = ""
    medication: Annotated[str, msgspec.Meta(max_length=500)] = ""
    mood: Annotated[str, msgspec.Meta(max_length=40)] = ""
    concern: Annotated[str, msgspec.Meta(max_length=1000)] = ""


class TransitionRequest(msgspec.Struct, frozen=True):
    to: Target
    caregiver_id: str | None = None  # admins only: start the visit with this caregiver
    # Admins only: why the visit is started outside its window; the override is audited.
    reason: Annotated[str, msgspec.Meta(max_length=300)] = ""
    report: VisitReportRequest | None = None


class AssignRequest(msgspec.Struct, frozen=True):
    caregiver_id: str


class BookingMoney(msgspec.Struct, frozen=True):
    code: str
    status: BookingStatus
    payment_status: PaymentStatus
    total: int
    amount_paid: int
    amount_refunded: int
    currency: str


class BookingSummary(msgspec.Struct, frozen=True, kw_only=True):
    code: str
    status: BookingStatus
    payment_status: PaymentStatus
    service: str
    category: str
    starts_at: datetime
    ends_at: datetime
    timezone: str
    duration_type: str
    quantity: int
    caregiver_id: str
    caregiver_name: str
    patient_name: str
    division: str
    district: str
    total: int
    amount_paid: int
    amount_refunded: int
    currency: str


class HistoryItem(msgspec.Struct, frozen=True, kw_only=True):
    at: datetime
    from_status: BookingStatus | None
    to_status: BookingStatus
    actor_role: ActorRole
    note: str | None


class BookingDetail(BookingSummary, frozen=True, kw_only=True):
    address: str
    notes: str
    # The patient's contact details reach only the patient and admins, never a caregiver.
    patient_email: str | None
    patient_phone: str | None
    history: list[HistoryItem]


class BookingList(msgspec.Struct, frozen=True):
    items: list[BookingSummary]
    page: int
    pages: int
    limit: int
    total: int


def money(booking: Booking) -> BookingMoney:
    return BookingMoney(
        code=booking.code,
        status=booking.status,
        payment_status=booking.payment_status,
        total=booking.price.total,
        amount_paid=booking.amount_paid,
        amount_refunded=booking.amount_refunded,
        currency=booking.price.currency,
    )


def summary(booking: Booking) -> BookingSummary:
    return BookingSummary(
        code=booking.code,
        status=booking.status,
        payment_status=booking.payment_status,
        service=booking.service_name,
        category=booking.category,
        starts_at=booking.starts_at,
        ends_at=booking.ends_at,
        timezone=booking.timezone,
        duration_type=booking.duration_type,
        quantity=booking.quantity,
        caregiver_id=str(booking.caregiver_id),
        caregiver_name=booking.caregiver_name,
        patient_name=booking.patient.name,
        division=booking.location.division,
        district=booking.location.district,
        total=booking.price.total,
        amount_paid=booking.amount_paid,
        amount_refunded=booking.amount_refunded,
        currency=booking.price.currency,
    )


def detail(viewer: User, booking: Booking) -> BookingDetail:
    contact = viewer.role == "admin" or viewer.id == booking.patient_id
    return BookingDetail(
        **msgspec.structs.asdict(summary(booking)),
        address=booking.location.address,
        notes=booking.location.notes,
        patient_email=booking.patient.email if contact else None,
        patient_phone=booking.patient.phone if contact else None,
        history=[
            HistoryItem(
                at=entry.at,
                from_status=entry.from_status,
                to_status=entry.to_status,
                actor_role=entry.actor_role,
                note=entry.note,
            )
            for entry in booking.history
        ],
    )


class BookingApiController(Controller):
    path = "/api/v1/bookings"
    tags = ["bookings"]
    guards = [require_user, require_bearer_for_writes]

    @get("/", responses=errors(400, 401))
    async def list_bookings(
        self,
        request: Request[User, Any, Any],
        booking_queries: NamedDependency[BookingQueries],
        q: FromQuery[str | None] = None,
        status: FromQuery[BookingStatus | None] = None,
        payment_status: FromQuery[PaymentStatus | None] = None,
        duration_type: FromQuery[Literal["hours", "days"] | None] = None,
        assigned: FromQuery[Literal["any", "yes", "no"] | None] = None,
        division: Annotated[str | None, Parameter(pattern=DIVISION_PATTERN)] = None,
        date_from: FromQuery[date | None] = None,
        date_to: FromQuery[date | None] = None,
        sort: FromQuery[Literal["newest", "oldest", "starts_soonest", "total_desc"] | None] = None,
        page: FromQuery[int] = 1,
        limit: FromQuery[int] = 20,
    ) -> BookingList:
        """The caller's bookings (all of them for admins); `limit` is capped at 100."""
        filters = BookingFilters.from_params(
            {
                "q": q,
                "status": status,
                "payment_status": payment_status,
                "duration_type": duration_type,
                "assigned": assigned,
                "division": division,
                "date_from": date_from and date_from.isoformat(),
                "date_to": date_to and date_to.isoformat(),
                "sort": sort,
            }
        )
        found = await booking_queries.search(request.user, filters, page, limit)
        return BookingList(
            items=[summary(b) for b in found.items],
            page=found.number,
            pages=found.pages,
            limit=found.size,
            total=found.total,
        )

    @get("/{code:str}", responses=errors(401, 403, 404))
    async def read_booking(
        self,
        request: Request[User, Any, Any],
        booking_admin: NamedDependency[BookingAdministration],
        code: FromPath[str],
    ) -> BookingDetail:
        return detail(request.user, await booking_admin.get(request.user, code))

    @post("/{code:str}/transition", status_code=200, responses=errors(400, 401, 403, 404, 409))
    async def transition(
        self,
        request: Request[User, Any, Any],
        booking_admin: NamedDependency[BookingAdministration],
        code: FromPath[str],
        data: JSONBody[TransitionRequest],
    ) -> BookingDetail:
        """Start or complete a visit (its caregiver or an admin), or cancel it.

        A caregiver may start from 60 minutes before the visit until its end; an admin
        outside that window gives a `reason`, which is audited.
        """
        report = None if data.report is None else ReportForm(**msgspec.structs.asdict(data.report))
        booking = await booking_admin.transition(
            request.user, code, data.to, data.caregiver_id, reason=data.reason, report=report
        )
        return detail(request.user, booking)

    @post(
        "/{code:str}/assign",
        status_code=200,
        guards=[require_role("admin")],
        responses=errors(400, 401, 403, 404, 409),
    )
    async def assign(
        self,
        request: Request[User, Any, Any],
        booking_admin: NamedDependency[BookingAdministration],
        code: FromPath[str],
        data: JSONBody[AssignRequest],
    ) -> BookingDetail:
        """Give the booking to another free, verified caregiver; its time moves with it."""
        booking = await booking_admin.assign(request.user, code, data.caregiver_id)
        return detail(request.user, booking)

    @post(
        "/{code:str}/resend-confirmation",
        status_code=200,
        guards=[require_role("admin")],
        responses=errors(401, 403, 404, 409),
    )
    async def resend_confirmation(
        self,
        request: Request[User, Any, Any],
        booking_admin: NamedDependency[BookingAdministration],
        code: FromPath[str],
    ) -> BookingDetail:
        booking = await booking_admin.resend_confirmation(request.user, code)
        return detail(request.user, booking)

    @post(
        "/{code:str}/refund",
        status_code=200,
        guards=[require_role("admin")],
        responses=errors(400, 401, 403, 404, 409),
    )
    async def refund(
        self,
        request: Request[User, Any, Any],
        payments: NamedDependency[PaymentService],
        code: FromPath[str],
        data: JSONBody[RefundRequest],
    ) -> BookingMoney:
        """Refund all or part of what was paid, with a per-refund idempotency key."""
        booking = await payments.refund(request.user, code, data.amount, data.reason[:200])
        return money(booking)
