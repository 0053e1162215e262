"""Read model of payments: a read-only ledger of payments and refunds for the dashboard.

Nothing here writes; the indexes it uses are declared beside its queries.

Every filter is an exact value from a short list (or an uppercased booking code), sorts
come from `SORTS`, and page sizes are bounded. Totals cover every matching row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, time, timedelta
from typing import Any

import msgspec
from bson import ObjectId
from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from carevia.domain.accounts.models import User
from carevia.domain.bookings.schedule import date_range_errors, local_start, parse_date
from carevia.domain.payments.repository import PAYMENTS, REFUNDS
from carevia.domain.shared import Forbidden, Invalid, Page
from carevia.domain.shared.documents import from_document
from carevia.domain.shared.pagination import clamp_page, listing_query, query_fields
from carevia.domain.shared.text import Text

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
MAX_CODE_LENGTH = 20
KIND_LABELS = {
    "initial": Text("Payment"),
    "due": Text("Remaining balance"),
    "refund": Text("Refund"),
}
STATUS_LABELS = {
    "open": Text("Open"),
    "processing": Text("Processing"),
    "paid": Text("Paid"),
    "expired": Text("Expired"),
    "failed": Text("Failed"),
    "requested": Text("Refund requested"),
    "succeeded": Text("Refunded"),
}
SORTS: dict[str, dict[str, int]] = {
    "newest": {"created_at": DESCENDING, "_id": DESCENDING},
    "oldest": {"created_at": ASCENDING, "_id": ASCENDING},
    "amount_desc": {"amount": DESCENDING, "_id": DESCENDING},
    "amount_asc": {"amount": ASCENDING, "_id": ASCENDING},
}
INDEXES: Mapping[str, Sequence[IndexModel]] = {
    PAYMENTS: [
        IndexModel([("created_at", DESCENDING)]),
        IndexModel([("booking_code", ASCENDING), ("created_at", DESCENDING)]),
    ],
    REFUNDS: [
        IndexModel([("created_at", DESCENDING)]),
        IndexModel([("booking_code", ASCENDING), ("created_at", DESCENDING)]),
    ],
}
_COMMON = {"booking_code": 1, "status": 1, "amount": 1, "created_at": 1}
_PAYMENT_FIELDS = {
    **_COMMON,
    "kind": 1,
    "currency": 1,
    "reference": "$session_id",
    "note": "$gateway",
    "amount_refunded": 1,
}
_REFUND_FIELDS = {
    **_COMMON,
    "kind": {"$literal": "refund"},
    "reference": "$gateway_refund_id",
    "note": "$reason",
    "error": "$last_error",
}


def _sum_where(conditions: list[dict[str, Any]]) -> dict[str, Any]:
    return {"$sum": {"$cond": [{"$and": conditions}, "$amount", 0]}}


_TOTALS = {
    "$group": {
        "_id": None,
        "count": {"$sum": 1},
        "paid": _sum_where([{"$ne": ["$kind", "refund"]}, {"$eq": ["$status", "paid"]}]),
        "refunded": _sum_where([{"$eq": ["$kind", "refund"]}, {"$eq": ["$status", "succeeded"]}]),
    }
}


class PaymentFilters(msgspec.Struct, frozen=True, kw_only=True):
    status: str = ""
    kind: str = ""
    code: str = ""
    date_from: str = ""
    date_to: str = ""
    sort: str = "newest"

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> PaymentFilters:
        values = query_fields(cls, params)
        if "code" in values:
            values["code"] = values["code"].upper()
        return msgspec.convert(values, cls).checked()

    def checked(self) -> PaymentFilters:
        fields: dict[str, str] = {}
        if self.status and self.status not in STATUS_LABELS:
            fields["status"] = "Choose one of the listed statuses."
        if self.kind and self.kind not in KIND_LABELS:
            fields["kind"] = "Choose payment, remaining balance or refund."
        if len(self.code) > MAX_CODE_LENGTH:
            fields["code"] = "A booking code looks like CV-AB12CD."
        fields.update(date_range_errors(self.date_from, self.date_to))
        if self.sort not in SORTS:
            fields["sort"] = "Sort by newest, oldest, amount_desc or amount_asc."
        if fields:
            raise Invalid(fields, "Some filters could not be used.")
        return self

    def query_pairs(
        self, page: int | None = None, size: int | None = None
    ) -> list[tuple[str, str]]:
        return listing_query(self, page, size, DEFAULT_PAGE_SIZE)

    @property
    def is_empty(self) -> bool:
        return self == DEFAULTS


DEFAULTS = PaymentFilters()


class LedgerRow(msgspec.Struct, frozen=True, kw_only=True):
    id: ObjectId = msgspec.field(name="_id")
    kind: str
    booking_code: str
    status: str
    amount: int
    created_at: datetime
    currency: str | None = None
    reference: str | None = None
    note: str | None = None
    error: str | None = None  # a failed refund: the gateway's reason
    amount_refunded: int = 0


class LedgerTotals(msgspec.Struct, frozen=True, kw_only=True):
    count: int = 0
    paid: int = 0
    refunded: int = 0

    @property
    def net(self) -> int:
        return self.paid - self.refunded


class Ledger(msgspec.Struct, frozen=True):
    rows: Page[LedgerRow]
    totals: LedgerTotals


class PaymentQueries:
    def __init__(self, database: AsyncDatabase[dict[str, Any]], timezone: str) -> None:
        self._database = database
        self._timezone = timezone

    async def ledger(self, viewer: User, filters: PaymentFilters, page: int, size: int) -> Ledger:
        if viewer.role != "admin":
            raise Forbidden(Text("Only admins can see payments."))
        source, pipeline = self._pipeline(filters.checked())
        collection = self._database[source]
        found = [d async for d in await collection.aggregate([*pipeline, _TOTALS])]
        totals = msgspec.convert(found[0] if found else {}, LedgerTotals)
        size = min(max(size, 1), MAX_PAGE_SIZE)
        request = clamp_page(page, totals.count, size)
        window: list[dict[str, Any]] = [
            {"$sort": SORTS[filters.sort]},
            {"$skip": request.skip},
            {"$limit": request.size},
        ]
        cursor = await collection.aggregate([*pipeline, *window])
        items = [from_document(document, LedgerRow) async for document in cursor]
        rows = Page(items=items, number=request.number, size=request.size, total=totals.count)
        return Ledger(rows=rows, totals=totals)

    async def failed_refunds(self) -> int:
        """Refunds the gateway refused or never took: each needs an admin to act."""
        return await self._database[REFUNDS].count_documents({"status": "failed"})

    def _pipeline(self, filters: PaymentFilters) -> tuple[str, list[dict[str, Any]]]:
        """Payments, refunds or both (as one union) in a common row shape."""
        match: dict[str, Any] = {}
        if filters.status:
            match["status"] = filters.status
        if filters.code:
            match["booking_code"] = filters.code
        created: dict[str, Any] = {}
        first, last = parse_date(filters.date_from), parse_date(filters.date_to)
        if first is not None:
            created["$gte"] = local_start(first, time(0, 0), self._timezone)
        if last is not None:
            created["$lt"] = local_start(last + timedelta(days=1), time(0, 0), self._timezone)
        if created:
            match["created_at"] = created
        sources: list[tuple[str, list[dict[str, Any]]]] = []
        if filters.kind != "refund":
            payments = {**match, "kind": filters.kind} if filters.kind else match
            sources.append((PAYMENTS, [{"$match": payments}, {"$project": _PAYMENT_FIELDS}]))
        if filters.kind in ("", "refund"):
            sources.append((REFUNDS, [{"$match": match}, {"$project": _REFUND_FIELDS}]))
        (source, pipeline), *others = sources
        unions = [{"$unionWith": {"coll": name, "pipeline": stages}} for name, stages in others]
        return source, [*pipeline, *unions]
