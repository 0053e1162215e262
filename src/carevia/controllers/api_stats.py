"""Admin JSON statistics: the KPI cards and the per-day series behind the dashboard charts."""

from __future__ import annotations

from litestar import Controller, get
from litestar.di import NamedDependency

from carevia.domain.stats import Statistics, StatisticsService
from carevia.web.guards import require_bearer_for_writes, require_role
from carevia.web.openapi import errors


class StatisticsApiController(Controller):
    path = "/api/v1/stats"
    tags = ["statistics"]
    guards = [require_role("admin"), require_bearer_for_writes]

    @get("/", responses=errors(401, 403))
    async def read_statistics(self, statistics: NamedDependency[StatisticsService]) -> Statistics:
        """KPIs (money in minor units) with their comparisons, and 7- and 30-day series.

        `change` is a whole percent, `"new"` when the earlier value was 0, or null for
        figures that describe this moment and have no earlier value.
        """
        return await statistics.overview()
