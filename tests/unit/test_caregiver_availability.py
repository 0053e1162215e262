"""When a caregiver works: weekly windows, night shifts, days off and the half-hour grid."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
import pytest
from bson import ObjectId

from carevia.domain.caregivers import Caregiver, TimeWindow, WeeklyAvailability
from carevia.domain.catalogue import Category

DHAKA = ZoneInfo("Asia/Dhaka")
TUESDAY = date(2025, 6, 3)
WEDNESDAY = date(2025, 6, 4)
DAY_SHIFT = [TimeWindow("08:00", "20:00")]


def caregiver(days_off: tuple[str, ...] = (), **days: list[TimeWindow]) -> Caregiver:
    now = datetime.now(UTC)
    return Caregiver(
        id=ObjectId(),
        display_name="Shirin Akhter",
        bio="Calm and careful.",
        categories=[Category.BABY_CARE],
        divisions=["Dhaka"],
        languages=["Bangla"],
        years_experience=5,
        verified=True,
        availability=WeeklyAvailability(**days),
        days_off=list(days_off),
        created_at=now,
        updated_at=now,
    )


def at(day: date, clock: str) -> datetime:
    hours, minutes = (int(part) for part in clock.split(":"))
    return datetime(day.year, day.month, day.day, hours, minutes, tzinfo=DHAKA)


def test_weekday_order_matches_python() -> None:
    assert TUESDAY.weekday() == 1 and WEDNESDAY.weekday() == 2


def test_a_visit_inside_the_day_shift_is_working_time() -> None:
    shirin = caregiver(tuesday=DAY_SHIFT)
    assert shirin.works_during(at(TUESDAY, "10:00"), at(TUESDAY, "14:00"))
    assert shirin.works_during(at(TUESDAY, "08:00"), at(TUESDAY, "20:00"))


@pytest.mark.parametrize(
    ("start", "end"),
    [("07:30", "09:00"), ("18:00", "21:00"), ("20:00", "21:00"), ("06:00", "07:00")],
)
def test_any_slot_outside_the_window_refuses_the_visit(start: str, end: str) -> None:
    assert not caregiver(tuesday=DAY_SHIFT).works_during(at(TUESDAY, start), at(TUESDAY, end))


def test_the_window_of_another_weekday_does_not_count() -> None:
    only_wednesday = caregiver(wednesday=DAY_SHIFT)
    assert not only_wednesday.works_during(at(TUESDAY, "10:00"), at(TUESDAY, "12:00"))
    assert only_wednesday.works_during(at(WEDNESDAY, "10:00"), at(WEDNESDAY, "12:00"))


def test_a_night_shift_runs_across_midnight_into_the_next_day() -> None:
    night = caregiver(
        tuesday=[TimeWindow("20:00", "24:00")], wednesday=[TimeWindow("00:00", "08:00")]
    )
    assert night.works_during(at(TUESDAY, "22:00"), at(WEDNESDAY, "02:00"))
    assert night.works_during(at(TUESDAY, "20:00"), at(WEDNESDAY, "08:00"))
    assert not night.works_during(at(TUESDAY, "22:00"), at(WEDNESDAY, "08:30"))


def test_a_night_shift_needs_the_morning_of_the_next_day_too() -> None:
    evening_only = caregiver(tuesday=[TimeWindow("20:00", "24:00")])
    assert not evening_only.works_during(at(TUESDAY, "22:00"), at(WEDNESDAY, "02:00"))


def test_a_window_ending_at_24_00_covers_the_last_half_hour() -> None:
    late = caregiver(tuesday=[TimeWindow("16:00", "24:00")])
    assert late.works_during(at(TUESDAY, "23:30"), at(WEDNESDAY, "00:00"))
    assert late.works_during(at(TUESDAY, "16:00"), at(WEDNESDAY, "00:00"))
    assert not late.works_during(at(TUESDAY, "23:30"), at(WEDNESDAY, "00:30"))


def test_a_day_off_blocks_that_date_only() -> None:
    every_day = {day: DAY_SHIFT for day in ("tuesday", "wednesday")}
    resting = caregiver(days_off=(TUESDAY.isoformat(),), **every_day)
    assert not resting.works_during(at(TUESDAY, "10:00"), at(TUESDAY, "12:00"))
    assert resting.works_during(at(WEDNESDAY, "10:00"), at(WEDNESDAY, "12:00"))
    assert resting.windows_on(TUESDAY) == []
    assert resting.windows_on(WEDNESDAY) == DAY_SHIFT


def test_a_day_off_after_midnight_cuts_a_night_shift() -> None:
    night = caregiver(
        days_off=(WEDNESDAY.isoformat(),),
        tuesday=[TimeWindow("20:00", "24:00")],
        wednesday=[TimeWindow("00:00", "08:00")],
    )
    assert night.works_during(at(TUESDAY, "20:00"), at(TUESDAY, "23:00"))
    assert not night.works_during(at(TUESDAY, "22:00"), at(WEDNESDAY, "02:00"))


def test_boundaries_off_the_half_hour_need_the_whole_slot_around_them() -> None:
    mid_morning = caregiver(tuesday=[TimeWindow("10:00", "12:00")])
    assert mid_morning.works_during(at(TUESDAY, "10:15"), at(TUESDAY, "11:45"))
    assert mid_morning.works_during(at(TUESDAY, "11:59"), at(TUESDAY, "12:00"))
    late_start = caregiver(tuesday=[TimeWindow("10:30", "12:00")])
    assert not late_start.works_during(at(TUESDAY, "10:15"), at(TUESDAY, "11:00"))
    early_end = caregiver(tuesday=[TimeWindow("10:00", "11:30")])
    assert not early_end.works_during(at(TUESDAY, "10:00"), at(TUESDAY, "11:45"))


def test_two_windows_on_one_day_do_not_cover_the_gap_between_them() -> None:
    split = caregiver(tuesday=[TimeWindow("07:00", "13:00"), TimeWindow("16:00", "22:00")])
    assert split.works_during(at(TUESDAY, "16:00"), at(TUESDAY, "20:00"))
    assert not split.works_during(at(TUESDAY, "12:00"), at(TUESDAY, "17:00"))


def test_touching_windows_together_cover_a_visit() -> None:
    touching = caregiver(tuesday=[TimeWindow("08:00", "12:00"), TimeWindow("12:00", "16:00")])
    assert touching.works_during(at(TUESDAY, "11:00"), at(TUESDAY, "13:00"))


def test_times_in_another_zone_are_read_on_the_caregivers_clock() -> None:
    shirin = caregiver(tuesday=DAY_SHIFT)
    ten_in_dhaka = at(TUESDAY, "10:00").astimezone(UTC)
    assert shirin.works_during(ten_in_dhaka, at(TUESDAY, "12:00").astimezone(UTC))
    assert not shirin.works_during(at(TUESDAY, "19:00").astimezone(UTC), at(TUESDAY, "21:00"))


def test_an_empty_or_reversed_interval_is_not_a_visit() -> None:
    shirin = caregiver(tuesday=DAY_SHIFT)
    assert not shirin.works_during(at(TUESDAY, "10:00"), at(TUESDAY, "10:00"))
    assert not shirin.works_during(at(TUESDAY, "12:00"), at(TUESDAY, "10:00"))


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        caregiver(tuesday=DAY_SHIFT).works_during(
            datetime(2025, 6, 3, 10), datetime(2025, 6, 3, 12)
        )


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("08:15", "12:00"),
        ("8:00", "12:00"),
        ("24:00", "24:00"),
        ("12:00", "12:00"),
        ("14:00", "12:00"),
        ("10:00", "24:30"),
        ("ab:cd", "12:00"),
    ],
)
def test_windows_must_be_half_hour_aligned_and_end_after_they_start(start: str, end: str) -> None:
    with pytest.raises(ValueError, match=r"time|window"):
        TimeWindow(start, end)


def test_a_bad_window_in_a_stored_document_is_rejected_on_read() -> None:
    document: dict[str, Any] = {"tuesday": [{"start": "09:10", "end": "12:00"}]}
    with pytest.raises(msgspec.ValidationError, match="hour or half hour"):
        msgspec.convert(document, WeeklyAvailability)


def test_the_schedule_reads_saturday_to_friday_with_touching_windows_joined() -> None:
    week = caregiver(
        saturday=DAY_SHIFT,
        tuesday=[TimeWindow("12:00", "16:00"), TimeWindow("08:00", "12:00")],
        wednesday=[TimeWindow("00:00", "08:00"), TimeWindow("20:00", "24:00")],
    )
    rows = {row.weekday: [w.label for w in row.windows] for row in week.weekly_schedule()}
    assert list(rows) == [
        "Saturday",
        "Sunday",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
    ]
    assert rows["Saturday"] == ["8:00 am – 8:00 pm"]
    assert rows["Tuesday"] == ["8:00 am – 4:00 pm"]
    assert rows["Wednesday"] == ["midnight – 8:00 am", "8:00 pm – midnight"]
    assert rows["Friday"] == []
