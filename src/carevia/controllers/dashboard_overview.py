"""The admin overview: KPI cards, server-drawn charts, and the live-refreshed KPI fragment."""

from __future__ import annotations

from typing import Any

from jinja2_fragments.litestar import HTMXBlockTemplate
from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.response import Template

from carevia.domain.accounts import User
from carevia.domain.stats import StatisticsService, charts_for
from carevia.web.guards import require_role
from carevia.web.templating import render

TEMPLATE = "dashboard/overview.html"
NO_STORE = {"Cache-Control": "no-store"}


class DashboardOverviewController(Controller):
    path = "/dashboard"
    guards = [require_role("admin")]
    include_in_schema = False

    @get("/overview", name="dashboard.overview")
    async def overview(
        self, request: Request[User, Any, Any], statistics: NamedDependency[StatisticsService]
    ) -> Template:
        stats = await statistics.overview()
        return render(request, TEMPLATE, headers=NO_STORE, stats=stats, charts=charts_for(stats))

    @get("/kpis", name="dashboard.kpis")
    async def kpis(self, statistics: NamedDependency[StatisticsService]) -> Template:
        """Only the KPI block: the overview swaps it in when a booking event arrives."""
        return HTMXBlockTemplate(
            template_name=TEMPLATE,
            block_name="kpis",
            context={"stats": await statistics.kpis()},
            headers=NO_STORE,
        )
