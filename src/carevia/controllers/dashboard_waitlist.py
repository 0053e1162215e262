"""The waitlist in the dashboard: who waits for which time, and the offers made."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Template

from carevia.domain.accounts import User
from carevia.domain.waitlist import ENTRY_LABELS, Waitlist
from carevia.domain.waitlist.service import ADMIN_PAGE_SIZE
from carevia.web.guards import require_role
from carevia.web.templating import render


class DashboardWaitlistController(Controller):
    path = "/dashboard/waitlist"
    guards = [require_role("admin")]
    include_in_schema = False

    @get("/", name="dashboard.waitlist")
    async def listing(
        self,
        request: Request[User, Any, Any],
        waitlist: NamedDependency[Waitlist],
        status: FromQuery[str] = "",
        page: FromQuery[int] = 1,
    ) -> Template:
        entries, total = await waitlist.listing(status, page)
        return render(
            request,
            "dashboard/waitlist.html",
            block="waitlist",
            entries=entries,
            total=total,
            status=status if status in ENTRY_LABELS else "",
            statuses=ENTRY_LABELS,
            page=max(page, 1),
            pages=max(1, -(-total // ADMIN_PAGE_SIZE)),
        )
