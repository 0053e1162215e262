"""Dates, times, numbers and money read as people write them in each language."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from carevia.domain.shared.language import format_number, speaking
from carevia.domain.shared.money import format_money
from carevia.domain.shared.time_format import (
    format_clock,
    format_day,
    format_day_month,
    format_local,
    format_month,
    format_weekday,
)
from carevia.settings import Settings
from carevia.web.templating import build_environment


def test_a_date_in_bangla_has_the_weekday_month_and_bengali_digits() -> None:
    assert format_day(date(2026, 12, 9), "bn") == "বুধবার, ৯ ডিসেম্বর ২০২৬"


def test_a_visit_time_in_bangla_names_the_part_of_the_day() -> None:
    visit = datetime(2026, 12, 9, 4, 0, tzinfo=UTC)  # 10 in the morning in Dhaka
    with speaking("bn"):
        assert format_local(visit, "Asia/Dhaka") == "বুধবার, ৯ ডিসেম্বর ২০২৬, সকাল ১০:০০"
    assert format_clock(time(19, 30), "bn") == "সন্ধ্যা ৭:৩০"


@pytest.mark.parametrize(
    ("minor_units", "english", "bangla"),
    [
        (12_345_000, "৳1,23,450", "৳১,২৩,৪৫০"),
        (150_000, "৳1,500", "৳১,৫০০"),
        (125_050, "৳1,250.50", "৳১,২৫০.৫০"),
        (-80_000, "-৳800", "-৳৮০০"),
    ],
)
def test_taka_are_grouped_by_lakh_in_the_readers_digits(
    minor_units: int, english: str, bangla: str
) -> None:
    assert format_money(minor_units, "BDT", "en") == english
    assert format_money(minor_units, "BDT", "bn") == bangla


def test_numbers_follow_the_language_of_the_answer() -> None:
    assert format_number(123450, "bn") == "১,২৩,৪৫০"
    assert format_number(1234567, "en") == "12,34,567"
    with speaking("bn"):
        assert format_number(7) == "৭"
        assert format_money(50_000, "BDT") == "৳৫০০"
    assert format_number(7) == "7"


def test_templates_show_counts_money_and_dates_in_the_readers_digits() -> None:
    environment = build_environment(Settings(env="test", public_base_url="https://x.example"))
    page = environment.from_string(
        "{{ amount|money }} · {{ day|day }} · {{ people|number }} · "
        "{% trans count=reviews %}{{ count }} review"
        "{% pluralize %}{{ count }} reviews{% endtrans %}"
        " · {% trans year=2026 %}since {{ year }}{% endtrans %}"
    )
    values = {"amount": 12_345_000, "day": date(2026, 12, 9), "people": 123450, "reviews": 5}
    english = "৳1,23,450 · Wed 9 Dec 2026 · 1,23,450 · 5 reviews · since 2026"
    assert page.render(values) == english
    with speaking("bn"):
        bangla = page.render(values)
    assert bangla.startswith("৳১,২৩,৪৫০ · বুধবার, ৯ ডিসেম্বর ২০২৬ · ১,২৩,৪৫০ · ৫")
    assert "রিভিউ" in bangla, "the count's words come from the catalogue"
    assert bangla.endswith("২০২৬")  # a year in Bengali digits, never "২,০২৬"


def test_a_strftime_pattern_reads_in_bangla_through_cldr() -> None:
    moment = datetime(2026, 12, 9, 4, 5, 6, tzinfo=UTC)
    assert format_local(moment, "Asia/Dhaka", "%-d %b %Y, %H:%M:%S", "en") == "9 Dec 2026, 10:05:06"
    assert (
        format_local(moment, "Asia/Dhaka", "%-d %b %Y, %H:%M:%S", "bn") == "৯ ডিসে ২০২৬, ১০:০৫:০৬"
    )
    assert format_weekday(date(2026, 12, 9), "bn") == "বুধ"
    assert format_day_month(date(2026, 12, 9), "en") == "9 Dec"
    assert format_month(date(2026, 12, 9), "bn") == "ডিসেম্বর ২০২৬"
