"""Payments and refunds in the admin dashboard: one filtered ledger with its totals."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Template

from carevia.domain.accounts import User
from carevia.domain.payments.read_models import (
    DEFAULT_PAGE_SIZE,
    KIND_LABELS,
    STATUS_LABELS,
    PaymentFilters,
    PaymentQueries,
)
from carevia.domain.shared.text import Text
from carevia.settings import Settings
from carevia.web.guards import require_role
from carevia.web.templating import render

NO_STORE = {"Cache-Control": "no-store"}
SORT_LABELS = {
    "newest": Text("Newest first"),
    "oldest": Text("Oldest first"),
    "amount_desc": Text("Largest amount"),
    "amount_asc": Text("Smallest amount"),
}


class DashboardPaymentController(Controller):
    path = "/dashboard/payments"
    guards = [require_role("admin")]
    include_in_schema = False

    @get("/", name="dashboard.payments")
    async def payments(
        self,
        request: Request[User, Any, Any],
        payment_queries: NamedDependency[PaymentQueries],
        settings: NamedDependency[Settings],
        page: FromQuery[int] = 1,
        size: FromQuery[int] = DEFAULT_PAGE_SIZE,
    ) -> Template:
        filters = PaymentFilters.from_params(request.query_params)
        ledger = await payment_queries.ledger(request.user, filters, page, size)
        return render(
            request,
            "dashboard/payments.html",
            block="payment_rows",
            headers=NO_STORE,
            filters=filters,
            rows=ledger.rows,
            totals=ledger.totals,
            kind_labels=KIND_LABELS,
            payment_status_labels=STATUS_LABELS,
            sort_labels=SORT_LABELS,
            timezone=settings.timezone,
        )
