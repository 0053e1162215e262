"""The admin's numbers: KPI cards with honest comparisons, and per-day series for the charts."""

from __future__ import annotations

from datetime import date, datetime

import msgspec

from carevia.domain.shared.clock import Clock
from carevia.domain.shared.text import Text
from carevia.domain.stats.models import (
    Change,
    Kpi,
    Periods,
    Point,
    Series,
    Statistics,
    Unit,
    comparison_words,
    day_window,
    local_days,
    month_over_month,
    periods,
)
from carevia.domain.stats.repository import StatisticsRepository

SERIES_DAYS = 30
WEEK_DAYS = 7
RIGHT_NOW = "right now"


def _compared(
    key: str,
    label: str,
    unit: Unit,
    values: tuple[int, int],
    compared_with: str,
    *,
    note: str = "",
    higher_is_better: bool = True,
) -> Kpi:
    current, previous = values
    change: Change = month_over_month(current, previous)
    return Kpi(
        key=key,
        label=label,
        unit=unit,
        value=current,
        previous=previous,
        change=change,
        compared_with=compared_with,
        note=note,
        higher_is_better=higher_is_better,
    )


def _snapshot(key: str, label: str, unit: Unit, value: int, note: str) -> Kpi:
    """A state at this moment: no earlier value is stored, so none is invented."""
    return Kpi(
        key=key,
        label=label,
        unit=unit,
        value=value,
        previous=None,
        change=None,
        compared_with=RIGHT_NOW,
        note=note,
    )


def _filled(days: list[date], values: dict[date, int]) -> list[Point]:
    return [Point(day=day, value=values.get(day, 0)) for day in days]


class StatisticsService:
    def __init__(
        self,
        repository: StatisticsRepository,
        *,
        timezone: str,
        currency: str,
        clock: Clock,
    ) -> None:
        self._repository = repository
        self._timezone = timezone
        self._currency = currency
        self._clock = clock

    async def kpis(self) -> Statistics:
        """The KPI cards only: what the live fragment re-renders."""
        now = self._clock()
        chosen = periods(now, self._timezone)
        return Statistics(
            generated_at=now,
            timezone=self._timezone,
            currency=self._currency,
            periods=chosen,
            comparison=comparison_words(chosen, self._timezone),
            kpis=await self._kpis(now, chosen),
        )

    async def overview(self) -> Statistics:
        """The KPI cards and the per-day series behind the charts."""
        statistics = await self.kpis()
        series = await self._series(statistics.generated_at)
        return msgspec.structs.replace(statistics, series=series)

    async def _kpis(self, now: datetime, chosen: Periods) -> list[Kpi]:
        repository = self._repository
        months = [chosen.month, chosen.previous_month]
        today, yesterday, month, last_month = await repository.bookings_created(
            [chosen.today, chosen.yesterday, *months]
        )
        paid = await repository.payments_collected(months)
        refunded = await repository.refunds_succeeded(months)
        revenue = (paid[0] - refunded[0], paid[1] - refunded[1])
        words = comparison_words(chosen, self._timezone)
        return [
            _compared(
                "bookings_today", Text("Bookings today"), "count", (today, yesterday), words.today
            ),
            _compared(
                "bookings_month",
                Text("Bookings this month"),
                "count",
                (month, last_month),
                words.month,
            ),
            _compared(
                "revenue_month",
                Text("Revenue this month"),
                "money",
                revenue,
                words.month,
                note=Text("Payments received minus refunds paid out"),
            ),
            _compared(
                "refunds_month",
                Text("Refunds this month"),
                "money",
                (refunded[0], refunded[1]),
                words.month,
                note=Text("Refunds paid out to patients"),
                higher_is_better=False,
            ),
            _snapshot(
                "due_outstanding",
                Text("Due outstanding"),
                "money",
                await repository.due_outstanding(),
                Text("Still to pay on confirmed and in-progress bookings"),
            ),
            _snapshot(
                "holds_pending",
                Text("Holds awaiting payment"),
                "count",
                await repository.holds_pending(now),
                Text("Unpaid bookings still holding a caregiver's time"),
            ),
        ]

    async def _series(self, now: datetime) -> list[Series]:
        days = local_days(now, self._timezone, SERIES_DAYS)
        span = day_window(days, self._timezone)
        created = await self._repository.bookings_per_day(span, self._timezone)
        paid = await self._repository.payments_per_day(span, self._timezone)
        refunded = await self._repository.refunds_per_day(span, self._timezone)
        revenue = {day: paid.get(day, 0) - refunded.get(day, 0) for day in days}
        bookings = _filled(days, created)
        return [
            Series(
                key="bookings_7d",
                label=Text("Bookings per day, last 7 days"),
                unit="count",
                points=bookings[-WEEK_DAYS:],
            ),
            Series(
                key="bookings_30d",
                label=Text("Bookings per day, last 30 days"),
                unit="count",
                points=bookings,
            ),
            Series(
                key="revenue_30d",
                label=Text("Revenue per day, last 30 days"),
                unit="money",
                points=_filled(days, revenue),
            ),
        ]
