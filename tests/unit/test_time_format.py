"""How dates read in the interface."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from carevia.domain.shared.time_format import format_clock, format_day, format_local


def test_a_date_reads_as_people_in_bangladesh_write_it() -> None:
    assert format_day(date(2026, 12, 9)) == "Wed 9 Dec 2026"
    assert format_day(date(2027, 1, 1)) == "Fri 1 Jan 2027"


def test_times_read_naturally_without_leading_zeros() -> None:
    assert format_local(datetime(2026, 12, 9, 4, 0, tzinfo=UTC), "Asia/Dhaka") == (
        "Wed 9 Dec 2026, 10:00 am"
    )
    assert format_local(datetime(2026, 12, 9, 7, 30, tzinfo=UTC), "Asia/Dhaka") == (
        "Wed 9 Dec 2026, 1:30 pm"
    )
    assert format_clock(time(0, 0)) == "12:00 am"
    assert format_clock(time(12, 30)) == "12:30 pm"
    assert format_clock(time(9, 0)) == "9:00 am"
