"""Booking times: local wall-clock input, UTC storage, and 30-minute slots."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from carevia.domain.bookings.pricing import DurationType

SLOT = timedelta(minutes=30)
# The dates any page or filter accepts. At 0001-01-01 and 9999-12-31 the time-zone shift and
# the day added to a range's end overflow `datetime`; no booking lies outside this span.
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
    """A YYYY-MM-DD date between EARLIEST_DATE and LATEST_DATE, or None."""
    day = parse_iso_date(value)
    return day if day is not None and EARLIEST_DATE <= day <= LATEST_DATE else None


def date_range_errors(date_from: str, date_to: str) -> dict[str, str]:
    """What is wrong with a filter's YYYY-MM-DD date range, by field; empty when it is usable."""
    errors: dict[str, str] = {}
    first, last = parse_date(date_from), parse_date(date_to)
    for field, text, day in (("date_from", date_from, first), ("date_to", date_to, last)):
        if text and day is None:
            errors[field] = _date_problem(text)
    if first and last and first > last:
        errors["date_to"] = "The end date must not be before the start date."
    return errors


def _date_problem(text: str) -> str:
    if parse_iso_date(text) is None:
        return "Write the date as YYYY-MM-DD."
    return f"Choose a date between {EARLIEST_DATE.isoformat()} and {LATEST_DATE.isoformat()}."
