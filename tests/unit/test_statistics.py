"""Growth figures that never divide by zero, honest periods, and chart geometry."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from carevia.domain.stats.charts import bar_chart, compact, nice_scale
from carevia.domain.stats.models import (
    Point,
    Series,
    Unit,
    comparison_words,
    local_days,
    month_over_month,
    periods,
    trend_of,
)

DHAKA = "Asia/Dhaka"


@pytest.mark.parametrize(
    ("current", "previous", "expected"),
    [
        (0, 0, 0),
        (5, 0, "new"),
        (10, 0, "new"),
        (0, 10, -100),
        (12, 10, 20),
        (10, 10, 0),
        (30, 10, 200),
        (1, 3, -67),
        (2, 3, -33),
        (9, 8, 13),  # 12.5 rounds away from zero
        (3, 8, -63),  # -62.5 rounds away from zero
        (1, 200, -100),  # -99.5
        (201, 200, 1),  # 0.5
        (-50, -100, 50),  # a smaller net loss is an improvement
    ],
)
def test_month_over_month(current: int, previous: int, expected: int | str) -> None:
    assert month_over_month(current, previous) == expected


def test_a_first_sale_is_new_not_a_made_up_percentage() -> None:
    # The original divided by 1 when the previous value was 0: 0 -> 5 read as "+400%".
    assert month_over_month(5, 0) == "new"
    assert month_over_month(500_000, 0) == "new"


def test_trends_for_badges() -> None:
    assert [trend_of(c) for c in (12, -5, "new", 0)] == ["up", "down", "new", "same"]


def test_periods_compare_like_with_like() -> None:
    now = datetime(2026, 11, 24, 7, 6, tzinfo=UTC)  # 13:06 in Dhaka (UTC+6)
    chosen = periods(now, DHAKA)
    assert chosen.today.start == datetime(2026, 11, 23, 18, 0, tzinfo=UTC)
    assert chosen.today.end == now
    assert chosen.yesterday.start == datetime(2026, 11, 22, 18, 0, tzinfo=UTC)
    assert chosen.yesterday.end == now - timedelta(days=1)
    assert chosen.month.start == datetime(2026, 10, 31, 18, 0, tzinfo=UTC)
    assert chosen.previous_month.start == datetime(2026, 9, 30, 18, 0, tzinfo=UTC)
    assert chosen.previous_month.end == datetime(2026, 10, 24, 7, 6, tzinfo=UTC)
    assert comparison_words(chosen, DHAKA).month == "in 1–24 Oct 2026, up to 1:06 pm"


def test_a_longer_month_is_compared_with_all_of_a_shorter_one() -> None:
    now = datetime(2026, 3, 31, 4, 0, tzinfo=UTC)  # 31 March, 10:00 in Dhaka
    chosen = periods(now, DHAKA)
    assert chosen.previous_month.start == datetime(2026, 1, 31, 18, 0, tzinfo=UTC)
    assert chosen.previous_month.end == chosen.month.start
    assert comparison_words(chosen, DHAKA).month == "in all of February 2026"


def test_the_first_of_january_compares_with_december() -> None:
    now = datetime(2025, 12, 31, 18, 30, tzinfo=UTC)  # 1 January 2026, 00:30 in Dhaka
    chosen = periods(now, DHAKA)
    assert chosen.month.start == datetime(2025, 12, 31, 18, 0, tzinfo=UTC)
    assert chosen.previous_month.start == datetime(2025, 11, 30, 18, 0, tzinfo=UTC)
    assert chosen.previous_month.end == datetime(2025, 11, 30, 18, 30, tzinfo=UTC)


def test_days_are_local_calendar_days() -> None:
    now = datetime(2026, 11, 23, 18, 30, tzinfo=UTC)  # already 24 November in Dhaka
    days = local_days(now, DHAKA, 7)
    assert days[0] == date(2026, 11, 18) and days[-1] == date(2026, 11, 24)
    assert len(local_days(now, DHAKA, 30)) == 30


@pytest.mark.parametrize(
    ("low", "high", "min_step", "expected"),
    [
        (0, 0, 1, (0, 4, 1)),
        (0, 3, 1, (0, 3, 1)),
        (0, 7, 1, (0, 8, 2)),
        (0, 10, 1, (0, 10, 5)),
        (0, 37, 1, (0, 40, 10)),
        (-3, 10, 1, (-5, 10, 5)),
        (0, 50, 100, (0, 100, 100)),
        (0, 1_234_500, 100, (0, 1_500_000, 500_000)),
    ],
)
def test_nice_scale(low: int, high: int, min_step: int, expected: tuple[int, int, int]) -> None:
    assert nice_scale(low, high, min_step=min_step) == expected


def test_compact_axis_labels() -> None:
    assert compact(150_000, "money", "BDT") == "৳1.5k"
    assert compact(0, "money", "BDT") == "৳0"
    assert compact(-50_000, "money", "BDT") == "-৳500"
    assert compact(1_200, "count", "BDT") == "1.2k"
    assert compact(250_000_000, "money", "BDT") == "৳2.5M"


def _series(values: list[int], unit: Unit = "count") -> Series:
    start = date(2026, 11, 24) - timedelta(days=len(values) - 1)
    points = [Point(day=start + timedelta(days=i), value=v) for i, v in enumerate(values)]
    label = "Revenue per day" if unit == "money" else "Bookings per day"
    return Series(key="s", label=label, unit=unit, points=points)


def test_bars_scale_to_a_nice_maximum() -> None:
    chart = bar_chart(_series([0, 1, 2, 3, 4, 5, 8]), "BDT")
    plot = chart.plot_bottom - chart.plot_top
    heights = [bar.height for bar in chart.bars]
    assert heights[-1] == plot  # 8 is the top of a 0..8 scale
    assert heights[4] == pytest.approx(plot / 2)
    assert heights[0] == 0 and chart.bars[0].y == chart.baseline_y == chart.plot_bottom
    assert [t.value for t in chart.ticks] == [0, 2, 4, 6, 8]
    assert chart.ticks[0].y == chart.plot_bottom and chart.ticks[-1].y == chart.plot_top
    assert len({bar.width for bar in chart.bars}) == 1
    xs = [bar.x for bar in chart.bars]
    assert xs == sorted(xs) and xs[0] > chart.plot_left
    assert chart.bars[-1].x + chart.bars[-1].width < chart.plot_right
    assert [bar.axis_label for bar in chart.bars][-2:] == ["Mon", "Tue"]


def test_thirty_days_keep_the_axis_readable() -> None:
    chart = bar_chart(_series([1] * 30), "BDT")
    labelled = [bar for bar in chart.bars if bar.axis_label]
    assert 4 <= len(labelled) <= 7
    assert chart.bars[-1].axis_label == "24 Nov"


def test_summary_and_tooltips_speak_plainly() -> None:
    chart = bar_chart(_series([0, 2, 5, 1, 0, 0, 4]), "BDT")
    assert chart.summary == (
        "Bookings per day: 12 bookings in total; highest 5 bookings on Fri 20 Nov."
    )
    assert chart.bars[3].day_text == "Sat 21 Nov" and chart.bars[3].value_text == "1 booking"
    empty = bar_chart(_series([0] * 7), "BDT")
    assert empty.summary == "Bookings per day: nothing recorded."
    assert all(bar.height == 0 for bar in empty.bars)


def test_a_day_of_net_refunds_draws_below_the_axis() -> None:
    chart = bar_chart(_series([150_000, -50_000], unit="money"), "BDT")
    up, down = chart.bars
    assert chart.plot_top < chart.baseline_y < chart.plot_bottom
    assert up.y + up.height == chart.baseline_y
    assert down.y == chart.baseline_y and down.height > 0 and down.negative
    assert down.value_text == "-৳500"
    assert chart.ticks[0].label == "-৳500" and chart.ticks[-1].label == "৳1.5k"
