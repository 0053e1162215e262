"""Geometry for the server-drawn SVG bar charts: scales, "nice" axis steps, bars and labels.

Everything is in viewBox units; the template only places what is computed here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date

import msgspec

from carevia.domain.shared.money import CURRENCY_SYMBOLS, format_money
from carevia.domain.shared.text import Text
from carevia.domain.shared.time_format import format_day_month, format_weekday
from carevia.domain.stats.models import Point, Series, Statistics, Unit

WIDTH = 440
HEIGHT = 220
LEFT, RIGHT, TOP, BOTTOM = 56, 8, 12, 28
TICKS = 4
MAX_AXIS_LABELS = 7
BAR_SHARE = 0.7  # of each day's slot; the rest is the gap between bars


class Tick(msgspec.Struct, frozen=True, kw_only=True):
    value: int
    y: float
    label: str


class Bar(msgspec.Struct, frozen=True, kw_only=True):
    day: date
    value: int
    x: float
    y: float
    width: float
    height: float
    center: float
    slot_x: float
    slot_width: float
    day_text: str
    value_text: str
    axis_label: str | None
    negative: bool


class BarChart(msgspec.Struct, frozen=True, kw_only=True):
    key: str
    title: str
    unit: Unit
    width: int
    height: int
    plot_left: float
    plot_right: float
    plot_top: float
    plot_bottom: float
    plot_height: float
    baseline_y: float
    label_y: float
    tick_x: float
    ticks: list[Tick]
    bars: list[Bar]
    summary: str


def nice_scale(
    low: int, high: int, *, ticks: int = TICKS, min_step: int = 1
) -> tuple[int, int, int]:
    """(bottom, top, step): a 1-2-5 step so that about `ticks` steps cover [min(low,0), high].

    Zero is always on the scale, and an empty series still gets a readable axis.
    """
    low, high = min(low, 0), max(high, 0)
    span = high - low
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            step = factor * magnitude
            if step >= min_step and step * ticks >= span:
                bottom = (low // step) * step
                top = -(-high // step) * step
                if top == bottom:
                    top = bottom + step * ticks
                return bottom, top, step
        magnitude *= 10


def compact(value: int, unit: Unit, currency: str) -> str:
    """A short axis label: 12, 1.5k, ৳12k (money is in minor units)."""
    amount = value / 100 if unit == "money" else float(value)
    size = abs(amount)
    if size >= 1_000_000:
        text = f"{size / 1_000_000:g}M"
    elif size >= 1_000:
        text = f"{size / 1_000:g}k"
    else:
        text = f"{size:g}"
    symbol = CURRENCY_SYMBOLS.get(currency.upper(), "") if unit == "money" else ""
    return f"{'-' if amount < 0 else ''}{symbol}{text}"


def day_text(day: date) -> str:
    return f"{format_weekday(day)} {format_day_month(day)}"


def value_text(value: int, unit: Unit, currency: str) -> str:
    if unit == "money":
        return format_money(value, currency)
    return Text.plural("%(count)s booking", "%(count)s bookings", value, count=f"{value:,}")


def _axis_label(day: date, count: int) -> str:
    """A week reads best by weekday; a month by date."""
    return format_weekday(day) if count <= MAX_AXIS_LABELS else format_day_month(day)


def _labelled(count: int) -> set[int]:
    """Which bars carry a date under the axis: evenly spaced, counted back from today."""
    every = max(1, math.ceil(count / MAX_AXIS_LABELS))
    return set(range(count - 1, -1, -every))


def _summary(title: str, points: Sequence[Point], unit: Unit, currency: str) -> str:
    if not any(point.value for point in points):
        return Text("%(title)s: nothing recorded.", title=title)
    total = value_text(sum(point.value for point in points), unit, currency)
    peak = max(points, key=lambda point: point.value)
    highest = value_text(peak.value, unit, currency)
    return Text(
        "%(title)s: %(total)s in total; highest %(highest)s on %(day)s.",
        title=title,
        total=total,
        highest=highest,
        day=day_text(peak.day),
    )


def bar_chart(
    series: Series, currency: str, *, width: int = WIDTH, height: int = HEIGHT
) -> BarChart:
    points = series.points
    values = [point.value for point in points] or [0]
    bottom, top, step = nice_scale(
        min(values), max(values), min_step=100 if series.unit == "money" else 1
    )
    plot_left, plot_right = float(LEFT), float(width - RIGHT)
    plot_top, plot_bottom = float(TOP), float(height - BOTTOM)

    def y_of(value: int) -> float:
        return round(plot_top + (top - value) / (top - bottom) * (plot_bottom - plot_top), 2)

    baseline = y_of(0)
    slot = (plot_right - plot_left) / max(len(points), 1)
    bar_width = round(slot * BAR_SHARE, 2)
    labelled = _labelled(len(points))
    bars = []
    for index, point in enumerate(points):
        edge = y_of(point.value)
        slot_x = round(plot_left + index * slot, 2)
        bars.append(
            Bar(
                day=point.day,
                value=point.value,
                x=round(slot_x + (slot - bar_width) / 2, 2),
                y=min(edge, baseline),
                width=bar_width,
                height=round(abs(baseline - edge), 2),
                center=round(slot_x + slot / 2, 2),
                slot_x=slot_x,
                slot_width=round(slot, 2),
                day_text=day_text(point.day),
                value_text=value_text(point.value, series.unit, currency),
                axis_label=_axis_label(point.day, len(points)) if index in labelled else None,
                negative=point.value < 0,
            )
        )
    ticks = [
        Tick(value=value, y=y_of(value), label=compact(value, series.unit, currency))
        for value in range(bottom, top + 1, step)
    ]
    return BarChart(
        key=series.key,
        title=series.label,
        unit=series.unit,
        width=width,
        height=height,
        plot_left=plot_left,
        plot_right=plot_right,
        plot_top=plot_top,
        plot_bottom=plot_bottom,
        plot_height=plot_bottom - plot_top,
        baseline_y=baseline,
        label_y=float(height - 8),
        tick_x=plot_left - 6,
        ticks=ticks,
        bars=bars,
        summary=_summary(series.label, points, series.unit, currency),
    )


def charts_for(statistics: Statistics) -> list[BarChart]:
    return [bar_chart(series, statistics.currency) for series in statistics.series]
