"""How dates read in the interface."""

from __future__ import annotations

from datetime import date

from carevia.domain.shared.time_format import format_day


def test_a_date_reads_as_people_in_bangladesh_write_it() -> None:
    assert format_day(date(2026, 12, 9)) == "Wed 9 Dec 2026"
    assert format_day(date(2027, 1, 1)) == "Fri 1 Jan 2027"
