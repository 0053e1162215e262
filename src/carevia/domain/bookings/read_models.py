"""Read model of bookings: read-only projections for the dashboard screens and the API.

The searches and exports here never write; they come with the indexes they use.

Every value that reaches the database is whitelisted or escaped here: free text becomes a
literal, case-insensitive pattern, sorts come from `SORTS`, and page sizes are bounded.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from datetime import time, timedelta
from typing import Any

import msgspec
from bson import ObjectId
from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from carevia.domain.accounts import User
from carevia.domain.bookings.models import (
    PAYMENT_LABELS,
    STATUS_LABELS,
    Booking,
    BookingStatus,
    VisitReport,
)
from carevia.domain.bookings.repository import BOOKINGS
from carevia.domain.bookings.schedule import date_range_errors, local_start, parse_date
from carevia.domain.caregivers.models import Caregiver
from carevia.domain.caregivers.repository import CAREGIVERS
from carevia.domain.coverage import is_known_division
from carevia.domain.payments.models import Payment, Refund
from carevia.domain.shared import Forbidden, Invalid, Page
from carevia.domain.shared.documents import from_document
from carevia.domain.shared.pagination import clamp_page, listing_query, query_fields
from carevia.domain.shared.text import Text
from carevia.domain.shared.time_format import format_local

MAX_LIMIT = 100
EXPORT_LIMIT = 5000
MAX_QUERY_TEXT = 100
MIDNIGHT = time(0, 0)

SORTS: dict[str, list[tuple[str, int]]] = {
    "newest": [("created_at", DESCENDING), ("_id", DESCENDING)],
    "oldest": [("created_at", ASCENDING), ("_id", ASCENDING)],
    "starts_soonest": [("starts_at", ASCENDING), ("_id", ASCENDING)],
    "total_desc": [("price.total", DESCENDING), ("_id", DESCENDING)],
}
INDEXES: Mapping[str, Sequence[IndexModel]] = {
    BOOKINGS: [
        IndexModel([("created_at", DESCENDING)]),
        IndexModel([("starts_at", ASCENDING)]),
        IndexModel([("status", ASCENDING), ("starts_at", ASCENDING)]),
        IndexModel([("payment_status", ASCENDING), ("created_at", DESCENDING)]),
        IndexModel([("location.division", ASCENDING), ("starts_at", ASCENDING)]),
        IndexModel([("price.total", DESCENDING)]),
        IndexModel([("has_concern", ASCENDING), ("created_at", DESCENDING)]),
    ]
}

COLUMNS = (
    "Code|Status|Payment status|Service|Starts (local)|Hours/days|Caregiver|Patient name|"
    "Division|District|Address|Notes|Total|Paid|Refunded|Currency"
)
CSV_HEADER = COLUMNS.split("|")
# OWASP CSV injection: a spreadsheet treats cells starting with these as formulas.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class BookingFilters(msgspec.Struct, frozen=True, kw_only=True):
    """A booking search as typed; `checked()` refuses anything outside the whitelists."""

    q: str = ""
    status: str = ""
    payment_status: str = ""
    duration_type: str = ""
    assigned: str = "any"
    # "yes": only visits whose report raised a concern (admins).
    concern: str = ""
    division: str = ""
    date_from: str = ""
    date_to: str = ""
    sort: str = "newest"

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> BookingFilters:
        """The filters from a query string; every value stays a plain string."""
        values = query_fields(cls, params)
        return msgspec.convert(values, cls).checked()

    def checked(self) -> BookingFilters:
        fields: dict[str, str] = {}
        if self.status and self.status not in STATUS_LABELS:
            fields["status"] = "Choose one of the listed statuses."
        if self.payment_status and self.payment_status not in PAYMENT_LABELS:
            fields["payment_status"] = "Choose one of the listed payment states."
        if self.duration_type not in ("", "hours", "days"):
            fields["duration_type"] = "Choose hours or days."
        if self.assigned not in ("any", "yes", "no"):
            fields["assigned"] = "Choose yes, no or any."
        if self.concern not in ("", "yes"):
            fields["concern"] = "Choose yes, or leave it empty."
        if self.division and not is_known_division(self.division):
            fields["division"] = "Choose one of Bangladesh's divisions."
        fields.update(date_range_errors(self.date_from, self.date_to))
        if self.sort not in SORTS:
            fields["sort"] = "Sort by newest, oldest, starts_soonest or total_desc."
        if fields:
            raise Invalid(fields, "Some filters could not be used.")
        return self

    def query_pairs(self, page: int | None = None) -> list[tuple[str, str]]:
        """The filters as URL query pairs, so links and exports keep the state shown."""
        return listing_query(self, page)

    @property
    def is_empty(self) -> bool:
        return self == DEFAULTS


DEFAULTS = BookingFilters()


# What staff may do in each status; the actions re-check all of this on every request.
ASSIGNABLE: frozenset[BookingStatus] = frozenset({"pending_payment", "confirmed"})
CANCELLABLE: frozenset[BookingStatus] = frozenset({"pending_payment", "confirmed"})
RESENDABLE: frozenset[BookingStatus] = frozenset({"confirmed", "in_progress", "completed"})


class BookingActions(msgspec.Struct, frozen=True, kw_only=True):
    """The buttons a viewer gets; each action is checked again on the server."""

    assign: bool = False
    start: bool = False
    complete: bool = False
    cancel: bool = False
    refund: bool = False
    resend: bool = False
    refundable: int = 0


class BookingDrawer(msgspec.Struct, frozen=True, kw_only=True):
    booking: Booking
    actions: BookingActions
    payments: list[Payment]
    refunds: list[Refund]
    free_caregivers: list[Caregiver]
    report: VisitReport | None = None
    # The service's responsibilities, offered as the report's tasks when completing.
    tasks: list[str] = msgspec.field(default_factory=list)
    # Why Start would be refused now (too early or too late), shown beside the button.
    timing: str | None = None


def actions_for(viewer: User, booking: Booking) -> BookingActions:
    admin = viewer.role == "admin"
    own = viewer.role == "caregiver" and booking.caregiver_id == viewer.id
    refundable = booking.refundable
    return BookingActions(
        assign=admin and booking.status in ASSIGNABLE,
        start=(admin or own) and booking.status == "confirmed",
        complete=(admin or own) and booking.status == "in_progress",
        cancel=admin and booking.status in CANCELLABLE,
        refund=admin and refundable > 0,
        resend=admin and booking.status in RESENDABLE,
        refundable=refundable,
    )


def neutralise(cell: str) -> str:
    """A cell that a spreadsheet could run as a formula, made inert with a leading quote."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def _major(minor: int) -> str:
    major, rest = divmod(minor, 100)
    return f"{major}.{rest:02d}"


def csv_row(booking: Booking) -> list[str]:
    unit = "hour" if booking.duration_type == "hours" else "day"
    cells = [
        booking.code,
        booking.status_label,
        booking.payment_label,
        booking.service_name,
        format_local(booking.starts_at, booking.timezone, "%Y-%m-%d %H:%M"),
        f"{booking.quantity} {unit}{'s' if booking.quantity != 1 else ''}",
        booking.caregiver_name,
        booking.patient.name,
        booking.location.division,
        booking.location.district,
        booking.location.address,
        booking.location.notes,
        _major(booking.price.total),
        _major(booking.amount_paid),
        _major(booking.amount_refunded),
        booking.price.currency,
    ]
    return [neutralise(cell) for cell in cells]


def to_csv(bookings: Sequence[Booking]) -> str:
    """UTF-8 CSV with a byte-order mark, so spreadsheets read Bangla names correctly."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    writer.writerows(csv_row(booking) for booking in bookings)
    return buffer.getvalue()


class BookingQueries:
    def __init__(self, database: AsyncDatabase[dict[str, Any]], timezone: str) -> None:
        self._bookings = database[BOOKINGS]
        # Read only, to tell bookings with a verified caregiver from those needing one.
        self._caregivers = database[CAREGIVERS]
        self._timezone = timezone

    async def search(
        self, viewer: User, filters: BookingFilters, page: int, limit: int
    ) -> Page[Booking]:
        """One page of the bookings `viewer` may see that match `filters`."""
        query = await self._query(viewer, filters.checked())
        size = min(max(limit, 1), MAX_LIMIT)
        total = await self._bookings.count_documents(query)
        request = clamp_page(page, total, size)
        cursor = (
            self._bookings.find(query)
            .sort(SORTS[filters.sort])
            .skip(request.skip)
            .limit(request.size)
        )
        items = [from_document(document, Booking) async for document in cursor]
        return Page(items=items, number=request.number, size=request.size, total=total)

    async def export(self, viewer: User, filters: BookingFilters) -> list[Booking]:
        """Every match up to `EXPORT_LIMIT`, in the order the table shows them."""
        if viewer.role != "admin":
            raise Forbidden(Text("Only admins can export bookings."))
        query = await self._query(viewer, filters.checked())
        cursor = self._bookings.find(query).sort(SORTS[filters.sort]).limit(EXPORT_LIMIT)
        return [from_document(document, Booking) async for document in cursor]

    async def resends(self, booking_id: ObjectId, session: AsyncClientSession) -> int:
        """How often the confirmation email was sent again; read inside the caller's transaction."""
        document = await self._bookings.find_one(
            {"_id": booking_id}, {"confirmation_resends": 1}, session=session
        )
        return int((document or {}).get("confirmation_resends", 0))

    async def _query(self, viewer: User, filters: BookingFilters) -> dict[str, Any]:
        conditions: list[dict[str, Any]] = []
        if viewer.role == "caregiver":
            conditions.append({"caregiver_id": viewer.id})
        elif viewer.role == "patient":
            conditions.append({"patient_id": viewer.id})
        elif viewer.role != "admin":
            raise Forbidden(Text("You cannot see these bookings."))
        if filters.q:
            pattern = {"$regex": re.escape(filters.q[:MAX_QUERY_TEXT]), "$options": "i"}
            conditions.append(
                {"$or": [{"code": pattern}, {"service_name": pattern}, {"patient.name": pattern}]}
            )
        for field in ("status", "payment_status", "duration_type"):
            if getattr(filters, field):
                conditions.append({field: getattr(filters, field)})
        if filters.division:
            conditions.append({"location.division": filters.division})
        if filters.concern == "yes" and viewer.role == "admin":
            conditions.append({"has_concern": True})
        if filters.assigned != "any":
            verified = await self._caregivers.distinct("_id", {"verified": True})
            operator = "$in" if filters.assigned == "yes" else "$nin"
            conditions.append({"caregiver_id": {operator: verified}})
        starts: dict[str, Any] = {}
        first, last = parse_date(filters.date_from), parse_date(filters.date_to)
        if first is not None:
            starts["$gte"] = local_start(first, MIDNIGHT, self._timezone)
        if last is not None:
            starts["$lt"] = local_start(last + timedelta(days=1), MIDNIGHT, self._timezone)
        if starts:
            conditions.append({"starts_at": starts})
        if not conditions:
            return {}
        return conditions[0] if len(conditions) == 1 else {"$and": conditions}
