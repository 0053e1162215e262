"""The audit log in the admin dashboard: who did what, in words; htmx-refreshed rows."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Template

from carevia.domain.accounts import User
from carevia.domain.audit.read_models import (
    ACCESS_CHOICES,
    DEFAULT_PAGE_SIZE,
    AuditFilters,
    AuditQueries,
)
from carevia.settings import Settings
from carevia.web.guards import require_role
from carevia.web.templating import render


class DashboardAuditController(Controller):
    path = "/dashboard/audit"
    guards = [require_role("admin")]
    include_in_schema = False

    @get("/", name="dashboard.audit")
    async def audit_log(
        self,
        request: Request[User, Any, Any],
        audit_queries: NamedDependency[AuditQueries],
        settings: NamedDependency[Settings],
        page: FromQuery[int] = 1,
        size: FromQuery[int] = DEFAULT_PAGE_SIZE,
    ) -> Template:
        filters = AuditFilters.from_params(request.query_params)
        results = await audit_queries.search(request.user, filters, page, size)
        return render(
            request,
            "dashboard/audit.html",
            block="audit_rows",
            filters=filters,
            rows=results.rows,
            actions=results.actions,
            access_choices=ACCESS_CHOICES,
            nobody_matches=results.nobody_matches,
            timezone=settings.timezone,
        )
