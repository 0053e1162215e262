"""Statistics for the admin overview: like-for-like periods, KPIs and per-day series.

Periods compare what has happened so far with the same stretch of the period before:
today until now against yesterday until the same time, and this month so far against
last month up to the same day and time (all of last month when it is shorter).
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

import msgspec

from carevia.domain.shared.text import Text
from carevia.domain.shared.time_format import format_clock, format_month

Change = int | Literal["new"]
Unit = Literal["count", "money"]
Trend = Literal["up", "down", "new", "same"]


def month_over_month(current: int, previous: int) -> Change:
    """The percent change, rounded half away from zero; never divides by zero.

    Nothing before and something now is "new"; nothing in both is 0 (no change). A
    negative base (a month with more refunded than collected) is measured from its size.
    """
    if previous == 0:
        return 0 if current == 0 else "new"
    numerator = abs(current - previous) * 100
    denominator = abs(previous)
    rounded = (2 * numerator + denominator) // (2 * denominator)
    return rounded if current >= previous else -rounded


def trend_of(change: Change) -> Trend:
    if isinstance(change, str):
        return "new"
    if change == 0:
        return "same"
    return "up" if change > 0 else "down"


class Window(msgspec.Struct, frozen=True, kw_only=True):
    """A half-open span of time, [start, end), in UTC."""

    start: datetime
    end: datetime


class Periods(msgspec.Struct, frozen=True, kw_only=True):
    today: Window
    yesterday: Window
    month: Window
    previous_month: Window


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=zone)


def periods(now: datetime, timezone: str) -> Periods:
    zone = ZoneInfo(timezone)
    local = now.astimezone(zone)
    today = _midnight(local.date(), zone)
    yesterday = _midnight(local.date() - timedelta(days=1), zone)
    month_start = _midnight(local.date().replace(day=1), zone)
    last_month = (local.date().replace(day=1) - timedelta(days=1)).replace(day=1)
    days_in_last_month = calendar.monthrange(last_month.year, last_month.month)[1]
    if local.day > days_in_last_month:
        previous_end = month_start
    else:
        previous_end = local.replace(year=last_month.year, month=last_month.month)

    def window(start: datetime, end: datetime) -> Window:
        return Window(start=start.astimezone(UTC), end=end.astimezone(UTC))

    return Periods(
        today=window(today, local),
        yesterday=window(yesterday, local - timedelta(days=1)),
        month=window(month_start, local),
        previous_month=window(_midnight(last_month, zone), previous_end),
    )


def local_days(now: datetime, timezone: str, count: int) -> list[date]:
    """The last `count` local calendar days, oldest first, ending with today."""
    today = now.astimezone(ZoneInfo(timezone)).date()
    return [today - timedelta(days=offset) for offset in range(count - 1, -1, -1)]


def day_window(days: list[date], timezone: str) -> Window:
    zone = ZoneInfo(timezone)
    return Window(
        start=_midnight(days[0], zone).astimezone(UTC),
        end=_midnight(days[-1] + timedelta(days=1), zone).astimezone(UTC),
    )


class Kpi(msgspec.Struct, frozen=True, kw_only=True):
    """One card: the value now, and when it has one, the comparable earlier value."""

    key: str
    label: str
    unit: Unit
    value: int
    previous: int | None
    change: Change | None
    compared_with: str
    note: str = ""
    higher_is_better: bool = True

    @property
    def trend(self) -> Trend | None:
        return None if self.change is None else trend_of(self.change)


class Point(msgspec.Struct, frozen=True, kw_only=True):
    day: date
    value: int


class Series(msgspec.Struct, frozen=True, kw_only=True):
    key: str
    label: str
    unit: Unit
    points: list[Point]

    @property
    def total(self) -> int:
        return sum(point.value for point in self.points)


class Comparison(msgspec.Struct, frozen=True, kw_only=True):
    """How the periods were chosen, in words, for people reading the numbers."""

    today: str
    month: str


class Statistics(msgspec.Struct, frozen=True, kw_only=True):
    generated_at: datetime
    timezone: str
    currency: str
    periods: Periods
    comparison: Comparison
    kpis: list[Kpi]
    series: list[Series] = msgspec.field(default_factory=list)


def comparison_words(result: Periods, timezone: str) -> Comparison:
    zone = ZoneInfo(timezone)
    start = result.previous_month.start.astimezone(zone)
    end = result.previous_month.end.astimezone(zone)
    if end.day == 1 and end.time() == datetime.min.time() and end.month != start.month:
        month = Text("in all of %(month)s", month=f"{start:%B %Y}")
    else:
        clock = format_clock(end.time())
        month = Text(
            "in %(first)s–%(last)s %(month)s, up to %(clock)s",
            first=start.day,
            last=end.day,
            month=format_month(start),
            clock=clock,
        )
    return Comparison(today=Text("yesterday by this time"), month=month)
