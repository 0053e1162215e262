"""Booking times: local wall-clock input, UTC storage, and 30-minute slots."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from carevia.domain.bookings.pricing import DurationType
from carevia.domain.shared.text import Text

SLOT = timedelta(minutes=30)
# The span a filter's dates are held to. At 0001-01-01 and 9999-12-31 the time-zone shift and
# the day added to a range's end overflow `datetime`; no booking lies outside this span, so
# a date beyond it filters exactly as its end does.
EARLIEST_DATE = date(1970, 1, 1)
LATEST_DATE = date(2999, 12, 31)


def local_start(day: date, start: time, timezone: str) -> datetime:
    """The aware local start; zoneinfo resolves wall times that a DST change skips or repeats."""
    return datetime.combine(day, start, tzinfo=ZoneInfo(timezone))


def interval(
    start: datetime, duration_type: DurationType, quantity: int
) -> tuple[datetime, datetime]:
    """[start, end) in UTC; a day is 24 hours of the caregiver's time."""
    length = timedelta(hours=quantity) if duration_type == "hours" else timedelta(days=quantity)
    begin = start.astimezone(UTC)
    return begin, begin + length


def slots(begin: datetime, end: datetime) -> Iterator[datetime]:
    """The UTC starts of the 30-minute slots that cover [begin, end)."""
    moment = begin.astimezone(UTC)
    while moment < end:
        yield moment
        moment += SLOT


# Parts of the day that free times are grouped by, as (name, first hour). Night runs from
# 21:00 over midnight to 06:00, and is offered only by services that provide night care.
DAY_PARTS: tuple[tuple[str, int], ...] = (
    ("morning", 6),
    ("afternoon", 12),
    ("evening", 17),
    ("night", 21),
)


def day_part(start: time) -> str:
    """The part of the day a local start time falls in."""
    part = "night"
    for name, first_hour in DAY_PARTS:
        if start.hour >= first_hour:
            part = name
    return part


def start_times(day: date) -> list[time]:
    return [time(hour, minute) for hour in range(24) for minute in (0, 30)]


def parse_start_time(value: str) -> time | None:
    """HH:MM on a half hour, or None."""
    if not value.isascii():
        return None
    try:
        parsed = time.fromisoformat(value)
    except ValueError:
        return None
    if len(value) != 5 or parsed.minute not in (0, 30):
        return None
    return parsed


def parse_iso_date(value: str) -> date | None:
    """A YYYY-MM-DD date in ASCII digits, whatever its year, or None."""
    if len(value) != 10 or not value.isascii():
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def parse_date(value: str) -> date | None:
    """A YYYY-MM-DD date held to EARLIEST_DATE..LATEST_DATE, or None."""
    day = parse_iso_date(value)
    return None if day is None else min(max(day, EARLIEST_DATE), LATEST_DATE)


def date_range_errors(date_from: str, date_to: str) -> dict[str, str]:
    """What is wrong with a filter's YYYY-MM-DD date range, by field; empty when it is usable."""
    errors: dict[str, str] = {}
    first, last = parse_date(date_from), parse_date(date_to)
    if date_from and first is None:
        errors["date_from"] = Text("Write the date as YYYY-MM-DD.")
    if date_to and last is None:
        errors["date_to"] = Text("Write the date as YYYY-MM-DD.")
    if first and last and first > last:
        errors["date_to"] = Text("The end date must not be before the start date.")
    return errors
