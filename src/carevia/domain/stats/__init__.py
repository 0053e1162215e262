"""Read-only statistics for the admin overview."""

from carevia.domain.stats.charts import BarChart, bar_chart, charts_for, nice_scale
from carevia.domain.stats.models import Change, Kpi, Series, Statistics, month_over_month
from carevia.domain.stats.repository import INDEXES, StatisticsRepository
from carevia.domain.stats.service import StatisticsService

__all__ = [
    "INDEXES",
    "BarChart",
    "Change",
    "Kpi",
    "Series",
    "Statistics",
    "StatisticsRepository",
    "StatisticsService",
    "bar_chart",
    "charts_for",
    "month_over_month",
    "nice_scale",
]
